#![allow(clippy::unwrap_used, reason = "tests")]

use proptest::prelude::*;

use super::*;
use crate::policy::window::WindowState;
use crate::pricing::date::Date;
use crate::pricing::rate_card::RateRow;

const FREE_FORM: OutgoingKind = OutgoingKind::FreeForm;
const MARKETING: OutgoingKind = OutgoingKind::Template {
    category: TemplateCategory::Marketing,
};
const UTILITY: OutgoingKind = OutgoingKind::Template {
    category: TemplateCategory::Utility,
};
const AUTHENTICATION: OutgoingKind = OutgoingKind::Template {
    category: TemplateCategory::Authentication,
};
const KINDS: [OutgoingKind; 4] = [FREE_FORM, MARKETING, UTILITY, AUTHENTICATION];

/// The last millisecond before the October 2026 rules.
const LAST_MS_OF_SEPTEMBER: UnixMs = SERVICE_CHARGED_FROM - 1;

const IN_CSW: Windows = Windows {
    free_entry_point: false,
    customer_service: true,
};
const NO_WINDOW: Windows = Windows {
    free_entry_point: false,
    customer_service: false,
};
const IN_FEP: Windows = Windows {
    free_entry_point: true,
    customer_service: true,
};

fn de() -> Market {
    Market::new("DE").unwrap()
}

/// Germany's rates from 2026-01-01 (made-up numbers), service from 2026-10-01.
fn card() -> RateCard {
    let from = |date: &str| date.parse::<Date>().unwrap();
    let row = |category, micro_usd, date: &str| RateRow {
        market: de(),
        category,
        micro_usd,
        from: from(date),
    };
    RateCard::new([
        row(PricingCategory::Marketing, 136_500, "2026-01-01"),
        row(PricingCategory::Utility, 55_000, "2026-01-01"),
        row(PricingCategory::Authentication, 76_800, "2026-01-01"),
        row(
            PricingCategory::AuthenticationInternational,
            90_000,
            "2026-01-01",
        ),
        row(PricingCategory::Service, 55_000, "2026-10-01"),
    ])
    .unwrap()
}

fn request(
    rates: &RateCard,
    windows: Windows,
    kind: OutgoingKind,
    at: UnixMs,
) -> EstimateRequest<'_> {
    EstimateRequest {
        windows,
        kind,
        at,
        market: Some(de()),
        service_delivered_this_month: 0,
        service_free_tier_per_month: DEFAULT_SERVICE_FREE_TIER_PER_MONTH,
        rates,
    }
}

/// (micro-USD, pricing) of an estimate that succeeds.
fn priced(request: &EstimateRequest<'_>) -> (u64, ExpectedPricing) {
    let estimate = estimate(request).unwrap();
    (estimate.micro_usd, estimate.pricing)
}

const FREE_CS: (u64, ExpectedPricing) = (0, ExpectedPricing::FreeCustomerService);

#[test]
fn the_rule_dates_are_the_first_of_october_2026_utc() {
    assert_eq!(
        Utc(SERVICE_CHARGED_FROM).to_string(),
        "2026-10-01T00:00:00Z"
    );
    assert_eq!(
        Utc(UTILITY_IN_WINDOW_CHARGED_FROM).to_string(),
        "2026-10-01T00:00:00Z"
    );
    assert_eq!(
        Utc(LAST_MS_OF_SEPTEMBER).to_string(),
        "2026-09-30T23:59:59.999Z"
    );
    assert_eq!(
        "2026-10-01".parse::<Date>().unwrap().starts_at(),
        SERVICE_CHARGED_FROM
    );
}

#[test]
fn service_messages_are_free_until_october_2026_whatever_the_count() {
    let rates = card();
    let mut before = request(&rates, IN_CSW, FREE_FORM, LAST_MS_OF_SEPTEMBER);
    before.service_delivered_this_month = 50_000;
    assert_eq!(priced(&before), FREE_CS);
    let estimate = estimate(&before).unwrap();
    assert_eq!(estimate.category, PricingCategory::Service);
    assert!(estimate.is_free());
    let after = EstimateRequest {
        at: SERVICE_CHARGED_FROM,
        ..before
    };
    assert_eq!(priced(&after), (55_000, ExpectedPricing::Regular));
}

