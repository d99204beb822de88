//! Strategies for configurations: valid ones (boxed: a `Config` is some 130 KB) and any ones.
//! Numbers are drawn from their declared ranges (the `validate` tests pin those numbers).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};

use firmware_config::{
    Article, CannedResponse, ChatSettings, Config, ConsoleSettings, CreditSettings, Date,
    Department, Headquarters, LocalListener, LogFormat, LogSettings, MetaSettings, Number,
    Operator, OperatorToken, PricingCategory, PricingSettings, PublicListener, Rate, SecretSource,
    ShutdownSettings, StoreSettings, Template, TemplateCategory, TemplateStatus, UtcOffset,
};
use proptest::prelude::*;

use crate::declared_ranges::{declared, declared_u64};

/// The default number of cases, with shrinking bounded to 20 s: a failure is reported with a
/// small example soon, rather than after minutes of shrinking a 130 KB configuration.
pub(crate) fn bounded_shrinking() -> ProptestConfig {
    ProptestConfig {
        max_shrink_time: 20_000,
        ..ProptestConfig::default()
    }
}

/// Any text of at most `N` bytes (cut on a character boundary) and at least `min_chars`
/// characters.
pub(crate) fn fixed_text<const N: usize>(
    min_chars: usize,
) -> impl Strategy<Value = heapless::String<N>> {
    let chars = prop_oneof![
        3 => any::<char>(),
        3 => proptest::char::range('a', 'z'),
        1 => prop::sample::select(vec!['"', '\'', '\\', '\n', '\r', '\t', '\u{7f}', '#', '=']),
    ];
    prop::collection::vec(chars, min_chars..=N).prop_map(|chars| {
        let mut out = heapless::String::new();
        for ch in chars {
            if out.push(ch).is_err() {
                break;
            }
        }
        out
    })
}

/// A path: any text of at least one character and no control character.
pub(crate) fn path() -> impl Strategy<Value = heapless::String<256>> {
    fixed_text::<256>(1).prop_map(|text| {
        let kept: String = text
            .chars()
            .map(|ch| if ch.is_control() { '_' } else { ch })
            .collect();
        heapless::String::try_from(kept.as_str()).unwrap_or_default()
    })
}

pub(crate) fn non_blank<const N: usize>() -> impl Strategy<Value = heapless::String<N>> {
    fixed_text::<N>(1).prop_filter("blank", |text| !text.trim().is_empty())
}

pub(crate) fn env_name() -> impl Strategy<Value = heapless::String<64>> {
    "[A-Za-z_][A-Za-z0-9_]{0,63}"
        .prop_map(|name| heapless::String::try_from(name.as_str()).unwrap())
}

/// Any socket address; `with_flowinfo` adds an IPv6 flow label (which TOML cannot carry).
pub(crate) fn socket_addr(with_flowinfo: bool) -> impl Strategy<Value = SocketAddr> {
    let flowinfo = if with_flowinfo {
        any::<u32>().boxed()
    } else {
        Just(0).boxed()
    };
    prop_oneof![
        (any::<u32>(), any::<u16>())
            .prop_map(|(ip, port)| SocketAddr::new(IpAddr::V4(Ipv4Addr::from(ip)), port)),
        (any::<u128>(), any::<u16>(), flowinfo, any::<u32>()).prop_map(
            |(ip, port, flowinfo, scope_id)| SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::from(ip),
                port,
                flowinfo,
                scope_id
            ))
        ),
    ]
}

pub(crate) fn secret_source() -> impl Strategy<Value = SecretSource> {
    prop_oneof![
        Just(SecretSource::Generated),
        fixed_text::<256>(1).prop_map(SecretSource::Inline),
        path().prop_map(SecretSource::File),
        env_name().prop_map(SecretSource::Env),
    ]
}

pub(crate) fn log_format() -> impl Strategy<Value = LogFormat> {
    prop::sample::select(LogFormat::ALL.to_vec())
}

