//! `waygate serve`: wires the store, the listeners and the shutdown path together.

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use firmware_config::{Config, OperatorToken};

use crate::secret::Secret;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::api::{
    Departments, Health, LocalApi, LocalService, OperatorAuth, Readiness, token_digest,
};
use crate::attachments::Downloader;
use crate::chat::ProfanityList;
use crate::clock::{SharedClock, SystemClock};
use crate::first_start;
use crate::graph::GraphClient;
use crate::ingress::tls::{self, TlsError};
use crate::ingress::{ChatRouting, WebhookEndpoint, WebhookSettings};
use crate::listeners_file::{LISTENERS_FILE, Listeners};
use crate::meta::DecodeLimits;
use crate::numbers::{Board, refresh_periodically};
use crate::secrets::{self, ResolvedSecret, SecretError, SecretOrigin};
use crate::sender::Sender;
use crate::server::{self, ConnectionLimits, Protocols};
use crate::service_manager::ServiceManager;
use crate::settings;
use crate::store::{Store, StoreError, usage};
use crate::telemetry::Metrics;
use crate::upstream::client::HqClientError;
use crate::upstream::commands::CommandsClient;
use crate::upstream::sink::Sink;
use crate::upstream::{
    SigningClock, SyncHandle, UpstreamSettings, UpstreamSettingsError, gateway_id,
};

/// The TLS file `configured` names under `key`: like a secret file, it may be in systemd's
/// credentials (`$CREDENTIALS_DIRECTORY/...`).
fn tls_file(key: &str, configured: &str) -> Result<PathBuf, SecretError> {
    crate::secret::secret_file_path(configured, |name| std::env::var_os(name)).map_err(|source| {
        SecretError::Source {
            key: key.to_owned(),
            source,
        }
    })
}

/// How often the store is asked to close due chats.
const CHAT_TICK_INTERVAL: Duration = Duration::from_secs(1);
/// How often the data folder is rescanned for the quota.
const USAGE_SCAN_INTERVAL: Duration = Duration::from_secs(1);

