//! Crash test for chats in the store: a child process drives the store through a seeded script
//! (customer messages, operator accepts, closes and transfers, sweeps, one simulated minute or
//! a lull per step) and prints one line per durable step; the parent SIGKILLs it after step k,
//! reopens the store and checks that no acknowledged chat was lost, that only whole steps
//! survived, that no closed chat changed (none closed twice), and that overdue chats close on
//! boot at their own deadlines with the right reason, but not while the clock reads earlier
//! than the store's last commit; and that the journal tells the same story without a gap.
//!
//! The script and its model of the chat rules are in `store_crash/script.rs`; the comparison
//! of store and model is in `store_crash/check.rs`. The child checks the store against the
//! model after every step, and the parent knows what each step committed without trusting the
//! store.
#![cfg(unix)]
#![allow(clippy::unwrap_used, reason = "tests")]

#[path = "store_crash/check.rs"]
mod check;
#[path = "store_crash/script.rs"]
mod script;

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use gateway::chat::Chat;
use gateway::clock::ManualClock;
use gateway::store::{
    ChatActionError, ChatFilter, CustomerMessageInput, EventEffect, IngestBatch, LogRecord,
    PreparedEvent, RecordKind, Store,
};

use check::{
    Leftover, Seen, check_boot_sweep, check_crashed_store, check_journal, read_stopped,
    render_store,
};
use script::{Action, FAR_MS, ModelChat, Rng, STEPS, Step, T0};
use script::{customer_id, number, options, plan};

const CHILD_TEST: &str = "crash_child";
/// Set on the child only: the store folder it drives.
const CHILD_DIR_VAR: &str = "WAYGATE_CRASH_CHILD_DIR";
/// Set on the child only: `seed,quiet_after` (see [`plan`]).
const CHILD_SCRIPT_VAR: &str = "WAYGATE_CRASH_CHILD_SCRIPT";
const LINE_TAG: &str = "crash-step ";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

fn message_batch(seed: u64, step: &Step, customer: u64) -> IngestBatch {
    let wamid = format!("wamid.{seed}.{}", step.number);
    let record = LogRecord {
        received_at_ms: step.at,
        kind: RecordKind::Message,
        waba_id: "waba".into(),
        field: "messages".into(),
        phone_number_id: Some(number(customer).0),
        wamid: Some(wamid.clone()),
        sender: Some(customer_id(customer).as_str().to_owned()),
        user_id: None,
        timestamp: Some(i64::try_from(step.at / 1_000).unwrap()),
        type_name: "text".into(),
        content_json: "{}".into(),
    };
    IngestBatch {
        events: vec![PreparedEvent {
            dedupe_key: format!("m:{wamid}").into_bytes(),
            record: record.to_bytes(),
            effect: Some(EventEffect::CustomerMessage(CustomerMessageInput {
                number: number(customer),
                customer: customer_id(customer),
                department: None,
                profanity_hits: 0,
                sent_at: None,
                entry_point: None,
            })),
        }],
        dead_letters: Vec::new(),
    }
}

async fn perform(store: &Store, seed: u64, step: &Step) {
    match step.action {
        Action::Message { customer } => {
            let outcome = store.ingest(message_batch(seed, step, customer)).await;
            assert_eq!(outcome.unwrap().appended, 1, "step {}", step.number);
        }
        Action::Act { chat, op, applied } => {
            let result = store.act_on_chat(chat, op.to_action()).await;
            match (&result, applied) {
                (Ok(_), true) | (Err(ChatActionError::Refused(_)), false) => {}
                _ => panic!("step {}: {op:?} on chat {chat}: {result:?}", step.number),
            }
        }
        Action::Sweep => store.sweep().await.unwrap(),
    }
}

