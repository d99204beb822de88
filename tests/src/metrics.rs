//! `/metrics` read as Prometheus reads it: scraped from the local listener (no token) and
//! parsed by a text-format parser, never by string matching.

use prometheus_parse::{Sample, Scrape, Value};

use crate::Gateway;
use crate::suite::{assert_status, must};

/// Every sample of `GET /metrics`, checked to be the Prometheus text format.
pub async fn scrape(gateway: &Gateway) -> Vec<Sample> {
    let mut local = must(gateway.connect_local().await);
    let reply = must(local.get("/metrics").await);
    assert_status(&reply, 200, "GET /metrics without a token");
    assert_eq!(
        reply.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let text = reply.text();
    must(Scrape::parse(text.lines().map(|line| Ok(line.to_owned())))).samples
}

/// The value of series `name` with `label` (or without labels), 0 when absent.
pub fn value(samples: &[Sample], name: &str, label: Option<(&str, &str)>) -> f64 {
    samples
        .iter()
        .filter(|sample| sample.metric == name)
        .filter(|sample| match label {
            Some((key, wanted)) => sample.labels.get(key) == Some(wanted),
            None => sample.labels.is_empty(),
        })
        .find_map(|sample| match sample.value {
            Value::Counter(value) | Value::Gauge(value) | Value::Untyped(value) => Some(value),
            _ => None,
        })
        .unwrap_or(0.0)
}

/// The count of histogram `name` (its `+Inf` bucket).
pub fn histogram_total(samples: &[Sample], name: &str) -> f64 {
    let buckets = samples
        .iter()
        .find_map(|sample| match (&sample.value, sample.metric == name) {
            (Value::Histogram(buckets), true) => Some(buckets),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no histogram {name}"));
    buckets
        .iter()
        .find(|bucket| bucket.less_than.is_infinite())
        .map_or(0.0, |bucket| bucket.count)
}
