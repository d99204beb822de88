#![allow(clippy::unwrap_used, reason = "tests")]

use serde_json::json;

use super::*;

const T0: UnixMs = 1_767_225_600_000; // 2026-01-01T00:00:00Z

fn registration(name: &str, language: &str, category: TemplateCategory) -> TemplateRegistration {
    TemplateRegistration {
        name: name.to_owned(),
        language: language.to_owned(),
        category,
        parameter_count: 2,
        status: TemplateStatus::Approved,
        meta_id: None,
    }
}

fn registry() -> TemplateRegistry {
    TemplateRegistry::new([
        registration("order_update", "en_US", TemplateCategory::Utility),
        registration("spring_sale", "en_US", TemplateCategory::Marketing),
        registration("order_update", "pt_BR", TemplateCategory::Utility),
    ])
    .unwrap()
}

fn status_update(value: serde_json::Value) -> TemplateStatusUpdate {
    serde_json::from_value(value).unwrap()
}

fn category_update(value: serde_json::Value) -> TemplateCategoryUpdate {
    serde_json::from_value(value).unwrap()
}

fn paused(name: &str) -> TemplateStatusUpdate {
    status_update(json!({
        "event": "PAUSED",
        "message_template_id": 1_689_556_908_129_832_u64,
        "message_template_name": name,
        "message_template_language": "en_US",
        "reason": "NONE",
        "message_template_category": "UTILITY",
        "other_info": {"title": "FIRST_PAUSE", "description": "Paused for 3 hours."}
    }))
}

#[test]
fn an_approved_template_with_the_right_parameter_count_is_usable() {
    let registry = registry();
    let template = registry.check("order_update", "en_US", 2).unwrap();
    assert_eq!(template.name(), "order_update");
    assert_eq!(template.category_at(T0), TemplateCategory::Utility);
}

#[test]
fn languages_match_ignoring_case_and_dash() {
    let registry = registry();
    assert!(registry.check("order_update", "en-us", 2).is_ok());
    assert!(registry.check("order_update", "EN_US", 2).is_ok());
    assert!(registry.check("order_update", "en", 2).is_err());
}

#[test]
fn unknown_templates_and_wrong_parameter_counts_are_refused() {
    let registry = registry();
    let unknown = registry.check("welcome", "en_US", 0).unwrap_err();
    assert_eq!(
        unknown.to_string(),
        "template welcome (en_US) is not registered in the configuration; register it, or use \
         a registered template"
    );
    let count = registry.check("order_update", "en_US", 3).unwrap_err();
    assert_eq!(
        count.to_string(),
        "template order_update (en_US) takes 2 parameters, but 3 were given"
    );
}

#[test]
fn a_paused_template_is_refused_with_its_status_time_and_reason() {
    let mut registry = registry();
    let outcome = registry
        .apply_status_update(&paused("order_update"), T0)
        .unwrap();
    assert_eq!(outcome, UpdateOutcome::Applied);
    let refusal = registry.check("order_update", "en_US", 2).unwrap_err();
    assert_eq!(
        refusal.to_string(),
        "template order_update (en_US) is PAUSED since 2026-01-01T00:00:00Z: FIRST_PAUSE \
         (Paused for 3 hours.); only APPROVED templates can be sent"
    );
    let TemplateRefusal::NotApproved(details) = refusal else {
        panic!("expected NotApproved, got {refusal:?}");
    };
    assert_eq!(details.status, TemplateStatus::Paused);
    assert_eq!(details.since, Some(T0));
    // The other language of the same name is untouched.
    assert!(registry.check("order_update", "pt_BR", 2).is_ok());
}

#[test]
fn a_configured_status_that_is_not_approved_is_refused() {
    let mut pending = registration("welcome", "en", TemplateCategory::Utility);
    pending.status = TemplateStatus::Pending;
    let registry = TemplateRegistry::new([pending]).unwrap();
    assert_eq!(
        registry.check("welcome", "en", 2).unwrap_err().to_string(),
        "template welcome (en) is PENDING (as configured); only APPROVED templates can be sent"
    );
}

#[test]
fn every_event_but_approval_makes_a_template_unusable() {
    let unusable = [
        "PENDING",
        "REJECTED",
        "PAUSED",
        "DISABLED",
        "FLAGGED",
        "IN_APPEAL",
        "LIMIT_EXCEEDED",
        "LOCKED",
        "ARCHIVED",
        "DELETED",
        "PENDING_DELETION",
        "SOMETHING_NEW",
    ];
    for event in unusable {
        let mut registry = registry();
        let update = status_update(json!({
            "event": event,
            "message_template_name": "order_update",
            "message_template_language": "en_US",
        }));
        registry.apply_status_update(&update, T0).unwrap();
        let refusal = registry.check("order_update", "en_US", 2).unwrap_err();
        assert!(
            refusal.to_string().contains(&format!(" is {event} since ")),
            "{event}: {refusal}"
        );
    }
}

