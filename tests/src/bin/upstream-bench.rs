//! `upstream-bench`: how fast the gateway drains a backlog of journal events to headquarters on
//! loopback, and what each event costs it in CPU; with a bare hyper client posting the same
//! batches as the baseline in the same run.
//!
//! - **waygate**: customers write `--messages` messages across `--chats` chats while the gateway
//!   has no `[upstream]` (the journal fills its outbox and nothing is sent); it restarts with an
//!   upstream pointing at a lean HQ in this process, which verifies every signature, counts the
//!   events and answers 200. Measured at HQ: events per second from the first batch's arrival
//!   to the last; and the gateway's CPU time (utime + stime of `/proc/<pid>/stat`) over that
//!   span, per event.
//! - **bare hyper client**: the same batch bodies, re-signed and posted one after another over
//!   one keep-alive connection to a fresh lean HQ: the HTTP exchange and the signing alone,
//!   without the store.
//!
//! The gateway is `WAYGATE_BIN` (the script passes the release build). Prints markdown rows.
#![forbid(unsafe_code)]

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::Parser;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinSet;
use waygate_e2e::hq::HqKey;
use waygate_e2e::suite::{assert_status, must};
use waygate_e2e::tool::process_cpu;
use waygate_e2e::{Escaping, Gateway, GatewayOptions, HarnessError, HarnessResult};

/// The shared secret of the benchmark's HQ.
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// Customers' messages per webhook while the backlog fills.
const MESSAGES_PER_WEBHOOK: usize = 25;
/// Connections that deliver the webhooks at once.
const DELIVERING_CONNECTIONS: usize = 4;

/// Command line of `upstream-bench`.
#[derive(Debug, Parser)]
#[command(about = "Upstream drain rate and CPU per event against a lean loopback HQ")]
struct Args {
    /// Customers' messages in the backlog (each also makes one `message.received` event).
    #[arg(long, default_value_t = 98_000)]
    messages: usize,
    /// Chats they are spread over (each also makes one `chat.opened` event).
    #[arg(long, default_value_t = 2_000)]
    chats: usize,
    /// `upstream.max_batch_events` of the gateway.
    #[arg(long, default_value_t = 500)]
    max_batch_events: usize,
    /// Clock ticks per second of `/proc/<pid>/stat` (`getconf CLK_TCK`).
    #[arg(long, default_value_t = 100)]
    clock_ticks: u64,
}

fn main() -> ExitCode {
    waygate_e2e::tool::run_tool("upstream-bench", bench(Args::parse()))
}

/// What the lean HQ saw: each batch's arrival, its event count and its body.
#[derive(Default)]
struct Seen {
    batches: Vec<(Instant, usize, Bytes)>,
    events: usize,
    refused: usize,
}

/// A headquarters that verifies, counts and acknowledges, and little else.
#[derive(Clone)]
struct LeanHq {
    address: SocketAddr,
    seen: Arc<Mutex<Seen>>,
    arrived: Arc<Notify>,
}

