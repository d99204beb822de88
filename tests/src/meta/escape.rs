//! Serialising JSON the way Meta puts it on the wire: `/` may be sent as `\/` and every
//! non-ASCII character as `\uXXXX` (lowercase hex, UTF-16 surrogate pairs above U+FFFF).
//! Meta signs those exact bytes, so a gateway must verify the raw body, not re-serialised JSON.

use serde_json::Value;

/// Which of Meta's escapes to apply when serialising.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Escaping {
    /// Write `/` as `\/`.
    pub slash: bool,
    /// Write every non-ASCII character as `\uXXXX`.
    pub unicode: bool,
}

impl Escaping {
    /// No escapes beyond what JSON requires (serde_json's compact output).
    pub const NONE: Self = Self {
        slash: false,
        unicode: false,
    };
    /// Both of Meta's escapes, as its webhooks arrive.
    pub const META: Self = Self {
        slash: true,
        unicode: true,
    };
}

/// Compact JSON of `value` with the chosen escapes applied.
pub fn to_meta_json(value: &Value, escaping: Escaping) -> String {
    escape_json_text(&value.to_string(), escaping)
}

/// Applies the escapes to already-serialised compact JSON text.
///
/// Correct for any JSON text: outside strings JSON has neither `/` nor non-ASCII characters,
/// and inside strings `\/` and `\uXXXX` are valid spellings of the same characters.
pub fn escape_json_text(json: &str, escaping: Escaping) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 8);
    for character in json.chars() {
        if character == '/' && escaping.slash {
            out.push_str("\\/");
        } else if !character.is_ascii() && escaping.unicode {
            let mut units = [0_u16; 2];
            for unit in character.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(character);
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn escapes_slash_and_non_ascii_like_meta() {
        let value = serde_json::json!({"t": "a/b é 😀"});
        let text = to_meta_json(&value, Escaping::META);
        assert_eq!(text, r#"{"t":"a\/b \u00e9 \ud83d\ude00"}"#);
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn no_escaping_is_plain_compact_json() {
        let value = serde_json::json!({"t": "a/b é"});
        assert_eq!(to_meta_json(&value, Escaping::NONE), r#"{"t":"a/b é"}"#);
    }
}
