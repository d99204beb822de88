#![allow(clippy::unwrap_used, reason = "tests")]

use proptest::prelude::*;

use super::*;

const T0: UnixMs = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const H: u64 = HOUR_MS;
const MARKETING: OutgoingKind = OutgoingKind::Template {
    category: TemplateCategory::Marketing,
};
const UTILITY: OutgoingKind = OutgoingKind::Template {
    category: TemplateCategory::Utility,
};
const AUTHENTICATION: OutgoingKind = OutgoingKind::Template {
    category: TemplateCategory::Authentication,
};
const AD: Option<EntryPoint> = Some(EntryPoint::ClickToWhatsAppAd);

fn wrote_at(at: UnixMs) -> WindowState {
    WindowState::default().on_customer_message(at, None)
}

#[test]
fn window_is_open_until_one_millisecond_before_24_hours() {
    let state = wrote_at(T0);
    let verdict = state.assess(T0 + 24 * H - 1, OutgoingKind::FreeForm);
    assert!(verdict.free_form_allowed);
    assert!(!verdict.template_required);
    assert_eq!(verdict.csw_open_until, Some(T0 + 24 * H));
    assert!(verdict.free_of_charge);
    assert_eq!(verdict.pricing, Some(ExpectedPricing::FreeCustomerService));
}

#[test]
fn window_closes_at_exactly_24_hours() {
    let state = wrote_at(T0);
    let verdict = state.assess(T0 + 24 * H, OutgoingKind::FreeForm);
    assert!(!verdict.free_form_allowed);
    assert!(verdict.template_required);
    assert_eq!(verdict.csw_open_until, None);
    assert!(!verdict.free_of_charge);
    assert_eq!(verdict.pricing, None);
    assert_eq!(
        verdict.reason,
        WindowReason::CustomerServiceWindowClosed {
            last_customer_message_at: T0,
            closed_at: T0 + 24 * H
        }
    );
    let refusal = state
        .check(T0 + 24 * H, OutgoingKind::FreeForm)
        .unwrap_err();
    assert_eq!(
        refusal.to_string(),
        "the customer-service window closed at 2026-01-02T00:00:00Z (24 h after the customer \
         last wrote, at 2026-01-01T00:00:00Z); outside it only an approved template can be \
         sent, or wait for the customer to write"
    );
}

#[test]
fn a_second_customer_message_restarts_the_window() {
    let state = wrote_at(T0).on_customer_message(T0 + 20 * H, None);
    assert!(
        state
            .assess(T0 + 44 * H - 1, OutgoingKind::FreeForm)
            .free_form_allowed
    );
    assert!(
        !state
            .assess(T0 + 44 * H, OutgoingKind::FreeForm)
            .free_form_allowed
    );
}

#[test]
fn a_late_delivered_older_message_does_not_shorten_the_window() {
    let state = wrote_at(T0 + 20 * H).on_customer_message(T0, None);
    assert_eq!(state.last_customer_message_at, Some(T0 + 20 * H));
    assert!(
        state
            .assess(T0 + 30 * H, OutgoingKind::FreeForm)
            .free_form_allowed
    );
}

#[test]
fn a_clock_behind_the_customer_message_counts_as_inside_the_window() {
    let state = wrote_at(T0);
    assert!(
        state
            .assess(T0 - 5_000, OutgoingKind::FreeForm)
            .free_form_allowed
    );
}

#[test]
fn a_business_message_never_opens_or_extends_the_window() {
    let never_wrote = WindowState::default().on_business_message(T0);
    assert_eq!(never_wrote, WindowState::default());
    let refusal = never_wrote.check(T0, OutgoingKind::FreeForm).unwrap_err();
    assert_eq!(refusal, WindowRefusal::NoCustomerMessage);
    assert!(refusal.to_string().contains("only an approved template"));

    let wrote = wrote_at(T0).on_business_message(T0 + 23 * H);
    assert_eq!(wrote.csw_closes_at(), Some(T0 + 24 * H));
    assert!(wrote.check(T0 + 24 * H, OutgoingKind::FreeForm).is_err());
}

#[test]
fn templates_are_allowed_outside_the_window_and_charged() {
    let state = wrote_at(T0);
    for kind in [MARKETING, UTILITY, AUTHENTICATION] {
        let verdict = state.check(T0 + 30 * H, kind).unwrap();
        assert!(verdict.template_required);
        assert!(!verdict.free_of_charge, "{kind:?}");
        assert_eq!(verdict.pricing, Some(ExpectedPricing::Regular));
    }
}

