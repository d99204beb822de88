//! `sender-bench`: the sender's throughput and CPU per message against the simulated Graph API
//! on loopback, with a bare paced hyper client as the baseline in the same run.
//!
//! - **waygate**: a backlog of `--messages` replies (10 per chat) is queued while the gateway
//!   has no access token ([`waygate_e2e::backlog`]); it restarts with the token and its sender
//!   drains the backlog at `--rate`. Measured at the simulated Meta: the arrival rate over the
//!   middle 90 % of arrivals and over the whole run; and the gateway's CPU time (utime + stime
//!   of `/proc/<pid>/stat`) from the first arrival to the last, per message.
//! - **bare hyper client**: this binary again, as a child (`--bare-client`), sends as many send
//!   requests over keep-alive HTTP/1.1 connections, paced at the same rate, to a fresh simulated
//!   Meta, and reports its own CPU time over the same span: what the requests alone cost, without
//!   the outbox, the lanes or the store.
//!
//! The gateway is `WAYGATE_BIN` (the script passes the release build); its log level is
//! `RUST_LOG` (the script uses `warn`). Prints markdown table rows (see `--help`).
#![forbid(unsafe_code)]

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::Parser;
use http::{Method, Request};
use http_body_util::{BodyExt as _, Full};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpStream;
use tokio::sync::Mutex;
use tokio::task::JoinSet;
use waygate_e2e::backlog::{Number, REPLIES_PER_CHAT, queued_backlog, rate_between, steady_rate};
use waygate_e2e::graph_api::{ACCESS_TOKEN, AcceptedSend, GraphApi};
use waygate_e2e::meta::BusinessNumber;
use waygate_e2e::tool::{peak_rss_kib, process_cpu};
use waygate_e2e::{HarnessError, HarnessResult};

/// Command line of `sender-bench`.
#[derive(Debug, Parser)]
#[command(
    about = "Sender throughput and CPU per message against the simulated Graph API, with a bare hyper client as baseline"
)]
struct Args {
    /// Messages to send (rounded down to whole chats of 10).
    #[arg(long, default_value_t = 20_000)]
    messages: usize,
    /// The business number's `messages_per_second`.
    #[arg(long, default_value_t = 1_000)]
    rate: u32,
    /// `strict_order` of the business number.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    strict_order: bool,
    /// Keep-alive connections of the bare client.
    #[arg(long, default_value_t = 16)]
    bare_connections: usize,
    /// Clock ticks per second of `/proc/<pid>/stat` (`getconf CLK_TCK`).
    #[arg(long, default_value_t = 100)]
    clock_ticks: u64,
    /// Skip the bare client's run.
    #[arg(long)]
    skip_bare: bool,
    /// Run as the bare client against this simulated Meta address (used by the benchmark itself).
    #[arg(long, hide = true)]
    bare_client: Option<SocketAddr>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match args.bare_client {
        Some(address) => waygate_e2e::tool::run_tool("sender-bench", bare_client(address, args)),
        None => waygate_e2e::tool::run_tool("sender-bench", bench(args)),
    }
}

/// One measured run, as a table row.
struct Row {
    sender: &'static str,
    messages: usize,
    steady_rate: f64,
    whole_rate: f64,
    cpu: Duration,
    wall: Duration,
    peak_rss_kib: Option<u64>,
}

impl Row {
    fn print(&self, configured: u32) {
        let per_message_us = self.cpu.as_secs_f64() * 1e6 / self.messages as f64;
        let share = self.cpu.as_secs_f64() / self.wall.as_secs_f64() * 100.0;
        let rss = self
            .peak_rss_kib
            .map_or_else(|| "-".to_owned(), |kib| format!("{} MiB", kib / 1024));
        println!(
            "| {} | {configured} | {} | {:.1} | {:.1} | {:.0} | {share:.1} % | {rss} |",
            self.sender, self.messages, self.steady_rate, self.whole_rate, per_message_us
        );
    }
}

async fn bench(args: Args) -> HarnessResult<()> {
    let chats = (args.messages / REPLIES_PER_CHAT).max(1);
    let total = chats * REPLIES_PER_CHAT;
    let number = Number {
        messages_per_second: args.rate,
        strict_order: args.strict_order,
    };
    let graph = GraphApi::start().await?;
    let queueing = Instant::now();
    let (mut gateway, _chats) = queued_backlog(&graph, number, chats, |_| {}).await;
    eprintln!(
        "sender-bench: {total} messages in {chats} chats queued in {:?}",
        queueing.elapsed()
    );
    let pid = gateway
        .pid()
        .ok_or(HarnessError::State("the gateway has no pid"))?;
    let deadline = Duration::from_secs_f64(3.0 * total as f64 / f64::from(args.rate) + 60.0);
    graph.wait_accepted(1, deadline).await?;
    let cpu_before = process_cpu(pid, args.clock_ticks)?;
    graph.wait_accepted(total, deadline).await?;
    let cpu_after = process_cpu(pid, args.clock_ticks)?;
    let peak_rss_kib = peak_rss_kib(pid);
    let accepted = graph.accepted();
    let row = measured_row("waygate", &accepted, cpu_after - cpu_before, peak_rss_kib);
    gateway.stop().await?;
    print_header();
    row.print(args.rate);
    if !args.skip_bare {
        let bare = run_bare_client(&args, total).await?;
        bare.print(args.rate);
    }
    Ok(())
}