pub(crate) fn public_listener(with_flowinfo: bool) -> impl Strategy<Value = PublicListener> {
    let tls = prop::option::of((path(), path()));
    (
        socket_addr(with_flowinfo),
        tls,
        declared("public.max_connections"),
        declared("public.max_body_bytes"),
        declared("public.header_read_timeout_ms"),
        declared("public.body_read_timeout_ms"),
        declared("public.tls_handshake_timeout_ms"),
        declared("public.http2_max_concurrent_streams"),
        public_bounds(),
    )
        .prop_map(
            |(
                listen,
                tls,
                connections,
                body,
                header_ms,
                body_ms,
                handshake_ms,
                streams,
                bounds,
            )| {
                let (tls_cert, tls_key) = tls.map_or((None, None), |(c, k)| (Some(c), Some(k)));
                let (idle_ms, inflight, entries, changes, items) = bounds;
                PublicListener {
                    listen,
                    tls_cert,
                    tls_key,
                    max_connections: connections,
                    max_body_bytes: body,
                    header_read_timeout_ms: header_ms,
                    body_read_timeout_ms: body_ms,
                    tls_handshake_timeout_ms: handshake_ms,
                    http2_max_concurrent_streams: streams,
                    idle_timeout_ms: idle_ms,
                    // The budget must cover one body.
                    inflight_body_bytes: inflight.max(body),
                    max_delivery_entries: entries,
                    max_delivery_changes: changes,
                    max_delivery_items: items,
                }
            },
        )
}

/// The connection, memory and decoding bounds of the public listener.
fn public_bounds() -> impl Strategy<Value = (u32, u32, u32, u32, u32)> {
    (
        declared("public.idle_timeout_ms"),
        declared("public.inflight_body_bytes"),
        declared("public.max_delivery_entries"),
        declared("public.max_delivery_changes"),
        declared("public.max_delivery_items"),
    )
}

pub(crate) fn store_settings() -> impl Strategy<Value = StoreSettings> {
    (
        declared_u64("store.quota_bytes"),
        declared("store.dedupe_retention_hours"),
        declared("store.dedupe_max_entries"),
        declared("store.cache_bytes"),
        declared("store.max_batch"),
        prop::option::of(declared("store.retention_days")),
    )
        .prop_map(
            |(quota, hours, entries, cache, batch, retention)| StoreSettings {
                quota_bytes: quota,
                dedupe_retention_hours: hours,
                dedupe_max_entries: entries,
                cache_bytes: cache,
                max_batch: batch,
                retention_days: retention,
            },
        )
}

/// The entries of `list`, at most `M` of them, in a fixed-capacity list.
pub(crate) fn fixed_list<T, const M: usize>(list: Vec<T>) -> heapless::Vec<T, M> {
    list.into_iter().take(M).collect()
}

pub(crate) fn chat_settings() -> impl Strategy<Value = ChatSettings> {
    (
        declared("chat.unattended_close_seconds"),
        declared("chat.idle_close_seconds"),
        declared("chat.bot_idle_close_seconds"),
        declared("chat.profanity_limit"),
        (any::<bool>(), any::<bool>()),
        prop::collection::vec(path(), 0..=3),
    )
        .prop_map(
            |(unattended, idle, bot_idle, profanity, (bot, strict), files)| ChatSettings {
                unattended_close_seconds: unattended,
                idle_close_seconds: idle,
                bot_enabled: bot,
                bot_idle_close_seconds: bot_idle,
                profanity_limit: profanity,
                profanity_word_lists: fixed_list(files),
                strict_order: strict,
            },
        )
}

pub(crate) fn department() -> impl Strategy<Value = Department> {
    (
        non_blank::<64>(),
        prop::collection::vec("[0-9]{1,32}", 0..=3),
    )
        .prop_map(|(name, numbers)| Department {
            name,
            numbers: numbers
                .iter()
                .map(|id| id.as_str().try_into().unwrap())
                .collect(),
        })
}

