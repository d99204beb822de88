//! Every webhook payload in the third-party corpus decodes, round-trips through JSON, and the
//! fields that matter come out right.

#![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

mod decode_common;

use decode_common::{INVALID_JAVA_FILE, Payload, payload, read, webhook_payloads};
use gateway::meta::{
    AccountEvent, DecodeError, DecodedWebhook, DedupeKey, Event, EventKind, InboundEvent,
    InteractiveReply, Message, MessageContent, PricingCategory, PricingType, Status, StatusValue,
    SystemKind, decode_webhook,
};

/// Corpus payloads that are genuinely malformed upstream (placeholders where Meta sends
/// numbers), with the exact rejection they must produce.
const KNOWN_REJECTIONS: &[(&str, &str, &str)] = &[
    (
        "test_build_from_payload_can_build_a_location_notification#0",
        "entry[0].changes[0].value.messages[0]",
        "`location`: invalid value: string, expected a finite number or a string holding one at line 7 column 42",
    ),
    (
        "test_build_from_payload_can_build_an_order_notification#0",
        "entry[0].changes[0].value.messages[0]",
        "`order`: invalid value: string, expected an integer or a string of decimal digits at line 10 column 41",
    ),
];

fn decode(payload: &Payload) -> DecodedWebhook {
    decode_webhook(&payload.body)
        .unwrap_or_else(|e| panic!("{}: whole payload refused: {e}", payload.name))
}

/// The single event of the payload named `suffix` (which must reject nothing).
fn only_event(suffix: &str) -> InboundEvent {
    let decoded = decode(&payload(suffix));
    assert!(decoded.rejected.is_empty(), "{suffix}: {:?}", decoded.rejected);
    assert_eq!(decoded.events.len(), 1, "{suffix}");
    decoded.events.into_iter().next().unwrap()
}

fn as_message(event: &InboundEvent) -> &Message {
    match &event.content {
        Event::Message(message) => message,
        other => panic!("not a message: {other:?}"),
    }
}

fn as_status(event: &InboundEvent) -> &Status {
    match &event.content {
        Event::Status(status) => status,
        other => panic!("not a status: {other:?}"),
    }
}

#[test]
fn every_corpus_webhook_decodes_and_round_trips() {
    let payloads = webhook_payloads();
    assert!(payloads.len() >= 185, "corpus looks incomplete: {} payloads", payloads.len());
    let mut events = 0;
    let mut seen_rejections = 0;
    for payload in &payloads {
        let decoded = decode(payload);
        let known = KNOWN_REJECTIONS
            .iter()
            .find(|(suffix, _, _)| payload.name.ends_with(suffix));
        match known {
            Some((_, path, error)) => {
                assert_eq!(decoded.rejected.len(), 1, "{}", payload.name);
                let rejected = &decoded.rejected[0];
                assert_eq!(rejected.path, *path, "{}", payload.name);
                assert_eq!(rejected.error, *error, "{}", payload.name);
                let raw_message: serde_json::Value = serde_json::from_str(&rejected.raw).unwrap();
                assert_eq!(raw_message["id"], "wamid.ID");
                seen_rejections += 1;
            }
            None => assert!(
                decoded.rejected.is_empty(),
                "{}: {:?}",
                payload.name,
                decoded.rejected
            ),
        }
        for event in &decoded.events {
            assert_eq!(event.kind, event.content.kind(), "{}", payload.name);
            let json = serde_json::to_string(&event.content).unwrap();
            let back: Event = serde_json::from_str(&json).unwrap();
            assert_eq!(back, event.content, "{}: {json}", payload.name);
            match (&event.dedupe_key, &event.content) {
                (DedupeKey::Message(wamid), Event::Message(m)) => {
                    assert_eq!(wamid, &m.id);
                    assert_eq!(event.wamid.as_ref(), Some(wamid));
                    assert_eq!(event.type_name, m.type_name);
                }
                (DedupeKey::Status { wamid, status }, Event::Status(s)) => {
                    assert_eq!(wamid, &s.id);
                    assert_eq!(status, s.status.as_str());
                    assert_eq!(event.type_name, s.status.as_str());
                }
                (DedupeKey::Content(_), Event::Error(_)) => assert_eq!(event.type_name, "error"),
                (DedupeKey::Content(_), Event::Account(_) | Event::Unknown(_)) => {
                    assert_eq!(event.type_name, event.field);
                }
                (key, content) => panic!("{}: key {key:?} for {content:?}", payload.name),
            }
        }
        events += decoded.events.len();
    }
    assert_eq!(seen_rejections, KNOWN_REJECTIONS.len());
    assert!(events >= payloads.len(), "{events} events from {} payloads", payloads.len());
}

