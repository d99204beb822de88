//! What the simulated HQ received ([`Received`]): every batch delivery with its verification
//! and answer, the clock probes and the command polls; and the checks a sync test makes on
//! them (events held, duplicates, sequence gaps, each chat's order).

use std::collections::{HashMap, HashSet};
use std::ops::RangeInclusive;
use std::time::Instant;

use serde::Deserialize;
use serde_json::Value;

use super::commands::CommandsRequest;
use super::signature::Unverified;

/// One event of a batch, as the gateway sent it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Event {
    /// `"<gateway_id>:<seq>"`.
    pub id: String,
    /// The gateway-wide sequence number.
    pub seq: u64,
    /// What happened (`chat.opened`, `message.received`...).
    #[serde(rename = "type")]
    pub kind: String,
    /// When, RFC 3339.
    pub at: String,
    /// The chat it belongs to, if any.
    pub chat_id: Option<u64>,
    /// The event's own fields.
    #[serde(default)]
    pub data: Value,
}

/// A batch's body.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Batch {
    /// The gateway that sent it.
    pub gateway_id: String,
    /// Its events, in order.
    pub events: Vec<Event>,
}

/// One `POST` of a batch, as HQ saw and answered it.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// `webhook-id`, if present.
    pub webhook_id: Option<String>,
    /// `webhook-timestamp`, if present.
    pub timestamp: Option<String>,
    /// Whether the signature verified against HQ's key and clock, and if not why.
    pub verified: Result<(), Unverified>,
    /// The status HQ answered (a slow answer is recorded before its wait: HQ holds the batch
    /// even if the gateway gives up waiting).
    pub status: u16,
    /// The body, when it verified and parsed.
    pub batch: Option<Batch>,
    /// The body's size in bytes.
    pub body_bytes: usize,
    /// When it arrived.
    pub at: Instant,
}

impl Delivery {
    /// Whether HQ acknowledged it (2xx): its events are HQ's now.
    pub fn acknowledged(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The events it carried (none when unverified or unparsable).
    pub fn events(&self) -> &[Event] {
        self.batch.as_ref().map_or(&[], |batch| &batch.events)
    }
}

/// Two events of one chat that reached HQ in the opposite order of their sequence numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderViolation {
    /// The chat.
    pub chat_id: u64,
    /// The sequence number that arrived first.
    pub earlier: u64,
    /// The smaller one that arrived after it.
    pub later: u64,
}

/// Everything the simulated HQ received, in arrival order.
#[derive(Debug, Clone, Default)]
pub struct Received {
    /// Every batch delivery, answered or refused ([`Self::record`] adds one).
    deliveries: Vec<Delivery>,
    /// The ids of the events acknowledged (kept as deliveries are recorded, so that a wait
    /// for a count of events costs nothing per delivery).
    held: HashSet<String>,
    /// `HEAD` and `GET` requests on the batches URL (the gateway's clock probes).
    pub probes: usize,
    /// Commands polls that arrived (answered or still held).
    pub polls_started: usize,
    /// Every commands poll answered.
    pub commands_requests: Vec<CommandsRequest>,
}

impl Received {
    /// Adds a delivery.
    pub fn record(&mut self, delivery: Delivery) {
        if delivery.acknowledged() {
            self.held
                .extend(delivery.events().iter().map(|event| event.id.clone()));
        }
        self.deliveries.push(delivery);
    }

    /// Every batch delivery, answered or refused, in arrival order.
    pub fn deliveries(&self) -> &[Delivery] {
        &self.deliveries
    }

    /// The acknowledged deliveries' events, each id once (its first copy), in arrival order.
    pub fn events_in_arrival_order(&self) -> Vec<&Event> {
        let mut seen = HashSet::new();
        self.acknowledged_events()
            .filter(|event| seen.insert(event.id.as_str()))
            .collect()
    }

    /// The events HQ holds, each id once, by sequence number.
    pub fn events(&self) -> Vec<Event> {
        let mut events: Vec<Event> = self
            .events_in_arrival_order()
            .into_iter()
            .cloned()
            .collect();
        events.sort_by_key(|event| event.seq);
        events
    }

    /// How many distinct events HQ holds.
    pub fn event_count(&self) -> usize {
        self.held.len()
    }

    /// Copies of events HQ acknowledged more than once (a redelivered batch, or one whose
    /// acknowledgement was lost).
    pub fn duplicates(&self) -> usize {
        self.acknowledged_events().count() - self.event_count()
    }

    /// Ids that arrived twice with different contents (a redelivery must repeat the event).
    pub fn changed_duplicates(&self) -> Vec<String> {
        let mut first: HashMap<&str, &Event> = HashMap::new();
        let mut changed = Vec::new();
        for event in self.acknowledged_events() {
            match first.get(event.id.as_str()) {
                Some(earlier) if *earlier != event => changed.push(event.id.clone()),
                Some(_) => {}
                None => {
                    first.insert(&event.id, event);
                }
            }
        }
        changed
    }