/// The child half of the crash tests; it does nothing (and passes) unless the parent set
/// `WAYGATE_CRASH_CHILD_DIR`, so a plain `cargo test` runs it as a no-op. As the child it runs
/// the script on the store in that folder, checks the store against the model after each step,
/// prints `crash-step <k> <chats>` once step k is durable, and then waits to be killed.
#[test]
fn crash_child() {
    let Some(dir) = std::env::var_os(CHILD_DIR_VAR) else {
        return;
    };
    let script = std::env::var(CHILD_SCRIPT_VAR).unwrap();
    let (seed, quiet_after) = script.split_once(',').unwrap();
    let seed: u64 = seed.parse().unwrap();
    let clock = ManualClock::at(T0);
    let (store, _writer) =
        Store::open(Path::new(&dir), options(), Arc::new(clock.clone())).unwrap();
    let rt = runtime();
    let mut out = std::io::stdout();
    for step in plan(seed, quiet_after.parse().unwrap()) {
        clock.set(step.at);
        rt.block_on(perform(&store, seed, &step));
        let chats = rt.block_on(store.list_chats(ChatFilter::All)).unwrap();
        assert_eq!(render_store(&chats), step.expected, "step {}", step.number);
        writeln!(out, "{LINE_TAG}{} {}", step.number, step.expected).unwrap();
        out.flush().unwrap();
    }
    // Script done: wait for the kill (end of input means the parent is gone).
    let _ = std::io::stdin().read(&mut [0u8; 1]);
}

/// A store left by a killed child.
struct Crash {
    root: tempfile::TempDir,
    script: Vec<Step>,
    /// The step after whose line the child was killed.
    killed_after: u32,
    /// The step whose chats the store holds after the crash.
    held: u32,
    /// The chats as the crash left them, before any boot sweep.
    chats: Vec<Chat>,
    /// The store's last commit time as the crash left it.
    last_commit_ms: u64,
}

impl Crash {
    fn dir(&self) -> PathBuf {
        self.root.path().join("data")
    }

    fn step(&self, number: u32) -> &Step {
        &self.script[number as usize - 1]
    }

    fn leftover(&self) -> Leftover<'_> {
        Leftover {
            chats: &self.chats,
            held: &self.step(self.held).model,
            acked: &self.step(self.killed_after).model,
        }
    }
}

/// Checks a `crash-step` line against the script; returns its step number.
fn check_line(script: &[Step], line: &str, previous: u32) -> Option<u32> {
    let text = &line[line.find(LINE_TAG)? + LINE_TAG.len()..];
    let text = text.trim_end_matches('\n');
    let (number, chats) = text.split_once(' ').unwrap_or((text, ""));
    let number: u32 = number.parse().unwrap();
    assert_eq!(
        number,
        previous + 1,
        "the child prints each step once, in order"
    );
    assert_eq!(chats, script[number as usize - 1].expected, "step {number}");
    Some(number)
}