pub(crate) fn template() -> impl Strategy<Value = Template> {
    (
        "[a-z0-9_]{1,40}",
        "[a-z]{2,3}(_[A-Z]{2})?",
        prop::sample::select(TemplateCategory::ALL.to_vec()),
        declared("templates[].parameters"),
        prop::sample::select(TemplateStatus::ALL.to_vec()),
    )
        .prop_map(|(name, language, category, parameters, status)| Template {
            name: name.as_str().try_into().unwrap(),
            language: language.as_str().try_into().unwrap(),
            category,
            parameters,
            status,
        })
}

pub(crate) fn operator() -> impl Strategy<Value = Operator> {
    let token = prop_oneof![
        any::<[u8; 32]>().prop_map(OperatorToken::Sha256),
        path().prop_map(OperatorToken::File),
        env_name().prop_map(OperatorToken::Env),
    ];
    (non_blank::<64>(), token).prop_map(|(name, token)| Operator { name, token })
}

/// A business number to send from.
pub(crate) fn number() -> impl Strategy<Value = Number> {
    (
        "[0-9]{1,32}",
        prop::option::of("[0-9]{1,32}"),
        prop::option::of(non_blank::<64>()),
        declared("numbers[].messages_per_second"),
        any::<bool>(),
    )
        .prop_map(|(id, waba, display, rate, strict)| Number {
            phone_number_id: id.as_str().try_into().unwrap(),
            waba_id: waba.map(|waba| waba.as_str().try_into().unwrap()),
            display_phone_number: display,
            messages_per_second: rate,
            strict_order: strict,
        })
}

/// A price row on a real day (the 28th exists in every month).
pub(crate) fn rate() -> impl Strategy<Value = Rate> {
    (
        "[A-Za-z]{2}",
        prop::sample::select(PricingCategory::ALL.to_vec()),
        declared_u64("pricing.rates[].micro_usd"),
        (0..=9999_u16, 1..=12_u8, 1..=28_u8),
    )
        .prop_map(|(market, category, micro_usd, (year, month, day))| Rate {
            market: market.as_str().try_into().unwrap(),
            category,
            micro_usd,
            from: Date { year, month, day },
        })
}

/// The outbound settings: the Graph API (meta), numbers, pricing and credits.
#[allow(clippy::type_complexity, reason = "a tuple of strategies")]
fn outbound() -> impl Strategy<
    Value = (
        (
            heapless::String<256>,
            heapless::String<16>,
            SecretSource,
            Option<heapless::String<256>>,
        ),
        Vec<Number>,
        PricingSettings,
        CreditSettings,
    ),
> {
    let graph = (
        prop::sample::select(vec![
            "https://graph.facebook.com",
            "http://127.0.0.1:9000/graph/",
            "http://[::1]:8080",
            "https://example.com:8443/a/b",
        ]),
        (0..100_u32, 0..10_u32),
        secret_source(),
        prop::option::of(path()),
    )
        .prop_map(|(url, (major, minor), token, ca)| {
            let version = format!("v{major}.{minor}");
            (
                url.try_into().unwrap(),
                version.as_str().try_into().unwrap(),
                token,
                ca,
            )
        });
    let pricing = (
        declared("pricing.service_free_tier_per_month"),
        -720..=840_i16,
        prop::collection::vec(rate(), 0..=3),
    )
        .prop_map(|(free, minutes, rates)| PricingSettings {
            service_free_tier_per_month: free,
            billing_utc_offset: UtcOffset { minutes },
            rates: fixed_list(rates),
        });
    let credits = (
        declared("credits.usd_per_credit"),
        declared("credits.purchase_fee_percent"),
    )
        .prop_map(|(usd, fee)| CreditSettings {
            usd_per_credit: usd,
            purchase_fee_percent: fee,
        });
    (
        graph,
        prop::collection::vec(number(), 0..=3),
        pricing,
        credits,
    )
}

/// An id of a gateway, a canned response or an article.
fn record_id() -> impl Strategy<Value = heapless::String<64>> {
    "[A-Za-z0-9._-]{1,64}".prop_map(|id| id.as_str().try_into().unwrap())
}

