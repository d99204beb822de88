//! Chats inside the store: the records, the latest chat of each (number, customer), and the
//! deadline index the sweep reads. Every change happens inside the writer's transaction, so a
//! chat's state, its deadline entry and the message that moved it commit together.
//!
//! The deadline index is derived from the chat records: persisting a chat removes the index
//! entry of its previous deadline and adds its new one, so the two cannot disagree.

use redb::{ReadableTable, Table, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::StoreError;
use super::chat_access::{ChatAction, ChatActionError};
use super::journal::Recorder;
use super::tables::{CHAT_DEADLINES, CHAT_MESSAGES, CHATS, LATEST_CHAT, pair_key};
use crate::chat::{
    BusinessNumber, Chat, ChatEvent, ChatId, ChatRoute, CustomerId, IncomingMessage,
    LifecycleSettings, Server, Transition, UnixMs, route_customer_message, step,
};
use crate::journal::{EventData, EventType, NewEvent, chat_events};
use crate::policy::EntryPoint;

/// The wire form of a stored chat; the variant is the version.
#[derive(Serialize, Deserialize)]
enum ChatWire {
    V1(Chat),
}

/// Encodes a chat for the store.
pub(super) fn encode_chat(chat: &Chat) -> Vec<u8> {
    postcard::to_allocvec(&ChatWire::V1(chat.clone())).unwrap_or_default()
}

/// Decodes a stored chat's bytes.
pub(super) fn chat_from_bytes(bytes: &[u8]) -> Result<Chat, postcard::Error> {
    match postcard::from_bytes(bytes)? {
        ChatWire::V1(chat) => Ok(chat),
    }
}

pub(super) fn decode_chat(id: u64, bytes: &[u8]) -> Result<Chat, StoreError> {
    chat_from_bytes(bytes).map_err(|error| StoreError::Record {
        table: "chats",
        key: id,
        reason: error.to_string(),
    })
}

/// A customer's message on its way to a chat and to the customer's service window (computed
/// on the request's task).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerMessageInput {
    /// The business number.
    pub number: BusinessNumber,
    /// The customer.
    pub customer: CustomerId,
    /// The number's department.
    pub department: Option<String>,
    /// Offensive words in the message.
    pub profanity_hits: u32,
    /// Meta's timestamp of the message: the service window opens from it. `None` when the
    /// payload had none (the commit's time is used then).
    pub sent_at: Option<UnixMs>,
    /// The free entry point the customer came through (the message's `referral`), if any.
    pub entry_point: Option<EntryPoint>,
}

/// The chat tables, opened once per write transaction.
pub(super) struct ChatTables<'txn> {
    chats: Table<'txn, u64, &'static [u8]>,
    latest: Table<'txn, &'static str, u64>,
    deadlines: Table<'txn, (u64, u64), ()>,
    messages: Table<'txn, (u64, u64), ()>,
    /// Where the chats' changes are reported (see [`chat_events`]).
    journal: Recorder,
}

impl<'txn> ChatTables<'txn> {
    pub(super) fn open(
        txn: &'txn WriteTransaction,
        journal: &Recorder,
    ) -> Result<Self, StoreError> {
        Ok(Self {
            chats: txn.open_table(CHATS)?,
            latest: txn.open_table(LATEST_CHAT)?,
            deadlines: txn.open_table(CHAT_DEADLINES)?,
            messages: txn.open_table(CHAT_MESSAGES)?,
            journal: journal.clone(),
        })
    }

    /// Chat `id`, if it exists.
    pub(super) fn get(&self, id: u64) -> Result<Option<Chat>, StoreError> {
        self.load(id)
    }

    fn load(&self, id: u64) -> Result<Option<Chat>, StoreError> {
        match self.chats.get(id)? {
            Some(bytes) => decode_chat(id, bytes.value()).map(Some),
            None => Ok(None),
        }
    }

