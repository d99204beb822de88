//! The journal: what happened on the box, as events headquarters receives (the upstream sync)
//! and operators' screens follow (`GET /api/v1/events`).
//!
//! Every event is appended by the store in the same transaction as the change that caused it,
//! with a gateway-wide sequence number that has no gaps. This module is pure: the event types,
//! the stored form, the wire form, and which events a chat's change makes.

mod chat_events;
mod event;
mod event_type;
mod message_events;
mod wire;

pub use chat_events::chat_events;
pub use event::{EventData, JournalEvent, NewEvent};
pub use event_type::EventType;
pub use message_events::message_event;
pub use wire::event_json;
