//! What Meta says of a business number: the answer to
//! `GET /{version}/{phone_number_id}?fields=verified_name,display_phone_number,name_status,code_verification_status,quality_rating,throughput,platform_type`.
//!
//! Meta's values are open sets (it adds values without notice), so the profile keeps each one
//! exactly as sent; the typed helpers read them into open enums that keep unknown values.

use crate::meta::open_enum::open_enum;
use crate::time::UnixMs;

open_enum! {
    /// `name_status`: where the display name's review stands. Meta's display-name page:
    /// approval sets `APPROVED`; a rejection (`decision=REJECTED` in the
    /// `phone_number_name_update` webhook) sets `DECLINED`.
    pub enum NameStatus {
        /// The name was approved.
        Approved = "APPROVED",
        /// The name can be used without a review.
        AvailableWithoutReview = "AVAILABLE_WITHOUT_REVIEW",
        /// The name was rejected.
        Declined = "DECLINED",
        /// The approved name expired before the number was registered with it.
        Expired = "EXPIRED",
        /// Meta is reviewing the name.
        PendingReview = "PENDING_REVIEW",
        /// No name was submitted.
        None = "NONE",
    }
}

open_enum! {
    /// `code_verification_status`: whether the number was verified with a code by SMS or voice
    /// call. "Only phone numbers with a VERIFIED status can be registered."
    pub enum CodeVerificationStatus {
        /// Not verified yet.
        NotVerified = "NOT_VERIFIED",
        /// Verified.
        Verified = "VERIFIED",
        /// The verification expired.
        Expired = "EXPIRED",
    }
}

open_enum! {
    /// `quality_rating`.
    pub enum QualityRating {
        /// High quality.
        Green = "GREEN",
        /// Medium quality.
        Yellow = "YELLOW",
        /// Low quality.
        Red = "RED",
        /// Not rated yet.
        Unknown = "UNKNOWN",
    }
}

open_enum! {
    /// `throughput.level`: 80 messages per second by default, up to 1,000 after Meta's upgrade.
    pub enum ThroughputLevel {
        /// The default throughput.
        Standard = "STANDARD",
        /// The upgraded throughput.
        High = "HIGH",
        /// The number does not send through the Cloud API.
        NotApplicable = "NOT_APPLICABLE",
    }
}

open_enum! {
    /// `platform_type`: the platform the number is registered with.
    pub enum PlatformType {
        /// Meta's Cloud API (the gateway's platform).
        CloudApi = "CLOUD_API",
        /// The On-Premises API, which another system runs.
        OnPremise = "ON_PREMISE",
        /// Registered with neither.
        NotApplicable = "NOT_APPLICABLE",
    }
}

/// What Meta says of a number, each value as sent (`None`: Meta did not say).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NumberProfile {
    /// The approved display name.
    pub verified_name: Option<String>,
    /// The number as Meta shows it (`+1 631-555-5555`).
    pub display_phone_number: Option<String>,
    /// See [`NameStatus`].
    pub name_status: Option<String>,
    /// See [`CodeVerificationStatus`].
    pub code_verification_status: Option<String>,
    /// See [`QualityRating`].
    pub quality_rating: Option<String>,
    /// `throughput.level`; see [`ThroughputLevel`].
    pub throughput_level: Option<String>,
    /// See [`PlatformType`].
    pub platform_type: Option<String>,
    /// When Meta's answer was read (`None` until the registry records it: the Graph client has
    /// no clock).
    pub read_at: Option<UnixMs>,
}

impl NumberProfile {
    /// [`Self::name_status`], typed.
    pub fn name_status(&self) -> Option<NameStatus> {
        self.name_status.as_deref().map(NameStatus::from_wire)
    }

    /// [`Self::code_verification_status`], typed.
    pub fn code_verification_status(&self) -> Option<CodeVerificationStatus> {
        self.code_verification_status
            .as_deref()
            .map(CodeVerificationStatus::from_wire)
    }

    /// [`Self::quality_rating`], typed.
    pub fn quality_rating(&self) -> Option<QualityRating> {
        self.quality_rating.as_deref().map(QualityRating::from_wire)
    }

    /// [`Self::throughput_level`], typed.
    pub fn throughput_level(&self) -> Option<ThroughputLevel> {
        self.throughput_level
            .as_deref()
            .map(ThroughputLevel::from_wire)
    }

    /// [`Self::platform_type`], typed.
    pub fn platform_type(&self) -> Option<PlatformType> {
        self.platform_type.as_deref().map(PlatformType::from_wire)
    }
}

/// A phone number's digits only: Meta writes `+1 631-555-5555` in the number's profile and
/// `16315555555` in webhooks; both give `16315555555`.
pub fn phone_digits(number: &str) -> String {
    number.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_helpers_keep_unknown_values() {
        let profile = NumberProfile {
            name_status: Some("PENDING_REVIEW".into()),
            code_verification_status: Some("VERIFIED".into()),
            quality_rating: Some("PURPLE".into()),
            throughput_level: Some("HIGH".into()),
            platform_type: Some("CLOUD_API".into()),
            ..NumberProfile::default()
        };
        assert_eq!(profile.name_status(), Some(NameStatus::PendingReview));
        assert_eq!(
            profile.code_verification_status(),
            Some(CodeVerificationStatus::Verified)
        );
        assert_eq!(
            profile.quality_rating(),
            Some(QualityRating::Other("PURPLE".into()))
        );
        assert_eq!(profile.throughput_level(), Some(ThroughputLevel::High));
        assert_eq!(profile.platform_type(), Some(PlatformType::CloudApi));
        assert_eq!(PlatformType::OnPremise.as_str(), "ON_PREMISE");
        assert_eq!(NumberProfile::default().name_status(), None);
    }

    #[test]
    fn digits_match_across_meta_spellings() {
        assert_eq!(phone_digits("+1 631-555-5555"), "16315555555");
        assert_eq!(phone_digits("16315555555"), "16315555555");
    }
}