    /// Writes `transition.chat`, moving its deadline index entry from `before`'s deadline, and
    /// reports the change to the journal.
    fn persist(
        &mut self,
        before: Option<&Chat>,
        transition: &Transition,
    ) -> Result<(), StoreError> {
        let chat = &transition.chat;
        let id = chat.id.0;
        if let Some(old) = before.and_then(|chat| chat.deadline) {
            self.deadlines.remove((old.at, id))?;
        }
        if let Some(new) = chat.deadline {
            self.deadlines.insert((new.at, id), ())?;
        }
        self.chats.insert(id, encode_chat(chat).as_slice())?;
        self.journal.record_all(chat_events(before, chat));
        Ok(())
    }

    /// Routes a customer's message (log entry `seq`): their open chat takes it, or a new chat
    /// opens (closing an overdue one at its deadline first). Returns whether a chat was opened.
    pub(super) fn route(
        &mut self,
        input: CustomerMessageInput,
        seq: u64,
        now: UnixMs,
        settings: &LifecycleSettings,
        next_chat_id: &mut u64,
    ) -> Result<bool, StoreError> {
        let key = pair_key(&input.number, &input.customer);
        let latest_id = self.latest.get(key.as_str())?.map(|id| id.value());
        let current = match latest_id {
            Some(id) => self.load(id)?,
            None => None,
        };
        let message = IncomingMessage {
            number: input.number,
            customer: input.customer,
            department: input.department,
            profanity_hits: input.profanity_hits,
        };
        let route = route_customer_message(current.as_ref(), message, now, settings, || {
            let id = ChatId(*next_chat_id);
            *next_chat_id += 1;
            id
        })
        .map_err(|mismatch| StoreError::Record {
            table: "latest_chat",
            key: mismatch.chat.0,
            reason: mismatch.to_string(),
        })?;
        let (landed, opened_new) = match route {
            ChatRoute::Existing(transition) => {
                self.persist(current.as_ref(), &transition)?;
                (transition.chat.id, false)
            }
            ChatRoute::Opened { expired, opened } => {
                if let Some(expired) = expired {
                    self.persist(current.as_ref(), &expired)?;
                }
                self.persist(None, &opened)?;
                self.latest.insert(key.as_str(), opened.chat.id.0)?;
                (opened.chat.id, true)
            }
        };
        self.messages.insert((landed.0, seq), ())?;
        self.journal.record(NewEvent {
            event_type: EventType::MessageReceived,
            chat: Some(landed.0),
            data: EventData::Logged { log_seq: seq },
        });
        Ok(opened_new)
    }

    /// The business sent the pair's customer a message (Meta's `sent` status), seen at `now`:
    /// an active chat counts it as its server's message, which resets the idle timer. A waiting
    /// chat is left alone: the status does not say which operator wrote, and accepting is an
    /// operator's act. An overdue chat closes at its deadline instead.
    pub(super) fn business_message(
        &mut self,
        number: &BusinessNumber,
        customer: &CustomerId,
        now: UnixMs,
        settings: &LifecycleSettings,
    ) -> Result<(), StoreError> {
        let key = pair_key(number, customer);
        let Some(id) = self.latest.get(key.as_str())?.map(|id| id.value()) else {
            return Ok(());
        };
        let Some(chat) = self.load(id)? else {
            return Ok(());
        };
        let event = match chat.served_by() {
            Some(Server::Operator(operator)) => ChatEvent::OperatorMessage {
                operator: operator.clone(),
            },
            Some(Server::Bot) => ChatEvent::BotMessage,
            None => return Ok(()),
        };
        if let Ok(transition) = step(&chat, &event, now, settings) {
            self.persist(Some(&chat), &transition)?;
        }
        Ok(())
    }

