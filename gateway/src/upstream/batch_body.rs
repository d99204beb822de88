//! A batch's body, `{"gateway_id":"...","events":[...]}`, and where the next batch ends: as
//! many events as fit in `upstream.max_batch_events` and, body and all, in
//! `upstream.max_batch_bytes`.
//!
//! An event whose body alone is over the byte cap goes in a batch of its own rather than
//! blocking the sync forever: HQ may accept it (its own limit may be larger), or refuse it with
//! a 413, which dead-letters that one batch (kept, with the reason) and lets the sync go on.
//!
//! Pure: the events come rendered ([`crate::journal::event_json`]), so a body is their bytes
//! joined, never parsed again.

/// The body's bytes around its events: `{"gateway_id":<id as JSON>,"events":[` and `]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchEnvelope {
    head: String,
}

/// What closes a body.
const TAIL: &str = "]}";

impl BatchEnvelope {
    /// The envelope of gateway `gateway_id`'s batches.
    pub fn new(gateway_id: &str) -> Self {
        let id = serde_json::to_string(gateway_id).unwrap_or_else(|_| String::from("\"\""));
        Self {
            head: format!("{{\"gateway_id\":{id},\"events\":["),
        }
    }

    /// The body's bytes besides its events and the commas between them.
    pub fn overhead(&self) -> usize {
        self.head.len() + TAIL.len()
    }

    /// The body holding `events` (each a JSON object), in order.
    pub fn body<'a>(&self, events: impl IntoIterator<Item = &'a str>) -> Vec<u8> {
        let mut body = Vec::with_capacity(self.overhead());
        body.extend_from_slice(self.head.as_bytes());
        for (index, event) in events.into_iter().enumerate() {
            if index > 0 {
                body.push(b',');
            }
            body.extend_from_slice(event.as_bytes());
        }
        body.extend_from_slice(TAIL.as_bytes());
        body
    }
}

/// How many of the events whose rendered lengths are `lengths` (in order) the next batch
/// takes: the most that keep it within `max_events` and its whole body (`overhead` plus the
/// events and the commas between them) within `max_bytes`; at least one when there is one, even
/// alone over the byte cap (see the module's note); 0 when there is none.
pub fn batch_len(
    overhead: usize,
    lengths: impl IntoIterator<Item = usize>,
    max_events: usize,
    max_bytes: usize,
) -> usize {
    let mut taken = 0_usize;
    let mut bytes = overhead;
    for length in lengths {
        if taken >= max_events.max(1) {
            break;
        }
        let with = bytes
            .saturating_add(length)
            .saturating_add(usize::from(taken > 0));
        if taken > 0 && with > max_bytes {
            break;
        }
        bytes = with;
        taken += 1;
    }
    taken
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_the_envelope_around_the_events_and_its_size_is_predicted() {
        let envelope = BatchEnvelope::new("gw-\"1\"");
        let events = [r#"{"seq":1}"#, r#"{"seq":2}"#, r#"{"seq":3}"#];
        let body = envelope.body(events);
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["gateway_id"], "gw-\"1\"");
        assert_eq!(json["events"][2]["seq"], 3);
        let predicted = envelope.overhead() + events.iter().map(|e| e.len()).sum::<usize>() + 2;
        assert_eq!(body.len(), predicted);
        let empty = envelope.body([]);
        assert_eq!(empty.len(), envelope.overhead());
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&empty).unwrap()["events"],
            serde_json::json!([])
        );
    }

    #[test]
    fn a_batch_stops_at_the_event_cap() {
        assert_eq!(batch_len(10, [5; 20], 7, 1 << 20), 7);
        assert_eq!(batch_len(10, [5; 3], 7, 1 << 20), 3);
        assert_eq!(batch_len(10, [], 7, 1 << 20), 0);
    }

    #[test]
    fn a_batch_stops_where_the_whole_body_would_pass_the_byte_cap() {
        // 10 + 5 + (1 + 5) * 2 = 27 fits in 27; a fourth event would make 33.
        assert_eq!(batch_len(10, [5; 10], 100, 27), 3);
        assert_eq!(batch_len(10, [5; 10], 100, 26), 2);
        // Exactly the cap, checked against a real body.
        let envelope = BatchEnvelope::new("g");
        let events = ["{\"a\":1}"; 10];
        let cap = envelope.body(events[..4].iter().copied()).len();
        let lengths = events.iter().map(|e| e.len());
        assert_eq!(batch_len(envelope.overhead(), lengths, 100, cap), 4);
    }

    #[test]
    fn an_event_over_the_byte_cap_goes_alone_instead_of_blocking() {
        assert_eq!(batch_len(10, [500, 5, 5], 100, 100), 1);
        // After smaller ones, it waits for the next batch.
        assert_eq!(batch_len(10, [5, 500, 5], 100, 100), 1);
        // A cap of 0 events still moves one at a time.
        assert_eq!(batch_len(10, [5, 5], 0, 100), 1);
    }
}
