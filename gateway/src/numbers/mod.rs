//! The business numbers' registry: what Meta says of each number, the brief's five
//! phone-number errors that follow, and the business accounts' notes.
//!
//! Pure like [`crate::outbound`]: no I/O, no clock; every change takes `now`. The one shell is
//! [`refresh`], which reads the configured numbers from Meta into the [`Board`].
//!
//! - [`profile`]: a number's profile as Meta sends it (values kept raw, typed helpers on top).
//! - [`problem`]: the five errors with reason and remedy, and which states signal each.
//! - [`number_state`]: one number: last known profile, how the last read went (a failed read
//!   makes it `unknown` and holds nothing), name and quality webhooks.
//! - [`account_note`]: `account_update` events, their remedies and their effect on numbers.
//! - [`board`]: the registry; it applies reads and account webhooks.
//! - [`waba`]: numbers grouped by business account.

pub mod account_note;
pub mod board;
pub mod number_state;
pub mod problem;
pub mod profile;
pub mod refresh;
pub mod waba;

pub use account_note::{AccountNote, AccountUpdateKind, NOTE_RULES, NoteRule, NumberEffect};
pub use board::{Applied, Board, NOTES_PER_WABA};
pub use number_state::{
    LastRead, NameDecision, NameReview, NumberState, ProfileState, QualityNote,
};
pub use problem::{NumberProblem, PROBLEMS, ProblemText, SIGNALS, Signal, problems};
pub use profile::{
    CodeVerificationStatus, NameStatus, NumberProfile, PlatformType, QualityRating,
    ThroughputLevel, phone_digits,
};
pub use refresh::{REFRESH_INTERVAL, RefreshReport, refresh_all, refresh_periodically};
pub use waba::WabaView;
