//! The schema guard and the migration machinery: the real (empty) step list, synthetic steps on
//! real redb files, and the guard through `Store::open` and `StoreReader::open`.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};

use super::*;
use crate::clock::ManualClock;
use crate::store::reader::StoreReader;
use crate::store::tests::{T0, options};
use crate::store::{STORE_FILE, Store};

/// Where the synthetic steps leave their mark: step name -> the order it ran in.
const RAN: TableDefinition<'_, &str, u64> = TableDefinition::new("steps_ran");

fn mark(txn: &WriteTransaction, step: &str) -> Result<(), StoreError> {
    let mut ran = txn.open_table(RAN)?;
    let order = ran.len()?;
    ran.insert(step, order)?;
    Ok(())
}

const ONE_TO_TWO: MigrationStep = MigrationStep {
    from: 1,
    what: "synthetic 1 -> 2",
    apply: |txn| mark(txn, "1->2"),
};
const TWO_TO_THREE: MigrationStep = MigrationStep {
    from: 2,
    what: "synthetic 2 -> 3",
    apply: |txn| mark(txn, "2->3"),
};
const TWO_TO_THREE_FAILS: MigrationStep = MigrationStep {
    from: 2,
    what: "synthetic 2 -> 3 that fails",
    apply: |_| Err(StoreError::GroupFailed("the step failed".into())),
};

/// A schema 3 reached from schema 1 in two steps.
const THREE: Schema = Schema {
    version: 3,
    first: 1,
    steps: &[ONE_TO_TWO, TWO_TO_THREE],
};

struct File {
    _dir: tempfile::TempDir,
    path: PathBuf,
    db: Database,
}

fn new_file() -> File {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(STORE_FILE);
    let db = Database::create(&path).unwrap();
    File {
        _dir: dir,
        path,
        db,
    }
}

/// A file whose `meta` holds `stamp` (none: only a counter, as data without a stamp).
fn file_stamped(stamp: Option<u64>) -> File {
    let file = new_file();
    let txn = file.db.begin_write().unwrap();
    {
        let mut meta = txn.open_table(META).unwrap();
        meta.insert("next_seq", 7).unwrap();
        if let Some(stamp) = stamp {
            meta.insert(META_SCHEMA_VERSION, stamp).unwrap();
        }
    }
    txn.commit().unwrap();
    file
}

fn stamp_of(db: &Database) -> Option<u64> {
    let txn = db.begin_read().unwrap();
    let meta = txn.open_table(META).unwrap();
    meta.get(META_SCHEMA_VERSION).unwrap().map(|v| v.value())
}

/// The steps that ran, in order.
fn steps_ran(db: &Database) -> Vec<String> {
    let txn = db.begin_read().unwrap();
    let Ok(ran) = txn.open_table(RAN) else {
        return Vec::new();
    };
    let mut steps: Vec<(u64, String)> = ran
        .iter()
        .unwrap()
        .map(|row| {
            let (step, order) = row.unwrap();
            (order.value(), step.value().to_owned())
        })
        .collect();
    steps.sort();
    steps.into_iter().map(|(_, step)| step).collect()
}

/// Runs `schema.upgrade` in a write transaction, committed only when it succeeds.
fn upgrade(schema: &Schema, file: &File) -> Result<Upgrade, StoreError> {
    let txn = file.db.begin_write().unwrap();
    let upgrade = schema.upgrade(&txn, &file.path)?;
    txn.commit().unwrap();
    Ok(upgrade)
}

fn check_readable(schema: &Schema, file: &File) -> Result<(), StoreError> {
    schema.check_readable(&file.db.begin_read().unwrap(), &file.path)
}

/// True when `steps[i]` starts at `first + i` and the last one reaches `version`.
fn is_consistent(schema: &Schema) -> bool {
    let reaches = schema.first + u64::try_from(schema.steps.len()).unwrap();
    reaches == schema.version
        && schema
            .steps
            .iter()
            .zip(schema.first..)
            .all(|(step, from)| step.from == from)
}

#[test]
fn the_current_schema_has_no_steps_so_migrating_it_is_the_identity() {
    assert!(is_consistent(&CURRENT));
    assert!(
        CURRENT.steps.is_empty(),
        "a real step needs its own test here"
    );
    assert_eq!(CURRENT.version, CURRENT.first);
    let file = file_stamped(Some(CURRENT.version));
    let upgrade = upgrade(&CURRENT, &file).unwrap();
    assert_eq!(
        upgrade,
        Upgrade {
            found: CURRENT.version,
            steps: 0
        }
    );
    assert_eq!(stamp_of(&file.db), Some(CURRENT.version));
}

#[test]
fn the_synthetic_step_lists_are_consistent_and_a_gap_is_not() {
    assert!(is_consistent(&THREE));
    let gap = Schema {
        version: 3,
        first: 1,
        steps: &[TWO_TO_THREE],
    };
    assert!(!is_consistent(&gap));
}

