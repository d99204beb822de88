//! Logs in JSON: every line is a JSON object, string values are not quoted twice, and the stop
//! line gives the counters as numeric fields.
#![forbid(unsafe_code)]

use serde_json::Value;
use waygate_e2e::suite::{assert_status, must, start_with_config};

#[tokio::test(flavor = "multi_thread")]
async fn json_lines_carry_plain_values_and_the_counters_as_numbers() {
    let mut gateway = start_with_config("[log]\nformat = \"json\"\n").await;
    let webhook = gateway.meta().text_webhook("logged as JSON");
    let mut connection = must(gateway.connect_public().await);
    let reply = must(connection.post_webhook(&webhook).await);
    assert_status(&reply, 200, "a delivery");
    drop(connection);
    let status = must(gateway.stop().await);
    assert!(status.success(), "{}", gateway.logs());

    let stderr = must(std::fs::read_to_string(gateway.stderr_path()));
    let mut stop_line = None;
    // The harness marks each run with a "===== harness" line of its own.
    for line in stderr
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with("====="))
    {
        let record: Value = serde_json::from_str(line)
            .unwrap_or_else(|error| panic!("not a JSON line ({error}): {line}"));
        let fields = record["fields"].as_object().cloned().unwrap_or_default();
        for (name, value) in &fields {
            if let Some(text) = value.as_str() {
                assert!(
                    !(text.len() >= 2 && text.starts_with('"') && text.ends_with('"')),
                    "field {name} is quoted twice: {line}"
                );
            }
        }
        if fields.get("message").and_then(Value::as_str)
            == Some("waygate stopped; the store is closed")
        {
            stop_line = Some(fields);
        }
    }
    let stop = stop_line.unwrap_or_else(|| panic!("no stop line in:\n{stderr}"));
    assert_eq!(
        stop.get("webhooks_accepted"),
        Some(&Value::from(1)),
        "{stop:?}"
    );
    assert_eq!(
        stop.get("events_appended"),
        Some(&Value::from(1)),
        "{stop:?}"
    );
    assert_eq!(stop.get("dead_letters"), Some(&Value::from(0)), "{stop:?}");
}