#[test]
fn reinstated_and_approved_make_it_usable_again() {
    for event in ["APPROVED", "REINSTATED"] {
        let mut registry = registry();
        registry
            .apply_status_update(&paused("order_update"), T0)
            .unwrap();
        let update = status_update(json!({
            "event": event,
            "message_template_name": "order_update",
            "message_template_language": "en_US",
            "reason": "NONE",
        }));
        registry.apply_status_update(&update, T0 + 1_000).unwrap();
        let template = registry.check("order_update", "en_US", 2).unwrap();
        assert_eq!(template.status_since(), Some(T0 + 1_000));
        assert_eq!(template.status_reason(), None);
    }
}

#[test]
fn unarchiving_restores_the_status_before_archiving() {
    let mut registry = registry();
    let event = |event: &str| {
        status_update(json!({
            "event": event,
            "message_template_name": "order_update",
            "message_template_language": "en_US",
        }))
    };
    registry
        .apply_status_update(&event("ARCHIVED"), T0)
        .unwrap();
    assert!(registry.check("order_update", "en_US", 2).is_err());
    registry
        .apply_status_update(&event("UNARCHIVED"), T0 + 1)
        .unwrap();
    assert!(registry.check("order_update", "en_US", 2).is_ok());

    // Without a known status before archiving, the template stays unusable.
    let mut archived = registration("old", "en", TemplateCategory::Utility);
    archived.status = TemplateStatus::Archived;
    let mut registry = TemplateRegistry::new([archived]).unwrap();
    let update = status_update(json!({
        "event": "UNARCHIVED", "message_template_name": "old", "message_template_language": "en",
    }));
    registry.apply_status_update(&update, T0).unwrap();
    assert_eq!(
        registry.get("old", "en").unwrap().status(),
        &TemplateStatus::Other("UNARCHIVED".to_owned())
    );
}

#[test]
fn an_older_update_than_the_one_applied_is_stale() {
    let mut registry = registry();
    registry
        .apply_status_update(&paused("order_update"), T0)
        .unwrap();
    let approved = status_update(json!({
        "event": "APPROVED",
        "message_template_name": "order_update",
        "message_template_language": "en_US",
    }));
    let outcome = registry.apply_status_update(&approved, T0 - 1_000).unwrap();
    assert_eq!(outcome, UpdateOutcome::Stale { applied_at: T0 });
    assert!(registry.check("order_update", "en_US", 2).is_err());
    // The same second is not stale: Meta's times have one-second resolution.
    registry.apply_status_update(&approved, T0).unwrap();
    assert!(registry.check("order_update", "en_US", 2).is_ok());
}

#[test]
fn updates_match_by_meta_id_once_learnt() {
    let mut registry = registry();
    registry
        .apply_status_update(&paused("order_update"), T0)
        .unwrap();
    assert_eq!(
        registry.get("order_update", "en_US").unwrap().meta_id(),
        Some("1689556908129832")
    );
    // A later update carrying only the id still finds the template.
    let by_id = status_update(json!({
        "event": "APPROVED",
        "message_template_id": 1_689_556_908_129_832_u64,
    }));
    registry.apply_status_update(&by_id, T0 + 1).unwrap();
    assert!(registry.check("order_update", "en_US", 2).is_ok());
}

#[test]
fn updates_that_name_no_registered_template_are_errors() {
    let mut registry = registry();
    let unknown = status_update(json!({
        "event": "APPROVED", "message_template_name": "nope", "message_template_language": "en",
    }));
    assert_eq!(
        registry.apply_status_update(&unknown, T0).unwrap_err(),
        UpdateError::UnknownTemplate {
            name: "nope".to_owned(),
            language: "en".to_owned()
        }
    );
    let nameless = status_update(json!({"event": "APPROVED"}));
    assert_eq!(
        registry.apply_status_update(&nameless, T0).unwrap_err(),
        UpdateError::Unidentified
    );
    let eventless = status_update(json!({
        "message_template_name": "order_update", "message_template_language": "en_US",
    }));
    assert!(matches!(
        registry.apply_status_update(&eventless, T0).unwrap_err(),
        UpdateError::MissingEvent { .. }
    ));
}

#[test]
fn registrations_must_be_unique_and_complete() {
    let duplicate = TemplateRegistry::new([
        registration("a", "en_US", TemplateCategory::Utility),
        registration("a", "en-us", TemplateCategory::Marketing),
    ])
    .unwrap_err();
    assert_eq!(
        duplicate.to_string(),
        "template a (en-us) is registered twice"
    );
    let empty = TemplateRegistry::new([registration(" ", "en", TemplateCategory::Utility)]);
    assert_eq!(empty.unwrap_err(), RegistryError::Incomplete { index: 0 });
}