impl LeanHq {
    async fn start(key: HqKey) -> HarnessResult<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|error| HarnessError::io("binding", "the lean HQ", error))?;
        let address = listener
            .local_addr()
            .map_err(|error| HarnessError::io("reading", "the lean HQ's address", error))?;
        let hq = Self {
            address,
            seen: Arc::default(),
            arrived: Arc::new(Notify::new()),
        };
        let serving = hq.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (hq, key) = (serving.clone(), key.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let (hq, key) = (hq.clone(), key.clone());
                        async move { Ok::<_, hyper::Error>(hq.answer(&key, request).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(hq)
    }

    async fn answer(&self, key: &HqKey, request: Request<Incoming>) -> Response<Full<Bytes>> {
        let date = httpdate::fmt_http_date(std::time::SystemTime::now());
        let reply = |status: StatusCode| {
            let mut response = Response::new(Full::new(Bytes::new()));
            *response.status_mut() = status;
            if let Ok(value) = http::HeaderValue::from_str(&date) {
                response.headers_mut().insert(http::header::DATE, value);
            }
            response
        };
        if request.method() != Method::POST {
            return reply(StatusCode::OK);
        }
        let (parts, body) = request.into_parts();
        let Ok(body) = body.collect().await.map(|body| body.to_bytes()) else {
            return reply(StatusCode::BAD_REQUEST);
        };
        let now = unix_seconds();
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if key.check(&parts.headers, &body, now).is_err() {
            seen.refused += 1;
            return reply(StatusCode::UNAUTHORIZED);
        }
        let events = count_events(&body);
        seen.events += events;
        seen.batches.push((Instant::now(), events, body));
        drop(seen);
        self.arrived.notify_waiters();
        reply(StatusCode::OK)
    }

    fn url(&self) -> String {
        format!("http://{}/batches", self.address)
    }

    /// Waits until `count` events arrived, or `deadline` passed.
    async fn wait_for(&self, count: usize, deadline: Duration) -> HarnessResult<()> {
        let until = Instant::now() + deadline;
        loop {
            let arrived = self.arrived.notified();
            let seen = self
                .seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .events;
            if seen >= count {
                return Ok(());
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() || tokio::time::timeout(left, arrived).await.is_err() {
                let seen = self
                    .seen
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .events;
                if seen >= count {
                    return Ok(());
                }
                return Err(HarnessError::Timeout(format!(
                    "{seen} of {count} events reached the lean HQ"
                )));
            }
        }
    }
}

/// The events in a batch body: its objects with an `"id":"<gateway>:<seq>"` (counted without
/// parsing the JSON, so that HQ's CPU stays out of the way).
/// The events of a batch body: the length of its `events` array (skipped over, not built; a
/// byte pattern would also count what the events' data holds).
fn count_events(body: &[u8]) -> usize {
    #[derive(serde::Deserialize)]
    struct Counted {
        events: Vec<serde::de::IgnoredAny>,
    }
    serde_json::from_slice::<Counted>(body).map_or(0, |batch| batch.events.len())
}

fn unix_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
        })
}

/// One measured run, as a table row.
struct Row {
    sender: &'static str,
    events: usize,
    batches: usize,
    wall: Duration,
    cpu: Duration,
}

impl Row {
    fn print(&self) {
        let seconds = self.wall.as_secs_f64();
        println!(
            "| {} | {} | {} | {:.0} | {:.2} | {:.1} % |",
            self.sender,
            self.events,
            self.batches,
            self.events as f64 / seconds,
            self.cpu.as_secs_f64() * 1e6 / self.events as f64,
            self.cpu.as_secs_f64() / seconds * 100.0,
        );
    }
}

