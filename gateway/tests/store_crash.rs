//! Crash test for chats in the store: a child process drives the store through a seeded script
//! (customer messages, operator accepts, closes and transfers, timer ticks, one simulated
//! minute or a lull per step) and prints one line per durable step; the parent SIGKILLs it
//! after step k, reopens the store and checks that no acknowledged chat was lost, that only
//! whole steps survived, that no closed chat changed (none closed twice), and that overdue
//! chats close on boot at their own deadlines with the right reason, but not while the clock
//! reads earlier than the store's last commit.
//!
//! The script is a pure model of the chat rules the test relies on (bot off, no profanity):
//! parent and child replay it from the seed, the child checks the store against it after every
//! step, and the parent knows what each step committed without trusting the store.
#![cfg(unix)]
#![allow(clippy::unwrap_used, reason = "tests")]

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::ops::ControlFlow;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use gateway::chat::{
    BusinessNumber, Chat, ChatState, CloseReason, CustomerId, DeadlineKind, LifecycleSettings,
    Server, Span,
};
use gateway::clock::ManualClock;
use gateway::policy::TemplateRegistry;
use gateway::store::reader::StoreReader;
use gateway::store::{
    ChatAction, ChatActionError, ChatFilter, CustomerMessageInput, EventEffect, IngestBatch,
    LogRecord, PreparedEvent, RecordKind, Store, StoreOptions,
};

const CHILD_TEST: &str = "crash_child";
/// Set on the child only: the store folder it drives.
const CHILD_DIR_VAR: &str = "WAYGATE_CRASH_CHILD_DIR";
/// Set on the child only: `seed,quiet_after` (see [`plan`]).
const CHILD_SCRIPT_VAR: &str = "WAYGATE_CRASH_CHILD_SCRIPT";
const LINE_TAG: &str = "crash-step ";

const MIN_MS: u64 = 60_000;
const HOUR_MS: u64 = 60 * MIN_MS;
const T0: u64 = 1_800_000_000_000;
const UNATTENDED_MS: u64 = 15 * MIN_MS;
const IDLE_MS: u64 = HOUR_MS;
/// Well after every deadline a script can set (160 steps of at most 40 minutes).
const FAR_MS: u64 = T0 + 30 * 24 * HOUR_MS;
const STEPS: u32 = 160;
/// Customers 0..12: six WhatsApp ids, each on both business numbers.
const CUSTOMERS: u64 = 12;
const OPERATORS: [&str; 2] = ["ann", "bob"];
const DEPARTMENTS: [&str; 2] = ["sales", "support"];

fn options() -> StoreOptions {
    StoreOptions {
        quota_bytes: 64 * 1024 * 1024,
        dedupe_retention_ms: 192 * HOUR_MS,
        dedupe_max_entries: 1_000_000,
        cache_bytes: 1 << 20,
        max_batch: 64,
        lifecycle: LifecycleSettings {
            unattended: Span::from_millis(UNATTENDED_MS),
            idle: Span::from_millis(IDLE_MS),
            bot_enabled: false,
            bot_idle: Span::from_mins(10),
            profanity_limit: 3,
        },
        templates: TemplateRegistry::default(),
    }
}

fn number(customer: u64) -> BusinessNumber {
    BusinessNumber(format!("pn-{}", customer % 2))
}

fn customer_id(customer: u64) -> CustomerId {
    CustomerId::WaId(format!("1650555{:04}", customer / 2))
}

/// splitmix64: a small deterministic generator, enough for a script.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    }
}

/// Where a model chat stands, with the instant its timer counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Waiting {
        since: u64,
    },
    Active {
        operator: &'static str,
        last_activity: u64,
    },
    Closed {
        reason: CloseReason,
        at: u64,
    },
}

#[derive(Debug, Clone)]
struct ModelChat {
    id: u64,
    customer: u64,
    department: Option<&'static str>,
    stage: Stage,
    opened_at: u64,
    messages: u32,
}

impl ModelChat {
    /// Unattended: 15 min from entering waiting; idle: 1 h from the last activity.
    fn deadline(&self) -> Option<(DeadlineKind, u64)> {
        match self.stage {
            Stage::Waiting { since } => Some((DeadlineKind::Unattended, since + UNATTENDED_MS)),
            Stage::Active { last_activity, .. } => {
                Some((DeadlineKind::Idle, last_activity + IDLE_MS))
            }
            Stage::Closed { .. } => None,
        }
    }

    /// Closes the chat at its deadline when that has passed at `now`; true when it did.
    fn close_if_due(&mut self, now: u64) -> bool {
        match self.deadline() {
            Some((kind, at)) if now >= at => {
                let reason = kind.close_reason();
                self.stage = Stage::Closed { reason, at };
                true
            }
            _ => false,
        }
    }

