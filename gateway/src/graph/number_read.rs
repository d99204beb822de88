//! The read of a business number's profile:
//! `GET /{version}/{phone_number_id}?fields=verified_name,display_phone_number,name_status,code_verification_status,quality_rating,throughput,platform_type`,
//! and what Meta's answer says.

use serde::Deserialize;

use super::answer::{GraphFailure, read_error};
use crate::numbers::NumberProfile;

/// The fields the gateway reads of a number.
pub const NUMBER_FIELDS: &str = "verified_name,display_phone_number,name_status,\
                                 code_verification_status,quality_rating,throughput,platform_type";

/// The path and query of the read of `phone_number_id` (already checked to be digits).
pub(super) fn number_path(phone_number_id: &str) -> String {
    format!("{phone_number_id}?fields={NUMBER_FIELDS}")
}

#[derive(Deserialize)]
struct Answer {
    verified_name: Option<String>,
    display_phone_number: Option<String>,
    name_status: Option<String>,
    code_verification_status: Option<String>,
    quality_rating: Option<String>,
    throughput: Option<Throughput>,
    platform_type: Option<String>,
}

#[derive(Deserialize)]
struct Throughput {
    level: Option<String>,
}

/// Reads Meta's answer to the read of a number. Fields Meta left out are `None`; a field of
/// another type than Meta documents makes the answer unreadable.
pub(super) fn read_number_answer(status: u16, body: &[u8]) -> Result<NumberProfile, GraphFailure> {
    if !(200..300).contains(&status) {
        return read_error(status, body);
    }
    let answer: Answer =
        serde_json::from_slice(body).map_err(|error| GraphFailure::Unreadable {
            status,
            reason: error.to_string(),
        })?;
    Ok(NumberProfile {
        verified_name: answer.verified_name,
        display_phone_number: answer.display_phone_number,
        name_status: answer.name_status,
        code_verification_status: answer.code_verification_status,
        quality_rating: answer.quality_rating,
        throughput_level: answer.throughput.and_then(|throughput| throughput.level),
        platform_type: answer.platform_type,
        read_at: None,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::numbers::{NameStatus, PlatformType, ThroughputLevel};

    #[test]
    fn a_profile_is_read_with_its_throughput_level() {
        let body = br#"{"verified_name":"Jasper's Market","display_phone_number":"+1 631-555-5555",
            "name_status":"APPROVED","code_verification_status":"VERIFIED","quality_rating":"GREEN",
            "throughput":{"level":"STANDARD"},"platform_type":"CLOUD_API","id":"106540352242922"}"#;
        let profile = read_number_answer(200, body).unwrap();
        assert_eq!(profile.verified_name.as_deref(), Some("Jasper's Market"));
        assert_eq!(
            profile.display_phone_number.as_deref(),
            Some("+1 631-555-5555")
        );
        assert_eq!(profile.name_status(), Some(NameStatus::Approved));
        assert_eq!(
            profile.code_verification_status.as_deref(),
            Some("VERIFIED")
        );
        assert_eq!(profile.quality_rating.as_deref(), Some("GREEN"));
        assert_eq!(profile.throughput_level(), Some(ThroughputLevel::Standard));
        assert_eq!(profile.platform_type(), Some(PlatformType::CloudApi));
        assert_eq!(profile.read_at, None);
    }

    #[test]
    fn missing_fields_and_new_values_are_kept_as_they_are() {
        let body = br#"{"id":"1","name_status":"SOMETHING_NEW","throughput":{}}"#;
        let profile = read_number_answer(200, body).unwrap();
        assert_eq!(profile.name_status.as_deref(), Some("SOMETHING_NEW"));
        assert_eq!(profile.throughput_level, None);
        assert_eq!(profile.verified_name, None);
    }

    #[test]
    fn an_error_or_a_strange_answer_is_a_failure() {
        let body = br#"{"error":{"message":"Invalid OAuth access token","type":"OAuthException","code":190,"fbtrace_id":"A"}}"#;
        assert!(matches!(
            read_number_answer(401, body).unwrap_err(),
            GraphFailure::Meta { error, .. } if error.code == 190
        ));
        assert!(matches!(
            read_number_answer(200, br#"{"throughput":"STANDARD"}"#).unwrap_err(),
            GraphFailure::Unreadable { .. }
        ));
        assert!(matches!(
            read_number_answer(200, b"<html>").unwrap_err(),
            GraphFailure::Unreadable { .. }
        ));
    }

    #[test]
    fn the_path_asks_for_every_field() {
        assert_eq!(
            number_path("106540352242922"),
            "106540352242922?fields=verified_name,display_phone_number,name_status,\
             code_verification_status,quality_rating,throughput,platform_type"
        );
    }
}
