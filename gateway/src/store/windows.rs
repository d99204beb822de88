//! The service windows inside the store: one [`WindowState`] per (business number, customer),
//! changed in the writer's transaction by the event that moves it, read by operators.

use redb::{ReadTransaction, ReadableTable, Table, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::StoreError;
use super::tables::{WINDOWS, pair_key};
use crate::chat::{BusinessNumber, CustomerId};
use crate::policy::{EntryPoint, UnixMs, WindowState};

/// The wire form of a stored window state; the variant is the version.
#[derive(Serialize, Deserialize)]
enum WindowWire {
    V1(WindowState),
}

fn decode(key: &str, bytes: &[u8]) -> Result<WindowState, StoreError> {
    match postcard::from_bytes(bytes) {
        Ok(WindowWire::V1(state)) => Ok(state),
        Err(error) => Err(StoreError::Entry {
            table: "windows",
            reason: format!("a service window ({} bytes): {error}", key.len()),
        }),
    }
}

fn encode(state: WindowState) -> Vec<u8> {
    postcard::to_allocvec(&WindowWire::V1(state)).unwrap_or_default()
}

/// The window table, opened once per write transaction.
pub(super) struct WindowTable<'txn> {
    table: Table<'txn, &'static str, &'static [u8]>,
}

impl<'txn> WindowTable<'txn> {
    pub(super) fn open(txn: &'txn WriteTransaction) -> Result<Self, StoreError> {
        Ok(Self {
            table: txn.open_table(WINDOWS)?,
        })
    }

    fn get(&self, key: &str) -> Result<WindowState, StoreError> {
        match self.table.get(key)? {
            Some(bytes) => decode(key, bytes.value()),
            None => Ok(WindowState::default()),
        }
    }

    /// The pair's state (the default when nothing is recorded).
    pub(super) fn state(
        &self,
        number: &BusinessNumber,
        customer: &CustomerId,
    ) -> Result<WindowState, StoreError> {
        self.get(&pair_key(number, customer))
    }

    /// Applies `change` to the pair's state. Returns whether the stored bytes grew from nothing
    /// (a new pair), for the quota's accounting.
    fn update(
        &mut self,
        number: &BusinessNumber,
        customer: &CustomerId,
        change: impl FnOnce(WindowState) -> WindowState,
    ) -> Result<bool, StoreError> {
        let key = pair_key(number, customer);
        let before = self.get(&key)?;
        let after = change(before);
        if after == before {
            return Ok(false);
        }
        let created = before == WindowState::default();
        self.table.insert(key.as_str(), encode(after).as_slice())?;
        Ok(created)
    }

    /// The customer wrote at `at`, maybe through a free entry point. Returns whether the pair
    /// is new.
    pub(super) fn on_customer_message(
        &mut self,
        number: &BusinessNumber,
        customer: &CustomerId,
        at: UnixMs,
        entry_point: Option<EntryPoint>,
    ) -> Result<bool, StoreError> {
        self.update(number, customer, |state| {
            state.on_customer_message(at, entry_point)
        })
    }

    /// The business sent the customer a message at `at`. Returns whether the pair is new.
    pub(super) fn on_business_message(
        &mut self,
        number: &BusinessNumber,
        customer: &CustomerId,
        at: UnixMs,
    ) -> Result<bool, StoreError> {
        self.update(number, customer, |state| state.on_business_message(at))
    }
}

/// The pair's window state in a read transaction (the default when nothing is recorded).
pub(super) fn read_window(
    txn: &ReadTransaction,
    number: &BusinessNumber,
    customer: &CustomerId,
) -> Result<WindowState, StoreError> {
    let table = txn.open_table(WINDOWS)?;
    let key = pair_key(number, customer);
    match table.get(key.as_str())? {
        Some(bytes) => decode(&key, bytes.value()),
        None => Ok(WindowState::default()),
    }
}
