//! The store's schema guard: a store stamped with a newer schema than this waygate reads (as a
//! newer firmware leaves it) is refused by every command that opens it, `serve`, `export` and
//! `status`, with exit code 65 and a message naming both schemas, and is left as it was. A store
//! with no stamp, the oldest thing a store can be (every store so far was stamped at creation,
//! with the first and still current schema), opens, is stamped, and keeps its data.
#![forbid(unsafe_code)]

use std::path::Path;

use redb::{Database, ReadableDatabase, TableDefinition};
use waygate_e2e::suite::{
    assert_only_acknowledged_stored_once, assert_status, must, start, stop_and_export,
};
use waygate_e2e::{Gateway, GatewayOptions, SignedWebhook};

/// The store file inside the data folder.
const STORE_FILE: &str = "store.redb";
/// The store's `meta` table and the key of its schema stamp.
const META: TableDefinition<'_, &str, u64> = TableDefinition::new("meta");
const SCHEMA_KEY: &str = "schema_version";
/// sysexits `EX_DATAERR`.
const EXIT_DATAERR: i32 = 65;

/// The stopped gateway's schema stamp.
fn stamp(data_dir: &Path) -> Option<u64> {
    let db = must(Database::open(data_dir.join(STORE_FILE)));
    let txn = must(db.begin_read());
    let meta = must(txn.open_table(META));
    must(meta.get(SCHEMA_KEY)).map(|stamp| stamp.value())
}

/// Stamps the stopped gateway's store with `stamp`, or removes the stamp.
fn set_stamp(data_dir: &Path, stamp: Option<u64>) {
    let db = must(Database::open(data_dir.join(STORE_FILE)));
    let txn = must(db.begin_write());
    {
        let mut meta = must(txn.open_table(META));
        match stamp {
            Some(stamp) => {
                must(meta.insert(SCHEMA_KEY, stamp));
            }
            None => {
                must(meta.remove(SCHEMA_KEY));
            }
        }
    }
    must(txn.commit());
}

/// A gateway that stored one delivery and stopped, that delivery, and the store's stamp.
async fn stopped_after_one_delivery() -> (Gateway, SignedWebhook, u64) {
    let mut gateway = start(GatewayOptions::default()).await;
    let webhook = gateway.meta().text_webhook("the first delivery");
    let mut connection = must(gateway.connect_public().await);
    assert_status(&must(connection.post_webhook(&webhook).await), 200, "POST");
    drop(connection);
    let status = must(gateway.stop().await);
    assert!(status.success(), "exit status {status}\n{}", gateway.logs());
    let current = stamp(gateway.data_dir()).expect("a store is stamped with its schema");
    (gateway, webhook, current)
}

#[track_caller]
fn assert_names_both_schemas(text: &str, found: u64, current: u64, context: &str) {
    for part in [
        format!("written by schema {found}"),
        format!("reads schema {current} and older"),
    ] {
        assert!(text.contains(&part), "{context}: {part:?} not in {text:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_store_of_a_newer_schema_is_refused_with_exit_65_by_serve_export_and_status() {
    let (mut gateway, _, current) = stopped_after_one_delivery().await;
    let newer = current + 1;
    set_stamp(gateway.data_dir(), Some(newer));

    let status = must(gateway.restart_expecting_exit().await);
    assert_eq!(
        status.code(),
        Some(EXIT_DATAERR),
        "serve on a store of schema {newer}: {status}\n{}",
        gateway.logs()
    );
    assert_names_both_schemas(&gateway.logs(), newer, current, "serve");
    for command in ["export", "status"] {
        let output = must(gateway.run_offline(command, &[]).await);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(EXIT_DATAERR),
            "{command} on a store of schema {newer}: {}; stderr {stderr}",
            output.status
        );
        assert_names_both_schemas(&stderr, newer, current, command);
        assert!(
            output.stdout.is_empty(),
            "{command} printed from a store it refused"
        );
    }
    assert_eq!(
        stamp(gateway.data_dir()),
        Some(newer),
        "a refused store is left as it was"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_store_without_a_stamp_opens_is_stamped_and_keeps_its_data() {
    let (mut gateway, first, current) = stopped_after_one_delivery().await;
    let meta = gateway.meta().clone();
    set_stamp(gateway.data_dir(), None);

    must(gateway.restart().await);
    let second = meta.text_webhook("after the migration");
    let mut connection = must(gateway.connect_public().await);
    assert_status(&must(connection.post_webhook(&second).await), 200, "POST");
    // Still a duplicate: the dedupe index came through the migration.
    assert_status(
        &must(connection.post_webhook(&first).await),
        200,
        "re-delivery",
    );
    drop(connection);
    let records = stop_and_export(&mut gateway, &[]).await;
    assert_only_acknowledged_stored_once(
        &records,
        &[first.wamid().to_owned(), second.wamid().to_owned()],
    );
    assert_eq!(
        stamp(gateway.data_dir()),
        Some(current),
        "the store is stamped with the current schema"
    );
}