#[test]
fn the_invalid_upstream_java_file_is_a_decode_error() {
    let body = read(INVALID_JAVA_FILE);
    assert_eq!(
        decode_webhook(&body),
        Err(DecodeError::NotJson {
            category: "syntax error",
            line: 29,
            column: 1
        })
    );
}

#[test]
fn text_message_with_phone_and_bsuid() {
    let event = only_event("pywa/tests/data/updates/message.json:text");
    assert_eq!(event.kind, EventKind::Message);
    assert_eq!(event.waba_id, "1234567890987654321");
    assert_eq!(event.field, "messages");
    assert_eq!(event.phone_number_id.as_deref(), Some("1122334455667"));
    assert_eq!(event.wamid.as_deref(), Some("wamid.xyzxyz"));
    assert_eq!(event.sender.as_deref(), Some("972987654321"));
    assert_eq!(event.user_id.as_deref(), Some("US.13491208655302741918"));
    assert_eq!(event.timestamp, Some(1_697_043_223));
    assert_eq!(event.type_name, "text");
    assert_eq!(event.dedupe_key, DedupeKey::Message("wamid.xyzxyz".into()));
    let message = as_message(&event);
    let MessageContent::Text(text) = &message.content else {
        panic!("{:?}", message.content)
    };
    assert_eq!(text.body, "Body Text");
    let contact = message.contact.as_ref().unwrap();
    assert_eq!(contact.profile.as_ref().unwrap().name.as_deref(), Some("Test Name"));
    assert_eq!(contact.parent_user_id.as_deref(), Some("US.ENT.11815799212886844830"));
}

#[test]
fn username_only_sender_is_the_bsuid() {
    let event = only_event("With username / has parent bsuid");
    assert_eq!(event.sender.as_deref(), Some("US.13491208655302741918"));
    assert_eq!(event.user_id.as_deref(), Some("US.13491208655302741918"));
    let message = as_message(&event);
    assert_eq!(message.from, None);
    assert_eq!(message.from_parent_user_id.as_deref(), Some("US.ENT.506847293015824"));
    let profile = message.contact.as_ref().unwrap().profile.as_ref().unwrap();
    assert_eq!(profile.username.as_deref(), Some("@testusername"));
    assert_eq!(event.wamid.as_deref(), Some("ABGGFlA5Fpa"));
}

#[test]
fn bsuid_only_message_without_from_uses_the_contact_user_id() {
    let event = only_event("can_build_a_notification_with_bsuid_only_and_no_from#0");
    assert_eq!(event.sender.as_deref(), Some("BSUID_123"));
    assert_eq!(event.user_id.as_deref(), Some("BSUID_123"));
    let event = only_event("can_keep_wa_id_priority_when_user_id_is_present#0");
    assert_eq!(event.sender.as_deref(), Some("PHONE_NUMBER"));
    assert_eq!(event.user_id.as_deref(), Some("BSUID_123"));
}

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
    assert_eq!(status.parent_recipient_user_id.as_deref(), Some("US.ENT.506847293015824"));
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
    assert_eq!(event.sender, status.recipient_id.clone().or(status.recipient_user_id.clone()));
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
    assert_eq!(update.message_template_id.as_deref(), Some("1689556908129832"));
    assert_eq!(update.message_template_category.as_deref(), Some("UTILITY"));
    let event = only_event("deserialization/templateSchedulingForDisabling.json");
    let Event::Account(AccountEvent::MessageTemplateStatusUpdate(update)) = &event.content else {
        panic!("{:?}", event.content)
    };
    assert_eq!(update.reason, None);
    assert_eq!(update.extra["disable_info"]["disable_date"], "January 31, 2021");
}

#[test]
fn other_account_fields() {
    let event = only_event("pywa/tests/data/updates/account_update.json:account_restriction");
    let Event::Account(AccountEvent::AccountUpdate(update)) = &event.content else {
        panic!("{:?}", event.content)
    };
    assert_eq!(update.event.as_deref(), Some("ACCOUNT_RESTRICTION"));
    assert_eq!(update.extra["restriction_info"].as_array().unwrap().len(), 2);
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
    assert!(matches!(event.content, Event::Account(AccountEvent::PhoneNumberNameUpdate(_))));
    let event = only_event("deserialization/accountReview.json");
    assert!(matches!(event.content, Event::Account(AccountEvent::AccountReviewUpdate(_))));
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
    assert_eq!((pref.value.as_deref(), pref.timestamp), (Some("resume"), Some(1_731_705_721)));
}