fn print_header() {
    println!(
        "| sender | configured msg/s | messages | achieved msg/s (middle 90 %) | whole run msg/s | CPU µs per message | CPU share of a core | peak RSS |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
}

/// The row for a run whose sends arrived as `accepted`, with `cpu` spent from the first
/// arrival to the last.
fn measured_row(
    sender: &'static str,
    accepted: &[AcceptedSend],
    cpu: Duration,
    peak_rss_kib: Option<u64>,
) -> Row {
    let arrivals: Vec<Instant> = accepted.iter().map(|send| send.at).collect();
    let last = arrivals.len() - 1;
    Row {
        sender,
        messages: arrivals.len(),
        steady_rate: steady_rate(&arrivals),
        whole_rate: rate_between(&arrivals, 0, last),
        cpu,
        wall: arrivals[last].duration_since(arrivals[0]),
        peak_rss_kib,
    }
}

/// Runs this binary as the bare client against a fresh simulated Meta; its row.
async fn run_bare_client(args: &Args, total: usize) -> HarnessResult<Row> {
    let graph = GraphApi::start().await?;
    let address = graph.base_url().trim_start_matches("http://").to_owned();
    let me = std::env::current_exe()
        .map_err(|error| HarnessError::io("locating", "sender-bench", error))?;
    let output = tokio::process::Command::new(me)
        .args([
            "--bare-client",
            &address,
            "--messages",
            &total.to_string(),
            "--rate",
            &args.rate.to_string(),
            "--bare-connections",
            &args.bare_connections.to_string(),
            "--clock-ticks",
            &args.clock_ticks.to_string(),
        ])
        .output()
        .await
        .map_err(|error| HarnessError::io("running", "sender-bench --bare-client", error))?;
    let report = String::from_utf8_lossy(&output.stdout);
    let mut fields = report.split_whitespace().map(str::parse::<u64>);
    let (Some(Ok(cpu_us)), Some(Ok(peak_rss_kib))) = (fields.next(), fields.next()) else {
        return Err(HarnessError::Command {
            command: "sender-bench --bare-client".to_owned(),
            status: format!("{}, reported {report:?}", output.status),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    };
    let accepted = graph.accepted();
    Ok(measured_row(
        "bare hyper client",
        &accepted,
        Duration::from_micros(cpu_us),
        Some(peak_rss_kib),
    ))
}

/// The bare client: sends `--messages` requests to the simulated Meta at `--rate` over
/// `--bare-connections` keep-alive connections, then prints its CPU time (µs) from the first
/// answer to the last, and its peak RSS (KiB).
async fn bare_client(address: SocketAddr, args: Args) -> HarnessResult<()> {
    let path = format!(
        "/v24.0/{}/messages",
        BusinessNumber::default().phone_number_id
    );
    let (tickets, queue) = tokio::sync::mpsc::channel::<usize>(args.bare_connections);
    let queue = Arc::new(Mutex::new(queue));
    let first_answer = Arc::new(std::sync::OnceLock::new());
    let mut workers = JoinSet::new();
    for _ in 0..args.bare_connections {
        let stream = TcpStream::connect(address)
            .await
            .map_err(|error| HarnessError::io("connecting to", address.to_string(), error))?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|error| HarnessError::Http(format!("handshake: {error}")))?;
        tokio::spawn(connection);
        let (queue, path, first_answer) =
            (Arc::clone(&queue), path.clone(), Arc::clone(&first_answer));
        let clock_ticks = args.clock_ticks;
        workers.spawn(async move {
            loop {
                let Some(k) = queue.lock().await.recv().await else {
                    return Ok::<(), HarnessError>(());
                };
                let body = json!({
                    "messaging_product": "whatsapp", "recipient_type": "individual",
                    "to": format!("1650555{:04}", k / REPLIES_PER_CHAT), "type": "text",
                    "text": {"body": format!("reply {k}")}, "biz_opaque_callback_data": k.to_string(),
                });
                let request = Request::builder()
                    .method(Method::POST)
                    .uri(path.as_str())
                    .header(http::header::HOST, "graph.facebook.com")
                    .header(http::header::AUTHORIZATION, format!("Bearer {ACCESS_TOKEN}"))
                    .header(http::header::CONTENT_TYPE, "application/json")
                    .body(Full::new(Bytes::from(body.to_string())))
                    .map_err(|error| HarnessError::Http(error.to_string()))?;
                let answer = sender
                    .send_request(request)
                    .await
                    .map_err(|error| HarnessError::Http(format!("send: {error}")))?;
                let _ = answer.into_body().collect().await;
                if first_answer.get().is_none() {
                    let _ = first_answer.set(process_cpu(std::process::id(), clock_ticks)?);
                }
            }
        });
    }
    let mut pace = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(args.rate)));
    pace.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    for k in 0..args.messages {
        pace.tick().await;
        if tickets.send(k).await.is_err() {
            break;
        }
    }
    drop(tickets);
    for done in workers.join_all().await {
        done?;
    }
    let cpu_after = process_cpu(std::process::id(), args.clock_ticks)?;
    let cpu_before = first_answer.get().copied().unwrap_or_default();
    let peak = peak_rss_kib(std::process::id()).unwrap_or(0);
    println!("{} {peak}", (cpu_after - cpu_before).as_micros());
    Ok(())
}
