//! Why a webhook body could not be used at all, and payload-free descriptions of JSON errors.
//!
//! These messages go to logs and to the dead-letter table. They never quote the payload: only the
//! kind of error, a line and column, and the JSON path (field names are this decoder's own).

use super::decode_limits::Counted;
use serde_json::error::Category;

/// A webhook body that cannot be used as a whole. The gateway keeps such a body in its
/// dead-letter table. Items that fail inside a usable envelope are
/// [`RejectedItem`](super::RejectedItem)s instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The body is not JSON (not UTF-8, malformed, or with bytes after the JSON value).
    #[error("webhook body is not valid JSON: {category} at line {line} column {column}")]
    NotJson {
        /// The kind of error: "syntax error", "unexpected end of input" or "invalid UTF-8".
        category: &'static str,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
    },
    /// The body is JSON but not an object.
    #[error("webhook body is JSON but not an object (at $)")]
    NotAnObject,
    /// The envelope object itself is unreadable (for example a key given twice).
    #[error("webhook envelope cannot be read: {detail} (at $)")]
    BadEnvelope {
        /// A payload-free description of what is wrong.
        detail: String,
    },
    /// The body has no `object` member.
    #[error(
        "webhook body has no `object` member (at $.object); Meta always sends \"whatsapp_business_account\""
    )]
    MissingObject,
    /// `object` is not `"whatsapp_business_account"`: not a WhatsApp Business webhook.
    #[error(
        "webhook `object` is not \"whatsapp_business_account\" (at $.object); this callback only handles WhatsApp Business Account webhooks"
    )]
    NotWhatsApp,
    /// The body has no `entry` member.
    #[error("webhook body has no `entry` array (at $.entry)")]
    MissingEntry,
    /// `entry` is not an array.
    #[error("webhook `entry` is not an array (at $.entry)")]
    EntryNotArray,
    /// The delivery holds more entries, changes or items than allowed: kept whole, unread.
    #[error(
        "webhook holds more than {limit} {counted} ({}); Meta's batches are far smaller, so the body is kept whole and unread", .counted.key()
    )]
    TooMany {
        /// What was counted.
        counted: Counted,
        /// The limit.
        limit: usize,
    },
}

impl DecodeError {
    /// The error for a body that is not UTF-8 (so not JSON); the position of the first bad byte.
    pub(super) fn not_utf8(body: &[u8], error: &std::str::Utf8Error) -> Self {
        let valid = body.get(..error.valid_up_to()).unwrap_or_default();
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        Self::NotJson {
            category: "invalid UTF-8",
            line: 1 + valid.iter().filter(|&&b| b == b'\n').count(),
            column: 1 + valid.len() - line_start,
        }
    }

    /// The error for a body that serde_json could not parse as JSON at all.
    pub(super) fn not_json(error: &serde_json::Error) -> Self {
        Self::NotJson {
            category: category_name(error.classify()),
            line: error.line(),
            column: error.column(),
        }
    }
}

/// A short name for a serde_json error category.
pub(super) fn category_name(category: Category) -> &'static str {
    match category {
        Category::Io => "I/O error",
        Category::Syntax => "syntax error",
        Category::Data => "data error",
        Category::Eof => "unexpected end of input",
    }
}

/// Describes a serde_json error without quoting the payload: serde's "invalid type: string
/// \"...\", expected X" becomes "invalid type: string, expected X", and the position is appended
/// from the error's own line and column.
pub(super) fn describe_json_error(error: &serde_json::Error) -> String {
    let message = json_error_text(error);
    if error.line() == 0 {
        message
    } else {
        format!(
            "{message} at line {} column {}",
            error.line(),
            error.column()
        )
    }
}

/// Like [`describe_json_error`], without the position.
pub(super) fn json_error_text(error: &serde_json::Error) -> String {
    let full = error.to_string();
    redact_unexpected(strip_position(&full, error.line(), error.column()))
}

fn strip_position(message: &str, line: usize, column: usize) -> &str {
    if line == 0 {
        return message;
    }
    let suffix = format!(" at line {line} column {column}");
    message.strip_suffix(suffix.as_str()).unwrap_or(message)
}

/// Removes the quoted value from serde's "invalid type/value" and "unknown variant/field" texts.
fn redact_unexpected(message: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            // The expected part is ours (type names); the unexpected part may quote the payload,
            // and may itself contain ", expected ", so split at the last occurrence.
            if let Some(split) = rest.rfind(", expected ") {
                let (unexpected, expected) = rest.split_at(split);
                let kind = unexpected
                    .split(['"', '`'])
                    .next()
                    .unwrap_or_default()
                    .trim_end();
                return format!("{prefix}{kind}{expected}");
            }
            return format!("{prefix}(value not shown)");
        }
    }
    for prefix in ["unknown variant ", "unknown field "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            return match rest.rfind(", expected ") {
                Some(split) => format!("{}{}", prefix.trim_end(), &rest[split..]),
                None => prefix.trim_end().to_owned(),
            };
        }
    }
    message.to_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code, reason = "only the error matters")]
    struct Sample {
        body: String,
        count: u32,
    }

    #[test]
    fn invalid_type_loses_the_quoted_value() {
        let err =
            serde_json::from_str::<Sample>(r#"{"body": 5, "count": "private, expected words"}"#)
                .unwrap_err();
        let text = describe_json_error(&err);
        assert_eq!(
            text,
            "invalid type: integer, expected a string at line 1 column 10"
        );
        let err =
            serde_json::from_str::<Sample>(r#"{"body": "x", "count": "private, expected words"}"#)
                .unwrap_err();
        let text = describe_json_error(&err);
        assert!(!text.contains("private"), "{text}");
        assert!(
            text.starts_with("invalid type: string, expected u32"),
            "{text}"
        );
    }

    #[test]
    fn missing_field_is_kept_verbatim() {
        let err = serde_json::from_str::<Sample>(r#"{"count": 1}"#).unwrap_err();
        assert_eq!(
            describe_json_error(&err),
            "missing field `body` at line 1 column 12"
        );
    }

    #[test]
    fn not_json_reports_category_and_position() {
        let err = serde_json::from_slice::<serde_json::Value>(b"{\n  \"a\": }").unwrap_err();
        let decode = DecodeError::not_json(&err);
        assert_eq!(
            decode.to_string(),
            "webhook body is not valid JSON: syntax error at line 2 column 8"
        );
    }
}
