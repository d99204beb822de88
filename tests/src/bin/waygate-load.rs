//! `waygate-load`: a closed-loop HTTPS load generator that POSTs unique, signed, realistic text
//! message webhooks over N keep-alive connections and reports throughput and latency
//! percentiles (hdrhistogram) and non-200 counts.
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use hdrhistogram::Histogram;
use http::{Method, Uri};
use waygate_e2e::meta::SIGNATURE_HEADER;
use waygate_e2e::tls::{ALPN_HTTP1, ServerTrust, default_client_config};
use waygate_e2e::{Endpoint, HarnessError, HarnessResult, MetaSimulator, SignedWebhook};

/// Command line of `waygate-load`.
#[derive(Debug, Parser)]
#[command(about = "Closed-loop load of signed WhatsApp webhooks over HTTPS keep-alive connections")]
#[command(group(clap::ArgGroup::new("amount").required(true).args(["requests", "duration"])))]
#[command(group(clap::ArgGroup::new("trust").required(true).args(["ca", "insecure"])))]
struct Args {
    /// Target, e.g. https://127.0.0.1:8443/webhook
    #[arg(long)]
    url: Uri,
    /// App secret used to sign bodies (or env WAYGATE_APP_SECRET, which keeps it out of `ps`).
    #[arg(long, env = "WAYGATE_APP_SECRET", hide_env_values = true)]
    secret: String,
    /// Concurrent keep-alive connections, one request in flight on each.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Stop after this many measured requests.
    #[arg(long)]
    requests: Option<u64>,
    /// Stop after this many measured seconds.
    #[arg(long)]
    duration: Option<f64>,
    /// Unmeasured seconds of load first, on the same connections.
    #[arg(long, default_value_t = 0.0)]
    warmup: f64,
    /// Trust exactly the certificate(s) in this PEM file (pinning).
    #[arg(long)]
    ca: Option<PathBuf>,
    /// Accept any server certificate (loopback benchmarks only).
    #[arg(long)]
    insecure: bool,
    /// Pad each body to exactly this many bytes (default: a natural ~400-byte text message).
    #[arg(long)]
    body_bytes: Option<usize>,
    /// Print one JSON object instead of text.
    #[arg(long, conflicts_with = "tsv")]
    json: bool,
    /// Print one tab-separated line: requests_per_s ok_per_s p50_ms p99_ms p999_ms max_ms
    /// requests non_200 transport_errors.
    #[arg(long)]
    tsv: bool,
}

/// Shared stop/measure state for the workers.
struct Plan {
    endpoint: Endpoint,
    path: String,
    meta: MetaSimulator,
    body_bytes: Option<usize>,
    measure_from: Instant,
    stop_at: Option<Instant>,
    request_budget: Option<u64>,
    tickets: AtomicU64,
}

/// One worker's tallies.
struct Tally {
    latency_us: Histogram<u64>,
    ok: u64,
    non_200: BTreeMap<u16, u64>,
    transport_errors: u64,
    last_finish: Option<Instant>,
}

fn main() -> ExitCode {
    waygate_e2e::tool::run_tool("waygate-load", run(Args::parse()))
}

async fn run(args: Args) -> HarnessResult<()> {
    let (addr, path) = resolve(&args.url).await?;
    let trust = match &args.ca {
        Some(path) => ServerTrust::pinned_from_pem(path)?,
        None => ServerTrust::Insecure,
    };
    let endpoint = Endpoint {
        addr,
        tls: Some(default_client_config(trust, &[ALPN_HTTP1])?),
    };
    let now = Instant::now();
    let measure_from = now + Duration::from_secs_f64(args.warmup.max(0.0));
    let plan = Arc::new(Plan {
        endpoint,
        path,
        meta: MetaSimulator::new(args.secret.as_bytes()),
        body_bytes: args.body_bytes,
        measure_from,
        stop_at: args
            .duration
            .map(|seconds| measure_from + Duration::from_secs_f64(seconds.max(0.0))),
        request_budget: args.requests,
        tickets: AtomicU64::new(0),
    });
    // Fail fast on a bad --body-bytes instead of in every worker.
    build_webhook(&plan)?;
    let workers: Vec<_> = (0..args.connections.max(1))
        .map(|_| tokio::spawn(worker(Arc::clone(&plan))))
        .collect();
    let mut total = new_tally()?;
    for handle in workers {
        let tally = handle
            .await
            .map_err(|error| HarnessError::Http(format!("worker failed: {error}")))??;
        merge(&mut total, tally)?;
    }
    let elapsed = total.last_finish.map_or(Duration::ZERO, |finish| {
        finish.saturating_duration_since(measure_from)
    });
    report(&args, &total, elapsed);
    Ok(())
}

async fn resolve(url: &Uri) -> HarnessResult<(SocketAddr, String)> {
    if url.scheme_str() != Some("https") {
        return Err(HarnessError::Invalid(format!(
            "{url}: only https:// URLs are supported"
        )));
    }
    let host = url
        .host()
        .ok_or_else(|| HarnessError::Invalid(format!("{url}: no host")))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = url.port_u16().unwrap_or(443);
    let addr = tokio::net::lookup_host((host, port))
        .await
        .map_err(|error| HarnessError::Invalid(format!("resolving {host}: {error}")))?
        .next()
        .ok_or_else(|| HarnessError::Invalid(format!("{host} has no address")))?;
    let path = url
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |path| path.as_str().to_owned());
    Ok((addr, path))
}

