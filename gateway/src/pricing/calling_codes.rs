//! Country calling codes: which country a phone number in international form belongs to.
//!
//! The table is data, `gateway/data/calling_codes.csv` (its header names the source, ITU-T
//! E.164's list of assigned country codes, and the choices for shared codes), compiled into the
//! binary and parsed once on first use. A number belongs to the country of its longest listed
//! prefix, so `+7` is Russia while `+77…` is Kazakhstan. `+1` is not listed: the NANP area-code
//! table decides it ([`crate::policy::nanp`]). A test parses the whole table; should it fail to
//! load anyway, no number has a market, and paid messages are refused as to an unknown market.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use super::market::Market;

/// The calling-code table, as shipped.
const TABLE_CSV: &str = include_str!("../../data/calling_codes.csv");

/// The table's column header line.
const HEADER: &str = "calling_code,country";

/// The longest prefix the table may list: E.164 country codes have one to three digits.
const MAX_PREFIX_DIGITS: usize = 3;

/// The parsed table: country by prefix digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallingCodes {
    prefixes: BTreeMap<&'static str, Market>,
}

/// A line of the table that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallingCodesError {
    /// The first line that is not a comment is not `calling_code,country`.
    #[error("calling-code table: the header line must be `{HEADER}`")]
    MissingHeader,
    /// A row is malformed.
    #[error("calling-code table, line {line}: {problem}")]
    BadRow {
        /// The line number, from 1.
        line: usize,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A prefix appears twice.
    #[error("calling-code table, line {line}: calling code +{code} is listed twice")]
    Duplicate {
        /// The line number of the second occurrence, from 1.
        line: usize,
        /// The prefix.
        code: &'static str,
    },
}

impl CallingCodes {
    /// Parses the CSV text of a calling-code table: `#` comment lines, then the header, then one
    /// `calling_code,country` row per prefix.
    pub fn parse(text: &'static str) -> Result<Self, CallingCodesError> {
        let mut rows = (1..)
            .zip(text.lines().map(str::trim))
            .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'));
        if rows.next().map(|(_, line)| line) != Some(HEADER) {
            return Err(CallingCodesError::MissingHeader);
        }
        let mut prefixes = BTreeMap::new();
        for (line, row) in rows {
            let (code, market) =
                parse_row(row).map_err(|problem| CallingCodesError::BadRow { line, problem })?;
            if prefixes.insert(code, market).is_some() {
                return Err(CallingCodesError::Duplicate { line, code });
            }
        }
        Ok(Self { prefixes })
    }

    /// The country of the longest listed prefix of `digits` (a number in international form,
    /// digits only); `None` if no prefix is listed.
    pub fn country_of(&self, digits: &str) -> Option<Market> {
        (1..=MAX_PREFIX_DIGITS.min(digits.len()))
            .rev()
            .filter_map(|length| digits.get(..length))
            .find_map(|prefix| self.prefixes.get(prefix).copied())
    }

    /// Every (prefix, country), by prefix.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, Market)> + '_ {
        self.prefixes.iter().map(|(&code, &market)| (code, market))
    }
}

/// One `calling_code,country` row.
fn parse_row(row: &'static str) -> Result<(&'static str, Market), &'static str> {
    let mut fields = row.split(',').map(str::trim);
    let (Some(code), Some(country), None) = (fields.next(), fields.next(), fields.next()) else {
        return Err("expected two comma-separated fields: calling_code,country");
    };
    let well_formed = (1..=MAX_PREFIX_DIGITS).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_digit())
        && !code.starts_with('0');
    if !well_formed {
        return Err("the calling code must be one to three digits, not starting with 0");
    }
    if code.starts_with('1') {
        return Err("+1 numbers are placed by the NANP area-code table, not this one");
    }
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err("the country must be an ISO 3166-1 alpha-2 code in capitals");
    }
    let market = Market::new(country).ok_or("the country must be two letters")?;
    Ok((code, market))
}

/// The shipped calling-code table, parsed on first use.
pub fn calling_codes() -> Result<&'static CallingCodes, &'static CallingCodesError> {
    static TABLE: OnceLock<Result<CallingCodes, CallingCodesError>> = OnceLock::new();
    TABLE
        .get_or_init(|| CallingCodes::parse(TABLE_CSV))
        .as_ref()
}

/// The country of a number in international form (digits only, not +1), by the shipped table;
/// `None` if no prefix is listed or the table did not load.
pub(super) fn country_of_calling_code(digits: &str) -> Option<Market> {
    calling_codes().ok()?.country_of(digits)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn the_shipped_table_parses_without_duplicates() {
        let table = CallingCodes::parse(TABLE_CSV).unwrap();
        assert_eq!(calling_codes().unwrap(), &table);
        let listed: Vec<_> = table.iter().collect();
        assert!(listed.len() > 200, "{} prefixes", listed.len());
        // Sorted and unique (parse rejects duplicates; this checks the order too), and sorted in
        // the file as well, so that a reader finds a code where expected.
        assert!(listed.windows(2).all(|pair| pair[0].0 < pair[1].0));
        let in_file: Vec<&str> = TABLE_CSV
            .lines()
            .filter(|line| !line.starts_with('#') && *line != HEADER)
            .filter_map(|line| line.split(',').next())
            .collect();
        assert!(in_file.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn every_named_market_of_metas_rate_card_is_listed() {
        let table = calling_codes().unwrap();
        // Meta's rate card names these markets (North America, +1, is the NANP table's); the
        // rest fall in its regional groups, which the table covers country by country.
        for country in [
            "AR", "BR", "CL", "CO", "EG", "FR", "DE", "IN", "ID", "IL", "IT", "MY", "MX", "NL",
            "NG", "PK", "PE", "RU", "SA", "ZA", "ES", "TR", "AE", "GB",
        ] {
            let market = Market::new(country).unwrap();
            assert!(table.iter().any(|(_, m)| m == market), "{country}");
        }
    }

    #[test]
    fn the_longest_prefix_wins() {
        let table = calling_codes().unwrap();
        assert_eq!(table.country_of("79161234567"), Market::new("RU"));
        assert_eq!(table.country_of("77011234567"), Market::new("KZ"));
        assert_eq!(table.country_of("2348012345678"), Market::new("NG"));
        assert_eq!(table.country_of("27821234567"), Market::new("ZA"));
        assert_eq!(table.country_of("2"), None);
        assert_eq!(table.country_of(""), None);
        assert_eq!(table.country_of("8001234"), None);
    }

    #[test]
    fn malformed_tables_are_refused_with_the_line() {
        let parse = CallingCodes::parse;
        assert_eq!(parse("# x\n49,DE\n"), Err(CallingCodesError::MissingHeader));
        assert_eq!(
            parse("calling_code,country\n49,DE\n49,AT\n"),
            Err(CallingCodesError::Duplicate {
                line: 3,
                code: "49"
            })
        );
        for (row, problem) in [
            ("49", "two comma-separated"),
            ("49,DE,x", "two comma-separated"),
            ("4912,DE", "one to three digits"),
            ("049,DE", "one to three digits"),
            ("4a,DE", "one to three digits"),
            ("1,US", "NANP"),
            ("49,de", "capitals"),
            ("49,DEU", "capitals"),
        ] {
            let text: &'static str = format!("calling_code,country\n{row}\n").leak();
            let error = parse(text).unwrap_err();
            assert!(
                matches!(error, CallingCodesError::BadRow { line: 2, .. }),
                "{row}: {error:?}"
            );
            assert!(error.to_string().contains(problem), "{row}: {error}");
        }
    }
}
