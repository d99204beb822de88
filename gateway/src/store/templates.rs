//! The template registry inside the store: kept as one record (a gateway registers tens of
//! templates, not thousands), rewritten in the writer's transaction by the webhook that changes
//! it, carried forward across restarts (see [`TemplateRegistry::carried_forward`]).

use redb::{ReadTransaction, ReadableTable, Table, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::StoreError;
use super::tables::POLICY;
use crate::policy::{Template, TemplateRegistry};

/// The key of the registry's record in [`POLICY`].
const REGISTRY_KEY: &str = "templates";

/// The wire form of the stored registry; the variant is the version.
#[derive(Serialize, Deserialize)]
enum RegistryWire {
    V1(Vec<Template>),
}

fn decode(bytes: &[u8]) -> Result<Vec<Template>, StoreError> {
    match postcard::from_bytes(bytes) {
        Ok(RegistryWire::V1(templates)) => Ok(templates),
        Err(error) => Err(StoreError::Entry {
            table: "policy",
            reason: format!("the template registry: {error}"),
        }),
    }
}

/// The stored templates (none before the store first opened with a configuration).
fn stored(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
) -> Result<Vec<Template>, StoreError> {
    match table.get(REGISTRY_KEY)? {
        Some(bytes) => decode(bytes.value()),
        None => Ok(Vec::new()),
    }
}

/// The stored registry, in the writer's transaction.
pub(super) fn load(
    table: &Table<'_, &'static str, &'static [u8]>,
) -> Result<TemplateRegistry, StoreError> {
    Ok(TemplateRegistry::from_stored(stored(table)?))
}

/// Writes `registry` as the stored one.
pub(super) fn save(
    table: &mut Table<'_, &'static str, &'static [u8]>,
    registry: &TemplateRegistry,
) -> Result<(), StoreError> {
    let bytes = postcard::to_allocvec(&RegistryWire::V1(registry.iter().cloned().collect()))
        .unwrap_or_default();
    table.insert(REGISTRY_KEY, bytes.as_slice())?;
    Ok(())
}

/// Stores the configured registry carried forward from the stored one (so that a template the
/// configuration dropped is gone from the store too).
pub(super) fn reconcile(
    txn: &WriteTransaction,
    configured: TemplateRegistry,
) -> Result<(), StoreError> {
    let mut table = txn.open_table(POLICY)?;
    let registry = configured.carried_forward(stored(&table)?);
    save(&mut table, &registry)
}

/// The stored registry, in a read transaction.
pub(super) fn read_registry(txn: &ReadTransaction) -> Result<TemplateRegistry, StoreError> {
    Ok(TemplateRegistry::from_stored(stored(
        &txn.open_table(POLICY)?,
    )?))
}