fn build_webhook(plan: &Plan) -> HarnessResult<SignedWebhook> {
    match plan.body_bytes {
        Some(bytes) => plan.meta.sized_text_webhook(bytes),
        None => Ok(plan
            .meta
            .text_webhook("Hello! Does the blue one come in size 42? Thanks / merci, José")),
    }
}

fn new_tally() -> HarnessResult<Tally> {
    Ok(Tally {
        latency_us: Histogram::new_with_bounds(1, 600_000_000, 3)
            .map_err(|error| HarnessError::Invalid(format!("histogram: {error}")))?,
        ok: 0,
        non_200: BTreeMap::new(),
        transport_errors: 0,
        last_finish: None,
    })
}

fn merge(total: &mut Tally, tally: Tally) -> HarnessResult<()> {
    total
        .latency_us
        .add(&tally.latency_us)
        .map_err(|error| HarnessError::Invalid(format!("histogram merge: {error}")))?;
    total.ok += tally.ok;
    for (status, count) in tally.non_200 {
        *total.non_200.entry(status).or_insert(0) += count;
    }
    total.transport_errors += tally.transport_errors;
    total.last_finish = total.last_finish.max(tally.last_finish);
    Ok(())
}

/// Consecutive failed connects after which a worker gives up.
const MAX_CONNECT_FAILURES: u32 = 50;

async fn worker(plan: Arc<Plan>) -> HarnessResult<Tally> {
    let mut tally = new_tally()?;
    let mut connection = None;
    let mut connect_failures = 0_u32;
    loop {
        let started = Instant::now();
        if plan.stop_at.is_some_and(|stop| started >= stop) {
            return Ok(tally);
        }
        let measured = started >= plan.measure_from;
        if measured
            && let Some(budget) = plan.request_budget
            && plan.tickets.fetch_add(1, Ordering::Relaxed) >= budget
        {
            return Ok(tally);
        }
        let open = match connection.take() {
            Some(open) => open,
            None => match plan.endpoint.connect().await {
                Ok(open) => {
                    connect_failures = 0;
                    open
                }
                Err(_) => {
                    tally.transport_errors += u64::from(measured);
                    connect_failures += 1;
                    if connect_failures >= MAX_CONNECT_FAILURES {
                        return Ok(tally);
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let mut open = open;
        let webhook = build_webhook(&plan)?;
        let result = open
            .request(
                Method::POST,
                &plan.path,
                &[
                    ("content-type", "application/json"),
                    (SIGNATURE_HEADER, webhook.signature.as_str()),
                ],
                webhook.body,
            )
            .await;
        let finished = Instant::now();
        let reply = match result {
            Ok(reply) => {
                connection = Some(open);
                reply
            }
            Err(_) => {
                tally.transport_errors += u64::from(measured);
                continue;
            }
        };
        if !measured {
            continue;
        }
        let micros =
            u64::try_from(finished.duration_since(started).as_micros()).unwrap_or(u64::MAX);
        tally.latency_us.saturating_record(micros.max(1));
        tally.last_finish = Some(finished);
        if reply.status == http::StatusCode::OK {
            tally.ok += 1;
        } else {
            *tally.non_200.entry(reply.status.as_u16()).or_insert(0) += 1;
        }
    }
}

fn report(args: &Args, total: &Tally, elapsed: Duration) {
    let seconds = elapsed.as_secs_f64();
    let requests = total.latency_us.len();
    #[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    let (rps, ok_rps) = if seconds > 0.0 {
        (requests as f64 / seconds, total.ok as f64 / seconds)
    } else {
        (0.0, 0.0)
    };
    #[allow(
        clippy::cast_precision_loss,
        reason = "microsecond latencies far below 2^52"
    )]
    let ms = |quantile: f64| total.latency_us.value_at_quantile(quantile) as f64 / 1000.0;
    #[allow(
        clippy::cast_precision_loss,
        reason = "microsecond latencies far below 2^52"
    )]
    let max_ms = total.latency_us.max() as f64 / 1000.0;
    let non_200: u64 = total.non_200.values().sum();
    if args.tsv {
        println!(
            "{rps:.1}\t{ok_rps:.1}\t{:.3}\t{:.3}\t{:.3}\t{max_ms:.3}\t{requests}\t{non_200}\t{}",
            ms(0.5),
            ms(0.99),
            ms(0.999),
            total.transport_errors
        );
    } else if args.json {
        let statuses: serde_json::Map<String, serde_json::Value> = total
            .non_200
            .iter()
            .map(|(status, count)| (status.to_string(), serde_json::json!(count)))
            .collect();
        let object = serde_json::json!({
            "url": args.url.to_string(),
            "connections": args.connections,
            "duration_s": seconds,
            "requests": requests,
            "ok": total.ok,
            "non_200": statuses,
            "transport_errors": total.transport_errors,
            "requests_per_s": rps,
            "ok_per_s": ok_rps,
            "latency_ms": {
                "p50": ms(0.5), "p99": ms(0.99), "p999": ms(0.999), "max": max_ms,
                "mean": total.latency_us.mean() / 1000.0,
            },
        });
        println!("{object}");
    } else {
        println!("target      {}  connections {}", args.url, args.connections);
        println!(
            "requests    {requests} in {seconds:.2} s  (200: {}, non-200: {:?}, transport errors: {})",
            total.ok, total.non_200, total.transport_errors
        );
        println!("throughput  {rps:.1} requests/s  ({ok_rps:.1} answered 200 per s)");
        println!(
            "latency     p50 {:.3} ms  p99 {:.3} ms  p99.9 {:.3} ms  max {max_ms:.3} ms",
            ms(0.5),
            ms(0.99),
            ms(0.999)
        );
    }
}
