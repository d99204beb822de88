//! Every item of a decoded webhook is accounted for: each message, status and value-level error
//! of a `messages` change, and each other change, is either one event (of the right kind, field
//! and WABA, in payload order) or rejected, itself or with the entry, change or value it sits in.
//! No path is rejected twice, and nothing is rejected where the payload has no item.
//!
//! The payload is walked here independently of the decoder, on raw JSON pieces. Where the walk
//! cannot tell what the decoder did without repeating its rules (a rejected `messages` value:
//! did the value fail to split, or only its unknown-shape copy?), both outcomes are allowed.

use std::collections::{BTreeSet, HashMap, HashSet};

use gateway::meta::{DecodedWebhook, EventKind, InboundEvent};
use serde_json::value::RawValue;

/// The members of a `messages` change value the decoder models; any other makes it also keep
/// the value whole as an unknown change.
const MODELLED_MEMBERS: [&str; 6] = [
    "messaging_product",
    "metadata",
    "contacts",
    "messages",
    "statuses",
    "errors",
];

/// The event one item becomes when it is not rejected.
#[derive(Debug, Clone)]
struct Slot {
    kinds: &'static [EventKind],
    field: String,
    waba_id: Option<String>,
}

impl Slot {
    /// `field:kind` (`messages:message`, `calls:account|unknown`), for a mismatch report.
    fn describe(&self) -> String {
        let kinds: Vec<_> = self.kinds.iter().map(|k| k.as_str()).collect();
        format!("{}:{}", self.field, kinds.join("|"))
    }

    fn matches(&self, event: &InboundEvent) -> bool {
        self.kinds.contains(&event.kind)
            && event.field == self.field
            && self
                .waba_id
                .as_ref()
                .is_none_or(|waba_id| *waba_id == event.waba_id)
    }
}

/// The event sequences one change may produce (one, or two where the walk cannot tell).
type Outcomes = Vec<Vec<Slot>>;

/// What the walk found: per change its possible events, and every path the decoder may reject.
#[derive(Default)]
struct Walk {
    changes: Vec<Outcomes>,
    rejectable: HashSet<String>,
}

type Members<'a> = HashMap<String, &'a RawValue>;

/// A member that is present and not `null` (the decoder treats both alike).
fn member<'a>(members: &Members<'a>, key: &str) -> Option<&'a RawValue> {
    members.get(key).copied().filter(|raw| raw.get() != "null")
}

/// Why the decoded webhook does not account for the payload's items, or `None` when it does.
/// `text` is the body `decoded` came from, which the decoder accepted.
#[must_use]
pub fn mismatch(text: &str, decoded: &DecodedWebhook) -> Option<String> {
    let mut rejected = HashSet::new();
    for item in &decoded.rejected {
        if !rejected.insert(item.path.as_str()) {
            return Some(format!("{} is rejected twice", item.path));
        }
    }
    let walk = match walk(text, &rejected) {
        Ok(walk) => walk,
        Err(problem) => return Some(problem),
    };
    if let Some(path) = rejected
        .iter()
        .find(|path| !walk.rejectable.contains(**path))
    {
        return Some(format!(
            "{path} is rejected but the payload has no item there"
        ));
    }
    let ends = walk
        .changes
        .iter()
        .fold(BTreeSet::from([0]), |starts, outcomes| {
            let mut ends = BTreeSet::new();
            for start in starts {
                for slots in outcomes {
                    let events = decoded.events.get(start..start + slots.len());
                    if events
                        .is_some_and(|events| slots.iter().zip(events).all(|(s, e)| s.matches(e)))
                    {
                        ends.insert(start + slots.len());
                    }
                }
            }
            ends
        });
    (!ends.contains(&decoded.events.len())).then(|| {
        let kinds: Vec<_> = decoded
            .events
            .iter()
            .map(|e| format!("{}:{}", e.field, e.kind))
            .collect();
        let expected: Vec<Vec<Vec<_>>> = walk
            .changes
            .iter()
            .map(|outcomes| {
                outcomes
                    .iter()
                    .map(|slots| slots.iter().map(Slot::describe).collect())
                    .collect()
            })
            .collect();
        format!(
            "the events do not account for the payload's items: events {kinds:?}, \
             expected per change one of {expected:?}, rejected {rejected:?}"
        )
    })
}

