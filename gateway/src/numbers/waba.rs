//! The business accounts (WABAs) with their numbers and notes, like the brief's "manage WABA"
//! page: `GET /api/v1/wabas`.

use super::account_note::AccountNote;

/// One business account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WabaView {
    /// The account's id; `None` groups the numbers whose account is not known yet.
    pub waba_id: Option<String>,
    /// The account's name: no configuration or read gives it yet, so it is `None`.
    pub name: Option<String>,
    /// Its numbers' `phone_number_id`s, in order.
    pub phone_number_ids: Vec<String>,
    /// Its `account_update` notes, oldest first.
    pub notes: Vec<AccountNote>,
}
