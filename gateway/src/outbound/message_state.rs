//! Where an outgoing message stands, and how Meta's status webhooks move it.
//!
//! ```text
//! queued ──▶ sending ──▶ sent ──▶ delivered ──▶ read
//!   ▲           │          │
//!   └─ retry ───┤          └──▶ failed  (a later `failed` status)
//!               ├──▶ failed     (refused for good)
//!               └──▶ uncertain  (no answer: Meta may have it; never resent by itself)
//! ```
//!
//! The names ([`MessageState::as_str`]) are part of the local API. The store persists the state
//! with postcard, which writes the variant's position: add new states at the end only.
//!
//! Status webhooks ([`MessageState::on_status`]) only move a message forward: `sent` <
//! `delivered` < `read`. A status for a message the gateway still thinks is `queued`, `sending`
//! or `uncertain` proves Meta accepted it (the shell matches it by `biz_opaque_callback_data`,
//! which carries the local id), so it moves the message forward too, and the shell takes it out
//! of the send lanes. `failed` is accepted after `sent` (Meta reports many refusals that way)
//! but not after `delivered` or `read`: the customer has the message, a later failure cannot
//! undo that.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::meta::StatusValue;

/// The state of one outgoing message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageState {
    /// Waiting in its number's lane (also between retries).
    Queued,
    /// Handed to the HTTP client; no answer yet.
    Sending,
    /// Meta accepted it (the send's answer, or a `sent` status).
    Sent,
    /// On the customer's phone.
    Delivered,
    /// Read by the customer.
    Read,
    /// Refused by Meta, now or by a later `failed` status.
    Failed,
    /// The send got no answer, so Meta may or may not have it. Never resent by itself: an
    /// operator decides.
    Uncertain,
}

/// Every state, in declaration order.
pub const ALL_STATES: [MessageState; 7] = [
    MessageState::Queued,
    MessageState::Sending,
    MessageState::Sent,
    MessageState::Delivered,
    MessageState::Read,
    MessageState::Failed,
    MessageState::Uncertain,
];

/// A delivery status from a status webhook, as far as it moves a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusKind {
    /// `sent`.
    Sent,
    /// `delivered`.
    Delivered,
    /// `read`, or `played` (a voice message was played, so it was read).
    Read,
    /// `failed`.
    Failed,
}

impl StatusKind {
    /// The kind of Meta's `statuses[].status`; `None` for values that say nothing about
    /// delivery (`deleted`) or that this gateway does not know.
    pub fn from_meta(status: &StatusValue) -> Option<Self> {
        match status {
            StatusValue::Sent => Some(Self::Sent),
            StatusValue::Delivered => Some(Self::Delivered),
            StatusValue::Read | StatusValue::Played => Some(Self::Read),
            StatusValue::Failed => Some(Self::Failed),
            _ => None,
        }
    }
}

/// A state name that is not one of [`MessageState::as_str`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown message state {0:?}; expected queued, sending, sent, delivered, read, failed or \
     uncertain"
)]
pub struct UnknownMessageState(pub String);

impl MessageState {
    /// The state's name in the API: `queued`, `sending`, `sent`, `delivered`, `read`,
    /// `failed`, `uncertain`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Failed => "failed",
            Self::Uncertain => "uncertain",
        }
    }

    /// The state a status webhook moves this one to, or `None` when it stays as it is (a
    /// repeated, late or backwards status). See the module documentation.
    pub const fn on_status(self, status: StatusKind) -> Option<Self> {
        let next = match status {
            StatusKind::Sent => Self::Sent,
            StatusKind::Delivered => Self::Delivered,
            StatusKind::Read => Self::Read,
            StatusKind::Failed => Self::Failed,
        };
        let moves = match self {
            // Meta has it: any status moves the message on.
            Self::Queued | Self::Sending | Self::Uncertain => true,
            Self::Sent => !matches!(next, Self::Sent),
            Self::Delivered => matches!(next, Self::Read),
            Self::Read | Self::Failed => false,
        };
        if moves { Some(next) } else { None }
    }

    /// Whether no status webhook can change it any more (`read`, `failed`).
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Read | Self::Failed)
    }

    /// Whether it is still the gateway's to send (`queued`, `sending`): in a send lane.
    pub const fn is_outbound(self) -> bool {
        matches!(self, Self::Queued | Self::Sending)
    }

    /// Whether an operator may send it again: only `failed` and `uncertain` (see
    /// [`super::earliest_manual_retry`] for a failure that also needs a wait).
    pub const fn may_retry_manually(self) -> bool {
        matches!(self, Self::Failed | Self::Uncertain)
    }
}

