#![allow(clippy::unwrap_used, reason = "tests")]

use crate::meta::{AccountUpdate, PhoneNumberNameUpdate, PhoneNumberQualityUpdate};
use crate::numbers::{NumberProblem, ProfileState};
use crate::time::Span;

use super::*;

const START: UnixMs = 1_800_000_000_000;
const SHOP: &str = "106540352242922";
const WABA: &str = "102290129340398";

fn configured() -> Vec<NumberSettings> {
    let mut shop = NumberSettings::default_for(SHOP);
    shop.waba_id = Some(WABA.into());
    shop.display_phone_number = Some("+1 631-555-5555".into());
    vec![shop, NumberSettings::default_for("200")]
}

fn healthy() -> NumberProfile {
    NumberProfile {
        verified_name: Some("Kiosk".into()),
        display_phone_number: Some("+1 631-555-5555".into()),
        name_status: Some("APPROVED".into()),
        code_verification_status: Some("VERIFIED".into()),
        quality_rating: Some("GREEN".into()),
        throughput_level: Some("STANDARD".into()),
        platform_type: Some("CLOUD_API".into()),
        read_at: None,
    }
}

fn event<T: serde::de::DeserializeOwned>(json: &str, wrap: fn(T) -> AccountEvent) -> AccountEvent {
    wrap(serde_json::from_str(json).unwrap())
}

fn name_update(decision: &str) -> AccountEvent {
    event(
        &format!(
            r#"{{"display_phone_number":"16315555555","decision":"{decision}",
                "requested_verified_name":"Kiosk Tokyo","rejection_reason":"NAME_FORMAT_UNACCEPTABLE"}}"#
        ),
        AccountEvent::PhoneNumberNameUpdate as fn(PhoneNumberNameUpdate) -> AccountEvent,
    )
}

fn account_update(json: &str) -> AccountEvent {
    event(
        json,
        AccountEvent::AccountUpdate as fn(AccountUpdate) -> AccountEvent,
    )
}

#[test]
fn configured_numbers_start_unknown_without_problems() {
    let board = Board::new(&configured());
    let shop = board.number(SHOP).unwrap();
    assert!(shop.configured);
    assert_eq!(shop.waba_id.as_deref(), Some(WABA));
    assert_eq!(shop.profile_state(), ProfileState::Unknown);
    assert!(shop.problems().is_empty());
    assert_eq!(board.numbers().count(), 2);
}

#[test]
fn a_read_makes_the_profile_known_and_a_failed_read_unknown_but_kept() {
    let mut board = Board::new(&configured());
    let mut declined = healthy();
    declined.name_status = Some("DECLINED".into());
    board.read_succeeded(SHOP, declined, START);
    let shop = board.number(SHOP).unwrap();
    assert_eq!(shop.profile_state(), ProfileState::Known);
    assert_eq!(shop.profile.read_at, Some(START));
    assert_eq!(shop.problems(), vec![NumberProblem::NameRejected]);

    let later = Span::from_hours(6).after(START);
    board.read_failed(SHOP, "no answer from Meta: no answer within 30 s", later);
    let shop = board.number(SHOP).unwrap();
    assert_eq!(shop.profile_state(), ProfileState::Unknown);
    assert_eq!(
        shop.last_read,
        LastRead::Failed {
            at: later,
            error: "no answer from Meta: no answer within 30 s".into()
        }
    );
    assert_eq!(shop.profile.verified_name.as_deref(), Some("Kiosk"));
    assert_eq!(shop.profile.read_at, Some(START));
}