#[test]
fn an_impending_category_change_applies_24_hours_after_its_timestamp() {
    let mut registry = registry();
    let announced_secs = T0 / 1_000;
    let update = category_update(json!({
        "message_template_name": "order_update",
        "message_template_language": "en_US",
        "correct_category": "MARKETING",
        "new_category": "UTILITY",
        "category_update_timestamp": announced_secs,
    }));
    registry.apply_category_update(&update, T0).unwrap();
    let template = registry.get("order_update", "en_US").unwrap();
    let effective = T0 + 24 * HOUR_MS;
    assert_eq!(
        template.category_at(effective - 1),
        TemplateCategory::Utility
    );
    assert_eq!(template.category_at(effective), TemplateCategory::Marketing);
    assert_eq!(
        template.pending_category(),
        Some(PendingCategory {
            category: TemplateCategory::Marketing,
            effective_at: effective
        })
    );
}

#[test]
fn a_completed_category_change_applies_at_once() {
    let mut registry = registry();
    let update = category_update(json!({
        "message_template_name": "order_update",
        "message_template_language": "en_US",
        "previous_category": "UTILITY",
        "new_category": "MARKETING",
    }));
    registry.apply_category_update(&update, T0).unwrap();
    let template = registry.get("order_update", "en_US").unwrap();
    assert_eq!(template.category_at(0), TemplateCategory::Marketing);
    assert_eq!(template.pending_category(), None);

    let bogus = category_update(json!({
        "message_template_name": "order_update",
        "message_template_language": "en_US",
        "new_category": "SERVICE",
    }));
    assert!(matches!(
        registry.apply_category_update(&bogus, T0).unwrap_err(),
        UpdateError::UnknownCategory { category, .. } if category == "SERVICE"
    ));
}

#[test]
fn templates_round_trip_through_postcard() {
    let mut registry = registry();
    registry
        .apply_status_update(&paused("order_update"), T0)
        .unwrap();
    let template = registry.get("order_update", "en_US").unwrap();
    let bytes = postcard::to_allocvec(template).unwrap();
    assert_eq!(&postcard::from_bytes::<Template>(&bytes).unwrap(), template);
}

#[test]
fn a_restart_keeps_what_webhooks_taught_and_what_the_configuration_says() {
    let mut before = registry();
    before
        .apply_status_update(&paused("order_update"), T0)
        .unwrap();
    before
        .apply_category_update(
            &category_update(json!({
                "message_template_name": "spring_sale",
                "message_template_language": "en_US",
                "previous_category": "MARKETING",
                "new_category": "UTILITY"
            })),
            T0,
        )
        .unwrap();
    let remembered: Vec<Template> = before.iter().cloned().collect();

    // The new configuration drops pt_BR, adds a template, and changes a parameter count.
    let mut changed = registration("order_update", "en_US", TemplateCategory::Utility);
    changed.parameter_count = 3;
    let configured = TemplateRegistry::new([
        changed,
        registration("spring_sale", "en_US", TemplateCategory::Marketing),
        registration("welcome", "en_US", TemplateCategory::Marketing),
    ])
    .unwrap();
    let after = configured.carried_forward(remembered);

    let order = after.get("order_update", "en_US").unwrap();
    assert_eq!(
        order.status(),
        &TemplateStatus::Paused,
        "webhook status kept"
    );
    assert_eq!(order.status_since(), Some(T0));
    assert_eq!(order.parameter_count(), 3, "configured count wins");
    assert_eq!(order.meta_id(), Some("1689556908129832"), "learnt id kept");
    let sale = after.get("spring_sale", "en_US").unwrap();
    assert_eq!(
        sale.category_at(T0),
        TemplateCategory::Utility,
        "webhook category kept"
    );
    assert!(
        after.get("order_update", "pt_BR").is_none(),
        "unconfigured dropped"
    );
    assert!(
        after.check("welcome", "en_US", 2).is_ok(),
        "new one as configured"
    );
}

#[test]
fn a_configured_status_replaces_a_remembered_configured_status() {
    let mut paused_in_config = registration("order_update", "en_US", TemplateCategory::Utility);
    paused_in_config.status = TemplateStatus::Paused;
    let remembered: Vec<Template> = TemplateRegistry::new([paused_in_config])
        .unwrap()
        .iter()
        .cloned()
        .collect();
    let configured = TemplateRegistry::new([registration(
        "order_update",
        "en_US",
        TemplateCategory::Marketing,
    )])
    .unwrap();
    let after = configured.carried_forward(remembered);
    let template = after.check("order_update", "en_US", 2).unwrap();
    assert_eq!(template.category_at(T0), TemplateCategory::Marketing);
}
