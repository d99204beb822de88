//! The outbound settings' forms and rules: the Graph API's URL and version, business numbers
//! once each, one price per market, category and day, real days and offsets in use.

use firmware_config::{Config, Date, PricingCategory, UtcOffset};

use crate::{number, paths, problems, rate};

#[test]
fn the_graph_url_is_https_or_http_to_this_machine() {
    let allowed = [
        "https://graph.facebook.com",
        "https://graph.facebook.com/",
        "https://example.com:8443/graph/v",
        "http://127.0.0.1:9000/graph",
        "http://127.8.9.10",
        "http://[::1]:8080/",
        "http://localhost:9000",
    ];
    let refused = [
        "graph.facebook.com",
        "http://graph.facebook.com",
        "http://10.0.0.1:9000",
        "ftp://127.0.0.1",
        "https://",
        "https://user:pw@graph.facebook.com",
        "https://graph.facebook.com/?x=1",
        "https://graph.facebook.com/#top",
        "https://graph.facebook.com:99999",
        "https://graph facebook.com",
        "http://localhost.example.com",
    ];
    for (urls, ok) in [(&allowed[..], true), (&refused[..], false)] {
        for url in urls {
            let mut config = Config::default();
            config.meta.graph_base_url = (*url).try_into().unwrap();
            assert_eq!(paths(&config).is_empty(), ok, "{url}");
        }
    }
    let mut config = Config::default();
    config.meta.graph_base_url = "http://graph.facebook.com".try_into().unwrap();
    let text = problems(&config).join("\n");
    assert!(
        text.contains("https://") && text.contains("127.0.0.1"),
        "{text}"
    );
}

#[test]
fn the_api_version_is_v_major_dot_minor() {
    for (version, ok) in [
        ("v24.0", true),
        ("v3.12", true),
        ("24.0", false),
        ("v24", false),
    ] {
        let mut config = Config::default();
        config.meta.graph_api_version = version.try_into().unwrap();
        assert_eq!(paths(&config).is_empty(), ok, "{version}");
    }
}

#[test]
fn each_business_number_is_configured_once() {
    let mut config = Config::default();
    let numbers = ["106540352242922", "106540352242923", "106540352242922"];
    config.numbers.extend(numbers.map(number));
    assert_eq!(paths(&config), ["numbers[2].phone_number_id"]);
    assert!(problems(&config)[0].contains("repeats numbers[0].phone_number_id"));
    config.numbers[1].waba_id = Some("12a".try_into().unwrap());
    config.numbers[1].phone_number_id = "+1 555".try_into().unwrap();
    let found = paths(&config);
    assert!(
        found.contains(&"numbers[1].waba_id".to_owned()),
        "{found:?}"
    );
    assert!(
        found.contains(&"numbers[1].phone_number_id".to_owned()),
        "{found:?}"
    );
}

#[test]
fn one_price_per_market_category_and_day_in_any_case() {
    let mut config = Config::default();
    config.pricing.rates.extend([
        rate("US", PricingCategory::Marketing, (2026, 10, 1)),
        rate("US", PricingCategory::Utility, (2026, 10, 1)),
        rate("US", PricingCategory::Marketing, (2026, 11, 1)),
        rate("us", PricingCategory::Marketing, (2026, 10, 1)),
    ]);
    assert_eq!(paths(&config), ["pricing.rates[3]"]);
    assert!(problems(&config)[0].contains("repeats pricing.rates[0]"));
    config.pricing.rates[3].market = "U1".try_into().unwrap();
    assert_eq!(paths(&config), ["pricing.rates[3].market"]);
}

#[test]
fn a_day_is_on_the_calendar_and_an_offset_in_use() {
    for (date, ok) in [
        ((2024, 2, 29), true),
        ((2000, 2, 29), true),
        ((2026, 2, 29), false),
        ((1900, 2, 29), false),
        ((2026, 4, 31), false),
        ((2026, 13, 1), false),
        ((2026, 1, 0), false),
    ] {
        let mut config = Config::default();
        config
            .pricing
            .rates
            .push(rate("BR", PricingCategory::Service, date))
            .unwrap();
        assert_eq!(paths(&config).is_empty(), ok, "{date:?}");
    }
    for (minutes, ok) in [(-720, true), (840, true), (-721, false), (841, false)] {
        let mut config = Config::default();
        config.pricing.billing_utc_offset = UtcOffset { minutes };
        assert_eq!(paths(&config).is_empty(), ok, "{minutes}");
    }
    let mut config = Config::default();
    config.pricing.billing_utc_offset = UtcOffset { minutes: -900 };
    assert_eq!(
        problems(&config),
        [
            "pricing.billing_utc_offset = \"-15:00\": must be a UTC offset from \"-12:00\" to \
          \"+14:00\", like \"+00:00\", \"+09:00\" or \"-05:30\""
        ]
    );
    assert_eq!(Date::EPOCH.to_string(), "1970-01-01");
}
