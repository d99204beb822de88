#![allow(clippy::unwrap_used, reason = "tests")]

use serde_json::json;

use super::*;
use crate::meta::TemplateStatusUpdate;
use crate::policy::window::ExpectedPricing;
use crate::policy::{HOUR_MS, TemplateRegistration, TemplateStatus};

const T0: UnixMs = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const US: &str = "12125550100"; // New York
const CANADA: &str = "14165550100"; // Toronto
const JAMAICA: &str = "18765550100";

fn registry() -> TemplateRegistry {
    let template = |name: &str, category| TemplateRegistration {
        name: name.to_owned(),
        language: "en_US".to_owned(),
        category,
        parameter_count: 1,
        status: TemplateStatus::Approved,
        meta_id: None,
    };
    TemplateRegistry::new([
        template("order_update", TemplateCategory::Utility),
        template("spring_sale", TemplateCategory::Marketing),
    ])
    .unwrap()
}

fn template(name: &str) -> OutgoingMessage<'_> {
    OutgoingMessage::Template {
        name,
        language: "en_US",
        parameters: 1,
    }
}

fn wrote_at(at: UnixMs) -> WindowState {
    WindowState::default().on_customer_message(at, None)
}

#[test]
fn free_form_follows_the_window_to_the_millisecond() {
    let window = wrote_at(T0);
    let open = check_send(
        &window,
        &registry(),
        CANADA,
        T0 + 24 * HOUR_MS - 1,
        OutgoingMessage::FreeForm,
    )
    .unwrap();
    assert_eq!(open.window.csw_open_until, Some(T0 + 24 * HOUR_MS));
    assert_eq!(open.category, None);
    let refusals = check_send(
        &window,
        &registry(),
        CANADA,
        T0 + 24 * HOUR_MS,
        OutgoingMessage::FreeForm,
    )
    .unwrap_err();
    assert!(matches!(
        refusals.as_slice(),
        [SendRefusal::Window(WindowRefusal::WindowClosed { .. })]
    ));
    assert!(
        refusals[0].to_string().contains("template"),
        "{}",
        refusals[0]
    );
}

#[test]
fn a_template_goes_outside_the_window_and_a_utility_one_is_free_inside_it() {
    let window = wrote_at(T0);
    let inside = check_send(
        &window,
        &registry(),
        US,
        T0 + HOUR_MS,
        template("order_update"),
    )
    .unwrap();
    assert_eq!(inside.category, Some(TemplateCategory::Utility));
    assert_eq!(
        inside.window.pricing,
        Some(ExpectedPricing::FreeCustomerService)
    );
    let outside = check_send(
        &window,
        &registry(),
        US,
        T0 + 25 * HOUR_MS,
        template("order_update"),
    )
    .unwrap();
    assert_eq!(outside.window.pricing, Some(ExpectedPricing::Regular));
    assert!(outside.window.template_required);
}

#[test]
fn marketing_is_refused_to_us_numbers_only() {
    let window = wrote_at(T0);
    let refusals = check_send(&window, &registry(), US, T0, template("spring_sale")).unwrap_err();
    assert!(matches!(
        refusals.as_slice(),
        [SendRefusal::UsMarketingPause(PauseRefusal::UnitedStates(_))]
    ));
    assert!(
        refusals[0].to_string().contains("paused"),
        "{}",
        refusals[0]
    );
    for number in [CANADA, JAMAICA] {
        let verdict =
            check_send(&window, &registry(), number, T0, template("spring_sale")).unwrap();
        assert_eq!(verdict.category, Some(TemplateCategory::Marketing));
    }
}

#[test]
fn every_reason_is_named_at_once() {
    let mut registry = registry();
    let paused: TemplateStatusUpdate = serde_json::from_value(json!({
        "event": "PAUSED",
        "message_template_name": "spring_sale",
        "message_template_language": "en_US",
        "reason": "NONE"
    }))
    .unwrap();
    registry.apply_status_update(&paused, T0).unwrap();
    let refusals = check_send(
        &WindowState::default(),
        &registry,
        US,
        T0,
        template("spring_sale"),
    )
    .unwrap_err();
    assert_eq!(refusals.len(), 2, "{refusals:?}");
    assert!(
        refusals[0].to_string().contains("PAUSED"),
        "{}",
        refusals[0]
    );
    assert!(matches!(refusals[1], SendRefusal::UsMarketingPause(_)));
}

#[test]
fn unknown_templates_and_wrong_parameter_counts_are_refused() {
    let window = wrote_at(T0);
    let unknown = OutgoingMessage::Template {
        name: "nope",
        language: "en_US",
        parameters: 1,
    };
    let refusals = check_send(&window, &registry(), CANADA, T0, unknown).unwrap_err();
    assert!(matches!(
        refusals.as_slice(),
        [SendRefusal::Template(
            TemplateRefusal::UnknownTemplate { .. }
        )]
    ));
    let wrong = OutgoingMessage::Template {
        name: "order_update",
        language: "en_US",
        parameters: 3,
    };
    let refusals = check_send(&window, &registry(), CANADA, T0, wrong).unwrap_err();
    assert!(matches!(
        refusals.as_slice(),
        [SendRefusal::Template(
            TemplateRefusal::ParameterCount { .. }
        )]
    ));
}

#[test]
fn a_customer_known_only_by_bsuid_gets_no_marketing_but_utility() {
    let window = wrote_at(T0);
    let bsuid = "US.13491208655302741918";
    let refusals =
        check_send(&window, &registry(), bsuid, T0, template("spring_sale")).unwrap_err();
    assert!(matches!(
        refusals.as_slice(),
        [SendRefusal::UsMarketingPause(PauseRefusal::Undetermined(_))]
    ));
    assert!(check_send(&window, &registry(), bsuid, T0, template("order_update")).is_ok());
}

#[test]
fn an_announced_recategorisation_to_marketing_starts_the_pause_at_its_instant() {
    let mut registry = registry();
    let announced = serde_json::from_value(json!({
        "message_template_name": "order_update",
        "message_template_language": "en_US",
        "new_category": "UTILITY",
        "correct_category": "MARKETING",
        "category_update_timestamp": T0 / 1_000
    }))
    .unwrap();
    registry.apply_category_update(&announced, T0).unwrap();
    let window = wrote_at(T0);
    let effective = T0 + 24 * HOUR_MS;
    assert!(
        check_send(
            &window,
            &registry,
            US,
            effective - 1,
            template("order_update")
        )
        .is_ok()
    );
    let refusals =
        check_send(&window, &registry, US, effective, template("order_update")).unwrap_err();
    assert!(matches!(
        refusals.as_slice(),
        [SendRefusal::UsMarketingPause(_)]
    ));
}