    fn is_open(&self) -> bool {
        !matches!(self.stage, Stage::Closed { .. })
    }

    fn render(&self) -> String {
        let state = match self.stage {
            Stage::Waiting { .. } => "waiting".to_owned(),
            Stage::Active { operator, .. } => format!("active:{operator}"),
            Stage::Closed { reason, at } => format!("closed:{reason}@{}", rel(at)),
        };
        render_chat(
            self.id,
            (&number(self.customer), &customer_id(self.customer)),
            self.department,
            &state,
            self.deadline(),
            (self.opened_at, self.messages),
        )
    }
}

/// One line per chat: `#id:number/customer:department:state:deadline:opened@t:msgs=n`, with
/// instants as minutes after T0 (milliseconds when not whole minutes).
fn render_chat(
    id: u64,
    (number, customer): (&BusinessNumber, &CustomerId),
    department: Option<&str>,
    state: &str,
    deadline: Option<(DeadlineKind, u64)>,
    (opened_at, messages): (u64, u32),
) -> String {
    let deadline = match deadline {
        Some((DeadlineKind::Unattended, at)) => format!("unattended@{}", rel(at)),
        Some((DeadlineKind::Idle, at)) => format!("idle@{}", rel(at)),
        Some((kind, at)) => format!("{kind:?}@{}", rel(at)),
        None => "-".to_owned(),
    };
    format!(
        "#{id}:{}/{}:{}:{state}:{deadline}:opened@{}:msgs={messages}",
        number.as_str(),
        customer.as_str(),
        department.unwrap_or("-"),
        rel(opened_at),
    )
}

fn rel(at: u64) -> String {
    let offset = i128::from(at) - i128::from(T0);
    if offset % i128::from(MIN_MS) == 0 {
        format!("{}m", offset / i128::from(MIN_MS))
    } else {
        format!("{offset}ms")
    }
}

/// Renders the store's chats like [`Model::render`].
fn render_store(chats: &[Chat]) -> String {
    let line = |chat: &Chat| {
        let state = match &chat.state {
            ChatState::Waiting => "waiting".to_owned(),
            ChatState::Active {
                served_by: Server::Operator(operator),
            } => format!("active:{operator}"),
            ChatState::Active { served_by } => format!("active:{served_by:?}"),
            ChatState::Closed { reason, at } => format!("closed:{reason}@{}", rel(*at)),
        };
        render_chat(
            chat.id.0,
            (&chat.number, &chat.customer),
            chat.department.as_deref(),
            &state,
            chat.deadline.map(|d| (d.kind, d.at)),
            (chat.opened_at, chat.messages),
        )
    };
    chats.iter().map(line).collect::<Vec<_>>().join(" ")
}

