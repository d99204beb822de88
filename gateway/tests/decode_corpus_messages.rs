//! Corpus messages: the fields that matter come out right (senders, BSUIDs, every type).

#![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

mod decode_common;

use decode_common::{as_message, decode, only_event, payload};
use gateway::meta::{DedupeKey, Event, EventKind, InteractiveReply, MessageContent, SystemKind};

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
    assert_eq!(
        contact.profile.as_ref().unwrap().name.as_deref(),
        Some("Test Name")
    );
    assert_eq!(
        contact.parent_user_id.as_deref(),
        Some("US.ENT.11815799212886844830")
    );
}

#[test]
fn username_only_sender_is_the_bsuid() {
    let event = only_event("With username / has parent bsuid");
    assert_eq!(event.sender.as_deref(), Some("US.13491208655302741918"));
    assert_eq!(event.user_id.as_deref(), Some("US.13491208655302741918"));
    let message = as_message(&event);
    assert_eq!(message.from, None);
    assert_eq!(
        message.from_parent_user_id.as_deref(),
        Some("US.ENT.506847293015824")
    );
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
fn message_types() {
    let content = |suffix: &str| as_message(&only_event(suffix)).content.clone();
    let MessageContent::Audio(audio) = content("message.json:voice") else {
        panic!()
    };
    assert_eq!(audio.voice, Some(true));
    let MessageContent::Sticker(sticker) = content("message.json:animated_sticker") else {
        panic!()
    };
    assert_eq!(sticker.animated, Some(true));
    let MessageContent::Image(image) = content("message.json:media_with_url") else {
        panic!()
    };
    assert!(image.url.is_some());
    let MessageContent::Document(document) = content("deserialization/documentMessage.json") else {
        panic!()
    };
    assert!(document.filename.is_some());
    let MessageContent::Location(location) = content("message.json:chosen_location") else {
        panic!()
    };
    assert!(location.latitude.is_finite() && location.name.is_some());
    let MessageContent::Contacts(cards) = content("message.json:contacts") else {
        panic!()
    };
    assert_eq!(cards.len(), 3);
    assert_eq!(cards[0].phones[0].kind.as_deref(), Some("CELL"));
    let MessageContent::Order(order) = content("message.json:order") else {
        panic!()
    };
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
        let MessageContent::Reaction(reaction) = content(suffix) else {
            panic!()
        };
        assert_eq!(reaction.is_removal(), removal, "{suffix}");
    }
    let MessageContent::Other { kind, payload } = content("deleted_message.json:revoke") else {
        panic!()
    };
    assert_eq!(kind, "revoke");
    assert_eq!(
        payload.unwrap()["original_message_id"],
        "<ORIGINAL_WHATSAPP_MESSAGE_ID>"
    );
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
    let Event::Error(error) = &error_event.content else {
        panic!()
    };
    assert_eq!(error.code, 131_000);
    assert_eq!(error.details(), Some("Unsupported webhook payload"));
}

#[test]
fn unsupported_unknown_and_system_messages() {
    let event = only_event("message.json:unsupported_with_type");
    let message = as_message(&event);
    let MessageContent::Unsupported(unsupported) = &message.content else {
        panic!()
    };
    assert_eq!(unsupported.kind.as_deref(), Some("pool"));
    assert_eq!(message.errors[0].code, 131_051);
    let event = only_event("deserialization/messageDeleted.json");
    assert!(matches!(
        as_message(&event).content,
        MessageContent::Unsupported(_)
    ));
    let event = only_event("can_build_an_unknown_notification#0");
    let message = as_message(&event);
    assert_eq!(message.content, MessageContent::Unknown);
    assert_eq!(
        message.errors[0].extra["details"],
        "Message type is not currently supported"
    );
    let event = only_event("system.json:identity_change");
    let message = as_message(&event);
    let MessageContent::System(system) = &message.content else {
        panic!()
    };
    assert_eq!(system.kind, Some(SystemKind::CustomerIdentityChanged));
    assert_eq!(message.extra["identity"]["hash"], "xyzxyz");
    let event = only_event("system.json:phone_number_change");
    let MessageContent::System(system) = &as_message(&event).content else {
        panic!()
    };
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
        context
            .referred_product
            .unwrap()
            .product_retailer_id
            .as_deref(),
        Some("PRODUCT_ID")
    );
}