#[test]
fn the_free_tier_covers_the_first_messages_of_the_month() {
    let rates = card();
    let mut message = request(&rates, IN_CSW, FREE_FORM, SERVICE_CHARGED_FROM);
    message.service_free_tier_per_month = 3;
    for delivered in 0..3 {
        message.service_delivered_this_month = delivered;
        assert_eq!(priced(&message), FREE_CS, "after {delivered} delivered");
    }
    // Three delivered: the 4th is charged, and every one after it.
    for delivered in [3, 4, 1_000, u64::MAX] {
        message.service_delivered_this_month = delivered;
        assert_eq!(
            priced(&message),
            (55_000, ExpectedPricing::Regular),
            "{delivered}"
        );
    }
    // The default tier: the 1,000th is free, the 1,001st is not.
    message.service_free_tier_per_month = DEFAULT_SERVICE_FREE_TIER_PER_MONTH;
    message.service_delivered_this_month = 999;
    assert_eq!(priced(&message), FREE_CS);
    message.service_delivered_this_month = 1_000;
    assert_eq!(priced(&message).1, ExpectedPricing::Regular);
    // No free tier: every service message is charged from October 2026.
    message.service_free_tier_per_month = 0;
    message.service_delivered_this_month = 0;
    assert_eq!(priced(&message).1, ExpectedPricing::Regular);
}

#[test]
fn utility_templates_in_the_window_are_charged_from_october_2026() {
    let rates = card();
    assert_eq!(
        priced(&request(&rates, IN_CSW, UTILITY, LAST_MS_OF_SEPTEMBER)),
        FREE_CS
    );
    assert_eq!(
        priced(&request(
            &rates,
            IN_CSW,
            UTILITY,
            UTILITY_IN_WINDOW_CHARGED_FROM
        )),
        (55_000, ExpectedPricing::Regular)
    );
    // Outside the window they were always charged.
    for at in [LAST_MS_OF_SEPTEMBER, UTILITY_IN_WINDOW_CHARGED_FROM] {
        assert_eq!(
            priced(&request(&rates, NO_WINDOW, UTILITY, at)),
            (55_000, ExpectedPricing::Regular)
        );
    }
}

#[test]
fn marketing_and_authentication_are_always_charged() {
    let rates = card();
    for windows in [IN_CSW, NO_WINDOW] {
        for at in [LAST_MS_OF_SEPTEMBER, SERVICE_CHARGED_FROM] {
            assert_eq!(
                priced(&request(&rates, windows, MARKETING, at)),
                (136_500, ExpectedPricing::Regular)
            );
            // The authentication rate, not authentication_international (see the module doc).
            let estimate = estimate(&request(&rates, windows, AUTHENTICATION, at)).unwrap();
            assert_eq!(estimate.micro_usd, 76_800);
            assert_eq!(estimate.category, PricingCategory::Authentication);
        }
    }
}

#[test]
fn everything_is_free_in_a_free_entry_point_window() {
    let rates = RateCard::default();
    for kind in KINDS {
        for at in [LAST_MS_OF_SEPTEMBER, SERVICE_CHARGED_FROM, u64::MAX] {
            let mut message = request(&rates, IN_FEP, kind, at);
            message.service_delivered_this_month = u64::MAX;
            message.service_free_tier_per_month = 0;
            message.market = None;
            assert_eq!(priced(&message), (0, ExpectedPricing::FreeEntryPoint));
        }
    }
}

#[test]
fn a_paid_message_needs_a_rate_in_force() {
    let rates = card();
    // Germany's service rate starts on 2026-10-01; before that a charged service message cannot
    // happen, and marketing rates start on 2026-01-01.
    let january = "2026-01-01".parse::<Date>().unwrap().starts_at();
    let refusal = estimate(&request(&rates, NO_WINDOW, MARKETING, january - 1)).unwrap_err();
    assert_eq!(
        refusal,
        EstimateRefusal::NoRate {
            market: de(),
            category: PricingCategory::Marketing,
            at: january - 1
        }
    );
    let text = refusal.to_string();
    assert!(
        text.contains("[[pricing.rates]]") && text.contains("market = \"DE\""),
        "{text}"
    );
    assert!(text.contains("category = \"marketing\"") && text.contains("2025-12-31T23:59:59.999Z"));
    let mut france = request(&rates, NO_WINDOW, UTILITY, SERVICE_CHARGED_FROM);
    france.market = Market::new("FR");
    assert!(matches!(
        estimate(&france),
        Err(EstimateRefusal::NoRate {
            category: PricingCategory::Utility,
            ..
        })
    ));
}