#[test]
fn a_name_decision_sets_the_name_status_of_the_number_by_its_display_number() {
    let mut board = Board::new(&configured());
    board.read_succeeded(SHOP, healthy(), START);
    let at = START + 1_000;
    assert_eq!(
        board.apply(WABA, &name_update("REJECTED"), at),
        Applied::Numbers(vec![SHOP.into()])
    );
    let shop = board.number(SHOP).unwrap();
    assert_eq!(shop.profile.name_status.as_deref(), Some("DECLINED"));
    assert_eq!(shop.problems(), vec![NumberProblem::NameRejected]);
    let review = shop.name_review.clone().unwrap();
    assert_eq!((review.decision.as_str(), review.at), ("REJECTED", at));
    assert_eq!(
        review.rejection_reason.as_deref(),
        Some("NAME_FORMAT_UNACCEPTABLE")
    );

    board.apply(WABA, &name_update("APPROVED"), at + 1);
    assert!(board.number(SHOP).unwrap().problems().is_empty());

    // An unknown decision is recorded and leaves the status alone.
    board.apply(WABA, &name_update("DEFERRED"), at + 2);
    let shop = board.number(SHOP).unwrap();
    assert_eq!(shop.profile.name_status.as_deref(), Some("APPROVED"));
    assert_eq!(shop.name_review.as_ref().unwrap().decision, "DEFERRED");
}

#[test]
fn a_name_decision_before_any_read_matches_the_configured_number() {
    let mut board = Board::new(&configured());
    board.apply(WABA, &name_update("REJECTED"), START);
    let shop = board.number(SHOP).unwrap();
    assert_eq!(shop.profile_state(), ProfileState::Unknown);
    assert_eq!(shop.problems(), vec![NumberProblem::NameRejected]);
}

#[test]
fn an_event_for_an_unknown_number_changes_nothing() {
    let mut board = Board::new(&configured());
    let before = board.clone();
    let quality = event(
        r#"{"display_phone_number":"4915112345678","event":"FLAGGED","current_limit":"TIER_1K"}"#,
        AccountEvent::PhoneNumberQualityUpdate as fn(PhoneNumberQualityUpdate) -> AccountEvent,
    );
    assert_eq!(
        board.apply(WABA, &quality, START),
        Applied::UnknownNumber("4915112345678".into())
    );
    assert_eq!(board, before);
}

#[test]
fn a_quality_update_is_kept_with_its_limit() {
    let mut board = Board::new(&configured());
    let quality = event(
        r#"{"display_phone_number":"16315555555","event":"THROUGHPUT_UPGRADE",
            "max_daily_conversations_per_business":"TIER_UNLIMITED","current_limit":"TIER_10K"}"#,
        AccountEvent::PhoneNumberQualityUpdate as fn(PhoneNumberQualityUpdate) -> AccountEvent,
    );
    board.apply(WABA, &quality, START);
    let note = board.number(SHOP).unwrap().quality.clone().unwrap();
    assert_eq!(note.event.as_deref(), Some("THROUGHPUT_UPGRADE"));
    assert_eq!(note.messaging_limit.as_deref(), Some("TIER_UNLIMITED"));
    assert_eq!(note.at, START);
    let older = event(
        r#"{"display_phone_number":"16315555555","event":"FLAGGED","current_limit":"TIER_1K"}"#,
        AccountEvent::PhoneNumberQualityUpdate as fn(PhoneNumberQualityUpdate) -> AccountEvent,
    );
    board.apply(WABA, &older, START + 1);
    let note = board.number(SHOP).unwrap().quality.clone().unwrap();
    assert_eq!(note.messaging_limit.as_deref(), Some("TIER_1K"));
}