#[test]
fn inside_the_window_only_utility_templates_are_free() {
    let state = wrote_at(T0);
    let now = T0 + H;
    assert!(state.assess(now, UTILITY).free_of_charge);
    assert_eq!(
        state.assess(now, UTILITY).pricing,
        Some(ExpectedPricing::FreeCustomerService)
    );
    assert!(!state.assess(now, MARKETING).free_of_charge);
    assert!(!state.assess(now, AUTHENTICATION).free_of_charge);
}

#[test]
fn an_answer_one_millisecond_before_24_hours_opens_the_fep_window() {
    let offered = WindowState::default().on_customer_message(T0, AD);
    let answer_at = T0 + 24 * H - 1;
    let verdict = offered.assess(answer_at, MARKETING);
    assert_eq!(verdict.fep_answer_by, Some(T0 + 24 * H));
    assert!(verdict.free_of_charge);
    assert_eq!(verdict.pricing, Some(ExpectedPricing::FreeEntryPoint));

    let answered = offered.on_business_message(answer_at);
    assert_eq!(
        answered.free_entry_point,
        Some(FepState::Open {
            entry_point: EntryPoint::ClickToWhatsAppAd,
            opened_at: answer_at
        })
    );
}

#[test]
fn an_answer_at_exactly_24_hours_is_too_late() {
    let offered = WindowState::default().on_customer_message(T0, AD);
    let verdict = offered.assess(T0 + 24 * H, MARKETING);
    assert_eq!(verdict.fep_answer_by, None);
    assert!(!verdict.free_of_charge);
    let late = offered.on_business_message(T0 + 24 * H);
    assert_eq!(late, offered);
    assert_eq!(late.assess(T0 + 25 * H, MARKETING).fep_open_until, None);
}

#[test]
fn the_fep_window_lasts_72_hours_from_the_answer_and_covers_templates_only() {
    let answer_at = T0 + 2 * H;
    let state = WindowState::default()
        .on_customer_message(T0, AD)
        .on_business_message(answer_at);
    let closes = answer_at + 72 * H;

    // After the CSW closed, templates are still free while the FEP window is open...
    let late = state.assess(closes - 1, MARKETING);
    assert!(late.template_required);
    assert_eq!(late.fep_open_until, Some(closes));
    assert!(late.free_of_charge);
    assert_eq!(late.pricing, Some(ExpectedPricing::FreeEntryPoint));
    // ...but free-form messages still need the CSW.
    assert!(state.check(closes - 1, OutgoingKind::FreeForm).is_err());

    let closed = state.assess(closes, MARKETING);
    assert_eq!(closed.fep_open_until, None);
    assert!(!closed.free_of_charge);
    assert_eq!(closed.pricing, Some(ExpectedPricing::Regular));
}

#[test]
fn a_second_answer_does_not_move_the_fep_window() {
    let state = WindowState::default()
        .on_customer_message(T0, AD)
        .on_business_message(T0 + H)
        .on_business_message(T0 + 10 * H);
    assert_eq!(
        state.free_entry_point.and_then(FepState::closes_at),
        Some(T0 + 73 * H)
    );
}

#[test]
fn a_new_referral_while_the_fep_window_is_open_changes_nothing() {
    let open = WindowState::default()
        .on_customer_message(T0, AD)
        .on_business_message(T0 + H);
    let again = open.on_customer_message(T0 + 50 * H, AD);
    assert_eq!(again.free_entry_point, open.free_entry_point);
    assert_eq!(again.last_customer_message_at, Some(T0 + 50 * H));
}

#[test]
fn a_new_referral_after_the_fep_window_closed_is_a_new_offer() {
    let open = WindowState::default()
        .on_customer_message(T0, AD)
        .on_business_message(T0 + H);
    let later = T0 + H + 72 * H;
    let again = open.on_customer_message(later, AD);
    assert_eq!(
        again.free_entry_point,
        Some(FepState::Offered {
            entry_point: EntryPoint::ClickToWhatsAppAd,
            referred_at: later
        })
    );
}

#[test]
fn a_repeated_referral_keeps_the_earlier_answer_deadline() {
    let state = WindowState::default()
        .on_customer_message(T0, AD)
        .on_customer_message(T0 + 10 * H, AD);
    let deadline = state.free_entry_point.and_then(FepState::answer_deadline);
    assert_eq!(deadline, Some(T0 + 24 * H));
    // An expired offer is replaced.
    let renewed = state.on_customer_message(T0 + 30 * H, AD);
    assert_eq!(
        renewed.free_entry_point.and_then(FepState::answer_deadline),
        Some(T0 + 54 * H)
    );
}

#[test]
fn a_message_without_referral_keeps_the_offer() {
    let state = WindowState::default()
        .on_customer_message(T0, AD)
        .on_customer_message(T0 + 5 * H, None);
    assert_eq!(
        state.free_entry_point.and_then(FepState::answer_deadline),
        Some(T0 + 24 * H)
    );
}