    /// The sequence numbers missing between 1 and the highest HQ holds, as ranges.
    pub fn sequence_gaps(&self) -> Vec<RangeInclusive<u64>> {
        let held: HashSet<u64> = self.acknowledged_events().map(|event| event.seq).collect();
        let highest = held.iter().copied().max().unwrap_or(0);
        let mut gaps = Vec::new();
        let mut start = None;
        for seq in 1..=highest + 1 {
            match (held.contains(&seq) || seq > highest, start) {
                (false, None) => start = Some(seq),
                (true, Some(from)) => {
                    gaps.push(from..=seq - 1);
                    start = None;
                }
                _ => {}
            }
        }
        gaps
    }

    /// Each time a chat's event reached HQ after one of the same chat with a higher sequence
    /// number (first copies, in arrival order); empty when every chat arrived in order.
    pub fn chat_order_violations(&self) -> Vec<OrderViolation> {
        let mut latest: HashMap<u64, u64> = HashMap::new();
        let mut violations = Vec::new();
        for event in self.events_in_arrival_order() {
            let Some(chat_id) = event.chat_id else {
                continue;
            };
            match latest.get(&chat_id) {
                Some(&earlier) if earlier > event.seq => violations.push(OrderViolation {
                    chat_id,
                    earlier,
                    later: event.seq,
                }),
                _ => {
                    latest.insert(chat_id, event.seq);
                }
            }
        }
        violations
    }

    /// The events of `chat_id` HQ holds, in arrival order.
    pub fn chat_events(&self, chat_id: u64) -> Vec<&Event> {
        self.events_in_arrival_order()
            .into_iter()
            .filter(|event| event.chat_id == Some(chat_id))
            .collect()
    }

    /// Every delivery of the batch `webhook_id`, in arrival order (a redelivery has the same id
    /// and the same events).
    pub fn deliveries_of(&self, webhook_id: &str) -> Vec<&Delivery> {
        self.deliveries
            .iter()
            .filter(|delivery| delivery.webhook_id.as_deref() == Some(webhook_id))
            .collect()
    }

    /// The deliveries HQ refused as unsigned, badly signed or stale.
    pub fn unverified(&self) -> Vec<&Delivery> {
        self.deliveries
            .iter()
            .filter(|delivery| delivery.verified.is_err())
            .collect()
    }

    fn acknowledged_events(&self) -> impl Iterator<Item = &Event> {
        self.deliveries
            .iter()
            .filter(|delivery| delivery.acknowledged())
            .flat_map(Delivery::events)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use serde_json::json;

    use super::*;

    fn event(seq: u64, chat_id: Option<u64>) -> Event {
        Event {
            id: format!("gw:{seq}"),
            seq,
            kind: "message.received".to_owned(),
            at: "2026-01-01T00:00:00Z".to_owned(),
            chat_id,
            data: json!({}),
        }
    }

    fn delivery(status: u16, events: Vec<Event>) -> Delivery {
        Delivery {
            webhook_id: Some("gw:1-9".to_owned()),
            timestamp: Some("1".to_owned()),
            verified: Ok(()),
            status,
            batch: Some(Batch {
                gateway_id: "gw".to_owned(),
                events,
            }),
            body_bytes: 0,
            at: Instant::now(),
        }
    }

    #[test]
    fn only_acknowledged_batches_count_and_gaps_duplicates_and_order_are_found() {
        let mut moved = event(6, Some(1));
        moved.kind = "chat.closed".to_owned();
        let mut received = Received::default();
        for delivery in [
            delivery(200, vec![event(1, Some(1)), event(2, Some(2))]),
            delivery(400, vec![event(3, Some(1))]),
            delivery(200, vec![event(2, Some(2)), event(5, Some(1))]),
            delivery(200, vec![event(4, Some(1)), moved, event(8, None)]),
        ] {
            received.record(delivery);
        }
        assert_eq!(received.event_count(), 6);
        assert_eq!(received.duplicates(), 1);
        assert_eq!(received.changed_duplicates(), Vec::<String>::new());
        assert_eq!(received.sequence_gaps(), [3..=3, 7..=7]);
        assert_eq!(
            received.chat_order_violations(),
            [OrderViolation {
                chat_id: 1,
                earlier: 5,
                later: 4
            }]
        );
        let seqs: Vec<u64> = received.events().iter().map(|event| event.seq).collect();
        assert_eq!(seqs, [1, 2, 4, 5, 6, 8]);
        assert_eq!(received.chat_events(2).len(), 1);
        assert_eq!(received.deliveries_of("gw:1-9").len(), 4);
    }
}
