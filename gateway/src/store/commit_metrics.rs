//! What the writer measures of each group commit: how many submissions it took, and how long the
//! write transaction took from its start to its durable commit. The histograms are shared handles
//! (clones observe into the same series); the gateway's metrics registry exposes them.

use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};

/// The group commits' histograms.
#[derive(Debug, Clone)]
pub struct CommitMetrics {
    /// Submissions (webhook deliveries) per group commit: 1, 2, 4 ... 1,024 and more.
    pub size: Histogram,
    /// Seconds from the start of a group's write transaction to its durable commit: 0.5 ms
    /// to about 4 s and more.
    pub latency: Histogram,
}

impl Default for CommitMetrics {
    fn default() -> Self {
        Self {
            size: Histogram::new(exponential_buckets(1.0, 2.0, 11)),
            latency: Histogram::new(exponential_buckets(0.000_5, 2.0, 14)),
        }
    }
}