async fn bench(args: Args) -> HarnessResult<()> {
    let key = HqKey::from_secret(SECRET).map_err(HarnessError::Invalid)?;
    let hq = LeanHq::start(key.clone()).await?;
    let mut gateway = must(Gateway::start(GatewayOptions::with_config(String::new())).await);
    let filling = Instant::now();
    fill(&gateway, &args).await;
    let total = args.messages + args.chats;
    eprintln!(
        "upstream-bench: {} messages in {} chats delivered in {:?}",
        args.messages,
        args.chats,
        filling.elapsed()
    );
    must(gateway.stop().await);
    must(gateway.set_config(Some(format!(
        "[upstream]\nurl = \"{}\"\nsecret = \"{SECRET}\"\nmax_batch_events = {}\n",
        hq.url(),
        args.max_batch_events
    ))));
    must(gateway.restart().await);
    let pid = gateway
        .pid()
        .ok_or(HarnessError::State("the gateway has no pid"))?;
    let deadline = Duration::from_secs(300);
    hq.wait_for(1, deadline).await?;
    let cpu_before = process_cpu(pid, args.clock_ticks)?;
    hq.wait_for(total, deadline).await?;
    let cpu_after = process_cpu(pid, args.clock_ticks)?;
    let batches = std::mem::take(
        &mut hq
            .seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .batches,
    );
    must(gateway.stop().await);
    let waygate = measured_row("waygate", &batches, cpu_after - cpu_before);
    // The gateway's row first: it stands even when the baseline fails.
    println!("| sender | events | batches | events/s | CPU µs per event | CPU share of a core |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    waygate.print();
    let bare = bare_client(&key, &batches, args.clock_ticks).await?;
    bare.print();
    Ok(())
}

/// The row of a run whose `batches` arrived at HQ, with `cpu` spent from the first arrival to
/// the last. The first batch's events count from its arrival: the span is first to last.
fn measured_row(sender: &'static str, batches: &[(Instant, usize, Bytes)], cpu: Duration) -> Row {
    let first = batches.first().map(|batch| batch.0);
    let last = batches.last().map(|batch| batch.0);
    let wall = match (first, last) {
        (Some(first), Some(last)) => last.duration_since(first),
        _ => Duration::ZERO,
    };
    // Events after the first arrival (the first batch marks the start).
    let events = batches.iter().skip(1).map(|batch| batch.1).sum();
    Row {
        sender,
        events,
        batches: batches.len(),
        wall: wall.max(Duration::from_micros(1)),
        cpu,
    }
}

/// Customers write `args.messages` messages across `args.chats` chats, over a few connections.
async fn fill(gateway: &Gateway, args: &Args) {
    let per_chat = args.messages.div_ceil(args.chats.max(1));
    let mut messages: Vec<String> = Vec::with_capacity(args.messages);
    for round in 0..per_chat {
        for chat in 0..args.chats {
            if messages.len() == args.messages {
                break;
            }
            messages.push(format!("1650{:07}#{round}", chat));
        }
    }
    let chunks: Vec<Vec<String>> = messages
        .chunks(MESSAGES_PER_WEBHOOK)
        .map(<[String]>::to_vec)
        .collect();
    let mut lanes: Vec<Vec<Vec<String>>> = vec![Vec::new(); DELIVERING_CONNECTIONS];
    for (index, chunk) in chunks.into_iter().enumerate() {
        lanes[index % DELIVERING_CONNECTIONS].push(chunk);
    }
    let mut delivering = JoinSet::new();
    for lane in lanes {
        let meta = Arc::clone(gateway.meta());
        let mut connection = must(gateway.connect_public().await);
        delivering.spawn(async move {
            for chunk in lane {
                let texts: Vec<Value> = chunk
                    .iter()
                    .map(|item| {
                        let (customer, round) = item.split_once('#').unwrap_or((item, "0"));
                        let mut message = meta.text_message(&format!("message {round}"));
                        message["from"] = json!(customer);
                        message
                    })
                    .collect();
                let change = meta.messages_change(&texts, &[]);
                let webhook = meta.sign_payload(&meta.payload(vec![vec![change]]), Escaping::META);
                assert_status(
                    &must(connection.post_webhook(&webhook).await),
                    200,
                    "customers' messages",
                );
            }
        });
    }
    delivering.join_all().await;
}

/// Posts `batches` again, re-signed, one after another over one keep-alive connection to a
/// fresh lean HQ; its row, with this process's CPU over the span.
async fn bare_client(
    key: &HqKey,
    batches: &[(Instant, usize, Bytes)],
    clock_ticks: u64,
) -> HarnessResult<Row> {
    let hq = LeanHq::start(key.clone()).await?;
    let stream = TcpStream::connect(hq.address)
        .await
        .map_err(|error| HarnessError::io("connecting to", hq.address.to_string(), error))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|error| HarnessError::Http(format!("handshake: {error}")))?;
    tokio::spawn(connection);
    let mut cpu_before = None;
    for (index, (_, _, body)) in batches.iter().enumerate() {
        let id = format!("bare:{index}");
        let timestamp = unix_seconds();
        let request = Request::builder()
            .method(Method::POST)
            .uri("/batches")
            .header(http::header::HOST, "hq.example.com")
            .header(http::header::CONTENT_TYPE, "application/json")
            .header("webhook-id", id.as_str())
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", key.sign(&id, timestamp, body))
            .body(Full::new(body.clone()))
            .map_err(|error| HarnessError::Http(error.to_string()))?;
        // The connection takes the next request once it has finished the last answer.
        sender
            .ready()
            .await
            .map_err(|error| HarnessError::Http(format!("ready: {error}")))?;
        let answer = sender
            .send_request(request)
            .await
            .map_err(|error| HarnessError::Http(format!("send: {error}")))?;
        if answer.status() != StatusCode::OK {
            return Err(HarnessError::Invalid(format!(
                "the lean HQ answered the bare client {}",
                answer.status()
            )));
        }
        let _ = answer.into_body().collect().await;
        if cpu_before.is_none() {
            cpu_before = Some(process_cpu(std::process::id(), clock_ticks)?);
        }
    }
    let cpu_after = process_cpu(std::process::id(), clock_ticks)?;
    let seen = std::mem::take(
        &mut hq
            .seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .batches,
    );
    Ok(measured_row(
        "bare hyper client and lean HQ in one process (same batches)",
        &seen,
        cpu_after - cpu_before.unwrap_or_default(),
    ))
}
