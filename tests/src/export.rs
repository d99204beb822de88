//! Reading `waygate export` output: counting records per wamid and checking "exactly once".

use std::collections::BTreeMap;

use serde_json::Value;

/// The `kind` of an inbound-log record (`message`, `status`, `error`, `account`, `unknown`).
pub fn kind(record: &Value) -> &str {
    record["kind"].as_str().unwrap_or("")
}

/// The `wamid` of a record, if any.
pub fn wamid(record: &Value) -> Option<&str> {
    record["wamid"].as_str()
}

/// The status name of a `status` record. The contract does not pin the field, so this looks at
/// `status`, then `type`, then `content.status`.
pub fn status_name(record: &Value) -> Option<&str> {
    record["status"]
        .as_str()
        .or_else(|| record["type"].as_str())
        .or_else(|| record["content"]["status"].as_str())
}

/// How many records of `kind` carry each wamid.
pub fn count_by_wamid<'a>(records: &'a [Value], wanted_kind: &str) -> BTreeMap<&'a str, usize> {
    let mut counts = BTreeMap::new();
    for record in records.iter().filter(|record| kind(record) == wanted_kind) {
        if let Some(id) = wamid(record) {
            *counts.entry(id).or_insert(0) += 1;
        }
    }
    counts
}

/// Checks that every wamid in `expected` appears exactly once among `message` records and that
/// no `message` wamid appears more than once at all. On failure, describes every problem
/// (capped), with totals.
///
/// # Errors
/// A report listing missing and duplicated wamids.
pub fn check_messages_exactly_once<'a>(
    records: &[Value],
    expected: impl IntoIterator<Item = &'a str>,
) -> Result<(), String> {
    let counts = count_by_wamid(records, "message");
    let mut missing = Vec::new();
    let mut expected_count = 0_usize;
    for id in expected {
        expected_count += 1;
        if !counts.contains_key(id) {
            missing.push(id);
        }
    }
    let duplicated: Vec<(&str, usize)> = counts
        .iter()
        .filter(|(_, count)| **count > 1)
        .map(|(id, count)| (*id, *count))
        .collect();
    if missing.is_empty() && duplicated.is_empty() {
        return Ok(());
    }
    Err(format!(
        "export has {} message records ({} distinct); of {expected_count} expected wamids {} are \
         missing (first: {:?}); {} wamids appear more than once (first: {:?})",
        counts.values().sum::<usize>(),
        counts.len(),
        missing.len(),
        missing.iter().take(10).collect::<Vec<_>>(),
        duplicated.len(),
        duplicated.iter().take(10).collect::<Vec<_>>(),
    ))
}

/// Every string anywhere inside `value` (object keys excluded).
pub fn strings_in(value: &Value) -> Vec<&str> {
    let mut found = Vec::new();
    collect_strings(value, &mut found);
    found
}

fn collect_strings<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
    match value {
        Value::String(text) => found.push(text),
        Value::Array(items) => items.iter().for_each(|item| collect_strings(item, found)),
        Value::Object(map) => map.values().for_each(|item| collect_strings(item, found)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn exactly_once_reports_missing_and_duplicates() {
        let records = vec![
            json!({"kind":"message","wamid":"a"}),
            json!({"kind":"message","wamid":"b"}),
            json!({"kind":"message","wamid":"b"}),
            json!({"kind":"status","wamid":"c"}),
        ];
        assert!(check_messages_exactly_once(&records, ["a"]).is_err());
        let report = check_messages_exactly_once(&records[..2], ["a", "c"]).unwrap_err();
        assert!(report.contains("1 are missing"), "{report}");
        assert!(check_messages_exactly_once(&records[..2], ["a", "b"]).is_ok());
    }

    #[test]
    fn strings_are_found_at_any_depth() {
        let value = json!({"content": {"text": {"body": "a/é"}}, "n": 1});
        assert_eq!(strings_in(&value), ["a/é"]);
    }
}