/// An operator's action in the script.
#[derive(Debug, Clone, Copy)]
enum Op {
    Accept(&'static str),
    Close(&'static str),
    Transfer(&'static str, &'static str),
}

impl Op {
    fn to_action(self) -> ChatAction {
        match self {
            Self::Accept(operator) => ChatAction::Accept {
                operator: operator.into(),
            },
            Self::Close(operator) => ChatAction::Close {
                operator: operator.into(),
            },
            Self::Transfer(operator, department) => ChatAction::Transfer {
                operator: operator.into(),
                department: department.into(),
            },
        }
    }
}

/// The chats as the lifecycle rules say they stand (bot off, no offensive words).
#[derive(Debug, Clone, Default)]
struct Model {
    /// Chat `id` at index `id - 1`: the store allocates ids densely from 1.
    chats: Vec<ModelChat>,
    /// Each customer's latest chat, by index.
    latest: BTreeMap<u64, usize>,
}

impl Model {
    /// The customer's open chat takes the message; an overdue one closes at its deadline and,
    /// like a closed one or none, gives way to a new waiting chat.
    fn customer_message(&mut self, customer: u64, now: u64) {
        if let Some(&index) = self.latest.get(&customer) {
            let chat = &mut self.chats[index];
            if chat.is_open() && !chat.close_if_due(now) {
                chat.messages += 1;
                if let Stage::Active { last_activity, .. } = &mut chat.stage {
                    *last_activity = now;
                }
                return;
            }
        }
        self.chats.push(ModelChat {
            id: self.chats.len() as u64 + 1,
            customer,
            department: None,
            stage: Stage::Waiting { since: now },
            opened_at: now,
            messages: 1,
        });
        self.latest.insert(customer, self.chats.len() - 1);
    }

    /// Applies an operator's action; false when the lifecycle refuses it (an overdue chat is
    /// closed at its deadline first, and refused).
    fn act(&mut self, index: usize, op: Op, now: u64) -> bool {
        let chat = &mut self.chats[index];
        if !chat.is_open() || chat.close_if_due(now) {
            return false;
        }
        match (op, chat.stage) {
            (Op::Accept(operator), Stage::Waiting { .. }) => {
                chat.stage = Stage::Active {
                    operator,
                    last_activity: now,
                };
                true
            }
            (
                Op::Accept(operator),
                Stage::Active {
                    operator: serving, ..
                },
            ) => operator == serving,
            (
                Op::Close(operator),
                Stage::Active {
                    operator: serving, ..
                },
            ) if operator != serving => false,
            (Op::Close(_), _) => {
                chat.stage = Stage::Closed {
                    reason: CloseReason::Operator,
                    at: now,
                };
                true
            }
            (Op::Transfer(_, department), Stage::Waiting { .. })
                if chat.department == Some(department) =>
            {
                false
            }
            (Op::Transfer(_, department), _) => {
                chat.department = Some(department);
                chat.stage = Stage::Waiting { since: now };
                true
            }
            (_, Stage::Closed { .. }) => false,
        }
    }

    /// The model after a sweep at `now`: every chat due by then closed at its deadline.
    fn swept(&self, now: u64) -> Self {
        let mut swept = self.clone();
        for chat in &mut swept.chats {
            chat.close_if_due(now);
        }
        swept
    }

    fn render(&self) -> String {
        let chats: Vec<String> = self.chats.iter().map(ModelChat::render).collect();
        chats.join(" ")
    }
}

#[derive(Debug, Clone, Copy)]
enum Action {
    Message { customer: u64 },
    Act { chat: u64, op: Op, applied: bool },
    Tick,
}

/// One step of the script: at `at`, `action`; afterwards the chats are `model`.
#[derive(Debug, Clone)]
struct Step {
    number: u32,
    at: u64,
    action: Action,
    model: Model,
    /// `model` rendered: what the child prints once the step is durable.
    expected: String,
}

/// The script for `seed`: [`STEPS`] steps. After step `quiet_after` only the first half of
/// the customers write (no operator, no tick): the other half's chats go overdue unswept.
fn plan(seed: u64, quiet_after: u32) -> Vec<Step> {
    let mut rng = Rng(seed);
    let mut model = Model::default();
    let mut now = T0;
    let mut steps = Vec::new();
    for number in 1..=STEPS {
        // Mostly one minute; now and then a lull of 5 to 40 minutes.
        now += if rng.below(10) == 0 {
            (5 + rng.below(36)) * MIN_MS
        } else {
            MIN_MS
        };
        let roll = rng.below(100);
        let open: Vec<usize> = (0..model.chats.len())
            .filter(|&i| model.chats[i].is_open())
            .collect();
        // Mostly an open chat; sometimes any chat, closed ones included (a refusal).
        let target = if open.is_empty() || rng.below(8) == 0 {
            (!model.chats.is_empty()).then(|| rng.below(model.chats.len() as u64) as usize)
        } else {
            Some(open[rng.below(open.len() as u64) as usize])
        };
        let operator = OPERATORS[rng.below(2) as usize];
        let quiet = number > quiet_after;
        let action = match (roll, target) {
            (40..88, Some(index)) if !quiet => {
                let op = match roll {
                    40..58 => Op::Accept(operator),
                    58..70 => Op::Close(operator),
                    _ => Op::Transfer(operator, DEPARTMENTS[rng.below(2) as usize]),
                };
                let applied = model.act(index, op, now);
                let chat = model.chats[index].id;
                Action::Act { chat, op, applied }
            }
            (88.., _) if !quiet => {
                model = model.swept(now);
                Action::Tick
            }
            _ => {
                let customer = rng.below(if quiet { CUSTOMERS / 2 } else { CUSTOMERS });
                model.customer_message(customer, now);
                Action::Message { customer }
            }
        };
        let expected = model.render();
        steps.push(Step {
            number,
            at: now,
            action,
            model: model.clone(),
            expected,
        });
    }
    steps
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

/// Waits until the writer has finished everything sent before, a sweep included. One empty
/// ingest is not enough: when it is queued behind a tick, the writer answers the group before
/// it sweeps; the second is only received after that loop turn, sweep included.
async fn barrier(store: &Store) {
    for _ in 0..2 {
        store.ingest(IngestBatch::default()).await.unwrap();
    }
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
        Action::Tick => {
            store.tick();
            barrier(store).await;
        }
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
    fn dir(&self) -> std::path::PathBuf {
        self.root.path().join("data")
    }

    fn step(&self, number: u32) -> &Step {
        &self.script[number as usize - 1]
    }
}

/// The chats and last commit time of a stopped store, and whether it needed recovery first.
fn read_stopped(dir: &Path) -> (Vec<Chat>, u64, bool) {
    let (reader, repaired) = StoreReader::open(dir).unwrap();
    let mut chats = Vec::new();
    let visit = |_, chat| {
        chats.push(chat);
        ControlFlow::Continue(())
    };
    reader.for_each_chat(0, visit).unwrap();
    (chats, reader.summary().unwrap().last_commit_ms, repaired)
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
    // No chat is lost: every chat acknowledged by step k is there, as it was opened.
    let acked = &script[kill_after as usize - 1].model;
    for expected in &acked.chats {
        let found = chats.iter().find(|chat| chat.id.0 == expected.id);
        let found = found.map(|c| (&c.number, &c.customer, c.opened_at));
        let want = (&number(expected.customer), &customer_id(expected.customer));
        assert_eq!(
            found,
            Some((want.0, want.1, expected.opened_at)),
            "seed {seed:#x}: chat {} acknowledged at step {kill_after} after the crash",
            expected.id
        );
    }
    // Each (number, customer) has at most one open chat.
    let mut open = BTreeMap::new();
    for chat in chats.iter().filter(|chat| !chat.is_closed()) {
        let pair = (chat.number.clone(), chat.customer.clone());
        assert_eq!(
            open.insert(pair, chat.id),
            None,
            "seed {seed:#x}: two open chats"
        );
    }
    // Later commits survive only as whole steps: the store is exactly some step from k on.
    let rendered = render_store(&chats);
    let upper = (printed + 1).min(STEPS);
    let held = (kill_after..=upper).find(|&n| script[n as usize - 1].expected == rendered);
    let held = held.unwrap_or_else(|| {
        panic!("seed {seed:#x}: no whole step from {kill_after} to {upper} in:\n{rendered}")
    });
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

/// What the checks met, across runs, so that a script that never exercises a case fails.
#[derive(Debug, Default)]
struct Seen {
    closed_before: usize,
    missed_on_boot: usize,
    idle_on_boot: usize,
}

/// Checks the chats after a boot sweep at `now` against the crash: closed chats unchanged,
/// chats due by `now` closed at their deadlines with their timer's reason, the rest unchanged.
fn check_boot_sweep(crash: &Crash, after: &[Chat], now: u64, seen: &mut Seen) {
    let held = &crash.step(crash.held).model;
    assert_eq!(after.len(), crash.chats.len(), "a boot opens no chat");
    for (before, (after, model)) in crash.chats.iter().zip(after.iter().zip(&held.chats)) {
        assert_eq!(after.id, before.id);
        match model.stage {
            Stage::Closed { .. } => {
                assert_eq!(after, before, "a closed chat never changes");
                seen.closed_before += 1;
            }
            Stage::Waiting { since } if since + UNATTENDED_MS <= now => {
                let want = ChatState::Closed {
                    reason: CloseReason::Missed,
                    at: since + UNATTENDED_MS,
                };
                assert_eq!(after.state, want, "waiting chat {}", after.id.0);
                seen.missed_on_boot += 1;
            }
            Stage::Active { last_activity, .. } if last_activity + IDLE_MS <= now => {
                let want = ChatState::Closed {
                    reason: CloseReason::Idle,
                    at: last_activity + IDLE_MS,
                };
                assert_eq!(after.state, want, "active chat {}", after.id.0);
                seen.idle_on_boot += 1;
            }
            Stage::Waiting { .. } | Stage::Active { .. } => {
                assert_eq!(after, before, "chat {} is not due yet", after.id.0);
            }
        }
    }
    // None is closed twice: what step k acknowledged as closed keeps its reason and time.
    for model in &crash.step(crash.killed_after).model.chats {
        if let Stage::Closed { reason, at } = model.stage {
            let after = &after[model.id as usize - 1];
            assert_eq!(
                after.state,
                ChatState::Closed { reason, at },
                "chat {}",
                model.id
            );
        }
    }
    assert_eq!(render_store(after), held.swept(now).render());
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
        check_boot_sweep(&crash, &after, FAR_MS, &mut seen);
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
    let chats_after_tick = || {
        store.tick();
        rt.block_on(barrier(&store));
        render_store(&rt.block_on(store.list_chats(ChatFilter::All)).unwrap())
    };
    let before = render_store(&crash.chats);
    assert_eq!(
        chats_after_tick(),
        before,
        "boot and tick in 1970 close nothing"
    );
    clock.set(last - 1);
    assert_eq!(
        chats_after_tick(),
        before,
        "1 ms before the last commit: nothing"
    );
    clock.set(last);
    let swept = chats_after_tick();
    assert_eq!(
        swept,
        held.model.swept(last).render(),
        "exactly the overdue chats close"
    );
    clock.set(FAR_MS);
    assert_eq!(chats_after_tick(), held.model.swept(FAR_MS).render());
    drop(store);
    writer.close();
    let (after, ..) = read_stopped(&crash.dir());
    let mut seen = Seen::default();
    check_boot_sweep(&crash, &after, FAR_MS, &mut seen);
    assert!(seen.missed_on_boot > 0, "{seen:?}");
}