#[test]
fn offboarding_moves_the_accounts_numbers_away_until_reconnected() {
    let mut board = Board::new(&configured());
    board.read_succeeded(SHOP, healthy(), START);
    assert_eq!(
        board.apply(
            WABA,
            &account_update(r#"{"event":"ACCOUNT_OFFBOARDED"}"#),
            START + 1
        ),
        Applied::Numbers(vec![SHOP.into()])
    );
    let shop = board.number(SHOP).unwrap();
    assert_eq!(shop.moved_away, Some(START + 1));
    assert_eq!(shop.problems(), vec![NumberProblem::ConfiguredElsewhere]);
    // The number without an account is not concerned.
    assert_eq!(board.number("200").unwrap().moved_away, None);
    // A read does not undo it: another provider's number reads as CLOUD_API too.
    board.read_succeeded(SHOP, healthy(), START + 2);
    assert_eq!(board.number(SHOP).unwrap().problems().len(), 1);
    board.apply(
        WABA,
        &account_update(r#"{"event":"ACCOUNT_RECONNECTED"}"#),
        START + 3,
    );
    assert!(board.number(SHOP).unwrap().problems().is_empty());
}

#[test]
fn a_re_registration_moves_only_the_number_it_names() {
    let mut board = Board::new(&configured());
    board.saw_number("300", WABA, Some("16315550000"));
    let update = account_update(
        r#"{"event":"PARTNER_REMOVED","phone_number":"16315550000",
            "disconnection_info":{"reason":"USER_RE_REGISTERED"}}"#,
    );
    assert_eq!(
        board.apply(WABA, &update, START),
        Applied::Numbers(vec!["300".into()])
    );
    assert_eq!(board.number(SHOP).unwrap().moved_away, None);
    assert_eq!(
        board.number("300").unwrap().problems(),
        vec![NumberProblem::ConfiguredElsewhere]
    );
}

#[test]
fn account_notes_are_kept_per_account_and_bounded() {
    let mut board = Board::new(&configured());
    let ban =
        account_update(r#"{"event":"DISABLED_UPDATE","ban_info":{"waba_ban_state":"DISABLE"}}"#);
    assert_eq!(board.apply(WABA, &ban, START), Applied::Numbers(vec![]));
    for i in 0..NOTES_PER_WABA as u64 {
        board.apply(
            "999",
            &account_update(r#"{"event":"AD_ACCOUNT_LINKED"}"#),
            START + i,
        );
    }
    board.apply("999", &ban, START + 100);
    let wabas = board.wabas();
    let ids: Vec<_> = wabas.iter().map(|view| view.waba_id.as_deref()).collect();
    assert_eq!(ids, vec![Some(WABA), Some("999"), None]);
    let shop_account = &wabas[0];
    assert_eq!(shop_account.phone_number_ids, vec![SHOP.to_owned()]);
    assert_eq!(shop_account.name, None);
    assert_eq!(shop_account.notes.len(), 1);
    assert!(shop_account.notes[0].remedy().is_some());
    let other = &wabas[1];
    assert!(other.phone_number_ids.is_empty());
    assert_eq!(other.notes.len(), NOTES_PER_WABA);
    assert_eq!(other.notes.last().unwrap().at, START + 100);
    assert_eq!(wabas[2].phone_number_ids, vec!["200".to_owned()]);
}

#[test]
fn a_number_seen_in_a_webhook_learns_its_account() {
    let mut board = Board::new(&configured());
    board.saw_number("200", WABA, Some("15550001111"));
    board.saw_number("400", WABA, None);
    let state = board.number("200").unwrap();
    assert_eq!(state.waba_id.as_deref(), Some(WABA));
    assert!(state.configured);
    assert!(!board.number("400").unwrap().configured);
    assert_eq!(
        board.wabas()[0].phone_number_ids,
        vec![SHOP.to_owned(), "200".to_owned(), "400".to_owned()]
    );
}

#[test]
fn template_events_are_not_for_numbers() {
    let mut board = Board::new(&configured());
    let template = event(
        r#"{"event":"APPROVED","message_template_id":1,"message_template_name":"x"}"#,
        AccountEvent::MessageTemplateStatusUpdate
            as fn(crate::meta::TemplateStatusUpdate) -> AccountEvent,
    );
    assert_eq!(board.apply(WABA, &template, START), Applied::NotForNumbers);
    assert_eq!(Applied::NotForNumbers.as_str(), "not_for_numbers");
}