#[test]
fn unmodelled_fields_are_kept_whole() {
    for (suffix, field) in [
        ("call_connect.json:user_initiated", "calls"),
        ("call_status.json:call_status", "calls"),
        ("outgoing_message.json:edit", "smb_message_echoes"),
        ("webhook_examples.json:Group Create Message", "group_lifecycle_update"),
    ] {
        let event = only_event(suffix);
        assert_eq!(event.kind, EventKind::Unknown, "{suffix}");
        assert_eq!((event.field.as_str(), event.type_name.as_str()), (field, field));
        assert!(event.phone_number_id.is_some(), "{suffix}");
        let Event::Unknown(change) = &event.content else {
            panic!("{:?}", event.content)
        };
        assert_eq!(change.field, field);
        let original: serde_json::Value = serde_json::from_slice(&payload(suffix).body).unwrap();
        assert_eq!(change.value, original["entry"][0]["changes"][0]["value"]);
    }
}

#[test]
fn message_types() {
    let content = |suffix: &str| as_message(&only_event(suffix)).content.clone();
    let MessageContent::Audio(audio) = content("message.json:voice") else { panic!() };
    assert_eq!(audio.voice, Some(true));
    let MessageContent::Sticker(sticker) = content("message.json:animated_sticker") else {
        panic!()
    };
    assert_eq!(sticker.animated, Some(true));
    let MessageContent::Image(image) = content("message.json:media_with_url") else { panic!() };
    assert!(image.url.is_some());
    let MessageContent::Document(document) = content("deserialization/documentMessage.json")
    else {
        panic!()
    };
    assert!(document.filename.is_some());
    let MessageContent::Location(location) = content("message.json:chosen_location") else {
        panic!()
    };
    assert!(location.latitude.is_finite() && location.name.is_some());
    let MessageContent::Contacts(cards) = content("message.json:contacts") else { panic!() };
    assert_eq!(cards.len(), 3);
    assert_eq!(cards[0].phones[0].kind.as_deref(), Some("CELL"));
    let MessageContent::Order(order) = content("message.json:order") else { panic!() };
    assert_eq!(order.product_items.len(), 3);
    assert_eq!(order.product_items[0].quantity, Some(3));
    assert_eq!(order.product_items[0].item_price, Some(30.0));
    let MessageContent::Button(button) = content("callback_button.json:quick_reply") else {
        panic!()
    };
    assert!(button.payload.is_some());
    for (suffix, removal) in [
        ("message.json:reaction", false),
        ("message.json:unreaction_empty", true),
        ("message.json:unreaction_no_emoji", true),
    ] {
        let MessageContent::Reaction(reaction) = content(suffix) else { panic!() };
        assert_eq!(reaction.is_removal(), removal, "{suffix}");
    }
    let MessageContent::Other { kind, payload } = content("deleted_message.json:revoke") else {
        panic!()
    };
    assert_eq!(kind, "revoke");
    assert_eq!(payload.unwrap()["original_message_id"], "<ORIGINAL_WHATSAPP_MESSAGE_ID>");
    let MessageContent::Other { kind, .. } = content("edited_message.json:image") else {
        panic!()
    };
    assert_eq!(kind, "edit");
}

#[test]
fn interactive_replies() {
    let reply = |suffix: &str| match &as_message(&only_event(suffix)).content {
        MessageContent::Interactive(interactive) => interactive.reply.clone(),
        other => panic!("{suffix}: {other:?}"),
    };
    let InteractiveReply::ButtonReply(button) = reply("callback_button.json:button") else {
        panic!()
    };
    assert!(!button.id.is_empty());
    let InteractiveReply::ListReply(list) = reply("callback_selection.json:description") else {
        panic!()
    };
    assert!(list.description.is_some());
    let InteractiveReply::NfmReply(flow) = reply("flow_completion.json:completion") else {
        panic!()
    };
    assert_eq!(flow.name.as_deref(), Some("flow"));
    assert!(flow.response_json.unwrap().contains("flow_token"));
    let InteractiveReply::CallPermissionReply(call) = reply("call_permission_update.json:accept")
    else {
        panic!()
    };
    assert_eq!(call.response.as_deref(), Some("accept"));
    assert_eq!(call.expiration_timestamp, Some(1_753_186_982));
    let event = only_event("Interactive List Reply Message");
    let context = as_message(&event).context.clone().unwrap();
    assert!(context.id.unwrap().starts_with("wamid."));
}

