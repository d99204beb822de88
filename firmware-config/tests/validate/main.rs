//! `Config::validate`, the check the firmware blob and the TOML reader share: every declared
//! range at both edges, the rules between keys and between list entries, every problem at once.
#![allow(clippy::unwrap_used, reason = "tests")]

#[path = "../support/declared_ranges.rs"]
mod declared_ranges;
mod lists;
mod outbound;
mod ranges;
mod rules;

use firmware_config::{
    Config, Date, Department, Number, Operator, OperatorToken, PricingCategory, ProblemKind, Rate,
    Template, TemplateCategory, TemplateStatus,
};

/// The key path and kind of each problem of `config`, in report order.
pub(crate) fn kinds(config: &Config) -> Vec<(String, ProblemKind)> {
    match config.validate() {
        Ok(()) => Vec::new(),
        Err(problems) => problems
            .iter()
            .map(|problem| (problem.path().to_string(), problem.kind().clone()))
            .collect(),
    }
}

/// The key path of each problem of `config`, in report order.
pub(crate) fn paths(config: &Config) -> Vec<String> {
    kinds(config).into_iter().map(|(path, _)| path).collect()
}

/// Each problem of `config` as it prints.
pub(crate) fn problems(config: &Config) -> Vec<String> {
    config
        .validate()
        .err()
        .map(|problems| problems.iter().map(ToString::to_string).collect())
        .unwrap_or_default()
}

pub(crate) fn department(name: &str, numbers: &[&str]) -> Department {
    Department {
        name: name.try_into().unwrap(),
        numbers: numbers.iter().map(|n| (*n).try_into().unwrap()).collect(),
    }
}

/// An approved utility template with one parameter.
pub(crate) fn template(name: &str, language: &str) -> Template {
    Template {
        name: name.try_into().unwrap(),
        language: language.try_into().unwrap(),
        category: TemplateCategory::Utility,
        parameters: 1,
        status: TemplateStatus::Approved,
    }
}

pub(crate) fn operator(name: &str, token: OperatorToken) -> Operator {
    Operator {
        name: name.try_into().unwrap(),
        token,
    }
}

/// Business number `id` at the defaults.
pub(crate) fn number(id: &str) -> Number {
    Number {
        phone_number_id: id.try_into().unwrap(),
        ..Number::default()
    }
}

/// A price of 0.025 USD for `category` in `market` from the day `(year, month, day)`.
pub(crate) fn rate(
    market: &str,
    category: PricingCategory,
    (year, month, day): (u16, u8, u8),
) -> Rate {
    Rate {
        market: market.try_into().unwrap(),
        category,
        micro_usd: 25_000,
        from: Date { year, month, day },
    }
}