impl fmt::Display for MessageState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MessageState {
    type Err = UnknownMessageState;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        ALL_STATES
            .into_iter()
            .find(|state| state.as_str() == name)
            .ok_or_else(|| UnknownMessageState(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::MessageState::*;
    use super::*;

    const KINDS: [StatusKind; 4] = [
        StatusKind::Sent,
        StatusKind::Delivered,
        StatusKind::Read,
        StatusKind::Failed,
    ];

    #[test]
    fn names_are_the_api_contract_and_parse_back() {
        let names = ALL_STATES.map(MessageState::as_str);
        assert_eq!(
            names,
            [
                "queued",
                "sending",
                "sent",
                "delivered",
                "read",
                "failed",
                "uncertain"
            ]
        );
        for state in ALL_STATES {
            assert_eq!(state.as_str().parse::<MessageState>(), Ok(state));
            assert_eq!(state.to_string(), state.as_str());
            let json = serde_json::to_string(&state).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", state.as_str()));
            assert_eq!(
                serde_json::from_str::<MessageState>(&json).ok(),
                Some(state)
            );
            let bytes = postcard::to_allocvec(&state).unwrap_or_default();
            assert_eq!(
                postcard::from_bytes::<MessageState>(&bytes).ok(),
                Some(state)
            );
        }
        let refused = "Sent".parse::<MessageState>();
        assert_eq!(refused, Err(UnknownMessageState("Sent".into())));
        assert!(refused.is_err_and(|e| e.to_string().contains("expected queued")));
    }

    #[test]
    fn postcard_writes_the_declaration_position() {
        // The store's bytes: reordering the variants would misread stored messages.
        for (position, state) in ALL_STATES.into_iter().enumerate() {
            assert_eq!(
                postcard::to_allocvec(&state).ok(),
                Some(vec![position as u8])
            );
        }
    }

    #[test]
    fn statuses_move_forward_only() {
        let table = [
            // (from, [sent, delivered, read, failed])
            (
                Queued,
                [Some(Sent), Some(Delivered), Some(Read), Some(Failed)],
            ),
            (
                Sending,
                [Some(Sent), Some(Delivered), Some(Read), Some(Failed)],
            ),
            (
                Uncertain,
                [Some(Sent), Some(Delivered), Some(Read), Some(Failed)],
            ),
            (Sent, [None, Some(Delivered), Some(Read), Some(Failed)]),
            (Delivered, [None, None, Some(Read), None]),
            (Read, [None, None, None, None]),
            (Failed, [None, None, None, None]),
        ];
        for (from, expected) in table {
            assert_eq!(
                KINDS.map(|kind| from.on_status(kind)),
                expected,
                "from {from}"
            );
        }
    }

    #[test]
    fn no_status_sequence_goes_backwards() {
        // Every sequence of three statuses from every state: a delivered or read message stays
        // at least delivered, and a final one stays put.
        let rank = |s: MessageState| match s {
            Delivered => 1,
            Read => 2,
            _ => 0,
        };
        for start in ALL_STATES {
            for a in KINDS {
                for b in KINDS {
                    for c in KINDS {
                        let mut state = start;
                        for kind in [a, b, c] {
                            let next = state.on_status(kind).unwrap_or(state);
                            assert!(rank(next) >= rank(state), "{state} --{kind:?}--> {next}");
                            if state.is_final() {
                                assert_eq!(next, state);
                            }
                            state = next;
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn meta_statuses_map_to_kinds() {
        assert_eq!(
            StatusKind::from_meta(&StatusValue::Sent),
            Some(StatusKind::Sent)
        );
        assert_eq!(
            StatusKind::from_meta(&StatusValue::Played),
            Some(StatusKind::Read)
        );
        assert_eq!(
            StatusKind::from_meta(&StatusValue::Failed),
            Some(StatusKind::Failed)
        );
        assert_eq!(StatusKind::from_meta(&StatusValue::Deleted), None);
        assert_eq!(
            StatusKind::from_meta(&StatusValue::from_wire("warning")),
            None
        );
    }

    #[test]
    fn only_failed_and_uncertain_may_be_retried_by_hand() {
        let retriable: Vec<_> = ALL_STATES
            .into_iter()
            .filter(|s| s.may_retry_manually())
            .collect();
        assert_eq!(retriable, [Failed, Uncertain]);
        let outbound: Vec<_> = ALL_STATES.into_iter().filter(|s| s.is_outbound()).collect();
        assert_eq!(outbound, [Queued, Sending]);
    }
}