/// The upstream settings: with or without headquarters, its secret and its commands.
pub(crate) fn headquarters() -> impl Strategy<Value = Headquarters> {
    let url = prop::sample::select(vec![
        "https://hq.example.com/batches",
        "http://127.0.0.1:9100/batches",
        "http://localhost:1",
        "https://[2001:db8::1]:8443/",
    ]);
    (
        prop::option::of((url.clone(), prop::option::of(url))),
        secret_source(),
        prop::option::of(record_id()),
        declared("upstream.max_batch_events"),
        declared("upstream.max_batch_bytes"),
    )
        .prop_map(|(urls, secret, gateway_id, events, bytes)| {
            let (url, commands_url) =
                urls.map_or((None, None), |(url, commands)| (Some(url), commands));
            Headquarters {
                url: url.map(|url| url.try_into().unwrap()),
                secret,
                gateway_id,
                max_batch_events: events,
                max_batch_bytes: bytes,
                commands_url: commands_url.map(|url| url.try_into().unwrap()),
            }
        })
}

/// `id` made unique in a list by `index` (still at most 64 bytes).
fn indexed(index: usize, id: &str) -> heapless::String<64> {
    let unique: String = format!("{index}{id}").chars().take(64).collect();
    unique.as_str().try_into().unwrap()
}

/// A canned response; `index` makes its id and shortcut unique in a list.
pub(crate) fn canned_response(index: usize) -> impl Strategy<Value = CannedResponse> {
    (record_id(), "/[a-z]{1,24}", non_blank::<1024>()).prop_map(move |(id, shortcut, body)| {
        CannedResponse {
            id: indexed(index, &id),
            shortcut: format!("{shortcut}{index}").as_str().try_into().unwrap(),
            body,
        }
    })
}

/// An article; `index` makes its id unique in a list.
pub(crate) fn article(index: usize) -> impl Strategy<Value = Article> {
    let link = prop::option::of("https?://[a-z0-9./?=&-]{1,100}");
    (record_id(), non_blank::<200>(), non_blank::<2048>(), link).prop_map(
        move |(id, title, body, link)| Article {
            id: indexed(index, &id),
            title,
            body,
            link: link.map(|link| link.as_str().try_into().unwrap()),
        },
    )
}

/// The settings of issue 10: headquarters, canned responses and articles.
#[allow(clippy::type_complexity, reason = "a tuple of strategies")]
fn sync_and_tools() -> impl Strategy<Value = (Headquarters, Vec<CannedResponse>, Vec<Article>)> {
    (
        headquarters(),
        (0..=2_usize).prop_flat_map(|count| (0..count).map(canned_response).collect::<Vec<_>>()),
        (0..=2_usize).prop_flat_map(|count| (0..count).map(article).collect::<Vec<_>>()),
    )
}

/// The console: a time zone (a name or an offset) or none, and an idle limit within the
/// longest session.
pub(crate) fn console_settings() -> impl Strategy<Value = ConsoleSettings> {
    let offset = (
        any::<bool>(),
        0..=14_u8,
        prop::sample::select(vec![0_u8, 15, 30, 45]),
    );
    let zone = prop_oneof![
        "[A-Za-z][A-Za-z0-9_+-]{0,20}(/[A-Za-z0-9_+-]{1,20}){0,2}",
        offset.prop_map(|(east, hours, minutes)| {
            format!("{}{hours:02}:{minutes:02}", if east { '+' } else { '-' })
        }),
    ];
    (
        prop::option::of(zone),
        declared("console.session_idle_seconds"),
        declared("console.session_max_hours"),
    )
        .prop_map(|(zone, idle, max)| ConsoleSettings {
            time_zone: zone.map(|zone| zone.as_str().try_into().unwrap()),
            session_idle_seconds: idle.min(max * 3_600),
            session_max_hours: max,
        })
}

/// A log filter: a level and a few target=level directives, levels in any case.
fn log_filter() -> impl Strategy<Value = firmware_config::LogFilter> {
    "(off|error|warn|info|debug|trace)(,[a-z_:]{1,12}=(OFF|Error|warn|info|debug|trace)){0,3}"
        .prop_map(|text| firmware_config::LogFilter::try_from(text.as_str()).unwrap_or_default())
}

