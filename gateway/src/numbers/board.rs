//! The registry of business numbers: the configured ones and any a webhook named, with what
//! reads of Meta and account webhooks said of them, and the business accounts' notes.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::meta::AccountEvent;
use crate::settings::NumberSettings;
use crate::time::UnixMs;

use super::account_note::{AccountNote, NumberEffect};
use super::number_state::{LastRead, NameDecision, NameReview, NumberState, QualityNote};
use super::profile::NumberProfile;
use super::waba::WabaView;

/// The notes kept per business account; older ones are dropped.
pub const NOTES_PER_WABA: usize = 32;

/// What an account webhook changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// These numbers' states changed (none: only the account's notes did).
    Numbers(Vec<String>),
    /// It names a number the registry does not know (as Meta wrote it); nothing changed. The
    /// next read of a configured number brings the same news.
    UnknownNumber(String),
    /// The event is not about numbers or accounts (templates, user preferences...).
    NotForNumbers,
}

impl Applied {
    /// `numbers`, `unknown_number` or `not_for_numbers`.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Numbers(_) => "numbers",
            Self::UnknownNumber(_) => "unknown_number",
            Self::NotForNumbers => "not_for_numbers",
        }
    }
}

/// Every known number, by `phone_number_id`, and the accounts' notes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Board {
    numbers: BTreeMap<String, NumberState>,
    notes: BTreeMap<String, VecDeque<AccountNote>>,
}

impl Board {
    /// A registry of the configured `[[numbers]]`, none read yet.
    pub fn new(configured: &[NumberSettings]) -> Self {
        let mut board = Self::default();
        for number in configured {
            let state = board.entry(&number.phone_number_id);
            state.configured = true;
            state.waba_id.clone_from(&number.waba_id);
            state
                .display_phone_number
                .clone_from(&number.display_phone_number);
        }
        board
    }

    fn entry(&mut self, phone_number_id: &str) -> &mut NumberState {
        self.numbers
            .entry(phone_number_id.to_owned())
            .or_insert_with(|| NumberState::new(phone_number_id))
    }

    /// A number, by its id.
    pub fn number(&self, phone_number_id: &str) -> Option<&NumberState> {
        self.numbers.get(phone_number_id)
    }

    /// Every number, by id.
    pub fn numbers(&self) -> impl Iterator<Item = &NumberState> {
        self.numbers.values()
    }

    /// A webhook came for `phone_number_id` (`metadata`) of account `waba_id` (`entry[].id`):
    /// the number is registered if new, and what it lacked is filled in.
    pub fn saw_number(
        &mut self,
        phone_number_id: &str,
        waba_id: &str,
        display_phone_number: Option<&str>,
    ) {
        let state = self.entry(phone_number_id);
        if state.waba_id.is_none() && !waba_id.is_empty() {
            state.waba_id = Some(waba_id.to_owned());
        }
        if state.display_phone_number.is_none() {
            state.display_phone_number = display_phone_number.map(str::to_owned);
        }
    }

    /// Meta answered the read of `phone_number_id` at `now` with `profile`.
    pub fn read_succeeded(
        &mut self,
        phone_number_id: &str,
        mut profile: NumberProfile,
        now: UnixMs,
    ) {
        profile.read_at = Some(now);
        let state = self.entry(phone_number_id);
        state.profile = profile;
        state.last_read = LastRead::Succeeded { at: now };
    }

    /// The read of `phone_number_id` at `now` failed with `error`: the profile becomes
    /// unknown, its last known values stay.
    pub fn read_failed(&mut self, phone_number_id: &str, error: &str, now: UnixMs) {
        self.entry(phone_number_id).last_read = LastRead::Failed {
            at: now,
            error: error.to_owned(),
        };
    }