#[test]
fn interactive_without_its_object_next_to_a_value_error_is_kept() {
    let decoded = decode(&payload("message.json:interactive_message_with_err"));
    assert!(decoded.rejected.is_empty());
    let [message_event, error_event] = decoded.events.as_slice() else {
        panic!("{:?}", decoded.events)
    };
    assert_eq!(message_event.type_name, "interactive");
    assert_eq!(
        as_message(message_event).content,
        MessageContent::Other {
            kind: "interactive".into(),
            payload: None
        }
    );
    assert_eq!(error_event.kind, EventKind::ValueError);
    assert_eq!(error_event.type_name, "error");
    let Event::Error(error) = &error_event.content else { panic!() };
    assert_eq!(error.code, 131_000);
    assert_eq!(error.details(), Some("Unsupported webhook payload"));
}

#[test]
fn unsupported_unknown_and_system_messages() {
    let event = only_event("message.json:unsupported_with_type");
    let message = as_message(&event);
    let MessageContent::Unsupported(unsupported) = &message.content else { panic!() };
    assert_eq!(unsupported.kind.as_deref(), Some("pool"));
    assert_eq!(message.errors[0].code, 131_051);
    let event = only_event("deserialization/messageDeleted.json");
    assert!(matches!(as_message(&event).content, MessageContent::Unsupported(_)));
    let event = only_event("can_build_an_unknown_notification#0");
    let message = as_message(&event);
    assert_eq!(message.content, MessageContent::Unknown);
    assert_eq!(message.errors[0].extra["details"], "Message type is not currently supported");
    let event = only_event("system.json:identity_change");
    let message = as_message(&event);
    let MessageContent::System(system) = &message.content else { panic!() };
    assert_eq!(system.kind, Some(SystemKind::CustomerIdentityChanged));
    assert_eq!(message.extra["identity"]["hash"], "xyzxyz");
    let event = only_event("system.json:phone_number_change");
    let MessageContent::System(system) = &as_message(&event).content else { panic!() };
    assert_eq!(system.kind, Some(SystemKind::UserChangedNumber));
    assert_eq!(system.wa_id.as_deref(), Some("972912345678"));
    let event = only_event("can_build_a_system_notification#0");
    assert_eq!(event.timestamp, Some(1_669_233_778));
}

#[test]
fn context_and_referral() {
    let event = only_event("message.json:referral");
    let referral = as_message(&event).referral.clone().unwrap();
    assert_eq!(referral.ctwa_clid.as_deref(), Some("CTWA_CLID"));
    assert_eq!(referral.source_type.as_deref(), Some("ad or post"));
    let event = only_event("Text Message from Click to WhatsApp Ad");
    assert!(as_message(&event).referral.is_some());
    let event = only_event(":test_build_from_payload_can_build_a_notification#0");
    let context = as_message(&event).context.clone().unwrap();
    assert_eq!(context.forwarded, Some(true));
    assert_eq!(context.frequently_forwarded, Some(true));
    assert_eq!(
        context.referred_product.unwrap().product_retailer_id.as_deref(),
        Some("PRODUCT_ID")
    );
}

#[test]
fn two_changes_in_one_entry_give_two_events() {
    let decoded = decode(&payload("can_build_multiple_text_notification#0"));
    let bodies: Vec<&str> = decoded
        .events
        .iter()
        .map(|e| match &as_message(e).content {
            MessageContent::Text(text) => text.body.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(bodies, ["MESSAGE_BODY", "MESSAGE_BODY2"]);
}

#[test]
fn a_retried_account_event_has_the_same_key_and_a_later_one_does_not() {
    let body = payload("account_update.json:account_offboarded").body;
    let first = decode_webhook(&body).unwrap().events.remove(0);
    let again = decode_webhook(&body).unwrap().events.remove(0);
    assert_eq!(first.dedupe_key, again.dedupe_key);
    let text = String::from_utf8(body).unwrap();
    let later = text.replace("1743451903", "1743451904");
    assert_ne!(text, later);
    let later = decode_webhook(later.as_bytes()).unwrap().events.remove(0);
    assert_ne!(first.dedupe_key, later.dedupe_key);
    let other = payload("account_update.json:account_reconnected").body;
    let other = decode_webhook(&other).unwrap().events.remove(0);
    assert_ne!(first.dedupe_key, other.dedupe_key);
}
