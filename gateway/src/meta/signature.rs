//! `X-Hub-Signature-256`: Meta's HMAC-SHA256 signature of a webhook body.
//!
//! The signature covers the raw body bytes exactly as received. Meta signs its escaped form
//! (`\/`, `\u00e9`), so the check must run before any parsing and never over re-serialised JSON.

use ring::hmac;

/// The header Meta puts the signature in.
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature-256";

/// The header value's prefix.
const PREFIX: &str = "sha256=";

/// Length of an HMAC-SHA256 tag in bytes.
const TAG_LEN: usize = 32;

/// Why a webhook signature was refused. The messages name no secret and no digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The request has no `X-Hub-Signature-256` header.
    #[error(
        "X-Hub-Signature-256 header is missing; Meta signs every webhook POST, so this request was not sent by Meta"
    )]
    Missing,
    /// The header is not `sha256=` followed by 64 hex digits.
    #[error("X-Hub-Signature-256 header is malformed: it must be sha256=<64 hex digits>")]
    Malformed,
    /// No configured app secret produced this signature over this body.
    #[error(
        "X-Hub-Signature-256 signature does not match the body; check the app secret (and that nothing re-encoded the body on the way)"
    )]
    Mismatch,
    /// No usable (non-empty) app secret is configured, so no signature can be checked.
    #[error(
        "no app secret is configured, so the X-Hub-Signature-256 signature cannot be checked; configure the Meta app secret"
    )]
    NoAppSecret,
}

/// Checks `header` (the `X-Hub-Signature-256` value) against `body` with each of `app_secrets`
/// and accepts the body if any of them matches (several apps can subscribe to one WABA).
///
/// The comparison is constant-time (`ring::hmac::verify`). Hex digits may be upper or lower case.
/// Empty secrets are ignored: anyone could sign with an empty key.
///
/// # Errors
///
/// [`SignatureError::Missing`], [`SignatureError::Malformed`], [`SignatureError::Mismatch`], or
/// [`SignatureError::NoAppSecret`] when `app_secrets` holds no non-empty secret.
pub fn verify_signature(
    app_secrets: &[&[u8]],
    header: Option<&str>,
    body: &[u8],
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let tag = parse_header(header)?;
    let mut usable = app_secrets
        .iter()
        .filter(|secret| !secret.is_empty())
        .peekable();
    if usable.peek().is_none() {
        return Err(SignatureError::NoAppSecret);
    }
    let matches = usable
        .any(|secret| hmac::verify(&hmac::Key::new(hmac::HMAC_SHA256, secret), body, &tag).is_ok());
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The `X-Hub-Signature-256` value Meta would send for `body` signed with `secret`:
/// `sha256=` and 64 lower-case hex digits. For tests and tools.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret), body);
    format!("{PREFIX}{}", hex::encode(tag.as_ref()))
}

/// `sha256=<64 hex>` (prefix in any case, surrounding whitespace tolerated) to the tag bytes.
fn parse_header(header: &str) -> Result<[u8; TAG_LEN], SignatureError> {
    let value = header.trim_matches(|c: char| c == ' ' || c == '\t');
    let digits = value
        .get(..PREFIX.len())
        .filter(|prefix| prefix.eq_ignore_ascii_case(PREFIX))
        .and_then(|_| value.get(PREFIX.len()..))
        .ok_or(SignatureError::Malformed)?;
    let mut tag = [0u8; TAG_LEN];
    hex::decode_to_slice(digits, &mut tag).map_err(|_| SignatureError::Malformed)?;
    Ok(tag)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn sign_then_verify() {
        let header = sign(b"secret", b"{}");
        assert!(header.starts_with("sha256="));
        assert_eq!(header.len(), 7 + 64);
        verify_signature(&[b"secret"], Some(&header), b"{}").unwrap();
        assert_eq!(
            verify_signature(&[b"secret"], Some(&header), b"{ }"),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn header_shapes() {
        let header = sign(b"k", b"body");
        let digits = &header[7..];
        for ok in [
            header.clone(),
            format!("SHA256={digits}"),
            format!("sha256={}", digits.to_ascii_uppercase()),
            format!(" {header}\t"),
        ] {
            assert_eq!(
                verify_signature(&[b"k"], Some(&ok), b"body"),
                Ok(()),
                "{ok}"
            );
        }
        for bad in [
            String::new(),
            "sha256=".to_owned(),
            digits.to_owned(),
            format!("sha1={digits}"),
            format!("sha256={}", &digits[..63]),
            format!("sha256={digits}0"),
            format!("sha256={}g", &digits[..63]),
            format!("sha256= {digits}"),
            "sha2€6=00".to_owned(),
            "é".to_owned(),
        ] {
            assert_eq!(
                verify_signature(&[b"k"], Some(&bad), b"body"),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
    }

    #[test]
    fn empty_secrets_never_verify() {
        let header = sign(b"", b"body");
        assert_eq!(
            verify_signature(&[b""], Some(&header), b"body"),
            Err(SignatureError::NoAppSecret)
        );
        assert_eq!(
            verify_signature(&[], Some(&header), b"body"),
            Err(SignatureError::NoAppSecret)
        );
        assert_eq!(
            verify_signature(&[b"", b"other"], Some(&header), b"body"),
            Err(SignatureError::Mismatch)
        );
    }
}