fn walk(text: &str, rejected: &HashSet<&str>) -> Result<Walk, String> {
    let envelope: Members<'_> =
        serde_json::from_str(text).map_err(|e| format!("decoded body is not an object: {e}"))?;
    let entries: Vec<&RawValue> = member(&envelope, "entry")
        .and_then(|raw| serde_json::from_str(raw.get()).ok())
        .ok_or("decoded body has no entry array")?;
    let mut walk = Walk::default();
    for (index, entry) in entries.into_iter().enumerate() {
        let path = format!("entry[{index}]");
        walk.rejectable.insert(path.clone());
        if !rejected.contains(path.as_str()) {
            walk.entry(&path, entry, rejected)?;
        }
    }
    Ok(walk)
}

impl Walk {
    fn entry(
        &mut self,
        path: &str,
        raw: &RawValue,
        rejected: &HashSet<&str>,
    ) -> Result<(), String> {
        let accepted = || format!("{path} is accepted but");
        let entry: Members<'_> = serde_json::from_str(raw.get())
            .map_err(|_| format!("{} is not an object", accepted()))?;
        let waba_id = member(&entry, "id").and_then(|raw| lenient_id(raw.get()));
        let changes: Vec<&RawValue> = member(&entry, "changes")
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
            .ok_or_else(|| format!("{} has no changes array", accepted()))?;
        for (index, change) in changes.into_iter().enumerate() {
            let path = format!("{path}.changes[{index}]");
            self.rejectable.insert(path.clone());
            if !rejected.contains(path.as_str()) {
                self.change(&path, change, waba_id.as_deref(), rejected)?;
            }
        }
        Ok(())
    }

    fn change(
        &mut self,
        path: &str,
        raw: &RawValue,
        waba_id: Option<&str>,
        rejected: &HashSet<&str>,
    ) -> Result<(), String> {
        let accepted = || format!("{path} is accepted but");
        let change: Members<'_> = serde_json::from_str(raw.get())
            .map_err(|_| format!("{} is not an object", accepted()))?;
        let field: String = member(&change, "field")
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
            .ok_or_else(|| format!("{} has no string field", accepted()))?;
        let value =
            member(&change, "value").ok_or_else(|| format!("{} has no value", accepted()))?;
        let value_path = format!("{path}.value");
        self.rejectable.insert(value_path.clone());
        let value_rejected = rejected.contains(value_path.as_str());
        let slot = |kinds: &'static [EventKind]| Slot {
            kinds,
            field: field.clone(),
            waba_id: waba_id.map(str::to_owned),
        };
        let outcomes = if field != "messages" {
            // An account change or an unknown one, or the value rejected.
            let whole = slot(&[EventKind::Account, EventKind::Unknown]);
            vec![if value_rejected { vec![] } else { vec![whole] }]
        } else {
            let items = self.messages_value(&value_path, value, rejected);
            match items {
                None if value_rejected => vec![vec![]],
                None => {
                    return Err(format!(
                        "{value_path} is not a messages value but is accepted"
                    ));
                }
                Some((kinds, unknown)) => {
                    let mut slots: Vec<Slot> = kinds.into_iter().map(&slot).collect();
                    match (value_rejected, unknown) {
                        // The value did not split (a rule this walk does not repeat), or it
                        // did and only its unknown-shape copy failed.
                        (true, true) => vec![vec![], slots],
                        (true, false) => vec![vec![]],
                        (false, unknown) => {
                            if unknown {
                                slots.push(slot(&[EventKind::Unknown]));
                            }
                            vec![slots]
                        }
                    }
                }
            }
        };
        self.changes.push(outcomes);
        Ok(())
    }

    /// The event kinds of a `messages` value's items that are not rejected, in decoding order,
    /// and whether the value is also kept whole as an unknown change; `None` when its shape
    /// cannot be split (the decoder must then reject it).
    fn messages_value(
        &mut self,
        path: &str,
        raw: &RawValue,
        rejected: &HashSet<&str>,
    ) -> Option<(Vec<&'static [EventKind]>, bool)> {
        let value: Members<'_> = serde_json::from_str(raw.get()).ok()?;
        let list = |key: &str| -> Option<Option<Vec<&RawValue>>> {
            member(&value, key).map_or(Some(None), |raw| serde_json::from_str(raw.get()).ok())
        };
        let contacts = list("contacts")?.unwrap_or_default();
        for index in 0..contacts.len() {
            self.rejectable.insert(format!("{path}.contacts[{index}]"));
        }
        let mut kinds = Vec::new();
        let mut has_items = false;
        let lists: [(&str, &'static [EventKind]); 3] = [
            ("messages", &[EventKind::Message]),
            ("statuses", &[EventKind::Status]),
            ("errors", &[EventKind::ValueError]),
        ];
        for (key, kind) in lists {
            let Some(items) = list(key)? else { continue };
            has_items = true;
            for index in 0..items.len() {
                let item_path = format!("{path}.{key}[{index}]");
                if !rejected.contains(item_path.as_str()) {
                    kinds.push(kind);
                }
                self.rejectable.insert(item_path);
            }
        }
        let unmodelled = value
            .keys()
            .any(|key| !MODELLED_MEMBERS.contains(&key.as_str()));
        Some((kinds, !has_items || unmodelled))
    }
}