#[test]
fn a_store_runs_the_steps_from_its_schema_in_order_then_is_stamped() {
    let cases: [(&str, File, Upgrade, &[&str]); 5] = [
        (
            "schema 1",
            file_stamped(Some(1)),
            Upgrade { found: 1, steps: 2 },
            &["1->2", "2->3"],
        ),
        (
            "schema 2",
            file_stamped(Some(2)),
            Upgrade { found: 2, steps: 1 },
            &["2->3"],
        ),
        (
            "schema 3",
            file_stamped(Some(3)),
            Upgrade { found: 3, steps: 0 },
            &[],
        ),
        (
            "a new store",
            new_file(),
            Upgrade { found: 3, steps: 0 },
            &[],
        ),
        (
            "data without a stamp (the first schema)",
            file_stamped(None),
            Upgrade { found: 1, steps: 2 },
            &["1->2", "2->3"],
        ),
    ];
    for (start, file, expected, ran) in cases {
        assert_eq!(upgrade(&THREE, &file).unwrap(), expected, "{start}");
        assert_eq!(steps_ran(&file.db), ran, "{start}");
        assert_eq!(stamp_of(&file.db), Some(3), "{start}");
    }
}

#[test]
fn a_newer_store_is_refused_naming_both_schemas_and_is_left_as_it_was() {
    let file = file_stamped(Some(4));
    let error = upgrade(&THREE, &file).unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::SchemaTooNew {
                found: 4,
                supported: 3,
                ..
            }
        ),
        "{error:?}"
    );
    let text = error.to_string();
    for part in [
        "written by schema 4",
        "reads schema 3 and older",
        "newer firmware",
    ] {
        assert!(text.contains(part), "{text}");
    }
    assert!(text.contains(&file.path.display().to_string()), "{text}");
    assert!(error.is_schema_mismatch());
    assert_eq!(stamp_of(&file.db), Some(4));
    assert!(steps_ran(&file.db).is_empty());
}

#[test]
fn a_stamp_older_than_the_first_schema_is_refused() {
    let file = file_stamped(Some(0));
    let error = upgrade(&THREE, &file).unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::SchemaUnknown {
                found: 0,
                first: 1,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_schema_mismatch());
}

#[test]
fn a_failing_step_leaves_the_store_as_it_was() {
    let failing = Schema {
        version: 3,
        first: 1,
        steps: &[ONE_TO_TWO, TWO_TO_THREE_FAILS],
    };
    let file = file_stamped(Some(1));
    assert!(upgrade(&failing, &file).is_err());
    assert!(
        steps_ran(&file.db).is_empty(),
        "the first step ran in the same transaction"
    );
    assert_eq!(stamp_of(&file.db), Some(1));
}

#[test]
fn a_reader_reads_only_a_store_of_its_own_schema() {
    assert!(check_readable(&THREE, &file_stamped(Some(3))).is_ok());
    assert!(
        check_readable(&THREE, &new_file()).is_ok(),
        "no meta table yet"
    );
    assert!(matches!(
        check_readable(&THREE, &file_stamped(Some(4))),
        Err(StoreError::SchemaTooNew { found: 4, .. })
    ));
    let older = check_readable(&THREE, &file_stamped(Some(2))).unwrap_err();
    assert!(
        matches!(
            older,
            StoreError::SchemaNotMigrated {
                found: 2,
                current: 3,
                ..
            }
        ),
        "{older:?}"
    );
    assert!(older.to_string().contains("waygate serve"), "{older}");
}

/// Creates a store in `dir` with `Store::open`, closes it, and stamps it with `stamp`.
fn store_stamped(dir: &Path, stamp: u64) {
    let (_, writer) = Store::open(dir, options(), Arc::new(ManualClock::at(T0))).unwrap();
    writer.close();
    let db = Database::open(dir.join(STORE_FILE)).unwrap();
    let txn = db.begin_write().unwrap();
    txn.open_table(META)
        .unwrap()
        .insert(META_SCHEMA_VERSION, stamp)
        .unwrap();
    txn.commit().unwrap();
}

#[test]
fn opening_a_store_of_a_newer_schema_is_refused_for_writing_and_for_reading() {
    let dir = tempfile::tempdir().unwrap();
    store_stamped(dir.path(), SCHEMA_VERSION + 1);
    let refused = Store::open(dir.path(), options(), Arc::new(ManualClock::at(T0)))
        .err()
        .unwrap();
    assert!(
        matches!(refused, StoreError::SchemaTooNew { found, supported, .. }
            if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION),
        "{refused:?}"
    );
    let refused = StoreReader::open(dir.path()).err().unwrap();
    assert!(refused.is_schema_mismatch(), "{refused:?}");
    let db = Database::open(dir.path().join(STORE_FILE)).unwrap();
    assert_eq!(stamp_of(&db), Some(SCHEMA_VERSION + 1), "left as it was");
}

#[test]
fn opening_a_store_without_a_stamp_stamps_it() {
    let dir = tempfile::tempdir().unwrap();
    store_stamped(dir.path(), SCHEMA_VERSION);
    {
        let db = Database::open(dir.path().join(STORE_FILE)).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(META)
            .unwrap()
            .remove(META_SCHEMA_VERSION)
            .unwrap();
        txn.commit().unwrap();
    }
    let (_, writer) = Store::open(dir.path(), options(), Arc::new(ManualClock::at(T0))).unwrap();
    writer.close();
    let db = Database::open(dir.path().join(STORE_FILE)).unwrap();
    assert_eq!(stamp_of(&db), Some(SCHEMA_VERSION));
}