#[test]
fn a_paid_message_needs_a_market_and_a_free_one_does_not() {
    let rates = card();
    let mut message = request(&rates, NO_WINDOW, MARKETING, SERVICE_CHARGED_FROM);
    message.market = None;
    let refusal = estimate(&message).unwrap_err();
    assert_eq!(
        refusal,
        EstimateRefusal::UnknownMarket {
            category: PricingCategory::Marketing
        }
    );
    assert!(refusal.to_string().contains("BSUID"));
    let mut free = request(&rates, IN_CSW, FREE_FORM, LAST_MS_OF_SEPTEMBER);
    free.market = None;
    assert_eq!(estimate(&free).unwrap().market, None);
}

#[test]
fn windows_come_from_the_window_verdict() {
    let hour = 3_600_000;
    let now = SERVICE_CHARGED_FROM;
    let never_wrote = WindowState::default();
    assert_eq!(Windows::of(&never_wrote.assess(now, MARKETING)), NO_WINDOW);
    let wrote = never_wrote.on_customer_message(now - hour, None);
    assert_eq!(Windows::of(&wrote.assess(now, FREE_FORM)), IN_CSW);
    assert_eq!(
        Windows::of(&wrote.assess(now + 24 * hour, MARKETING)),
        NO_WINDOW
    );
    let from_ad = never_wrote.on_customer_message(
        now - hour,
        Some(crate::policy::window::EntryPoint::ClickToWhatsAppAd),
    );
    // Answering the ad in time opens the FEP window: the answer itself is free.
    assert_eq!(Windows::of(&from_ad.assess(now, MARKETING)), IN_FEP);
    let answered = from_ad.on_business_message(now);
    let later = now + 48 * hour;
    assert_eq!(
        Windows::of(&answered.assess(later, MARKETING)),
        Windows {
            free_entry_point: true,
            customer_service: false
        }
    );
}

#[test]
fn pricing_types_have_metas_names() {
    assert_eq!(
        pricing_wire_name(ExpectedPricing::FreeCustomerService),
        "free_customer_service"
    );
    assert_eq!(
        pricing_wire_name(ExpectedPricing::FreeEntryPoint),
        "free_entry_point"
    );
    assert_eq!(pricing_wire_name(ExpectedPricing::Regular), "regular");
}

fn any_kind() -> impl Strategy<Value = OutgoingKind> {
    prop::sample::select(KINDS.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever the input, the estimate is free exactly when it costs nothing, a charged one
    /// costs the card's rate, and the October 2026 rules never make a message cheaper.
    #[test]
    fn estimates_are_consistent(
        kind in any_kind(),
        fep in any::<bool>(),
        csw in any::<bool>(),
        at in prop_oneof![Just(LAST_MS_OF_SEPTEMBER), Just(SERVICE_CHARGED_FROM), any::<u64>()],
        delivered in prop_oneof![0_u64..5, any::<u64>()],
        tier in prop_oneof![0_u64..5, Just(DEFAULT_SERVICE_FREE_TIER_PER_MONTH), any::<u64>()],
        known_market in any::<bool>(),
    ) {
        let rates = card();
        let message = EstimateRequest {
            windows: Windows { free_entry_point: fep, customer_service: csw },
            kind,
            at,
            market: known_market.then(de),
            service_delivered_this_month: delivered,
            service_free_tier_per_month: tier,
            rates: &rates,
        };
        match estimate(&message) {
            Ok(found) => {
                prop_assert_eq!(found.is_free(), found.micro_usd == 0);
                prop_assert_eq!(found.pricing == ExpectedPricing::FreeEntryPoint, fep);
                if !found.is_free() {
                    prop_assert_eq!(
                        Some(found.micro_usd),
                        rates.rate(de(), found.category, at)
                    );
                }
            }
            Err(EstimateRefusal::UnknownMarket { .. }) => prop_assert!(!known_market && !fep),
            Err(EstimateRefusal::NoRate { at: refused_at, .. }) => {
                prop_assert!(!fep && refused_at == at);
            }
        }
        // The same message a millisecond before October 2026 costs no more.
        if at == SERVICE_CHARGED_FROM {
            let before = EstimateRequest { at: LAST_MS_OF_SEPTEMBER, ..message };
            let cost = |m: &EstimateRequest<'_>| estimate(m).map_or(u64::MAX, |e| e.micro_usd);
            prop_assert!(cost(&before) <= cost(&message));
        }
    }
}
