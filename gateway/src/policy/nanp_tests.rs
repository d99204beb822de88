#![allow(clippy::unwrap_used, reason = "tests")]

use super::*;

fn country_of(number: &str) -> Option<&'static str> {
    match classify(number) {
        NanpRegion::UnitedStates(area)
        | NanpRegion::Canada(area)
        | NanpRegion::UsTerritory(area)
        | NanpRegion::OtherNanp(area) => Some(area.country),
        NanpRegion::NotNanp | NanpRegion::Unknown(_) => None,
    }
}

#[test]
fn the_shipped_table_parses_without_duplicates() {
    let table = NanpTable::parse(TABLE_CSV).unwrap();
    assert_eq!(nanp_table().unwrap(), &table);
    let count = |country: &str| table.iter().filter(|a| a.country == country).count();
    assert!(count("US") > 300, "US codes: {}", count("US"));
    assert!(count("CA") > 40, "Canadian codes: {}", count("CA"));
    // Every code at most once, sorted (parse rejects duplicates; this checks the order too).
    assert!(
        table
            .iter()
            .zip(table.iter().skip(1))
            .all(|(a, b)| a.code < b.code)
    );
    // Every US territory in the plan is present.
    for territory in US_TERRITORIES {
        assert!(count(territory) > 0, "{territory}");
    }
}

#[test]
fn us_numbers_are_united_states() {
    for number in [
        "+1 415 555 0123",
        "14155550123",
        "1-415-555-0123",
        "+1 (212) 555-0199",
    ] {
        let NanpRegion::UnitedStates(area) = classify(number) else {
            panic!("{number}: {:?}", classify(number));
        };
        assert!(area.code == 415 || area.code == 212);
    }
    let NanpRegion::UnitedStates(area) = classify("+12125550199") else {
        panic!("212 is New York");
    };
    assert_eq!(area.region, "New York");
}

#[test]
fn canadian_numbers_are_canada() {
    for (number, region) in [
        ("+1 416 555 0123", "Ontario"),
        ("16045550123", "British Columbia"),
    ] {
        let NanpRegion::Canada(area) = classify(number) else {
            panic!("{number}: {:?}", classify(number));
        };
        assert_eq!(area.region, region);
    }
}

#[test]
fn caribbean_numbers_are_other_nanp_countries() {
    // The codes Meta's pricing table lists under "Rest of Latin America" (reference §6).
    for (code, country) in [
        (876, "JM"),
        (658, "JM"),
        (809, "DO"),
        (829, "DO"),
        (849, "DO"),
    ] {
        let number = format!("+1{code}5550123");
        assert!(
            matches!(classify(&number), NanpRegion::OtherNanp(area) if area.country == country),
            "{number}: {:?}",
            classify(&number)
        );
    }
    assert_eq!(country_of("+1 242 555 0123"), Some("BS"));
    assert_eq!(country_of("+1 441 555 0123"), Some("BM"));
    assert_eq!(country_of("+1 868 555 0123"), Some("TT"));
}

#[test]
fn us_territories_are_neither_states_nor_foreign() {
    for (number, country) in [
        ("+1 787 555 0123", "PR"),
        ("+1 939 555 0123", "PR"),
        ("+1 340 555 0123", "VI"),
        ("+1 671 555 0123", "GU"),
        ("+1 670 555 0123", "MP"),
        ("+1 684 555 0123", "AS"),
    ] {
        assert!(
            matches!(classify(number), NanpRegion::UsTerritory(area) if area.country == country),
            "{number}: {:?}",
            classify(number)
        );
    }
}

#[test]
fn other_country_codes_are_not_nanp() {
    assert_eq!(classify("+44 20 7946 0958"), NanpRegion::NotNanp);
    assert_eq!(classify("447946095800"), NanpRegion::NotNanp);
    // Ten digits without the country code read as +41 (Switzerland), not as a US number.
    assert_eq!(classify("4155550123"), NanpRegion::NotNanp);
}

#[test]
fn what_cannot_be_placed_is_unknown() {
    for number in [
        "",
        "+",
        "US.13491208655302741918",
        "+1 415 555 012",
        "+1 415 555 01234",
        "1415555O123",
    ] {
        assert_eq!(
            classify(number),
            NanpRegion::Unknown(Unclassified::NotAPhoneNumber),
            "{number:?}"
        );
    }
    assert_eq!(
        classify("+1 555 555 0123"),
        NanpRegion::Unknown(Unclassified::UnlistedAreaCode(555))
    );
    assert_eq!(
        classify("+1 800 555 0123"),
        NanpRegion::Unknown(Unclassified::UnlistedAreaCode(800))
    );
}

#[test]
fn malformed_tables_are_errors() {
    assert_eq!(
        NanpTable::parse("# no header\n415,California,US\n"),
        Err(TableError::MissingHeader)
    );
    let bad_rows: [(&'static str, &str); 5] = [
        (
            "area_code,region,country\n41,California,US\n",
            "three digits",
        ),
        ("area_code,region,country\n115,Nowhere,US\n", "three digits"),
        ("area_code,region,country\n211,Nowhere,US\n", "not N11"),
        ("area_code,region,country\n415,,US\n", "region is empty"),
        (
            "area_code,region,country\n415,California,usa\n",
            "ISO 3166-1",
        ),
    ];
    for (text, expected) in bad_rows {
        let error = NanpTable::parse(text).unwrap_err();
        assert!(
            matches!(error, TableError::BadRow { line: 2, problem } if problem.contains(expected)),
            "{text:?}: {error}"
        );
    }
    assert_eq!(
        NanpTable::parse("area_code,region,country\n415,California,US\n# x\n415,Ontario,CA\n"),
        Err(TableError::Duplicate { line: 4, code: 415 })
    );
    assert!(matches!(
        NanpTable::parse("area_code,region,country\n415,Cali,fornia,US\n"),
        Err(TableError::BadRow { line: 2, .. })
    ));
}
