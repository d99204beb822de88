//! The outbound settings in TOML: dates as TOML dates or strings, offsets, price rows in a
//! table's array of tables with their lines, and the access token's sources.

use firmware_config::{Date, KeyPath, PricingCategory, ProblemKind, parse_toml};

use crate::{SECRET, errors, lines_of, messages_of, only_kind, paths_of};

#[test]
fn price_rows_read_with_dates_written_either_way() {
    let text = "\
[pricing]
billing_utc_offset = \"-05:30\"

[[pricing.rates]]
market = \"us\"
category = \"MARKETING\"
micro_usd = 25_000
from = 2026-10-01

[[pricing.rates]]
market = \"BR\"
category = \"authentication_international\"
micro_usd = 0
from = \"2024-02-29\"

[[numbers]]
phone_number_id = \"106540352242922\"
messages_per_second = 20
";
    let config = parse_toml(text).unwrap();
    assert_eq!(config.pricing.billing_utc_offset.minutes, -330);
    let rates = &config.pricing.rates;
    assert_eq!(rates[0].category, PricingCategory::Marketing);
    assert_eq!(
        rates[0].from,
        Date {
            year: 2026,
            month: 10,
            day: 1
        }
    );
    assert_eq!(
        rates[1].from,
        Date {
            year: 2024,
            month: 2,
            day: 29
        }
    );
    assert_eq!(config.numbers[0].messages_per_second, 20);
    assert!(config.numbers[0].strict_order);
    assert_eq!(parse_toml(&config.to_toml()), Ok(config));
}

#[test]
fn each_bad_price_row_is_reported_at_its_line() {
    let text = "\
[[pricing.rates]]
market = \"USA\"
category = \"promo\"
micro_usd = 100_000_001
from = \"2026-02-30\"

[[pricing.rates]]
market = \"MX\"
from = 2026-10-01T10:00:00

[[pricing.rates]]
market = \"MX\"
category = \"utility\"
micro_usd = 1
from = \"1 October\"
";
    let errors = errors(text);
    assert_eq!(
        paths_of(&errors),
        [
            "pricing.rates[0].market",
            "pricing.rates[0].category",
            "pricing.rates[0].micro_usd",
            "pricing.rates[0].from",
            "pricing.rates[1].category",
            "pricing.rates[1].micro_usd",
            "pricing.rates[1].from",
            "pricing.rates[2].from",
        ]
    );
    assert_eq!(
        lines_of(&errors),
        [2, 3, 4, 5, 7, 7, 9, 15].map(Some),
        "{errors}"
    );
    let messages = messages_of(&errors);
    assert!(
        messages[3].contains("February 29 only in leap years"),
        "{}",
        messages[3]
    );
    assert!(messages[4].ends_with("must be set"), "{}", messages[4]);
}

#[test]
fn an_offset_is_a_signed_hours_and_minutes_text() {
    for text in ["\"+9\"", "\"09:00\"", "\"+09:60\"", "540"] {
        let (key, _) = only_kind(&format!("[pricing]\nbilling_utc_offset = {text}"));
        assert_eq!(key, "pricing.billing_utc_offset", "{text}");
    }
    let (_, kind) = only_kind("[pricing]\nbilling_utc_offset = \"+14:30\"");
    assert!(matches!(kind, ProblemKind::BadFormat { .. }), "{kind:?}");
}

#[test]
fn two_access_token_sources_say_what_none_would_mean() {
    let text = format!("[meta]\naccess_token = \"{SECRET}\"\naccess_token_env = \"TOKEN\"\n");
    let errors = errors(&text);
    let (key, kind) = only_kind(&text);
    assert_eq!(key, "meta.access_token_env");
    assert_eq!(
        kind,
        ProblemKind::ConflictingSources {
            other: KeyPath::new("meta.access_token"),
            unset: Some("nothing is sent to Meta: the numbers are held"),
        }
    );
    let message = errors.to_string();
    assert!(
        !message.contains("generated") && !message.contains(SECRET),
        "{message}"
    );
}
