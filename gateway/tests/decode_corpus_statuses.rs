//! Corpus statuses and account-level changes: recipients, pricing, error codes, templates.

#![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

mod decode_common;

use decode_common::{as_status, only_event};
use gateway::meta::{
    AccountEvent, DedupeKey, Event, EventKind, PricingCategory, PricingType, StatusValue,
};

#[test]
fn sent_status_to_a_bsuid_with_pmp_pricing() {
    let event = only_event("Sent status / With phone / Has parent bsuid / was sent to bsuid");
    assert_eq!(event.kind, EventKind::Status);
    assert_eq!(event.type_name, "sent");
    assert_eq!(event.sender.as_deref(), Some("US.13491208655302741918"));
    assert_eq!(event.user_id.as_deref(), Some("US.13491208655302741918"));
    assert_eq!(
        event.dedupe_key,
        DedupeKey::Status {
            wamid: "ABGGFlA5Fpa".into(),
            status: "sent".into()
        }
    );
    let status = as_status(&event);
    assert_eq!(status.status, StatusValue::Sent);
    assert_eq!(status.recipient_id, None);
    assert_eq!(
        status.parent_recipient_user_id.as_deref(),
        Some("US.ENT.506847293015824")
    );
    let pricing = status.pricing.as_ref().unwrap();
    assert_eq!(pricing.kind, Some(PricingType::Regular));
    assert_eq!(pricing.category, Some(PricingCategory::Marketing));
    assert_eq!(pricing.pricing_model.as_deref(), Some("PMP"));
    assert_eq!(pricing.billable, Some(true));
    let conversation = status.conversation.as_ref().unwrap();
    assert_eq!(conversation.expiration_timestamp, Some(1_504_903_988));
    assert_eq!(
        conversation.origin.as_ref().unwrap().kind.as_deref(),
        Some("marketing")
    );
}

#[test]
fn status_to_a_phone_keeps_the_contact_bsuid() {
    let event = only_event("whatsapp-api-js/test/payloads/v25/delivered.json");
    assert_eq!(event.type_name, "delivered");
    let status = as_status(&event);
    assert_eq!(
        event.sender,
        status
            .recipient_id
            .clone()
            .or(status.recipient_user_id.clone())
    );
    assert!(event.user_id.is_some());
}

#[test]
fn failed_statuses_carry_their_error_codes() {
    let event = only_event("deserialization/reEngagementMessageError.json");
    assert_eq!(event.type_name, "failed");
    let status = as_status(&event);
    assert_eq!(status.status, StatusValue::Failed);
    assert_eq!(status.errors[0].code, 131_047);
    assert!(status.errors[0].details().unwrap().contains("24 hours"));
    let event = only_event("deserialization/mediaUploadError.json");
    assert_eq!(as_status(&event).errors[0].code, 131_053);
    let event = only_event("can_build_a_status_notification_with_errors#0");
    let error = &as_status(&event).errors[0];
    assert_eq!((error.code, error.message.as_deref()), (131_053, None));
    let event = only_event("pywa/tests/data/updates/message_status.json:failed");
    assert_eq!(as_status(&event).errors[0].code, 130_472);
}

#[test]
fn cbp_pricing_and_group_statuses() {
    let event = only_event("can_build_an_authentication_status_notification#0");
    let pricing = as_status(&event).pricing.clone().unwrap();
    assert_eq!(pricing.pricing_model.as_deref(), Some("CBP"));
    assert_eq!(pricing.category, Some(PricingCategory::Authentication));
    assert_eq!(pricing.kind, None);
    let event = only_event("pywa/tests/data/updates/message_status.json:group");
    let status = as_status(&event);
    assert_eq!(status.recipient_type.as_deref(), Some("group"));
    assert_eq!(
        status.recipient_participant_id.as_deref(),
        Some("<GROUP_PARTICIPANT_USER_PHONE_NUMBER>")
    );
    assert_eq!(status.extra["recipient_participant_user_id"], "US.123456");
    let event = only_event("pywa/tests/data/updates/message_status.json:played");
    assert_eq!(as_status(&event).status, StatusValue::Played);
}