    /// The operator writes in chat `id` at `now`: a waiting chat becomes theirs, and the idle
    /// timer restarts. Refused like [`Self::act`]'s actions.
    pub(super) fn operator_message(
        &mut self,
        id: u64,
        operator: &str,
        now: UnixMs,
        settings: &LifecycleSettings,
    ) -> Result<Result<Chat, crate::chat::Refusal>, ChatActionError> {
        let event = ChatEvent::OperatorMessage {
            operator: operator.to_owned(),
        };
        self.apply_operator_event(id, &event, now, settings)
    }

    /// Applies an operator's action at `now`. An overdue chat is closed at its deadline first
    /// (and stays so), and the action is then refused like on any closed chat.
    pub(super) fn act(
        &mut self,
        id: u64,
        action: &ChatAction,
        now: UnixMs,
        settings: &LifecycleSettings,
    ) -> Result<Result<Chat, crate::chat::Refusal>, ChatActionError> {
        let event = match action {
            ChatAction::Accept { operator } => ChatEvent::OperatorAccept {
                operator: operator.clone(),
            },
            ChatAction::Close { operator } => ChatEvent::OperatorClose {
                operator: operator.clone(),
            },
            ChatAction::Transfer { department, .. } => ChatEvent::Transfer {
                department: department.clone(),
            },
        };
        self.apply_operator_event(id, &event, now, settings)
    }

    /// Applies an operator's event to chat `id` at `now`, closing an overdue chat at its
    /// deadline first (the event is then refused like on any closed chat).
    fn apply_operator_event(
        &mut self,
        id: u64,
        event: &ChatEvent,
        now: UnixMs,
        settings: &LifecycleSettings,
    ) -> Result<Result<Chat, crate::chat::Refusal>, ChatActionError> {
        let Some(chat) = self.load(id)? else {
            return Err(ChatActionError::NotFound);
        };
        let chat = if chat.due_deadline(now).is_some() {
            match step(&chat, &ChatEvent::TimerDue, now, settings) {
                Ok(closed) => {
                    self.persist(Some(&chat), &closed)?;
                    closed.chat
                }
                Err(refusal) => return Ok(Err(refusal)),
            }
        } else {
            chat
        };
        match step(&chat, event, now, settings) {
            Ok(transition) => {
                self.persist(Some(&chat), &transition)?;
                Ok(Ok(transition.chat))
            }
            Err(refusal) => Ok(Err(refusal)),
        }
    }

    /// Closes the chats of up to `limit` deadline entries at or before `now`, each at its
    /// deadline. Returns how many entries it handled and how many chats closed (an entry that
    /// disagreed with its chat is dropped without a close).
    pub(super) fn close_due(
        &mut self,
        now: UnixMs,
        settings: &LifecycleSettings,
        limit: usize,
    ) -> Result<(usize, u32), StoreError> {
        let mut due = Vec::new();
        for row in self.deadlines.range(..=(now, u64::MAX))? {
            if due.len() >= limit {
                break;
            }
            let (key, ()) = row.map(|(k, v)| (k.value(), v.value()))?;
            due.push(key);
        }
        let handled = due.len();
        let mut closed = 0;
        for (at, id) in due {
            // The entry goes either way; persisting re-adds the chat's real deadline, if any,
            // so an entry that disagreed with its chat cannot make the sweep spin.
            self.deadlines.remove((at, id))?;
            let Some(chat) = self.load(id)? else {
                continue;
            };
            match step(&chat, &ChatEvent::TimerDue, now, settings) {
                Ok(transition) => {
                    if transition.closed().is_some() {
                        closed += 1;
                    }
                    self.persist(Some(&chat), &transition)?;
                }
                Err(refusal) => {
                    // TimerDue is never refused; keep the index consistent regardless.
                    tracing::warn!(chat = id, %refusal, "sweep could not close a due chat");
                }
            }
        }
        Ok((handled, closed))
    }

    /// The earliest deadline, if any chat is open.
    pub(super) fn next_deadline(&self) -> Result<Option<UnixMs>, StoreError> {
        Ok(self.deadlines.first()?.map(|(key, _)| key.value().0))
    }
}
