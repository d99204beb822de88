//! How much one delivery may hold: entries, changes, and items (messages, statuses, value-level
//! errors and contacts), each counted across the whole delivery.
//!
//! A signature proves who sent a body, not that it is sane: `{"entry":[0,0,0,…]}` fits 1.5 M
//! entries in 3 MiB, each of which would become a record. Lists are therefore read element by
//! element against what is left of the delivery's allowance, and parsing stops at the first
//! element past it. Meta's real batches are far smaller than the defaults (see the README).
//!
//! Members the decoder does not model are kept as JSON values, and a small JSON value costs far
//! more memory than its text (`{"a":0}` is 7 bytes of text and hundreds in memory). So before
//! anything is decoded, the body's values are counted in one pass over its bytes, allowing
//! [`VALUES_PER_ITEM`] per allowed item; past that, the body is refused whole too.

use std::cell::Cell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::raw_object::ItemError;

/// The most one delivery may hold; past any of them the whole body is kept as one dead letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// `entry[]` elements (`public.max_delivery_entries`).
    pub max_entries: usize,
    /// `changes[]` elements over all entries (`public.max_delivery_changes`).
    pub max_changes: usize,
    /// Messages, statuses, value-level errors and contacts over all changes
    /// (`public.max_delivery_items`).
    pub max_items: usize,
}

/// JSON values allowed per allowed item. A real update is about 25 (message or status,
/// contact, metadata); Meta batches at most 1,000 updates, so the default 10,000 items allow
/// 40,000 values, well over the largest real batch.
pub(super) const VALUES_PER_ITEM: usize = 4;

/// What one JSON value may cost while decoded, at the worst (many tiny unmodelled objects,
/// measured at 210 to 280 bytes each): the body budget reserves this per value before decoding.
pub(super) const DECODED_BYTES_PER_VALUE: usize = 320;

/// JSON values always allowed, however few items are: small deliveries are never refused for
/// their values.
pub(super) const MIN_VALUES: usize = 4_096;

impl DecodeLimits {
    /// The most JSON values one delivery may hold.
    pub fn max_values(&self) -> usize {
        self.max_items
            .saturating_mul(VALUES_PER_ITEM)
            .max(MIN_VALUES)
    }

    /// The memory decoding `body` may take at the worst: the body and
    /// [`DECODED_BYTES_PER_VALUE`] per JSON value. `None` when the body holds more values than
    /// allowed: it is then refused whole without being decoded.
    pub fn decoding_cost(&self, body: &[u8]) -> Option<usize> {
        let values = count_json_values(body, self.max_values());
        (values <= self.max_values())
            .then(|| body.len() + values.saturating_mul(DECODED_BYTES_PER_VALUE))
    }
}

impl Default for DecodeLimits {
    /// The configuration's defaults.
    fn default() -> Self {
        let public = firmware_config::PublicListener::default();
        let size = |limit: u32| usize::try_from(limit).unwrap_or(0);
        Self {
            max_entries: size(public.max_delivery_entries),
            max_changes: size(public.max_delivery_changes),
            max_items: size(public.max_delivery_items),
        }
    }
}

/// What a limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// `entry[]` elements.
    Entries,
    /// `changes[]` elements.
    Changes,
    /// Messages, statuses, value-level errors and contacts.
    Items,
    /// JSON values anywhere in the body ([`VALUES_PER_ITEM`] per allowed item).
    Values,
}

impl Counted {
    /// The configuration key that sets the limit.
    pub fn key(self) -> &'static str {
        match self {
            Self::Entries => "public.max_delivery_entries",
            Self::Changes => "public.max_delivery_changes",
            Self::Items | Self::Values => "public.max_delivery_items",
        }
    }
}

impl fmt::Display for Counted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Entries => "entries",
            Self::Changes => "changes",
            Self::Items => "items (messages, statuses, errors and contacts)",
            Self::Values => "JSON values (4 per item allowed, at least 4,096)",
        })
    }
}

/// What is left of one delivery's allowance while it is decoded.
pub(super) struct Tally {
    limits: DecodeLimits,
    entries: Cell<usize>,
    changes: Cell<usize>,
    items: Cell<usize>,
    values: Cell<usize>,
    exceeded: Cell<Option<Counted>>,
}