#[test]
fn template_status_update_is_an_account_event() {
    let event = only_event("pywa/tests/data/updates/template_status_update.json:approved");
    assert_eq!(event.kind, EventKind::Account);
    assert_eq!(event.field, "message_template_status_update");
    assert_eq!(event.type_name, "message_template_status_update");
    assert_eq!(event.timestamp, Some(1_751_247_548));
    assert_eq!((event.wamid.as_ref(), event.sender.as_ref()), (None, None));
    assert!(matches!(event.dedupe_key, DedupeKey::Content(_)));
    let Event::Account(AccountEvent::MessageTemplateStatusUpdate(update)) = &event.content else {
        panic!("{:?}", event.content)
    };
    assert_eq!(update.event.as_deref(), Some("APPROVED"));
    assert_eq!(
        update.message_template_id.as_deref(),
        Some("1689556908129832")
    );
    assert_eq!(update.message_template_category.as_deref(), Some("UTILITY"));
    let event = only_event("deserialization/templateSchedulingForDisabling.json");
    let Event::Account(AccountEvent::MessageTemplateStatusUpdate(update)) = &event.content else {
        panic!("{:?}", event.content)
    };
    assert_eq!(update.reason, None);
    assert_eq!(
        update.extra["disable_info"]["disable_date"],
        "January 31, 2021"
    );
}

#[test]
fn other_account_fields() {
    let event = only_event("pywa/tests/data/updates/account_update.json:account_restriction");
    let Event::Account(AccountEvent::AccountUpdate(update)) = &event.content else {
        panic!("{:?}", event.content)
    };
    assert_eq!(update.event.as_deref(), Some("ACCOUNT_RESTRICTION"));
    assert_eq!(
        update.extra["restriction_info"].as_array().unwrap().len(),
        2
    );
    let event = only_event("deserialization/accountRestricted.json");
    assert_eq!(event.type_name, "account_update");
    let event = only_event("template_category_update.json:marketing");
    let Event::Account(AccountEvent::TemplateCategoryUpdate(update)) = &event.content else {
        panic!("{:?}", event.content)
    };
    assert_eq!(update.new_category.as_deref(), Some("MARKETING"));
    assert_eq!(update.message_template_id.as_deref(), Some("12345678"));
    let event = only_event("template_quality_update.json:yellow");
    let Event::Account(AccountEvent::MessageTemplateQualityUpdate(update)) = &event.content else {
        panic!("{:?}", event.content)
    };
    assert_eq!(update.new_quality_score.as_deref(), Some("YELLOW"));
    let event = only_event("deserialization/qualityUpdate.json");
    let Event::Account(AccountEvent::PhoneNumberQualityUpdate(update)) = &event.content else {
        panic!("{:?}", event.content)
    };
    assert_eq!(update.current_limit.as_deref(), Some("TIER_10K"));
    let event = only_event("deserialization/phoneNumberNameUpdate.json");
    assert!(matches!(
        event.content,
        Event::Account(AccountEvent::PhoneNumberNameUpdate(_))
    ));
    let event = only_event("deserialization/accountReview.json");
    assert!(matches!(
        event.content,
        Event::Account(AccountEvent::AccountReviewUpdate(_))
    ));
    let event = only_event("template_components_update.json:element");
    assert!(matches!(
        event.content,
        Event::Account(AccountEvent::MessageTemplateComponentsUpdate(_))
    ));
    let event = only_event("user_marketing_preferences.json:resume");
    assert_eq!(event.phone_number_id.as_deref(), Some("106540352242922"));
    let Event::Account(AccountEvent::UserPreferences(prefs)) = &event.content else {
        panic!("{:?}", event.content)
    };
    let pref = &prefs.user_preferences[0];
    assert_eq!(
        (pref.value.as_deref(), pref.timestamp),
        (Some("resume"), Some(1_731_705_721))
    );
}
