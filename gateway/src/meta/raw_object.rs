//! A JSON object split into its members without decoding them: keys (borrowed when unescaped)
//! and the exact raw text of each value.
//!
//! Items (messages, statuses, change values) are decoded member by member from this: each field
//! is parsed once from its own text, an error names the field it happened in, and the members
//! nobody asked for become the item's `extra` map.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::error::json_error_text;

/// Why an item could not be decoded: a payload-free sentence and, when known, the position in
/// the item's own text (the text a [`RejectedItem`](super::RejectedItem) keeps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ItemError {
    what: String,
    /// 1-based (line, column), columns in bytes as serde_json counts them.
    at: Option<(usize, usize)>,
}

impl ItemError {
    /// An error without a position.
    pub(super) fn new(what: String) -> Self {
        Self { what, at: None }
    }

    /// A serde_json error, positioned in the text that was being parsed.
    pub(super) fn json(error: &serde_json::Error) -> Self {
        Self {
            what: json_error_text(error),
            // serde_json says column 0 for "before the first character"; people count from 1.
            at: (error.line() > 0).then(|| (error.line(), error.column().max(1))),
        }
    }

    /// Says the error happened in the member `key` (a field name of this decoder, never
    /// payload text).
    pub(super) fn in_member(self, key: &str) -> Self {
        Self {
            what: format!("`{key}`: {}", self.what),
            at: self.at,
        }
    }

    /// Moves the position from `inner` (a member's text) to `outer` (the text it is part of).
    pub(super) fn within(self, outer: &str, inner: &str) -> Self {
        let Some((line, column)) = self.at else {
            return self;
        };
        let offset = (inner.as_ptr() as usize).wrapping_sub(outer.as_ptr() as usize);
        let inside = offset
            .checked_add(inner.len())
            .is_some_and(|end| end <= outer.len());
        let Some(before) = outer.get(..offset).filter(|_| inside) else {
            return self;
        };
        let start_line = 1 + before.matches('\n').count();
        let start_column = 1 + before
            .rfind('\n')
            .map_or(offset, |newline| offset - newline - 1);
        let at = if line == 1 {
            (start_line, start_column + column - 1)
        } else {
            (start_line + line - 1, column)
        };
        Self {
            what: self.what,
            at: Some(at),
        }
    }
}

impl fmt::Display for ItemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)?;
        if let Some((line, column)) = self.at {
            write!(f, " at line {line} column {column}")?;
        }
        Ok(())
    }
}

/// A key that borrows from the input when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// The members of one JSON object, in document order.
pub(super) struct RawObject<'a> {
    /// The object's own text; error positions are given relative to it.
    text: &'a str,
    members: Vec<(Cow<'a, str>, &'a RawValue)>,
}

impl<'de> Deserialize<'de> for RawObject<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = RawObject<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8).min(64));
                while let Some((Key(key), value)) = map.next_entry::<Key<'de>, &'de RawValue>()? {
                    members.push((key, value));
                }
                if let Some(key) = first_duplicate(&members) {
                    return Err(de::Error::custom(format_args!(
                        "the object has a key more than once{}",
                        key.map(|k| format!(" (`{k}`)")).unwrap_or_default()
                    )));
                }
                Ok(RawObject { text: "", members })
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