    /// Applies an account-level webhook of account `waba_id` (`entry[].id`) received at `now`.
    pub fn apply(&mut self, waba_id: &str, event: &AccountEvent, now: UnixMs) -> Applied {
        match event {
            AccountEvent::PhoneNumberNameUpdate(update) => {
                let decision = update.decision.clone().unwrap_or_default();
                let review = NameReview {
                    requested_verified_name: update.requested_verified_name.clone(),
                    rejection_reason: update.rejection_reason.clone(),
                    decision,
                    at: now,
                };
                self.on_number(waba_id, update.display_phone_number.as_deref(), |state| {
                    if let Some(status) = NameDecision::from_wire(&review.decision).name_status() {
                        state.profile.name_status = Some(status.as_str().to_owned());
                    }
                    state.name_review = Some(review);
                })
            }
            AccountEvent::PhoneNumberQualityUpdate(update) => {
                let note = QualityNote {
                    event: update.event.clone(),
                    messaging_limit: update
                        .max_daily_conversations_per_business
                        .clone()
                        .or_else(|| update.current_limit.clone()),
                    at: now,
                };
                self.on_number(waba_id, update.display_phone_number.as_deref(), |state| {
                    state.quality = Some(note);
                })
            }
            AccountEvent::AccountUpdate(update) => {
                let note = AccountNote::new(waba_id, update, now);
                let changed = self.account_update(&note);
                let notes = self.notes.entry(waba_id.to_owned()).or_default();
                notes.push_back(note);
                while notes.len() > NOTES_PER_WABA {
                    notes.pop_front();
                }
                changed
            }
            _ => Applied::NotForNumbers,
        }
    }

    /// Applies `change` to the number Meta wrote as `number`, learning its account.
    fn on_number(
        &mut self,
        waba_id: &str,
        number: Option<&str>,
        change: impl FnOnce(&mut NumberState),
    ) -> Applied {
        let number = number.unwrap_or_default();
        let Some(state) = self
            .numbers
            .values_mut()
            .find(|state| state.is_number(number))
        else {
            return Applied::UnknownNumber(number.to_owned());
        };
        if state.waba_id.is_none() && !waba_id.is_empty() {
            state.waba_id = Some(waba_id.to_owned());
        }
        change(state);
        Applied::Numbers(vec![state.phone_number_id.clone()])
    }

    /// What an `account_update` means for the numbers it concerns: the one it names, or else
    /// every number of the account.
    fn account_update(&mut self, note: &AccountNote) -> Applied {
        let effect = note.effect();
        let concerned: Vec<&mut NumberState> = match note.phone_number.as_deref() {
            Some(number) => {
                let found: Vec<_> = self
                    .numbers
                    .values_mut()
                    .filter(|state| state.is_number(number))
                    .collect();
                if found.is_empty() {
                    return Applied::UnknownNumber(number.to_owned());
                }
                found
            }
            None => self
                .numbers
                .values_mut()
                .filter(|state| state.waba_id.as_deref() == Some(note.waba_id.as_str()))
                .collect(),
        };
        let mut changed = Vec::new();
        for state in concerned {
            let moved_away = match effect {
                NumberEffect::None => continue,
                NumberEffect::MovedAway => state.moved_away.or(Some(note.at)),
                NumberEffect::Returned => None,
            };
            if state.moved_away != moved_away {
                state.moved_away = moved_away;
                changed.push(state.phone_number_id.clone());
            }
        }
        Applied::Numbers(changed)
    }

    /// The business accounts with their numbers and notes, by id; then, if any, the numbers
    /// whose account is not known (`waba_id: None`).
    pub fn wabas(&self) -> Vec<WabaView> {
        let ids: BTreeSet<Option<&str>> = self
            .numbers
            .values()
            .map(|state| state.waba_id.as_deref())
            .chain(self.notes.keys().map(|id| Some(id.as_str())))
            .collect();
        let mut views: Vec<WabaView> = ids
            .into_iter()
            .map(|id| WabaView {
                waba_id: id.map(str::to_owned),
                name: None,
                phone_number_ids: self
                    .numbers
                    .values()
                    .filter(|state| state.waba_id.as_deref() == id)
                    .map(|state| state.phone_number_id.clone())
                    .collect(),
                notes: id
                    .and_then(|id| self.notes.get(id))
                    .map(|notes| notes.iter().cloned().collect())
                    .unwrap_or_default(),
            })
            .collect();
        // `None` sorts first; the unknown account goes last.
        let unknown_account_first = views.first().is_some_and(|view| view.waba_id.is_none());
        views.rotate_left(usize::from(unknown_account_first));
        views
    }
}

#[cfg(test)]
#[path = "board_tests.rs"]
mod tests;