/// Any valid configuration. A `Config` is some 130 KB (fixed capacities), so it is boxed:
/// proptest moves values through many layers, each a copy on a test thread's stack.
pub(crate) fn valid_config(with_flowinfo: bool) -> impl Strategy<Value = Box<Config>> {
    let lists = (
        chat_settings(),
        prop::collection::vec(department(), 0..=3),
        prop::collection::vec(template(), 0..=3),
        prop::collection::vec(operator(), 0..=3),
    );
    (
        path().prop_filter("blank", |text| !text.trim().is_empty()),
        public_listener(with_flowinfo),
        socket_addr(with_flowinfo),
        (secret_source(), secret_source()),
        store_settings(),
        declared("shutdown.grace_ms"),
        (log_format(), log_filter()),
        lists,
        outbound(),
        sync_and_tools(),
        console_settings(),
    )
        .prop_map(
            |(
                data_dir,
                public,
                local,
                (app_secret, verify_token),
                store,
                grace_ms,
                log,
                (chat, departments, templates, operators),
                (
                    (graph_base_url, graph_api_version, access_token, ca_file),
                    numbers,
                    pricing,
                    credits,
                ),
                (upstream, canned_responses, articles),
                console,
            )| {
                Box::new(Config {
                    data_dir,
                    public,
                    local: LocalListener { listen: local },
                    meta: MetaSettings {
                        app_secret,
                        verify_token,
                        graph_base_url,
                        graph_api_version,
                        access_token,
                        ca_file,
                    },
                    store,
                    shutdown: ShutdownSettings { grace_ms },
                    log: LogSettings {
                        format: log.0,
                        filter: log.1,
                    },
                    chat,
                    departments: fixed_list(departments),
                    templates: fixed_list(templates),
                    operators: fixed_list(operators),
                    numbers: fixed_list(numbers),
                    pricing,
                    credits,
                    upstream,
                    canned_responses: fixed_list(canned_responses),
                    articles: fixed_list(articles),
                    console,
                })
            },
        )
        .prop_filter(
            "listeners collide, or a name, number or price row repeats",
            |config| config.validate().is_ok(),
        )
}

/// Any configuration, valid or not.
pub(crate) fn any_config() -> impl Strategy<Value = Box<Config>> {
    (
        valid_config(true),
        any::<[u32; 23]>(),
        any::<u64>(),
        fixed_text::<256>(0),
        fixed_text::<64>(0),
    )
        .prop_map(|(mut config, numbers, quota, data_dir, name)| {
            let template_parameters = config.templates.first_mut().map(|t| &mut t.parameters);
            let department_name = config.departments.last_mut().map(|d| &mut d.name);
            if let Some(department_name) = department_name {
                *department_name = name;
            }
            let mut spare = 0;
            let fields = [
                &mut config.public.max_connections,
                &mut config.public.max_body_bytes,
                &mut config.public.header_read_timeout_ms,
                &mut config.public.body_read_timeout_ms,
                &mut config.public.tls_handshake_timeout_ms,
                &mut config.public.http2_max_concurrent_streams,
                &mut config.public.idle_timeout_ms,
                &mut config.public.inflight_body_bytes,
                &mut config.public.max_delivery_entries,
                &mut config.public.max_delivery_changes,
                &mut config.public.max_delivery_items,
                &mut config.store.dedupe_retention_hours,
                &mut config.store.dedupe_max_entries,
                &mut config.store.cache_bytes,
                &mut config.store.max_batch,
                &mut config.shutdown.grace_ms,
                &mut config.chat.unattended_close_seconds,
                &mut config.chat.idle_close_seconds,
                &mut config.chat.bot_idle_close_seconds,
                &mut config.chat.profanity_limit,
                &mut config.console.session_idle_seconds,
                &mut config.console.session_max_hours,
                template_parameters.unwrap_or(&mut spare),
            ];
            for (field, number) in fields.into_iter().zip(numbers) {
                *field = number;
            }
            config.store.quota_bytes = quota;
            config.data_dir = data_dir;
            config
        })
}
