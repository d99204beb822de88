//! The kiosk console in TOML: its time zone (a name or an offset), its session limits with
//! their units, and each mistake at its line.

use firmware_config::{ProblemKind, parse_toml};

use crate::{errors, lines_of, messages_of, only_kind, paths_of, takes_only_its_form};

#[test]
fn the_console_reads_with_units_and_writes_back() {
    let text = "\
[console]
time_zone = \"Asia/Tokyo\"
session_idle_seconds = \"30m\"
session_max_hours = \"2d\"
";
    let config = parse_toml(text).unwrap();
    let console = &config.console;
    assert_eq!(console.time_zone.as_deref(), Some("Asia/Tokyo"));
    assert_eq!(console.session_idle_seconds, 1_800);
    assert_eq!(console.session_max_hours, 48);
    assert_eq!(parse_toml(&config.to_toml()), Ok(config));
    let eight_hours = parse_toml("[console]\nsession_idle_seconds = \"8h\"\n").unwrap();
    assert_eq!(eight_hours.console.session_idle_seconds, 28_800);
}

#[test]
fn the_defaults_show_the_box_zone_for_eight_idle_hours_within_a_day() {
    let config = parse_toml("").unwrap();
    assert_eq!(config.console.time_zone, None);
    assert_eq!(config.console.session_idle_seconds, 28_800);
    assert_eq!(config.console.session_max_hours, 24);
}

#[test]
fn time_zones_are_names_or_offsets() {
    let good = [
        "Asia/Tokyo",
        "America/New_York",
        "America/Argentina/Buenos_Aires",
        "UTC",
        "Etc/GMT+9",
        "America/Port-au-Prince",
        "+09:00",
        "-05:30",
        "+05:45",
        "+14:00",
        "-00:00",
    ];
    let bad = [
        "Asia//Tokyo",
        "/Asia/Tokyo",
        "Asia/Tokyo/",
        "Asia/../etc",
        "1Asia/Tokyo",
        "Asia/Tokyo time",
        "Europe/Zürich",
        "+15:00",
        "+09:10",
        "+9:00",
        "09:00",
        "+09:60",
    ];
    let named = ["\"Asia/Tokyo\"", "\"+09:00\""];
    takes_only_its_form("console", "time_zone", &good, &bad, &named);
    let empty = only_kind("[console]\ntime_zone = \"\"\n");
    assert_eq!(empty, ("console.time_zone".to_owned(), ProblemKind::Empty));
    let long = format!("[console]\ntime_zone = \"Zone/{}\"\n", "a".repeat(60));
    let too_long = ProblemKind::TooLong {
        len: 65,
        capacity: 64,
    };
    assert_eq!(only_kind(&long), ("console.time_zone".to_owned(), too_long));
}

#[test]
fn out_of_range_session_limits_are_each_named_at_their_lines() {
    let text = "\
[console]
time_zone = 9
session_idle_seconds = \"4m\"
session_max_hours = \"31d\"
";
    let errors = errors(text);
    assert_eq!(
        paths_of(&errors),
        [
            "console.time_zone",
            "console.session_idle_seconds",
            "console.session_max_hours"
        ]
    );
    assert_eq!(lines_of(&errors), [2, 3, 4].map(Some), "{errors}");
    let messages = messages_of(&errors);
    assert_eq!(
        messages[1],
        "console.session_idle_seconds = 240: must be between 300 and 604800 (seconds; 5 \
         minutes to 7 days)"
    );
    assert_eq!(
        messages[2],
        "console.session_max_hours = 744: must be between 1 and 720 (hours; 1 hour to 30 days, \
         and at least console.session_idle_seconds)"
    );
}

#[test]
fn a_session_ends_no_sooner_than_its_idle_limit() {
    let text = "[console]\nsession_idle_seconds = \"2d\"\nsession_max_hours = 24\n";
    let errors = errors(text);
    assert_eq!(lines_of(&errors), [Some(3)]);
    assert_eq!(
        messages_of(&errors),
        ["console.session_max_hours = 24: must be at least console.session_idle_seconds (172800)"]
    );
}