impl Tally {
    pub(super) fn new(limits: DecodeLimits) -> Self {
        Self {
            limits,
            entries: Cell::new(limits.max_entries),
            changes: Cell::new(limits.max_changes),
            items: Cell::new(limits.max_items),
            values: Cell::new(limits.max_values()),
            exceeded: Cell::new(None),
        }
    }

    /// The limit that was passed, if one was: the delivery is then refused whole.
    pub(super) fn exceeded(&self) -> Option<(Counted, usize)> {
        self.exceeded
            .get()
            .map(|counted| (counted, self.limit(counted)))
    }

    fn limit(&self, counted: Counted) -> usize {
        match counted {
            Counted::Entries => self.limits.max_entries,
            Counted::Changes => self.limits.max_changes,
            Counted::Items => self.limits.max_items,
            Counted::Values => self.limits.max_values(),
        }
    }

    fn left(&self, counted: Counted) -> &Cell<usize> {
        match counted {
            Counted::Entries => &self.entries,
            Counted::Changes => &self.changes,
            Counted::Items => &self.items,
            Counted::Values => &self.values,
        }
    }

    /// Counts the JSON values in `body` against the allowance; see [`count_json_values`].
    pub(super) fn count_values(&self, body: &str) -> Result<(), (Counted, usize)> {
        let left = self.left(Counted::Values);
        let values = count_json_values(body.as_bytes(), left.get());
        if values > left.get() {
            self.exceeded.set(Some(Counted::Values));
            return Err((Counted::Values, self.limit(Counted::Values)));
        }
        left.set(left.get() - values);
        Ok(())
    }

    /// Splits the JSON array `raw` into its elements' raw text, counting them as `counted`.
    /// Parsing stops at the first element past the allowance; the error then says so and
    /// [`Self::exceeded`] reports it.
    pub(super) fn list<'a>(
        &self,
        raw: &'a RawValue,
        counted: Counted,
    ) -> Result<Vec<&'a RawValue>, ItemError> {
        let mut deserializer = serde_json::Deserializer::from_str(raw.get());
        let seed = CountedList {
            tally: self,
            counted,
        };
        seed.deserialize(&mut deserializer).map_err(|error| {
            if self.exceeded.get() == Some(counted) {
                self.limit_error(counted)
            } else {
                ItemError::json(&error)
            }
        })
    }

    fn limit_error(&self, counted: Counted) -> ItemError {
        ItemError::new(format!(
            "more than {} {counted} in one delivery",
            self.limit(counted)
        ))
    }
}

/// Counts the JSON values in `body`, stopping once past `stop_after`. A value is counted at each
/// `[`, `{`, `,` and `:` outside strings: at least one per value or member after the first of
/// its container. One pass, no allocation; bytes that are not JSON are counted all the same.
fn count_json_values(body: &[u8], stop_after: usize) -> usize {
    let mut count = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in body {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' | b',' | b':' => {
                count += 1;
                if count > stop_after {
                    break;
                }
            }
            _ => {}
        }
    }
    count
}

/// A JSON array of raw elements, each taken from the tally's allowance for `counted`.
struct CountedList<'t> {
    tally: &'t Tally,
    counted: Counted,
}

/// The error a [`CountedList`] stops with (the caller replaces it with [`Tally::limit_error`]).
const ALLOWANCE_SPENT: &str = "the delivery's allowance is spent";

