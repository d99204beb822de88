//! The content dedupe key for events without an id (see [`DedupeKey::Content`]).

use ring::digest;

use super::event::DedupeKey;

/// Distinguishes this encoding from any later one.
const DOMAIN: &[u8] = b"waygate/meta/content-key/v1";

/// What a content key is computed over.
pub(super) struct ContentKeyInput<'a> {
    /// `changes[].field`.
    pub(super) field: &'a str,
    /// `entry[].id`.
    pub(super) waba_id: &'a str,
    /// `entry[].time`.
    pub(super) entry_time: Option<i64>,
    /// The exact raw text of `changes[].value`.
    pub(super) value_raw: &'a str,
}

impl ContentKeyInput<'_> {
    /// The key for the whole change (account and unknown changes).
    pub(super) fn change_key(&self) -> DedupeKey {
        DedupeKey::Content(self.digest(None))
    }

    /// The key for the value-level error at `index` whose exact raw text is `raw`.
    pub(super) fn error_key(&self, index: usize, raw: &str) -> DedupeKey {
        DedupeKey::Content(self.digest(Some((index, raw))))
    }

    fn digest(&self, item: Option<(usize, &str)>) -> [u8; 32] {
        let mut ctx = digest::Context::new(&digest::SHA256);
        let mut part = |bytes: &[u8]| {
            // Length-prefixed, so no choice of contents can make two inputs encode alike.
            ctx.update(&(bytes.len() as u64).to_be_bytes());
            ctx.update(bytes);
        };
        part(DOMAIN);
        part(self.field.as_bytes());
        part(self.waba_id.as_bytes());
        match self.entry_time {
            Some(time) => part(&time.to_be_bytes()),
            None => part(b""),
        }
        part(self.value_raw.as_bytes());
        if let Some((index, raw)) = item {
            part(&(index as u64).to_be_bytes());
            part(raw.as_bytes());
        }
        let mut out = [0u8; 32];
        out.copy_from_slice(ctx.finish().as_ref());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(
        field: &'a str,
        waba: &'a str,
        time: Option<i64>,
        value: &'a str,
    ) -> ContentKeyInput<'a> {
        ContentKeyInput {
            field,
            waba_id: waba,
            entry_time: time,
            value_raw: value,
        }
    }

    #[test]
    fn same_inputs_same_key_and_every_part_matters() {
        let base = input("account_update", "1", Some(5), r#"{"event":"X"}"#).change_key();
        assert_eq!(
            base,
            input("account_update", "1", Some(5), r#"{"event":"X"}"#).change_key()
        );
        assert_ne!(
            base,
            input("account_updatf", "1", Some(5), r#"{"event":"X"}"#).change_key()
        );
        assert_ne!(
            base,
            input("account_update", "2", Some(5), r#"{"event":"X"}"#).change_key()
        );
        assert_ne!(
            base,
            input("account_update", "1", Some(6), r#"{"event":"X"}"#).change_key()
        );
        assert_ne!(
            base,
            input("account_update", "1", None, r#"{"event":"X"}"#).change_key()
        );
        assert_ne!(
            base,
            input("account_update", "1", Some(5), r#"{"event": "X"}"#).change_key()
        );
    }

    #[test]
    fn boundaries_between_parts_are_unambiguous() {
        assert_ne!(
            input("ab", "c", None, "{}").change_key(),
            input("a", "bc", None, "{}").change_key()
        );
    }

    #[test]
    fn errors_are_keyed_by_index_and_text() {
        let change = input(
            "messages",
            "1",
            None,
            r#"{"errors":[{"code":1},{"code":1}]}"#,
        );
        assert_ne!(
            change.error_key(0, r#"{"code":1}"#),
            change.error_key(1, r#"{"code":1}"#)
        );
        assert_ne!(change.error_key(0, r#"{"code":1}"#), change.change_key());
    }
}
