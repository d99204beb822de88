//! The North American Numbering Plan (+1): which country or US territory a +1 number is in.
//!
//! `+1` alone does not mean the United States: Canada and twenty-odd Caribbean and Pacific
//! countries and territories share it. The three digits after it, the area code, decide. The
//! table is data, `gateway/data/nanp_area_codes.csv` (its header names the source and when to
//! refresh it), compiled into the binary and parsed once on first use. A test parses the whole
//! table, so a malformed line fails the build's tests rather than a running gateway; should it
//! fail anyway, every +1 number classifies as [`NanpRegion::Unknown`], which the US pause
//! treats as "cannot tell", and refuses.

use std::sync::OnceLock;

/// The area-code table, as shipped.
const TABLE_CSV: &str = include_str!("../../data/nanp_area_codes.csv");

/// The table's column header line.
const HEADER: &str = "area_code,region,country";

/// The US territories with NANP area codes (ISO 3166-1 alpha-2).
const US_TERRITORIES: [&str; 5] = ["PR", "VI", "GU", "MP", "AS"];

/// One area code and whom it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AreaCode {
    /// The three-digit area code, e.g. 415.
    pub code: u16,
    /// The state, province, territory or country it serves, e.g. `California`.
    pub region: &'static str,
    /// ISO 3166-1 alpha-2: `US`, `CA`, a US territory (`PR`, ...) or another country (`JM`, ...).
    pub country: &'static str,
}

/// The parsed area-code table, sorted by code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NanpTable {
    codes: Vec<AreaCode>,
}

/// A line of the table that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TableError {
    /// The first line that is not a comment is not `area_code,region,country`.
    #[error("NANP area-code table: the header line must be `{HEADER}`")]
    MissingHeader,
    /// A row is malformed.
    #[error("NANP area-code table, line {line}: {problem}")]
    BadRow {
        /// The line number, from 1.
        line: usize,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// An area code appears twice.
    #[error("NANP area-code table, line {line}: area code {code} is listed twice")]
    Duplicate {
        /// The line number of the second occurrence, from 1.
        line: usize,
        /// The area code.
        code: u16,
    },
}

/// Where a number is, as far as the +1 plan goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NanpRegion {
    /// +1 with a US area code (one of the states or the District of Columbia).
    UnitedStates(AreaCode),
    /// +1 with a Canadian area code.
    Canada(AreaCode),
    /// +1 with the area code of a US territory: Puerto Rico, the US Virgin Islands, Guam, the
    /// Northern Mariana Islands or American Samoa (`country` says which).
    UsTerritory(AreaCode),
    /// +1 with the area code of another country: Jamaica, the Dominican Republic, Bermuda...
    OtherNanp(AreaCode),
    /// A number with another country calling code.
    NotNanp,
    /// Cannot tell; see [`Unclassified`].
    Unknown(Unclassified),
}

/// Why a number could not be placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unclassified {
    /// A +1 number whose area code is not in the table (new, non-geographic, or invalid).
    UnlistedAreaCode(u16),
    /// Not a phone number in international form: a username or BSUID, letters, or a +1
    /// number without ten digits after the 1.
    NotAPhoneNumber,
    /// The area-code table did not load (see [`nanp_table`]).
    TableUnavailable,
}

impl NanpTable {
    /// Parses the CSV text of an area-code table: `#` comment lines, then the header, then one
    /// `area_code,region,country` row per code.
    pub fn parse(text: &'static str) -> Result<Self, TableError> {
        let mut rows = text
            .lines()
            .enumerate()
            .map(|(index, line)| (index + 1, line.trim()))
            .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'));
        match rows.next() {
            Some((_, line)) if line == HEADER => {}
            _ => return Err(TableError::MissingHeader),
        }
        let mut codes: Vec<(usize, AreaCode)> = Vec::new();
        for (line, row) in rows {
            let area = parse_row(row).map_err(|problem| TableError::BadRow { line, problem })?;
            codes.push((line, area));
        }
        codes.sort_by_key(|(_, area)| area.code);
        for pair in codes.windows(2) {
            if let [(first_line, first), (second_line, second)] = pair
                && first.code == second.code
            {
                return Err(TableError::Duplicate {
                    line: *first_line.max(second_line),
                    code: first.code,
                });
            }
        }
        Ok(Self {
            codes: codes.into_iter().map(|(_, area)| area).collect(),
        })
    }