impl<'de> DeserializeSeed<'de> for CountedList<'_> {
    type Value = Vec<&'de RawValue>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for CountedList<'_> {
    type Value = Vec<&'de RawValue>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let left = self.tally.left(self.counted);
        let mut elements = Vec::new();
        loop {
            if left.get() == 0 {
                // One more element would pass the allowance; an end of array is still fine.
                // The element is skipped without being kept, and the error stops the parser.
                return match seq.next_element::<serde::de::IgnoredAny>()? {
                    None => Ok(elements),
                    Some(_) => {
                        self.tally.exceeded.set(Some(self.counted));
                        Err(serde::de::Error::custom(ALLOWANCE_SPENT))
                    }
                };
            }
            match seq.next_element::<&'de RawValue>()? {
                Some(element) => {
                    left.set(left.get() - 1);
                    elements.push(element);
                }
                None => return Ok(elements),
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn raw(text: &str) -> &RawValue {
        serde_json::from_str(text).unwrap()
    }

    fn limits(max: usize) -> DecodeLimits {
        DecodeLimits {
            max_entries: max,
            max_changes: max,
            max_items: max,
        }
    }

    #[test]
    fn lists_share_one_allowance_per_kind() {
        let tally = Tally::new(limits(3));
        assert_eq!(tally.list(raw("[1, 2]"), Counted::Items).unwrap().len(), 2);
        assert_eq!(tally.list(raw("[]"), Counted::Items).unwrap().len(), 0);
        assert_eq!(tally.list(raw("[3]"), Counted::Items).unwrap().len(), 1);
        assert_eq!(tally.exceeded(), None, "exactly the limit is allowed");
        assert_eq!(tally.list(raw("[]"), Counted::Items).unwrap().len(), 0);
        let error = tally.list(raw("[4]"), Counted::Items).unwrap_err();
        assert_eq!(
            error.to_string(),
            "more than 3 items (messages, statuses, errors and contacts) in one delivery"
        );
        assert_eq!(tally.exceeded(), Some((Counted::Items, 3)));
        assert_eq!(
            tally.list(raw("[1,2,3]"), Counted::Changes).unwrap().len(),
            3,
            "other kinds keep their own allowance"
        );
    }

    #[test]
    fn parsing_stops_at_the_first_element_past_the_allowance() {
        let tally = Tally::new(limits(2));
        // The rest is not valid JSON: only the first three elements are ever read.
        let text = "[{\"a\":1}, 2, 3, this is never parsed";
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let seed = CountedList {
            tally: &tally,
            counted: Counted::Entries,
        };
        let error = seed.deserialize(&mut deserializer).unwrap_err();
        assert!(error.to_string().contains(ALLOWANCE_SPENT), "{error}");
        assert_eq!(tally.exceeded(), Some((Counted::Entries, 2)));
    }

    #[test]
    fn a_list_that_is_not_an_array_is_an_ordinary_error() {
        let tally = Tally::new(limits(2));
        let error = tally.list(raw("{\"a\":1}"), Counted::Entries).unwrap_err();
        assert!(error.to_string().contains("expected a sequence"), "{error}");
        assert_eq!(tally.exceeded(), None);
        let tally = Tally::new(limits(1));
        let mut deserializer = serde_json::Deserializer::from_str("[1, {]");
        let seed = CountedList {
            tally: &tally,
            counted: Counted::Entries,
        };
        assert!(seed.deserialize(&mut deserializer).is_err());
        assert_eq!(tally.exceeded(), None, "a syntax error is not the limit");
    }

    /// `{"object":…,"entry":[<entries>]}`.
    fn delivery(entries: &str) -> Vec<u8> {
        format!(r#"{{"object":"whatsapp_business_account","entry":[{entries}]}}"#).into_bytes()
    }

    fn repeated(element: &str, count: usize) -> String {
        vec![element; count].join(",")
    }

    fn too_many(body: &[u8], limits: DecodeLimits) -> Option<(Counted, usize)> {
        match super::super::decode_webhook_with(body, limits) {
            Err(super::super::DecodeError::TooMany { counted, limit }) => Some((counted, limit)),
            Err(other) => panic!("unexpected error {other}"),
            Ok(_) => None,
        }
    }

    #[test]
    fn the_amplifying_bodies_are_refused_whole() {
        // 1.5 M entries in 3 MiB, and 1 M empty changes in one entry: refused for their values
        // before anything is decoded, and for their entries or changes when values are allowed.
        let entries = delivery(&repeated("0", 1_500_000));
        let changes = delivery(&format!(
            r#"{{"id":"1","changes":[{}]}}"#,
            repeated("{}", 1_000_000)
        ));
        let many_values = DecodeLimits {
            max_items: 1_000_000,
            ..DecodeLimits::default()
        };
        for (body, counted, limit) in [
            (&entries, Counted::Entries, 1_000),
            (&changes, Counted::Changes, 2_000),
        ] {
            assert_eq!(
                too_many(body, DecodeLimits::default()),
                Some((Counted::Values, 40_000))
            );
            assert_eq!(too_many(body, many_values), Some((counted, limit)));
        }
    }

    #[test]
    fn every_limit_counts_across_the_whole_delivery() {
        let small = DecodeLimits {
            max_entries: 3,
            max_changes: 4,
            max_items: 5,
        };
        let change = |items: usize| {
            format!(
                r#"{{"field":"messages","value":{{"statuses":[{}]}}}}"#,
                repeated(r#"{"id":"w","status":"sent"}"#, items)
            )
        };
        let entry = |changes: &[usize]| {
            let changes: Vec<String> = changes.iter().map(|&n| change(n)).collect();
            format!(r#"{{"id":"1","changes":[{}]}}"#, changes.join(","))
        };
        // Exactly at every limit: decoded, nothing refused.
        let at_limits = delivery(&[entry(&[2, 1]), entry(&[1]), entry(&[1])].join(","));
        let decoded = super::super::decode_webhook_with(&at_limits, small).unwrap();
        assert_eq!(decoded.events.len(), 5);
        // One more of each, spread over entries.
        let one_more_item = delivery(&[entry(&[2, 1]), entry(&[2]), entry(&[1])].join(","));
        assert_eq!(too_many(&one_more_item, small), Some((Counted::Items, 5)));
        let one_more_change = delivery(&[entry(&[0, 0, 0]), entry(&[0, 0])].join(","));
        assert_eq!(
            too_many(&one_more_change, small),
            Some((Counted::Changes, 4))
        );
        let one_more_entry = delivery(&repeated(&entry(&[]), 4));
        assert_eq!(
            too_many(&one_more_entry, small),
            Some((Counted::Entries, 3))
        );
        // Contacts are items too.
        let contacts = delivery(&format!(
            r#"{{"id":"1","changes":[{{"field":"messages","value":{{"contacts":[{}]}}}}]}}"#,
            repeated(r#"{"wa_id":"1"}"#, 6)
        ));
        assert_eq!(too_many(&contacts, small), Some((Counted::Items, 5)));
    }

    #[test]
    fn the_refusal_names_the_limit_and_its_key() {
        let body = delivery(&repeated("0", 4));
        let limits = DecodeLimits {
            max_entries: 3,
            ..DecodeLimits::default()
        };
        let error = super::super::decode_webhook_with(&body, limits).unwrap_err();
        assert_eq!(
            error.to_string(),
            "webhook holds more than 3 entries (public.max_delivery_entries); Meta's batches are far smaller, so the body is kept whole and unread"
        );
    }

    #[test]
    fn values_are_counted_outside_strings_only() {
        let few_items = DecodeLimits {
            max_items: 1,
            ..DecodeLimits::default()
        };
        assert_eq!(few_items.max_values(), MIN_VALUES, "the floor");
        assert_eq!(DecodeLimits::default().max_values(), 40_000);
        // `[` and each `,` count: an array of n elements is n values. The string element's
        // brackets, commas, colons and escaped quote do not count.
        let array = |n: usize| {
            let mut elements = vec!["0"; n - 1];
            elements.push(r#""\"[,:{}]""#);
            format!("[{}]", elements.join(","))
        };
        assert_eq!(count_json_values(array(9).as_bytes(), 100), 9);
        assert_eq!(
            count_json_values(array(9).as_bytes(), 5),
            6,
            "stops once past"
        );
        let tally = Tally::new(few_items);
        assert_eq!(tally.count_values(&array(MIN_VALUES)), Ok(()));
        let tally = Tally::new(few_items);
        assert_eq!(
            tally.count_values(&array(MIN_VALUES + 1)),
            Err((Counted::Values, MIN_VALUES))
        );
        assert_eq!(tally.exceeded(), Some((Counted::Values, MIN_VALUES)));
    }

    #[test]
    fn many_small_unmodelled_values_are_refused_whole() {
        let body = delivery(&format!(
            r#"{{"id":"1","changes":[{{"field":"x","value":{{"a":[{}]}}}}]}}"#,
            repeated(r#"{"a":0}"#, 370_000)
        ));
        assert_eq!(
            too_many(&body, DecodeLimits::default()),
            Some((Counted::Values, 40_000))
        );
    }
}
