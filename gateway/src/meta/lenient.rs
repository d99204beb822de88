//! Serde helpers for values Meta sends sometimes as JSON numbers and sometimes as strings:
//! timestamps (`"1749416383"` or `1749416383`), ids (`message_template_id`), counts, coordinates.
//!
//! They accept both forms when reading and always write the typed form (numbers as numbers, ids
//! as strings), so a decoded value written out and read back is equal. Their error messages
//! never repeat the offending value: they end up in dead-letter rows and logs.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

/// An integer sent as a JSON integer or as a string of decimal digits (an optional leading `-`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct LenientI64(pub(super) i64);

/// A finite number sent as a JSON number or as a numeric string.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct LenientF64(pub(super) f64);

/// An identifier sent as a JSON string or as a JSON integer; kept as a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LenientId(pub(super) String);

const INTEGER_EXPECTED: &str = "an integer or a string of decimal digits";
const NUMBER_EXPECTED: &str = "a finite number or a string holding one";
const ID_EXPECTED: &str = "a string or an integer";

/// Parses `-?[0-9]+` into an `i64`; `None` for anything else (including `+5`, ` 5`, `5.0`).
pub(super) fn parse_decimal_i64(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

struct I64Visitor;

impl Visitor<'_> for I64Visitor {
    type Value = LenientI64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(INTEGER_EXPECTED)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(LenientI64(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v)
            .map(LenientI64)
            .map_err(|_| E::custom("integer out of range for a signed 64-bit value"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Err(E::custom(format_args!(
            "invalid type: floating point, expected {INTEGER_EXPECTED}"
        )))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        parse_decimal_i64(v).map(LenientI64).ok_or_else(|| {
            E::custom(format_args!(
                "invalid value: string, expected {INTEGER_EXPECTED}"
            ))
        })
    }
}

impl<'de> de::Deserialize<'de> for LenientI64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(I64Visitor)
    }
}

struct F64Visitor;

impl F64Visitor {
    fn finite<E: de::Error>(v: f64) -> Result<LenientF64, E> {
        if v.is_finite() {
            Ok(LenientF64(v))
        } else {
            Err(E::custom(format_args!(
                "invalid value: non-finite number, expected {NUMBER_EXPECTED}"
            )))
        }
    }
}

impl Visitor<'_> for F64Visitor {
    type Value = LenientF64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(NUMBER_EXPECTED)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        #[allow(
            clippy::cast_precision_loss,
            reason = "coordinates and prices, not ids"
        )]
        Self::finite(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        #[allow(
            clippy::cast_precision_loss,
            reason = "coordinates and prices, not ids"
        )]
        Self::finite(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Self::finite(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        // Only plain decimal notation: Rust's parser also takes "inf", "NaN" and "1e5".
        let plain = !v.is_empty()
            && v.bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'.'))
            && v.bytes().any(|b| b.is_ascii_digit());
        match v.parse::<f64>() {
            Ok(n) if plain => Self::finite(n),
            _ => Err(E::custom(format_args!(
                "invalid value: string, expected {NUMBER_EXPECTED}"
            ))),
        }
    }
}

impl<'de> de::Deserialize<'de> for LenientF64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(F64Visitor)
    }
}

struct IdVisitor;

impl Visitor<'_> for IdVisitor {
    type Value = LenientId;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(ID_EXPECTED)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(LenientId(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(LenientId(v.to_string()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(LenientId(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(LenientId(v))
    }
}

impl<'de> de::Deserialize<'de> for LenientId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IdVisitor)
    }
}

/// `deserialize_with` for `Option<i64>` fields (null or absent give `None`).
pub(super) fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(<Option<LenientI64> as de::Deserialize>::deserialize(d)?.map(|v| v.0))
}

/// `deserialize_with` for required `i64` fields.
pub(super) fn req_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(<LenientI64 as de::Deserialize>::deserialize(d)?.0)
}

/// `deserialize_with` for `Option<f64>` fields.
pub(super) fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(<Option<LenientF64> as de::Deserialize>::deserialize(d)?.map(|v| v.0))
}

/// `deserialize_with` for required `f64` fields.
pub(super) fn req_f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(<LenientF64 as de::Deserialize>::deserialize(d)?.0)
}

/// `deserialize_with` for `Option<String>` id fields that may arrive as integers.
pub(super) fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(<Option<LenientId> as de::Deserialize>::deserialize(d)?.map(|v| v.0))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn integers_come_as_numbers_or_digit_strings() {
        let v: LenientI64 = serde_json::from_str("1749416383").unwrap();
        assert_eq!(v.0, 1_749_416_383);
        let v: LenientI64 = serde_json::from_str("\"1749416383\"").unwrap();
        assert_eq!(v.0, 1_749_416_383);
        let v: LenientI64 = serde_json::from_str("\"-7\"").unwrap();
        assert_eq!(v.0, -7);
        for bad in [
            "\"\"",
            "\"+5\"",
            "\" 5\"",
            "\"5.0\"",
            "5.5",
            "true",
            "\"abc\"",
            "18446744073709551615",
        ] {
            assert!(serde_json::from_str::<LenientI64>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn integer_errors_do_not_repeat_the_value() {
        let err = serde_json::from_str::<LenientI64>("\"secret-ish text\"").unwrap_err();
        assert!(!err.to_string().contains("secret-ish"), "{err}");
    }

    #[test]
    fn floats_must_be_finite_and_plain() {
        let v: LenientF64 = serde_json::from_str("\"37.422\"").unwrap();
        assert!((v.0 - 37.422).abs() < 1e-12);
        let v: LenientF64 = serde_json::from_str("-122").unwrap();
        assert!((v.0 + 122.0).abs() < 1e-12);
        for bad in [
            "\"NaN\"",
            "\"inf\"",
            "\"1e999\"",
            "\"LOCATION_LATITUDE\"",
            "\"\"",
            "\"-\"",
            "null",
        ] {
            assert!(serde_json::from_str::<LenientF64>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ids_come_as_strings_or_integers() {
        let v: LenientId = serde_json::from_str("1689556908129832").unwrap();
        assert_eq!(v.0, "1689556908129832");
        let v: LenientId = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(v.0, "abc");
        assert!(serde_json::from_str::<LenientId>("1.5").is_err());
        assert!(serde_json::from_str::<LenientId>("{}").is_err());
    }
}