    /// The entry for `code`, if listed.
    pub fn get(&self, code: u16) -> Option<&AreaCode> {
        self.codes
            .binary_search_by_key(&code, |area| area.code)
            .ok()
            .and_then(|index| self.codes.get(index))
    }

    /// Every entry, by code.
    pub fn iter(&self) -> impl Iterator<Item = &AreaCode> {
        self.codes.iter()
    }

    /// How many area codes are listed.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether the table lists no area code.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}

/// One `area_code,region,country` row.
fn parse_row(row: &'static str) -> Result<AreaCode, &'static str> {
    let mut fields = row.split(',').map(str::trim);
    let (Some(code), Some(region), Some(country), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err("expected three comma-separated fields: area_code,region,country");
    };
    let well_formed = matches!(
        code.as_bytes(),
        [b'2'..=b'9', second, third]
            if second.is_ascii_digit() && third.is_ascii_digit() && [*second, *third] != *b"11"
    );
    if !well_formed {
        return Err("the area code must be three digits NXX, N from 2 to 9, not N11");
    }
    let code = code
        .parse()
        .map_err(|_| "the area code must be three digits")?;
    if region.is_empty() {
        return Err("the region is empty");
    }
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err("the country must be an ISO 3166-1 alpha-2 code in capitals");
    }
    Ok(AreaCode {
        code,
        region,
        country,
    })
}

/// The shipped area-code table, parsed on first use.
pub fn nanp_table() -> Result<&'static NanpTable, &'static TableError> {
    static TABLE: OnceLock<Result<NanpTable, TableError>> = OnceLock::new();
    TABLE.get_or_init(|| NanpTable::parse(TABLE_CSV)).as_ref()
}

/// Where `number` is, as far as the +1 plan goes.
///
/// The number is read in international form, country calling code first, as WhatsApp ids
/// are: an optional `+`, then digits, with spaces, `-`, `.`, `(` and `)` ignored. So
/// `+1 415 555 0123`, `14155550123` and `1-415-555-0123` are the same US number, while
/// `4155550123` (no country code) reads as a +41 number, not NANP.
pub fn classify(number: &str) -> NanpRegion {
    let Some(digits) = international_digits(number) else {
        return NanpRegion::Unknown(Unclassified::NotAPhoneNumber);
    };
    let Some(national) = digits.strip_prefix('1') else {
        return NanpRegion::NotNanp;
    };
    let Some(code) = area_code(national) else {
        return NanpRegion::Unknown(Unclassified::NotAPhoneNumber);
    };
    let Ok(table) = nanp_table() else {
        return NanpRegion::Unknown(Unclassified::TableUnavailable);
    };
    match table.get(code) {
        None => NanpRegion::Unknown(Unclassified::UnlistedAreaCode(code)),
        Some(area) if area.country == "US" => NanpRegion::UnitedStates(*area),
        Some(area) if area.country == "CA" => NanpRegion::Canada(*area),
        Some(area) if US_TERRITORIES.contains(&area.country) => NanpRegion::UsTerritory(*area),
        Some(area) => NanpRegion::OtherNanp(*area),
    }
}

/// The digits of a number in international form, or `None` if it is not one.
fn international_digits(number: &str) -> Option<String> {
    let number = number.trim();
    let number = number.strip_prefix('+').unwrap_or(number);
    let mut digits = String::with_capacity(number.len());
    for c in number.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    (!digits.is_empty()).then_some(digits)
}

/// The area code of a NANP national number (the ten digits after the 1).
fn area_code(national: &str) -> Option<u16> {
    if national.len() != 10 {
        return None;
    }
    national.get(..3)?.parse().ok()
}

#[cfg(test)]
#[path = "nanp_tests.rs"]
mod tests;
