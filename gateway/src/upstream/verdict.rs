//! What HQ's answer to a batch means for the sync:
//!
//! | answer | verdict |
//! | --- | --- |
//! | 2xx | acknowledged: the batch's events leave the outbox |
//! | 429, 5xx, no answer in time, a network error | retried forever, with backoff (`Retry-After` honoured) |
//! | 410 | gone: the sync stops, with an alert, until the gateway is restarted |
//! | 401, the first time for this batch | the clock or the secret: the signing clock is measured again and the batch sent once more |
//! | 401 again, 3xx, any other 4xx | dead-lettered: kept with the status and the start of HQ's answer, with an alert; the sync goes on |
//!
//! A 401 is "any other 4xx" and ends dead-lettered, but it is also what HQ answers to a
//! timestamp outside its tolerance: a clock that moved since it was last measured must not cost
//! a batch, so one re-measured retry comes first.
//!
//! Pure.

use super::backoff::RetryAfter;

/// The most of HQ's answer kept as a reason, in bytes.
pub const REASON_BYTES: usize = 512;

/// What came back for a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer<'a> {
    /// An HTTP answer.
    Http {
        /// Its status.
        status: u16,
        /// Its `Retry-After`, if any.
        retry_after: Option<&'a str>,
        /// The start of its body.
        body: &'a [u8],
    },
    /// No answer within the deadline.
    TimedOut,
    /// No answer: the connection failed (refused, reset, TLS...).
    Network(&'a str),
}

/// What the sync does about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Settle the batch as acknowledged.
    Acknowledged,
    /// Send it again after a backoff (or when HQ said).
    Retry {
        /// Why, for the status and the log.
        reason: String,
        /// HQ's `Retry-After`.
        retry_after: Option<RetryAfter>,
    },
    /// Measure the signing clock again, then send it once more.
    Remeasure {
        /// Why, for the log.
        reason: String,
    },
    /// Stop the sync: HQ no longer takes this gateway's batches.
    Gone {
        /// What HQ said.
        reason: String,
    },
    /// Settle the batch as dead-lettered and go on.
    DeadLetter {
        /// HQ's status.
        status: u16,
        /// What HQ said.
        reason: String,
    },
}

/// The verdict on `answer`; `remeasured`: whether this batch was already sent again after a
/// 401 and a new measure of the clock.
pub fn verdict(answer: Answer<'_>, remeasured: bool) -> Verdict {
    let (status, retry_after, body) = match answer {
        Answer::Http {
            status,
            retry_after,
            body,
        } => (status, retry_after, body),
        Answer::TimedOut => {
            return Verdict::Retry {
                reason: "HQ did not answer in time".into(),
                retry_after: None,
            };
        }
        Answer::Network(error) => {
            return Verdict::Retry {
                reason: format!("HQ could not be reached: {error}"),
                retry_after: None,
            };
        }
    };
    let reason = || described(status, body);
    match status {
        200..=299 => Verdict::Acknowledged,
        429 | 500..=599 => Verdict::Retry {
            reason: reason(),
            retry_after: retry_after.and_then(RetryAfter::parse),
        },
        410 => Verdict::Gone { reason: reason() },
        401 if !remeasured => Verdict::Remeasure { reason: reason() },
        _ => Verdict::DeadLetter {
            status,
            reason: reason(),
        },
    }
}

/// `HTTP <status>: <the start of the body>`.
fn described(status: u16, body: &[u8]) -> String {
    let excerpt = excerpt(body);
    if excerpt.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status}: {excerpt}")
    }
}

/// The start of `body` as one line of text: at most [`REASON_BYTES`] bytes, cut on a character
/// boundary, control characters as spaces, trimmed.
pub fn excerpt(body: &[u8]) -> String {
    let start = &body[..body.len().min(REASON_BYTES)];
    let text = match std::str::from_utf8(start) {
        Ok(text) => text.to_owned(),
        // Cut inside a character (or not UTF-8 at all): keep what decodes.
        Err(error) if error.error_len().is_none() => {
            String::from_utf8_lossy(&start[..error.valid_up_to()]).into_owned()
        }
        Err(_) => String::from_utf8_lossy(start).into_owned(),
    };
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16, body: &str) -> Verdict {
        verdict(
            Answer::Http {
                status,
                retry_after: None,
                body: body.as_bytes(),
            },
            false,
        )
    }

    #[test]
    fn any_2xx_acknowledges() {
        for status in [200, 201, 202, 204, 299] {
            assert_eq!(http(status, ""), Verdict::Acknowledged, "{status}");
        }
    }

    #[test]
    fn rate_limits_server_errors_timeouts_and_network_errors_are_retried() {
        for status in [429, 500, 502, 503, 504, 507, 599] {
            assert!(
                matches!(http(status, "busy"), Verdict::Retry { .. }),
                "{status}"
            );
        }
        let with_header = verdict(
            Answer::Http {
                status: 503,
                retry_after: Some("7"),
                body: b"maintenance",
            },
            false,
        );
        assert_eq!(
            with_header,
            Verdict::Retry {
                reason: "HTTP 503: maintenance".into(),
                retry_after: Some(RetryAfter::Seconds(7)),
            }
        );
        assert!(matches!(
            verdict(Answer::TimedOut, false),
            Verdict::Retry { .. }
        ));
        let Verdict::Retry { reason, .. } = verdict(Answer::Network("connection refused"), true)
        else {
            panic!("a network error is retried");
        };
        assert!(reason.contains("connection refused"), "{reason}");
    }

    #[test]
    fn gone_stops_the_sync() {
        assert_eq!(
            http(410, "gateway retired"),
            Verdict::Gone {
                reason: "HTTP 410: gateway retired".into()
            }
        );
    }

    #[test]
    fn redirects_and_other_client_errors_dead_letter_with_the_answer() {
        for status in [300, 301, 302, 307, 400, 403, 404, 409, 413, 422] {
            assert_eq!(
                http(status, "{\"error\":\"bad\"}"),
                Verdict::DeadLetter {
                    status,
                    reason: format!("HTTP {status}: {{\"error\":\"bad\"}}"),
                },
                "{status}"
            );
        }
        // Statuses no server should send are not acknowledged either.
        assert!(matches!(http(100, ""), Verdict::DeadLetter { .. }));
        assert!(matches!(http(600, ""), Verdict::DeadLetter { .. }));
    }

    #[test]
    fn a_401_remeasures_the_clock_once_then_dead_letters() {
        assert_eq!(
            http(401, "stale timestamp"),
            Verdict::Remeasure {
                reason: "HTTP 401: stale timestamp".into()
            }
        );
        let again = verdict(
            Answer::Http {
                status: 401,
                retry_after: None,
                body: b"",
            },
            true,
        );
        assert_eq!(
            again,
            Verdict::DeadLetter {
                status: 401,
                reason: "HTTP 401".into()
            }
        );
    }

    #[test]
    fn the_reason_keeps_the_start_of_the_answer_on_one_line() {
        let long = format!("line one\nline two\t{}", "é".repeat(600));
        let text = excerpt(long.as_bytes());
        assert!(text.starts_with("line one line two "), "{text}");
        assert!(text.len() <= REASON_BYTES, "{}", text.len());
        // Cut mid-character: the partial one is dropped.
        assert!(text.ends_with('é'));
        assert_eq!(excerpt(b"\xff\xfe bad"), "\u{fffd}\u{fffd} bad");
        assert_eq!(excerpt(b"  \r\n "), "");
    }
}
