//! `Event` written as JSON (what `export` prints) and read back is equal, for every variant, and
//! the JSON has the documented shape.

#![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

use gateway::meta::{
    AccountEvent, AccountUpdate, Button, ButtonReply, CallPermissionReply, Contact, ContactName,
    ContactPhone, Context, Conversation, ConversationOrigin, ErrorData, Event, GraphError,
    Interactive, InteractiveReply, ListReply, Location, Media, Message, MessageContent, NfmReply,
    Order, Pricing, PricingCategory, PricingType, ProductItem, Profile, Reaction, Referral,
    SharedContact, Status, StatusValue, System, SystemKind, TemplateStatusUpdate, Text,
    UnknownChange, Unsupported, decode_webhook,
};
use serde_json::{Map, Value, json};

fn extra(key: &str) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert(key.to_owned(), json!({"kept": [1, "two", null, 3.5]}));
    map
}

fn round_trip(event: &Event) -> String {
    let text = serde_json::to_string(event).unwrap();
    let back: Event = serde_json::from_str(&text).unwrap();
    assert_eq!(&back, event, "{text}");
    // And once more: the JSON form is stable.
    assert_eq!(serde_json::to_string(&back).unwrap(), text);
    text
}

fn media(id: &str) -> Media {
    Media {
        id: id.to_owned(),
        mime_type: Some("audio/ogg; codecs=opus".into()),
        sha256: Some("SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=".into()),
        url: Some("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1".into()),
        caption: None,
        filename: None,
        voice: Some(true),
        animated: None,
        extra: extra("media_extra"),
    }
}

fn message(content: MessageContent) -> Event {
    Event::Message(Box::new(Message {
        id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=".into(),
        type_name: "text".into(),
        from: None,
        from_user_id: Some("US.13491208655302741918".into()),
        from_parent_user_id: Some("US.ENT.506847293015824".into()),
        timestamp: Some(1_749_416_383),
        context: Some(Context {
            from: Some("15550783881".into()),
            id: Some("wamid.ctx".into()),
            forwarded: Some(true),
            frequently_forwarded: None,
            referred_product: None,
            extra: extra("context_extra"),
        }),
        referral: Some(Referral {
            source_url: Some("https://fb.me/x".into()),
            source_id: Some("1".into()),
            source_type: Some("ad".into()),
            body: None,
            headline: Some("Héadline ✓ \u{1F600}".into()),
            media_type: Some("image".into()),
            image_url: None,
            video_url: None,
            thumbnail_url: None,
            ctwa_clid: Some("clid".into()),
            welcome_message: None,
            extra: Map::new(),
        }),
        errors: vec![GraphError {
            code: 131_051,
            title: Some("Message type unknown".into()),
            message: None,
            error_data: Some(ErrorData {
                details: Some("Message type is currently not supported.".into()),
                extra: extra("error_data_extra"),
            }),
            href: None,
            extra: extra("error_extra"),
        }],
        content,
        contact: Some(Contact {
            profile: Some(Profile {
                name: Some("Sheena \"Nelson\"".into()),
                username: Some("@sheena".into()),
                extra: Map::new(),
            }),
            wa_id: None,
            user_id: Some("US.13491208655302741918".into()),
            parent_user_id: None,
            identity_key_hash: Some("abc".into()),
            extra: extra("contact_extra"),
        }),
        extra: extra("identity"),
    }))
}