/// Runs the child on a fresh store with `(seed, quiet_after)`, kills it with SIGKILL right after
/// it reports step `kill_after` durable, and checks what the crash left.
fn crash(seed: u64, quiet_after: u32, kill_after: u32) -> Crash {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    let stderr_path = root.path().join("child.stderr");
    let script = plan(seed, quiet_after);
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", CHILD_TEST, "--nocapture"])
        .env(CHILD_DIR_VAR, &dir)
        .env(CHILD_SCRIPT_VAR, format!("{seed},{quiet_after}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap();
    let child_stderr = || std::fs::read_to_string(&stderr_path).unwrap_or_default();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = 0;
    let mut line = String::new();
    while printed < kill_after {
        line.clear();
        if stdout.read_line(&mut line).unwrap() == 0 {
            let status = child.wait().unwrap();
            panic!(
                "child ended after step {printed} ({status}):\n{}",
                child_stderr()
            );
        }
        printed = check_line(&script, &line, printed).unwrap_or(printed);
    }
    // The child is already on a later step: the kill lands between or inside its commits.
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "{status}:\n{}", child_stderr());
    // Lines already in the pipe; only whole ones (the kill may cut the last).
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let whole = rest.rsplit_once('\n').map_or("", |(whole, _)| whole);
    for line in whole.lines() {
        printed = check_line(&script, line, printed).unwrap_or(printed);
    }

    let (chats, last_commit_ms, repaired) = read_stopped(&dir);
    assert!(repaired, "the kill left the store open: it needs recovery");
    let held = check_crashed_store(seed, &script, &chats, kill_after, printed);
    check_journal(&dir, &chats);
    eprintln!("seed {seed:#x}: killed after step {kill_after}, printed {printed}, store at {held}");
    Crash {
        root,
        script,
        killed_after: kill_after,
        held,
        chats,
        last_commit_ms,
    }
}

#[test]
fn a_killed_writer_loses_no_chat_closes_none_twice_and_overdue_chats_close_on_boot() {
    let mut seen = Seen::default();
    for run in 0..6_u32 {
        let seed = 0x5eed_0000 + u64::from(run);
        // Kill points spread over the script: 10..25, 34..49, ..., 130..145.
        let kill_after = 10 + run * 24 + Rng(seed).below(16) as u32;
        let crash = crash(seed, STEPS, kill_after);
        let (_store, writer) =
            Store::open(&crash.dir(), options(), Arc::new(ManualClock::at(FAR_MS))).unwrap();
        // The boot sweep runs before the writer takes its first command.
        writer.close();
        let (after, ..) = read_stopped(&crash.dir());
        check_boot_sweep(&crash.leftover(), &after, FAR_MS, &mut seen);
        check_journal(&crash.dir(), &after);
        assert!(after.iter().all(Chat::is_closed), "seed {seed:#x}");
    }
    assert!(
        seen.closed_before > 0 && seen.missed_on_boot > 0 && seen.idle_on_boot > 0,
        "{seen:?}"
    );
}

#[test]
fn a_restart_with_the_clock_behind_the_last_commit_closes_nothing_until_it_passes_it() {
    const SEED: u64 = 0x5eed_0100;
    const QUIET_AFTER: u32 = 60;
    const KILL_AFTER: u32 = 100;
    // In the quiet tail every step is one commit that changes the chats, so the store's last
    // commit is the time of the step it holds. Wherever the kill lands from step k on, the
    // script leaves chats overdue before that time and chats not due at it.
    let script = plan(SEED, QUIET_AFTER);
    for step in &script[KILL_AFTER as usize - 1..] {
        let deadlines = step.model.chats.iter().filter_map(ModelChat::deadline);
        let (due, fresh): (Vec<_>, Vec<_>) = deadlines.partition(|&(_, at)| at < step.at);
        assert!(
            !due.is_empty() && !fresh.is_empty(),
            "step {}: {due:?}",
            step.number
        );
    }
    let crash = crash(SEED, QUIET_AFTER, KILL_AFTER);
    let last = crash.last_commit_ms;
    let held = crash.step(crash.held);
    assert_eq!(last, held.at, "the last commit is the held step's");

    let clock = ManualClock::at(5_000); // booted without a real-time clock
    let (store, writer) = Store::open(&crash.dir(), options(), Arc::new(clock.clone())).unwrap();
    let rt = runtime();
    let chats_after_sweep = || {
        rt.block_on(store.sweep()).unwrap();
        render_store(&rt.block_on(store.list_chats(ChatFilter::All)).unwrap())
    };
    let before = render_store(&crash.chats);
    assert_eq!(
        chats_after_sweep(),
        before,
        "boot and sweep in 1970 close nothing"
    );
    clock.set(last - 1);
    assert_eq!(
        chats_after_sweep(),
        before,
        "1 ms before the last commit: nothing"
    );
    clock.set(last);
    let swept = chats_after_sweep();
    assert_eq!(
        swept,
        held.model.swept(last).render(),
        "exactly the overdue chats close"
    );
    clock.set(FAR_MS);
    assert_eq!(chats_after_sweep(), held.model.swept(FAR_MS).render());
    drop(store);
    writer.close();
    let (after, ..) = read_stopped(&crash.dir());
    let mut seen = Seen::default();
    check_boot_sweep(&crash.leftover(), &after, FAR_MS, &mut seen);
    assert!(seen.missed_on_boot > 0, "{seen:?}");
}