/// The first repeated key, if any. Only keys this decoder could itself name are quoted
/// (short ASCII identifiers); others are reported without their text.
fn first_duplicate<'k>(members: &'k [(Cow<'_, str>, &RawValue)]) -> Option<Option<&'k str>> {
    let quotable =
        |k: &str| k.len() <= 40 && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let keys = || members.iter().map(|(k, _)| k.as_ref());
    let repeated = if members.len() <= 16 {
        // Small objects (all of Meta's): compare pairwise, no allocation.
        keys()
            .enumerate()
            .find(|&(i, k)| keys().take(i).any(|earlier| earlier == k))
            .map(|(_, k)| k)
    } else {
        let mut seen = HashSet::with_capacity(members.len());
        keys().find(|k| !seen.insert(*k))
    };
    repeated.map(|k| quotable(k).then_some(k))
}

impl<'a> RawObject<'a> {
    /// Splits `raw` into members; fails if it is not an object or repeats a key.
    pub(super) fn parse(raw: &'a RawValue) -> Result<Self, ItemError> {
        let mut object: Self = serde_json::from_str(raw.get()).map_err(|e| ItemError::json(&e))?;
        object.text = raw.get();
        Ok(object)
    }

    /// Removes and returns the raw value of `key`.
    pub(super) fn take(&mut self, key: &str) -> Option<&'a RawValue> {
        let index = self.members.iter().position(|(k, _)| k == key)?;
        Some(self.members.remove(index).1)
    }

    /// Removes `key` and keeps it as a JSON value; absent and `null` both give `None`. Errors
    /// do not name the member (for members named by payload text, like an unknown `type`).
    pub(super) fn take_raw_value(&mut self, key: &str) -> Result<Option<Value>, ItemError> {
        self.take(key)
            .filter(|raw| raw.get() != "null")
            .map(to_value)
            .transpose()
    }

    /// Removes `key` and decodes it; absent and `null` both give `None`.
    pub(super) fn field<T: Deserialize<'a>>(&mut self, key: &str) -> Result<Option<T>, ItemError> {
        match self.take(key) {
            None => Ok(None),
            Some(raw) if raw.get() == "null" => Ok(None),
            Some(raw) => serde_json::from_str(raw.get()).map(Some).map_err(|e| {
                ItemError::json(&e)
                    .in_member(key)
                    .within(self.text, raw.get())
            }),
        }
    }

    /// Removes `key` and decodes it with `decode` (for members with their own wire format);
    /// absent and `null` both give `None`.
    pub(super) fn decode_member<T>(
        &mut self,
        key: &str,
        decode: impl FnOnce(&'a RawValue) -> Result<T, ItemError>,
    ) -> Result<Option<T>, ItemError> {
        match self.take(key) {
            None => Ok(None),
            Some(raw) if raw.get() == "null" => Ok(None),
            Some(raw) => decode(raw)
                .map(Some)
                .map_err(|e| e.in_member(key).within(self.text, raw.get())),
        }
    }

    /// Like [`Self::decode_member`], but absence (or `null`) is an error.
    pub(super) fn required_member<T>(
        &mut self,
        key: &str,
        decode: impl FnOnce(&'a RawValue) -> Result<T, ItemError>,
    ) -> Result<T, ItemError> {
        self.decode_member(key, decode)?
            .ok_or_else(|| missing_field(key))
    }

    /// Like [`Self::field`], but absence (or `null`) is an error.
    pub(super) fn required<T: Deserialize<'a>>(&mut self, key: &str) -> Result<T, ItemError> {
        self.field(key)?.ok_or_else(|| missing_field(key))
    }

    /// A required string member that must not be empty (ids, status values).
    pub(super) fn required_text(&mut self, key: &str) -> Result<String, ItemError> {
        let text: String = self.required(key)?;
        if text.is_empty() {
            return Err(ItemError::new(format!("field `{key}` is empty")));
        }
        Ok(text)
    }

    /// True when every member has been taken.
    pub(super) fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Fails if a member nobody took is named like a field the decoded form adds (for example
    /// the `contact` a message gets): kept in `extra`, it would clash with that field when the
    /// decoded form is written as JSON. Meta sends no such member today; if it starts to, the
    /// item goes to the dead letters instead of being silently altered.
    pub(super) fn refuse_reserved(&self, reserved: &[&str]) -> Result<(), ItemError> {
        match self
            .members
            .iter()
            .find(|(k, _)| reserved.contains(&k.as_ref()))
        {
            Some((key, _)) => Err(ItemError::new(format!(
                "member `{key}` clashes with the decoded field of the same name"
            ))),
            None => Ok(()),
        }
    }

    /// The members nobody took, decoded as JSON values (the item's `extra`).
    pub(super) fn into_extra(self) -> Result<Map<String, Value>, ItemError> {
        let mut extra = Map::new();
        for (key, raw) in self.members {
            extra.insert(key.into_owned(), to_value(raw)?);
        }
        Ok(extra)
    }
}

fn missing_field(key: &str) -> ItemError {
    ItemError::new(format!("missing field `{key}`"))
}

/// Decodes a raw value into a JSON value. This cannot fail for text serde_json already accepted,
/// but the error is still typed rather than assumed away. It does not name the member: unknown
/// keys are payload text.
pub(super) fn to_value(raw: &RawValue) -> Result<Value, ItemError> {
    serde_json::from_str(raw.get()).map_err(|e| ItemError::json(&e))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn raw(text: &str) -> &RawValue {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn members_are_taken_once_and_the_rest_is_extra() {
        let value = raw(r#"{"id":"w1","n":"12","a\u0062c":{"x":[1]},"z":null}"#);
        let mut object = RawObject::parse(value).unwrap();
        assert_eq!(object.required_text("id").unwrap(), "w1");
        assert_eq!(object.field::<String>("z").unwrap(), None);
        assert_eq!(object.field::<String>("id").unwrap(), None);
        let n: super::super::lenient::LenientI64 = object.required("n").unwrap();
        assert_eq!(n.0, 12);
        let extra = object.into_extra().unwrap();
        assert_eq!(extra.len(), 1);
        assert_eq!(extra["abc"], serde_json::json!({"x": [1]}));
    }

    #[test]
    fn positions_move_from_a_member_to_its_object() {
        let outer = "{\n \"a\": {\"b\":\n  [1, x]}}";
        let inner_start = outer.find("{\"b").unwrap();
        let inner = &outer[inner_start..outer.len() - 1];
        let err = serde_json::from_str::<Value>(inner).unwrap_err();
        assert_eq!((err.line(), err.column()), (2, 7));
        let moved = ItemError::json(&err).within(outer, inner);
        assert_eq!(moved.at, Some((3, 7)));
        let err = serde_json::from_str::<u8>("\"x\"").unwrap_err();
        let inner = &outer[outer.find("[1").unwrap()..];
        let moved = ItemError::json(&err).within(outer, inner);
        assert_eq!(moved.at, Some((3, 5)));
        // Text from elsewhere keeps its own position.
        let moved = ItemError::json(&err).within(outer, "elsewhere");
        assert_eq!(moved.at, Some((1, 3)));
    }

    #[test]
    fn duplicate_keys_and_non_objects_are_errors() {
        let err = RawObject::parse(raw(r#"{"id":"a","id":"b"}"#))
            .err()
            .unwrap();
        assert!(err.to_string().contains("more than once (`id`)"), "{err}");
        let err = RawObject::parse(raw(r#"{"€uro":1,"€uro":2}"#))
            .err()
            .unwrap();
        assert!(!err.to_string().contains("uro"), "{err}");
        assert!(RawObject::parse(raw("[1,2]")).is_err());
        assert!(RawObject::parse(raw("\"text\"")).is_err());
    }

    #[test]
    fn field_errors_name_the_field_not_the_value() {
        let mut object =
            RawObject::parse(raw("{\n  \"x\": 1,\n  \"id\": \"private words\"}")).unwrap();
        let err = object.required::<u32>("id").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`id`: invalid type: string, expected u32 at line 3 column 23"
        );
        assert!(!err.to_string().contains("private"), "{err}");
        let err = object.required_text("from").unwrap_err();
        assert_eq!(err.to_string(), "missing field `from`");
    }
}
