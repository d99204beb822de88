//! The seeded script the crash tests run, and the model of the chat rules it relies on (bot
//! off, no profanity): parent and child replay the script from its seed, and each step carries
//! the chats as the rules say they stand afterwards, so neither has to trust the store.

use std::collections::BTreeMap;

use gateway::chat::{
    BusinessNumber, CloseReason, CustomerId, DeadlineKind, LifecycleSettings, Span,
};
use gateway::policy::TemplateRegistry;
use gateway::store::{ChatAction, StoreOptions};

const MIN_MS: u64 = 60_000;
const HOUR_MS: u64 = 60 * MIN_MS;
/// The script's first instant.
pub(crate) const T0: u64 = 1_800_000_000_000;
pub(crate) const UNATTENDED_MS: u64 = 15 * MIN_MS;
pub(crate) const IDLE_MS: u64 = HOUR_MS;
/// Well after every deadline a script can set (160 steps of at most 40 minutes).
pub(crate) const FAR_MS: u64 = T0 + 30 * 24 * HOUR_MS;
pub(crate) const STEPS: u32 = 160;
/// Customers 0..12: six WhatsApp ids, each on both business numbers.
const CUSTOMERS: u64 = 12;
const OPERATORS: [&str; 2] = ["ann", "bob"];
const DEPARTMENTS: [&str; 2] = ["sales", "support"];

/// Store settings with the timers and rules the model follows.
pub(crate) fn options() -> StoreOptions {
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
        pricing: gateway::pricing::PricingRules::default(),
        credits: gateway::pricing::CreditSettings::default(),
        retention: None,
        canned_responses: Vec::new(),
        articles: Vec::new(),
    }
}

/// The business number a script customer writes to.
pub(crate) fn number(customer: u64) -> BusinessNumber {
    BusinessNumber(format!("pn-{}", customer % 2))
}

/// The WhatsApp id of a script customer.
pub(crate) fn customer_id(customer: u64) -> CustomerId {
    CustomerId::WaId(format!("1650555{:04}", customer / 2))
}

/// splitmix64: a small deterministic generator, enough for a script.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    }
}

/// Where a model chat stands, with the instant its timer counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
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
pub(crate) struct ModelChat {
    pub(crate) id: u64,
    pub(crate) customer: u64,
    department: Option<&'static str>,
    pub(crate) stage: Stage,
    pub(crate) opened_at: u64,
    messages: u32,
}

impl ModelChat {
    /// Unattended: 15 min from entering waiting; idle: 1 h from the last activity.
    pub(crate) fn deadline(&self) -> Option<(DeadlineKind, u64)> {
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
pub(crate) fn render_chat(
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

/// An instant as minutes after T0 (milliseconds when not whole minutes).
pub(crate) fn rel(at: u64) -> String {
    let offset = i128::from(at) - i128::from(T0);
    if offset % i128::from(MIN_MS) == 0 {
        format!("{}m", offset / i128::from(MIN_MS))
    } else {
        format!("{offset}ms")
    }
}

/// An operator's action in the script.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Op {
    Accept(&'static str),
    Close(&'static str),
    Transfer(&'static str, &'static str),
}

impl Op {
    pub(crate) fn to_action(self) -> ChatAction {
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
pub(crate) struct Model {
    /// Chat `id` at index `id - 1`: the store allocates ids densely from 1.
    pub(crate) chats: Vec<ModelChat>,
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
    pub(crate) fn swept(&self, now: u64) -> Self {
        let mut swept = self.clone();
        for chat in &mut swept.chats {
            chat.close_if_due(now);
        }
        swept
    }

    /// The chats as [`render_chat`] lines, joined by spaces.
    pub(crate) fn render(&self) -> String {
        let chats: Vec<String> = self.chats.iter().map(ModelChat::render).collect();
        chats.join(" ")
    }
}

/// What a step does.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Action {
    /// The customer writes.
    Message { customer: u64 },
    /// An operator acts on chat `chat`; `applied` is false when the rules refuse it.
    Act { chat: u64, op: Op, applied: bool },
    /// The timer fires: a sweep closes the overdue chats.
    Sweep,
}

/// One step of the script: at `at`, `action`; afterwards the chats are `model`.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    pub(crate) number: u32,
    pub(crate) at: u64,
    pub(crate) action: Action,
    pub(crate) model: Model,
    /// `model` rendered: what the child prints once the step is durable.
    pub(crate) expected: String,
}

/// The script for `seed`: [`STEPS`] steps. After step `quiet_after` only the first half of
/// the customers write (no operator, no sweep): the other half's chats go overdue unswept.
pub(crate) fn plan(seed: u64, quiet_after: u32) -> Vec<Step> {
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
                Action::Sweep
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