fn all_message_contents() -> Vec<MessageContent> {
    vec![
        MessageContent::Text(Text {
            body: "line one\nline two \\ \u{0}".into(),
            extra: extra("preview"),
        }),
        MessageContent::Image(media("i")),
        MessageContent::Audio(media("a")),
        MessageContent::Video(media("v")),
        MessageContent::Document(Media {
            filename: Some("invoice.pdf".into()),
            ..media("d")
        }),
        MessageContent::Sticker(Media {
            animated: Some(false),
            ..media("s")
        }),
        MessageContent::Location(Location {
            latitude: 37.483_920_481_234_56,
            longitude: -122.148_393_7,
            name: Some("Meta HQ".into()),
            address: None,
            url: None,
            extra: Map::new(),
        }),
        MessageContent::Contacts(vec![SharedContact {
            name: Some(ContactName {
                formatted_name: Some("Chandler Bing".into()),
                first_name: Some("Chandler".into()),
                last_name: None,
                middle_name: None,
                prefix: None,
                suffix: None,
                extra: Map::new(),
            }),
            phones: vec![ContactPhone {
                phone: Some("+1 555".into()),
                wa_id: None,
                kind: Some("CELL".into()),
                extra: Map::new(),
            }],
            emails: vec![],
            addresses: vec![],
            org: None,
            urls: vec![],
            birthday: Some("1989-03-16".into()),
            extra: extra("card"),
        }]),
        MessageContent::Interactive(Interactive {
            reply: InteractiveReply::ButtonReply(ButtonReply {
                id: "yes".into(),
                title: Some("Yes".into()),
                extra: Map::new(),
            }),
            extra: extra("interactive_extra"),
        }),
        MessageContent::Interactive(Interactive {
            reply: InteractiveReply::ListReply(ListReply {
                id: "row".into(),
                title: None,
                description: Some("d".into()),
                extra: Map::new(),
            }),
            extra: Map::new(),
        }),
        MessageContent::Interactive(Interactive {
            reply: InteractiveReply::NfmReply(NfmReply {
                name: Some("flow".into()),
                body: Some("Sent".into()),
                response_json: Some(r#"{"flow_token":"t"}"#.into()),
                extra: Map::new(),
            }),
            extra: Map::new(),
        }),
        MessageContent::Interactive(Interactive {
            reply: InteractiveReply::CallPermissionReply(CallPermissionReply {
                response: Some("accept".into()),
                expiration_timestamp: Some(1_753_186_982),
                response_source: None,
                extra: Map::new(),
            }),
            extra: Map::new(),
        }),
        MessageContent::Interactive(Interactive {
            reply: InteractiveReply::Other {
                kind: "carousel_reply".into(),
                payload: Some(json!({"id": 1})),
            },
            extra: Map::new(),
        }),
        MessageContent::Button(Button {
            text: Some("No".into()),
            payload: None,
            extra: Map::new(),
        }),
        MessageContent::Reaction(Reaction {
            message_id: "wamid.r".into(),
            emoji: None,
            extra: Map::new(),
        }),
        MessageContent::Order(Order {
            catalog_id: Some("354160437058781".into()),
            text: None,
            product_items: vec![ProductItem {
                product_retailer_id: Some("SKU".into()),
                quantity: Some(3),
                item_price: Some(30.5),
                currency: Some("ILS".into()),
                extra: Map::new(),
            }],
            extra: Map::new(),
        }),
        MessageContent::System(System {
            kind: Some(SystemKind::UserChangedUserId),
            body: None,
            wa_id: None,
            user_id: Some("US.2".into()),
            parent_user_id: None,
            previous_user_id: Some("US.1".into()),
            customer: None,
            identity: None,
            extra: Map::new(),
        }),
        MessageContent::System(System {
            kind: Some(SystemKind::Other("future_change".into())),
            body: Some("b".into()),
            wa_id: None,
            user_id: None,
            parent_user_id: None,
            previous_user_id: None,
            customer: None,
            identity: None,
            extra: Map::new(),
        }),
        MessageContent::Unsupported(Unsupported {
            kind: Some("poll_creation".into()),
            extra: Map::new(),
        }),
        MessageContent::Unsupported(Unsupported::default()),
        MessageContent::RequestWelcome,
        MessageContent::Unknown,
        MessageContent::Other {
            kind: "revoke".into(),
            payload: Some(json!({"original_message_id": "wamid.o"})),
        },
        MessageContent::Other {
            kind: "interactive".into(),
            payload: None,
        },
    ]
}

#[test]
fn every_message_content_round_trips() {
    for content in all_message_contents() {
        round_trip(&message(content));
    }
}

#[test]
fn statuses_errors_account_and_unknown_round_trip() {
    let status = Status {
        id: "wamid.s".into(),
        status: StatusValue::Other("pending_review".into()),
        timestamp: Some(1),
        recipient_id: None,
        recipient_user_id: Some("US.1".into()),
        parent_recipient_user_id: None,
        recipient_type: Some("group".into()),
        recipient_participant_id: None,
        biz_opaque_callback_data: Some("opaque".into()),
        conversation: Some(Conversation {
            id: Some("c".into()),
            expiration_timestamp: Some(2),
            origin: Some(ConversationOrigin {
                kind: Some("referral_conversion".into()),
                extra: Map::new(),
            }),
            extra: Map::new(),
        }),
        pricing: Some(Pricing {
            billable: Some(false),
            pricing_model: Some("PMP".into()),
            kind: Some(PricingType::FreeEntryPoint),
            category: Some(PricingCategory::AuthenticationInternational),
            extra: Map::new(),
        }),
        errors: vec![],
        contact: None,
        extra: extra("recipient_identity_key_hash"),
    };
    let text = round_trip(&Event::Status(Box::new(status)));
    assert!(
        text.contains(r#""category":"authentication-international""#),
        "{text}"
    );
    round_trip(&Event::Error(GraphError {
        code: 130_429,
        title: Some("Rate limit hit".into()),
        message: None,
        error_data: None,
        href: None,
        extra: Map::new(),
    }));
    round_trip(&Event::Account(AccountEvent::MessageTemplateStatusUpdate(
        TemplateStatusUpdate {
            event: Some("APPROVED".into()),
            message_template_id: Some("1689556908129832".into()),
            message_template_name: Some("order_confirmation".into()),
            message_template_language: Some("en_US".into()),
            message_template_category: Some("UTILITY".into()),
            reason: None,
            extra: extra("rejection_info"),
        },
    )));
    round_trip(&Event::Account(AccountEvent::AccountUpdate(
        AccountUpdate {
            event: Some("ACCOUNT_RESTRICTION".into()),
            phone_number: None,
            extra: extra("restriction_info"),
        },
    )));
    round_trip(&Event::Unknown(UnknownChange {
        field: "calls".into(),
        value: json!({"calls": [{"id": "wacid.1", "duration": 120, "big": 18_446_744_073_709_551_615_u64, "f": -0.5}]}),
    }));
}

#[test]
fn json_shape_is_the_documented_one() {
    let event = message(MessageContent::Text(Text {
        body: "hi".into(),
        extra: Map::new(),
    }));
    let value: Value = serde_json::to_value(&event).unwrap();
    let message = &value["message"];
    assert_eq!(message["type"], "text");
    assert_eq!(message["content"], json!({"text": {"body": "hi"}}));
    assert_eq!(message["timestamp"], 1_749_416_383);
    assert_eq!(message["contact"]["profile"]["username"], "@sheena");
    assert_eq!(message["identity"], json!({"kept": [1, "two", null, 3.5]}));
    assert_eq!(message["errors"][0]["error_extra"]["kept"][1], "two");
    assert!(
        message.get("from").is_none(),
        "absent optional fields are omitted"
    );
    let unit = serde_json::to_value(MessageContent::RequestWelcome).unwrap();
    assert_eq!(unit, json!("request_welcome"));
    let error = serde_json::to_value(Event::Error(GraphError {
        code: 1,
        title: None,
        message: None,
        error_data: None,
        href: None,
        extra: Map::new(),
    }))
    .unwrap();
    assert_eq!(error, json!({"error": {"code": 1}}));
}

#[test]
fn decoded_lenient_values_are_written_typed() {
    let body = json!({"object": "whatsapp_business_account", "entry": [{"id": 12345, "time": "77", "changes": [
        {"field": "messages", "value": {"messages": [
            {"from": "1", "id": "w", "timestamp": "1700000000", "type": "location",
             "location": {"latitude": "37.5", "longitude": -122}}
        ]}},
        {"field": "message_template_status_update", "value": {"event": "APPROVED", "message_template_id": 906}}
    ]}]})
    .to_string();
    let decoded = decode_webhook(body.as_bytes()).unwrap();
    assert_eq!(decoded.events[0].waba_id, "12345");
    let message = serde_json::to_value(&decoded.events[0].content).unwrap();
    assert_eq!(message["message"]["timestamp"], 1_700_000_000);
    assert_eq!(message["message"]["content"]["location"]["latitude"], 37.5);
    assert_eq!(
        message["message"]["content"]["location"]["longitude"],
        -122.0
    );
    assert_eq!(decoded.events[1].timestamp, Some(77));
    let account = serde_json::to_value(&decoded.events[1].content).unwrap();
    assert_eq!(
        account["account"]["message_template_status_update"]["message_template_id"],
        "906"
    );
    for event in &decoded.events {
        round_trip(&event.content);
    }
}
