//! `X-Hub-Signature-256` against the corpus vectors and the ways a request can be wrong.

#![allow(clippy::unwrap_used, reason = "tests")]

mod decode_common;

use decode_common::read;
use gateway::meta::{SignatureError, sign, verify_signature};
use serde::Deserialize;

#[derive(Deserialize)]
struct Vector {
    app_secret: String,
    x_hub_signature_256: String,
}

fn vector(relative: &str) -> Vector {
    serde_json::from_slice(&read(relative)).unwrap()
}

#[test]
fn pywa_vector_verifies() {
    let v = vector("pywa/signature_vector.json");
    let body = read("pywa/signature_vector_body.bin");
    assert_eq!(body.len(), 511);
    let secret = v.app_secret.as_bytes();
    assert_eq!(
        verify_signature(&[secret], Some(&v.x_hub_signature_256), &body),
        Ok(())
    );
    assert_eq!(sign(secret, &body), v.x_hub_signature_256);
    // One flipped byte in the body no longer verifies.
    let mut tampered = body.clone();
    tampered[100] ^= 1;
    assert_eq!(
        verify_signature(&[secret], Some(&v.x_hub_signature_256), &tampered),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn whatsapp_api_js_vector_covers_the_escaped_bytes_only() {
    let v = vector("whatsapp-api-js/signature_vector.json");
    let secret = v.app_secret.as_bytes();
    let escaped = read("whatsapp-api-js/signature_vector_body_escaped.txt");
    let unescaped = read("whatsapp-api-js/signature_vector_body_unescaped.txt");
    assert_eq!(
        verify_signature(&[secret], Some(&v.x_hub_signature_256), &escaped),
        Ok(())
    );
    assert_eq!(
        verify_signature(&[secret], Some(&v.x_hub_signature_256), &unescaped),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn upper_case_hex_is_accepted() {
    let v = vector("pywa/signature_vector.json");
    let body = read("pywa/signature_vector_body.bin");
    let upper = format!("sha256={}", v.x_hub_signature_256[7..].to_ascii_uppercase());
    assert_ne!(upper, v.x_hub_signature_256);
    assert_eq!(
        verify_signature(&[v.app_secret.as_bytes()], Some(&upper), &body),
        Ok(())
    );
}

#[test]
fn missing_and_malformed_headers() {
    let body = b"{}";
    assert_eq!(
        verify_signature(&[b"k"], None, body),
        Err(SignatureError::Missing)
    );
    for header in ["", "sha256", "sha256=xyz", "md5=abcd", "sha256=abcd"] {
        assert_eq!(
            verify_signature(&[b"k"], Some(header), body),
            Err(SignatureError::Malformed),
            "{header}"
        );
    }
}

#[test]
fn wrong_secret_and_several_secrets() {
    let v = vector("pywa/signature_vector.json");
    let body = read("pywa/signature_vector_body.bin");
    let header = Some(v.x_hub_signature_256.as_str());
    let right = v.app_secret.as_bytes();
    assert_eq!(
        verify_signature(&[b"wrong secret"], header, &body),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify_signature(&[b"other app", right], header, &body),
        Ok(())
    );
    assert_eq!(
        verify_signature(&[right, b"other app"], header, &body),
        Ok(())
    );
    assert_eq!(
        verify_signature(&[b"app one", b"app two"], header, &body),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify_signature(&[], header, &body),
        Err(SignatureError::NoAppSecret)
    );
}

#[test]
fn error_messages_are_actionable_and_leak_nothing() {
    let secret = "s3cr3t-app-secret";
    let body = b"{\"a\":1}";
    let expected = sign(secret.as_bytes(), body);
    let wrong = sign(b"another", body);
    let errors = [
        verify_signature(&[secret.as_bytes()], None, body).unwrap_err(),
        verify_signature(&[secret.as_bytes()], Some("sha256=zz"), body).unwrap_err(),
        verify_signature(&[secret.as_bytes()], Some(&wrong), body).unwrap_err(),
    ];
    assert!(
        errors[0]
            .to_string()
            .contains("X-Hub-Signature-256 header is missing")
    );
    assert!(
        errors[1]
            .to_string()
            .contains("must be sha256=<64 hex digits>")
    );
    assert!(
        errors[2]
            .to_string()
            .contains("signature does not match the body; check the app secret")
    );
    for error in errors {
        for text in [error.to_string(), format!("{error:?}")] {
            assert!(!text.contains(secret), "{text}");
            assert!(!text.contains(&expected[7..]), "{text}");
            assert!(!text.contains(&wrong[7..]), "{text}");
        }
    }
}