#[test]
fn referrals_from_ads_are_entry_points_and_others_are_not() {
    let referral = |source_type: Option<&str>, clid: Option<&str>| {
        serde_json::from_value::<Referral>(serde_json::json!({
            "source_type": source_type,
            "ctwa_clid": clid,
        }))
        .unwrap()
    };
    assert_eq!(
        EntryPoint::from_referral(&referral(Some("ad"), Some("ARAk"))),
        Some(EntryPoint::ClickToWhatsAppAd)
    );
    assert_eq!(
        EntryPoint::from_referral(&referral(Some("post"), None)),
        Some(EntryPoint::ClickToWhatsAppAd)
    );
    assert_eq!(
        EntryPoint::from_referral(&referral(None, Some("ARAk"))),
        Some(EntryPoint::ClickToWhatsAppAd)
    );
    assert_eq!(
        EntryPoint::from_referral(&referral(Some("other"), None)),
        None
    );
    assert_eq!(EntryPoint::from_referral(&referral(None, None)), None);
}

#[test]
fn the_state_round_trips_through_postcard() {
    let state = WindowState::default()
        .on_customer_message(T0, AD)
        .on_business_message(T0 + H);
    let bytes = postcard::to_allocvec(&state).unwrap();
    assert_eq!(postcard::from_bytes::<WindowState>(&bytes).unwrap(), state);
}

/// One thing that happens to a (business, customer) pair, at an offset from `T0`.
#[derive(Debug, Clone, Copy)]
enum Happening {
    Customer { at: u64, referral: bool },
    Business { at: u64 },
}

fn happening() -> impl Strategy<Value = Happening> {
    let at = 0..200 * H;
    prop_oneof![
        (at.clone(), any::<bool>()).prop_map(|(at, referral)| Happening::Customer { at, referral }),
        at.prop_map(|at| Happening::Business { at }),
    ]
}

fn kind() -> impl Strategy<Value = OutgoingKind> {
    prop_oneof![
        Just(OutgoingKind::FreeForm),
        Just(MARKETING),
        Just(UTILITY),
        Just(AUTHENTICATION),
    ]
}

fn replay(happenings: &[Happening]) -> WindowState {
    happenings.iter().fold(
        WindowState::default(),
        |state, happening| match *happening {
            Happening::Customer { at, referral } => state
                .on_customer_message(T0 + at, referral.then_some(EntryPoint::ClickToWhatsAppAd)),
            Happening::Business { at } => state.on_business_message(T0 + at),
        },
    )
}

proptest! {
    /// Free-form is allowed exactly when some customer message is less than 24 h old, whatever
    /// the business sent and in whatever order the messages arrived.
    #[test]
    fn free_form_follows_the_latest_customer_message(
        happenings in proptest::collection::vec(happening(), 0..12),
        now in 0..250 * H,
    ) {
        let state = replay(&happenings);
        let expected = happenings.iter().any(|h| match *h {
            Happening::Customer { at, .. } => now < at + 24 * H,
            Happening::Business { .. } => false,
        });
        let verdict = state.assess(T0 + now, OutgoingKind::FreeForm);
        prop_assert_eq!(verdict.free_form_allowed, expected);
        prop_assert_eq!(verdict.template_required, !expected);
        prop_assert_eq!(state.check(T0 + now, OutgoingKind::FreeForm).is_ok(), expected);
    }

    /// Business messages never touch the customer-service window.
    #[test]
    fn business_messages_leave_the_window_alone(
        happenings in proptest::collection::vec(happening(), 0..12),
        at in 0..250 * H,
    ) {
        let state = replay(&happenings);
        let after = state.on_business_message(T0 + at);
        prop_assert_eq!(after.last_customer_message_at, state.last_customer_message_at);
    }

    /// A template is free only inside an FEP window or when it answers an entry point, or
    /// (utility only) inside the CSW; marketing and authentication are otherwise charged.
    #[test]
    fn free_templates_have_a_documented_reason(
        happenings in proptest::collection::vec(happening(), 0..12),
        now in 0..250 * H,
        kind in kind(),
    ) {
        let verdict = replay(&happenings).assess(T0 + now, kind);
        let fep = verdict.fep_open_until.is_some() || verdict.fep_answer_by.is_some();
        let csw = verdict.csw_open_until.is_some();
        let expected_free = match kind {
            OutgoingKind::FreeForm => csw,
            OutgoingKind::Template { category: TemplateCategory::Utility } => csw || fep,
            OutgoingKind::Template { .. } => fep,
        };
        prop_assert_eq!(verdict.free_of_charge, expected_free);
        if let Some(until) = verdict.fep_open_until {
            prop_assert!(T0 + now < until);
        }
        if let Some(until) = verdict.csw_open_until {
            prop_assert!(T0 + now < until);
        }
    }
}
