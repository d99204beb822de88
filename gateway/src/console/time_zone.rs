//! The box's time zone, for the console when `console.time_zone` is not set: `TZ`, else
//! `/etc/timezone`, else the zone `/etc/localtime` links to, else UTC.

use std::path::Path;

/// The zone the system is set to, read from the environment and `/etc`.
pub fn system_time_zone() -> String {
    let tz = std::env::var("TZ").ok();
    let etc_timezone = std::fs::read_to_string("/etc/timezone").ok();
    let localtime = std::fs::read_link("/etc/localtime").ok();
    zone_from(tz.as_deref(), etc_timezone.as_deref(), localtime.as_deref())
}

/// The zone named by the first of `tz` (the `TZ` variable: a name, `:name` or a path into a
/// zoneinfo folder), `etc_timezone` (its first line) and `localtime_link` (a path into a
/// zoneinfo folder) that names one; `UTC` when none does.
pub(super) fn zone_from(
    tz: Option<&str>,
    etc_timezone: Option<&str>,
    localtime_link: Option<&Path>,
) -> String {
    let from_tz = tz.and_then(|value| {
        let value = value.trim().trim_start_matches(':');
        after_zoneinfo(value).or_else(|| plausible(value))
    });
    let from_file = etc_timezone.and_then(|text| plausible(text.lines().next()?.trim()));
    let from_link = localtime_link.and_then(|link| after_zoneinfo(link.to_str()?));
    from_tz
        .or(from_file)
        .or(from_link)
        .unwrap_or_else(|| "UTC".to_owned())
}

/// The zone name in a path like `/usr/share/zoneinfo/Asia/Tokyo`.
fn after_zoneinfo(path: &str) -> Option<String> {
    let (_, name) = path.split_once("zoneinfo/")?;
    plausible(name)
}

/// `name` when it looks like a zone name (`Area/City`, `UTC`), not a POSIX rule or a path.
fn plausible(name: &str) -> Option<String> {
    let allowed = |ch: char| ch.is_ascii_alphanumeric() || "/_-+".contains(ch);
    let looks_like = !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|ch: char| ch.is_ascii_alphabetic())
        && name.chars().all(allowed)
        && !name.contains("//")
        && !name.ends_with('/');
    looks_like.then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tz_wins_then_the_file_then_the_link() {
        let link = Path::new("/usr/share/zoneinfo/Europe/Berlin");
        assert_eq!(
            zone_from(Some("Asia/Tokyo"), Some("UTC\n"), Some(link)),
            "Asia/Tokyo"
        );
        assert_eq!(
            zone_from(Some(":America/New_York"), None, None),
            "America/New_York"
        );
        assert_eq!(
            zone_from(Some("/usr/share/zoneinfo/Asia/Tokyo"), None, None),
            "Asia/Tokyo"
        );
        assert_eq!(
            zone_from(None, Some("Asia/Tokyo\n"), Some(link)),
            "Asia/Tokyo"
        );
        assert_eq!(zone_from(None, None, Some(link)), "Europe/Berlin");
        assert_eq!(zone_from(None, None, None), "UTC");
    }

    #[test]
    fn what_is_not_a_zone_name_is_passed_over() {
        let link = Path::new("/etc/zoneinfo/Asia/Tokyo");
        // A POSIX rule, an empty file and a link elsewhere.
        assert_eq!(zone_from(Some("JST-9"), None, Some(link)), "JST-9");
        assert_eq!(
            zone_from(Some("<+09>-9"), Some(""), Some(link)),
            "Asia/Tokyo"
        );
        assert_eq!(zone_from(None, None, Some(Path::new("/tmp/zone"))), "UTC");
    }
}