/// Why the gateway could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// A secret could not be had.
    #[error("secret: {0}")]
    Secret(#[from] SecretError),
    /// TLS could not be set up.
    #[error("TLS: {0}")]
    Tls(#[from] TlsError),
    /// The store could not be opened.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// A listener could not be bound.
    #[error("cannot listen on {addr} ({which} listener): {source}")]
    Bind {
        /// "public" or "local".
        which: &'static str,
        /// The address.
        addr: SocketAddr,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The data folder could not be prepared.
    #[error("data folder {path}: {source}")]
    DataDir {
        /// The folder or file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// A profanity word list could not be read or parsed.
    #[error("chat.profanity_word_lists: {path}: {reason}")]
    WordList {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
    /// The configured templates do not make a registry.
    #[error("templates: {0}")]
    Templates(#[from] crate::policy::RegistryError),
    /// The configuration does not make the gateway's settings.
    #[error("{0}")]
    Settings(#[from] settings::SettingsError),
    /// The client to Meta's Graph API could not be built.
    #[error("Graph API client: {0}")]
    Graph(#[from] crate::graph::GraphClientError),
    /// The settings for headquarters cannot be had.
    #[error("{0}")]
    Upstream(#[from] UpstreamSettingsError),
    /// The client to headquarters could not be built.
    #[error("{0}")]
    UpstreamClient(#[from] HqClientError),
    /// A blocking task failed.
    #[error("internal task failed: {0}")]
    Task(String),
}

/// The two Meta secrets as configured (already read from files or variables).
pub struct ConfiguredSecrets {
    /// `meta.app_secret*`, if set.
    pub app_secret: Option<Secret>,
    /// `meta.verify_token*`, if set.
    pub verify_token: Option<Secret>,
}

/// Runs the gateway until `shutdown` resolves, then drains within the grace period, closes the
/// store and returns.
pub async fn run(
    config: Config,
    configured: ConfiguredSecrets,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServeError> {
    let data_dir = PathBuf::from(config.data_dir.as_str());
    crate::files::create_private_dir(&data_dir).map_err(|source| ServeError::DataDir {
        path: data_dir.clone(),
        source,
    })?;
    let listeners_file = data_dir.join(LISTENERS_FILE);
    remove_if_present(&listeners_file)?;

    let app_secret = secrets::resolve(
        secrets::ENV_APP_SECRET,
        configured.app_secret,
        &data_dir,
        secrets::GENERATED_APP_SECRET,
    )?;
    let verify_token = secrets::resolve(
        secrets::ENV_VERIFY_TOKEN,
        configured.verify_token,
        &data_dir,
        secrets::GENERATED_VERIFY_TOKEN,
    )?;
    let configured_tls = match (&config.public.tls_cert, &config.public.tls_key) {
        (Some(cert), Some(key)) => Some((
            tls_file("public.tls_cert", cert)?,
            tls_file("public.tls_key", key)?,
        )),
        _ => None,
    };
    let operator_token = secrets::resolve(
        secrets::ENV_OPERATOR_TOKEN,
        None,
        &data_dir,
        secrets::GENERATED_OPERATOR_TOKEN,
    )?;
    let operators = operator_digests(&config, &operator_token)?;
    let certificate = tls::certificate_files(&data_dir, configured_tls)?;
    let tls_config = tls::server_config(&certificate)?;
    first_start::print(&app_secret, &verify_token, &operator_token, &certificate);
    info!(
        app_secret = %describe(&app_secret.origin),
        verify_token = %describe(&verify_token.origin),
        operator_token = %describe(&operator_token.origin),
        certificate = %certificate.cert.display(),
        "secrets and certificate loaded"
    );

    let graph = GraphClient::new(
        settings::graph_settings(&config),
        secrets::access_token(&config)?,
    )?;
    let upstream = UpstreamSettings::resolve(&config, &data_dir)?.map(Arc::new);
    // The event stream names events like headquarters' batches do.
    let events_gateway_id: Arc<str> = match &upstream {
        Some(upstream) => Arc::from(upstream.gateway_id.as_str()),
        None => Arc::from(gateway_id(&config, &data_dir)?),
    };
    let routing = Arc::new(chat_routing(&config)?);
    let clock: SharedClock = Arc::new(SystemClock);
    let options = settings::store_options(&config)?;
    let store_dir = data_dir.clone();
    let store_clock = Arc::clone(&clock);
    let (store, store_writer) =
        tokio::task::spawn_blocking(move || Store::open(&store_dir, options, store_clock))
            .await
            .map_err(|error| ServeError::Task(error.to_string()))??;

    let public = bind("public", config.public.listen).await?;
    let local = bind("local", config.local.listen).await?;
    let public_addr = local_addr("public", config.public.listen, &public)?;
    let local_addr = local_addr("local", config.local.listen, &local)?;
    let listening = Listeners {
        public: public_addr,
        local: local_addr,
        pid: std::process::id(),
    };
    listening
        .write(&data_dir)
        .map_err(|source| ServeError::DataDir {
            path: listeners_file.clone(),
            source,
        })?;

    let stop = CancellationToken::new();
    let readiness = Readiness::default();
    let metrics = Arc::new(Metrics::new(store.commit_metrics()));
    let scanner = tokio::spawn(scan_usage(
        store.clone(),
        data_dir.clone(),
        Arc::clone(&metrics),
        Arc::clone(&clock),
        stop.clone(),
    ));
    let ticker = tokio::spawn(tick_chats(store.clone(), stop.clone()));
    let numbers = settings::number_settings(&config);
    let board = Arc::new(Mutex::new(Board::new(&numbers)));
    let refresher = tokio::spawn(refresh_periodically(
        graph.clone(),
        numbers.clone(),
        Arc::clone(&board),
        Arc::clone(&clock),
        stop.clone(),
    ));
    let downloader = tokio::spawn(
        Downloader::new(store.clone(), graph.clone(), Arc::clone(&clock)).run(stop.clone()),
    );
    let (sender, sender_handle) = Sender::new(
        store.clone(),
        graph,
        Arc::clone(&clock),
        &numbers,
        Arc::clone(&board),
        metrics.outbound().clone(),
    );
    let sender = tokio::spawn(sender.run(stop.clone()));
    let departments = Departments::new(
        config
            .departments
            .iter()
            .map(|department| department.name.as_str().to_owned()),
    );
    let (sync, sync_tasks) = match &upstream {
        Some(settings) => {
            let sync = SyncHandle::starting(settings.commands_url.is_some());
            let signing_clock = Arc::new(SigningClock::new(Arc::clone(&clock)));
            let sink = Sink::new(
                store.clone(),
                Arc::clone(settings),
                Arc::clone(&signing_clock),
                sync.clone(),
                metrics.upstream().clone(),
            )?;
            let mut tasks = vec![tokio::spawn(sink.run(stop.clone()))];
            if let Some(commands) = CommandsClient::new(
                store.clone(),
                Arc::clone(settings),
                signing_clock,
                sync.clone(),
                metrics.upstream().clone(),
                departments.clone(),
                sender_handle.clone(),
            )? {
                tasks.push(tokio::spawn(commands.run(stop.clone())));
            }
            (sync, tasks)
        }
        None => {
            info!("no upstream is configured ([upstream] url): nothing is synced to headquarters");
            (SyncHandle::not_configured(), Vec::new())
        }
    };
    let service_manager = ServiceManager::from_env();
    let watchdog =
        service_manager.map(|manager| tokio::spawn(manager.watchdog(store.clone(), stop.clone())));

    let local_service = LocalService::new(
        LocalApi::new(
            OperatorAuth::new(operators),
            store.clone(),
            departments,
            Arc::clone(&clock),
            Health::new(readiness.clone(), store.health().clone()),
            Arc::clone(&metrics),
            sender_handle,
        )
        .with_events(events_gateway_id, stop.clone())
        .with_sync(sync)
        .with_console(settings::console_settings(&config)),
    );
    let endpoint = Arc::new(WebhookEndpoint::new(
        WebhookSettings {
            verify_token: verify_token.value,
            app_secrets: vec![app_secret.value],
            max_body_bytes: to_usize(config.public.max_body_bytes),
            body_timeout: Duration::from_millis(u64::from(config.public.body_read_timeout_ms)),
            inflight_body_bytes: to_usize(config.public.inflight_body_bytes),
            decode_limits: DecodeLimits {
                max_entries: to_usize(config.public.max_delivery_entries),
                max_changes: to_usize(config.public.max_delivery_changes),
                max_items: to_usize(config.public.max_delivery_items),
            },
            routing,
            numbers: Arc::clone(&board),
        },
        store,
        metrics.webhook().clone(),
        clock,
    ));
    let public_limits = ConnectionLimits {
        max_connections: usize::try_from(config.public.max_connections).unwrap_or(1),
        handshake_timeout: Duration::from_millis(u64::from(config.public.tls_handshake_timeout_ms)),
        header_read_timeout: Duration::from_millis(u64::from(config.public.header_read_timeout_ms)),
        idle_timeout: Duration::from_millis(u64::from(config.public.idle_timeout_ms)),
        http2_max_concurrent_streams: config.public.http2_max_concurrent_streams,
    };
    let local_limits = ConnectionLimits {
        max_connections: 64,
        ..public_limits
    };
    let public_task = tokio::spawn(server::serve(
        "public",
        public,
        Protocols::Tls(TlsAcceptor::from(tls_config)),
        public_limits,
        move |request| {
            let endpoint = Arc::clone(&endpoint);
            async move { endpoint.handle(request).await }
        },
        stop.clone(),
    ));
    let local_task = tokio::spawn(server::serve(
        "local",
        local,
        Protocols::PlainHttp1,
        local_limits,
        move |request: http::Request<hyper::body::Incoming>| local_service.clone().handle(request),
        stop.clone(),
    ));
    readiness.set(true);
    info!(public = %public_addr, local = %local_addr, data_dir = %data_dir.display(), "waygate ready");
    if let Some(manager) = &service_manager {
        manager.ready(public_addr, local_addr);
    }

    shutdown.await;
    if let Some(manager) = &service_manager {
        manager.stopping();
    }
    let grace = Duration::from_millis(u64::from(config.shutdown.grace_ms));
    info!(
        ?grace,
        "shutting down: no new connections; finishing requests in flight"
    );
    readiness.set(false);
    stop.cancel();
    let drained = tokio::time::timeout(grace, async {
        let _ = public_task.await;
        let _ = local_task.await;
        let _ = sender.await;
        // The sync's last settlement is recorded before the store closes.
        for task in sync_tasks {
            let _ = task.await;
        }
    })
    .await;
    if drained.is_err() {
        warn!(
            ?grace,
            "grace period over with requests still in flight; closing them (unanswered deliveries are retried by Meta)"
        );
    }
    let _ = scanner.await;
    let _ = ticker.await;
    let _ = refresher.await;
    let _ = downloader.await;
    if let Some(watchdog) = watchdog {
        let _ = watchdog.await;
    }
    tokio::task::spawn_blocking(move || store_writer.close())
        .await
        .map_err(|error| ServeError::Task(error.to_string()))?;
    remove_if_present(&listeners_file)?;
    let totals = metrics.webhook().totals();
    info!(
        webhooks_accepted = totals.webhooks_accepted,
        events_appended = totals.events_appended,
        duplicates = totals.duplicates,
        dead_letters = totals.dead_letters,
        signature_failures = totals.signature_failures,
        too_large = totals.too_large,
        over_budget = totals.over_budget,
        quota_refusals = totals.quota_refusals,
        store_failures = totals.store_failures,
        "waygate stopped; the store is closed"
    );
    Ok(())
}

/// The operators who may use the local API, as (name, SHA-256 of the token): "default" with the
/// environment's or the generated token, then `[[operators]]` from the configuration (clear
/// tokens from files or variables are hashed here and not kept).
fn operator_digests(
    config: &Config,
    default_token: &ResolvedSecret,
) -> Result<Vec<(String, [u8; 32])>, ServeError> {
    let mut operators = vec![(
        "default".to_owned(),
        token_digest(default_token.value.as_bytes()),
    )];
    for (index, operator) in config.operators.iter().enumerate() {
        let digest = match (&operator.token, operator.token.clear_source()) {
            (OperatorToken::Sha256(digest), _) => *digest,
            (_, source) => {
                let key = match &source {
                    Some(source) => {
                        secrets::source_key(&format!("operators[{index}].token"), source)
                    }
                    None => format!("operators[{index}].token"),
                };
                let key = format!("{key} ({})", operator.name);
                let secret = match source {
                    Some(source) => secrets::read_configured(&source, &key)?,
                    None => None,
                };
                let secret = secret.ok_or(SecretError::NoSource { key })?;
                token_digest(secret.as_bytes())
            }
        };
        operators.push((operator.name.as_str().to_owned(), digest));
    }
    Ok(operators)
}

/// Reads the profanity word lists and the departments' numbers.
fn chat_routing(config: &Config) -> Result<ChatRouting, ServeError> {
    let mut routing = ChatRouting::default();
    for path in &config.chat.profanity_word_lists {
        let path = PathBuf::from(path.as_str());
        let word_list_error = |reason: String| ServeError::WordList {
            path: path.clone(),
            reason,
        };
        let text = std::fs::read_to_string(&path).map_err(|e| word_list_error(e.to_string()))?;
        let list = ProfanityList::parse(&text).map_err(|e| word_list_error(e.to_string()))?;
        routing.profanity.merge(list);
    }
    for department in &config.departments {
        for number in &department.numbers {
            routing.departments.insert(
                number.as_str().to_owned(),
                department.name.as_str().to_owned(),
            );
        }
    }
    Ok(routing)
}

/// Asks the store writer about once a second to close the chats whose deadline has passed.
async fn tick_chats(store: Store, stop: CancellationToken) {
    let mut tick = tokio::time::interval(CHAT_TICK_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => store.tick(),
            () = stop.cancelled() => return,
        }
    }
}

async fn bind(which: &'static str, addr: SocketAddr) -> Result<TcpListener, ServeError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind {
            which,
            addr,
            source,
        })
}

fn local_addr(
    which: &'static str,
    addr: SocketAddr,
    listener: &TcpListener,
) -> Result<SocketAddr, ServeError> {
    listener.local_addr().map_err(|source| ServeError::Bind {
        which,
        addr,
        source,
    })
}

fn remove_if_present(path: &Path) -> Result<(), ServeError> {
    match std::fs::remove_file(path) {
        Err(source) if source.kind() != std::io::ErrorKind::NotFound => Err(ServeError::DataDir {
            path: path.to_path_buf(),
            source,
        }),
        _ => Ok(()),
    }
}

/// Rescans the data folder for the quota, and samples the quota's measure for its forecast
/// (`store_quota_full_in_hours`), until stopped.
async fn scan_usage(
    store: Store,
    data_dir: PathBuf,
    metrics: Arc<Metrics>,
    clock: SharedClock,
    stop: CancellationToken,
) {
    let mut tick = tokio::time::interval(USAGE_SCAN_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = stop.cancelled() => return,
        }
        let dir = data_dir.clone();
        let skip = store.path().to_path_buf();
        if let Ok(bytes) =
            tokio::task::spawn_blocking(move || usage::scan_other_files(&dir, &skip)).await
        {
            store.usage().set_other_files_bytes(bytes);
        }
        metrics.observe_usage(clock.now_ms(), store.usage().total(), store.quota_bytes());
    }
}

fn describe(origin: &SecretOrigin) -> String {
    match origin {
        SecretOrigin::Environment(var) => format!("environment {var}"),
        SecretOrigin::Config => "configuration".into(),
        SecretOrigin::GeneratedNow(path) => format!("generated now into {}", path.display()),
        SecretOrigin::Generated(path) => format!("generated earlier, {}", path.display()),
    }
}

/// A configured count or size as a `usize` (lossless on every target waygate builds for).
fn to_usize(value: u32) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}