/// An id as the decoder keeps it: a JSON string, or an integer written in decimal.
fn lenient_id(raw: &str) -> Option<String> {
    serde_json::from_str::<String>(raw)
        .ok()
        .or_else(|| serde_json::from_str::<i64>(raw).ok().map(|n| n.to_string()))
        .or_else(|| serde_json::from_str::<u64>(raw).ok().map(|n| n.to_string()))
}

#[cfg(test)]
mod tests {
    use gateway::meta::decode_webhook;

    use super::*;

    const TWO_MESSAGES_AND_A_TEMPLATE: &str = r#"{"object":"whatsapp_business_account","entry":[
        {"id":"W1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
          "metadata":{"phone_number_id":"P"},
          "messages":[{"id":"m1","type":"text","text":{"body":"a"}},{"id":"m2","type":"text"},
                      {"id":"m3","type":"text","text":{"body":"c"}}],
          "statuses":[{"id":"m0","status":"read"}]}}]},
        {"id":7,"changes":[{"field":"message_template_status_update","value":{"event":"APPROVED",
          "message_template_name":"t","message_template_language":"en"}},
          {"field":"messages","value":[]}]}]}"#;

    fn decoded() -> DecodedWebhook {
        decode_webhook(TWO_MESSAGES_AND_A_TEMPLATE.as_bytes()).expect("the envelope is usable")
    }

    #[test]
    fn a_faithful_decoding_is_accounted_for() {
        let decoded = decoded();
        assert_eq!(decoded.events.len(), 4, "m1, m3, the status, the template");
        let paths: Vec<_> = decoded.rejected.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "entry[0].changes[0].value.messages[1]",
                "entry[1].changes[1].value"
            ]
        );
        assert_eq!(mismatch(TWO_MESSAGES_AND_A_TEMPLATE, &decoded), None);
    }

    #[test]
    fn a_lost_event_is_caught() {
        let mut decoded = decoded();
        decoded.events.remove(1);
        let found = mismatch(TWO_MESSAGES_AND_A_TEMPLATE, &decoded);
        assert!(found.is_some_and(|m| m.contains("do not account")));
    }

    #[test]
    fn a_lost_rejection_is_caught() {
        let mut decoded = decoded();
        decoded.rejected.remove(0);
        assert!(mismatch(TWO_MESSAGES_AND_A_TEMPLATE, &decoded).is_some());
    }

    #[test]
    fn events_out_of_order_or_from_another_waba_are_caught() {
        let mut swapped = decoded();
        swapped.events.swap(1, 2);
        assert!(mismatch(TWO_MESSAGES_AND_A_TEMPLATE, &swapped).is_some());
        let mut moved = decoded();
        moved.events[3].waba_id = "W1".to_owned();
        assert!(mismatch(TWO_MESSAGES_AND_A_TEMPLATE, &moved).is_some());
    }

    #[test]
    fn a_rejection_twice_or_where_there_is_no_item_is_caught() {
        let mut twice = decoded();
        twice.rejected.push(twice.rejected[0].clone());
        let found = mismatch(TWO_MESSAGES_AND_A_TEMPLATE, &twice);
        assert!(found.is_some_and(|m| m.contains("twice")));
        let mut nowhere = decoded();
        nowhere.rejected[0].path = "entry[0].changes[0].value.messages[9]".to_owned();
        let found = mismatch(TWO_MESSAGES_AND_A_TEMPLATE, &nowhere);
        assert!(found.is_some_and(|m| m.contains("no item there")));
    }
}
