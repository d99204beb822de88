//! Validation: every setting against its declared rule, then the rules between keys, every
//! problem reported rather than the first. Each repeat is reported at the later entry.

use core::net::SocketAddr;

use crate::config::Config;
use crate::problem::{KeyPath, Problem, ProblemKind, Problems, ShownValue};
use crate::schema::{Meta, Section, Visit};
use crate::sources::OperatorToken;
use crate::values::Value;

impl Config {
    /// Checks every setting and the rules between them.
    ///
    /// # Errors
    /// Every problem found (see [`Problems`]).
    #[expect(
        clippy::result_large_err,
        reason = "no allocator in no_std; the list is bounded and only built on failure"
    )]
    pub fn validate(&self) -> Result<(), Problems> {
        let mut problems = Problems::new();
        self.for_each_problem(|problem| problems.push(problem));
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// Calls `report` with each problem, in key order, then the rules between keys.
    pub fn for_each_problem(&self, mut report: impl FnMut(Problem)) {
        let mut checker = Checker {
            report: &mut report,
            indexes: heapless::Vec::new(),
        };
        self.visit(&mut checker);
        between_keys(self, &mut report);
    }
}

/// The walk that checks each setting against its rule.
struct Checker<'r> {
    report: &'r mut dyn FnMut(Problem),
    indexes: heapless::Vec<usize, 2>,
}

/// `pattern` with the indexes of the lists the walk is in.
pub(crate) fn path_in(pattern: &'static str, indexes: &[usize]) -> KeyPath {
    indexes
        .iter()
        .fold(KeyPath::new(pattern), |path, index| path.at(*index))
}

impl Visit for Checker<'_> {
    fn value<T: Value>(&mut self, meta: &'static Meta, value: &T) {
        let path = path_in(meta.key, &self.indexes);
        value.check(meta, &mut |flaw| {
            let suffix = T::SUFFIXES.get(flaw.suffix).copied().unwrap_or_default();
            let path = flaw.entry.map_or(path, |entry| path.at(entry));
            (self.report)(Problem::at(path.with_suffix(suffix), flaw.shown, flaw.kind));
        });
    }

    fn list<S: Section, const N: usize>(&mut self, _: &'static Meta, list: &heapless::Vec<S, N>) {
        for (index, item) in list.iter().enumerate() {
            if self.indexes.push(index).is_ok() {
                item.visit(self);
                self.indexes.pop();
            }
        }
    }
}

/// The index of the first of `items[..index]` that is `same` as `items[index]`.
fn earlier<T>(items: &[T], index: usize, same: impl Fn(&T, &T) -> bool) -> Option<usize> {
    let item = items.get(index)?;
    items
        .get(..index)?
        .iter()
        .position(|other| same(other, item))
}

fn repeat(path: KeyPath, value: ShownValue, first: KeyPath, rule: &'static str) -> Problem {
    Problem::at(path, value, ProblemKind::Duplicate { first, rule })
}

fn listeners_collide(a: SocketAddr, b: SocketAddr) -> bool {
    a.port() != 0
        && a.port() == b.port()
        && (a.ip() == b.ip() || a.ip().is_unspecified() || b.ip().is_unspecified())
}

#[expect(clippy::too_many_lines, reason = "one list of rules, each a few lines")]
fn between_keys(config: &Config, report: &mut impl FnMut(Problem)) {
    let public = &config.public;
    let tls = [
        ("public.tls_cert", &public.tls_cert),
        ("public.tls_key", &public.tls_key),
    ];
    for ((key, value), (other, other_value)) in [(tls[0], tls[1]), (tls[1], tls[0])] {
        if let (Some(value), None) = (value, other_value) {
            let kind = ProblemKind::TlsPairIncomplete { missing: other };
            report(Problem::at(KeyPath::new(key), value.shown(), kind));
        }
    }
    if listeners_collide(public.listen, config.local.listen) {
        let kind = ProblemKind::SameAddress {
            other: "public.listen",
        };
        report(Problem::at(
            KeyPath::new("local.listen"),
            config.local.listen.shown(),
            kind,
        ));
    }
    let inflight_in_range = (64 << 10..=1 << 30).contains(&public.inflight_body_bytes);
    if inflight_in_range && public.inflight_body_bytes < public.max_body_bytes {
        let kind = ProblemKind::BelowOther {
            other: "public.max_body_bytes",
            other_value: u64::from(public.max_body_bytes),
        };
        let path = KeyPath::new("public.inflight_body_bytes");
        report(Problem::at(path, public.inflight_body_bytes.shown(), kind));
    }

    let lists = &config.chat.profanity_word_lists;
    let list_path = KeyPath::new("chat.profanity_word_lists");
    for (index, file) in lists.iter().enumerate() {
        if let Some(first) = earlier(lists, index, |a, b| !b.is_empty() && a == b) {
            let rule = "each file is listed once";
            report(repeat(
                list_path.at(index),
                file.shown(),
                list_path.at(first),
                rule,
            ));
        }
    }

    let departments = &config.departments;
    let numbers = |index: usize| departments.iter().take(index + 1).enumerate();
    for (index, department) in departments.iter().enumerate() {
        let name = KeyPath::new("departments[].name");
        if let Some(first) = earlier(departments, index, |a, b| {
            !b.name.trim().is_empty() && a.name == b.name
        }) {
            let rule = "department names are unique";
            report(repeat(
                name.at(index),
                department.name.shown(),
                name.at(first),
                rule,
            ));
        }
        let number_path = KeyPath::new("departments[].numbers");
        for (slot, number) in department.numbers.iter().enumerate() {
            let first = numbers(index).find_map(|(other_index, other)| {
                let other_slot = other.numbers.iter().position(|n| n == number)?;
                Some((other_index, other_slot)).filter(|first| *first != (index, slot))
            });
            let digits = !number.is_empty() && number.bytes().all(|byte| byte.is_ascii_digit());
            if let Some((first_index, first_slot)) = first.filter(|_| digits) {
                let rule = "a business number is listed once, in one department";
                let first = number_path.at(first_index).at(first_slot);
                report(repeat(
                    number_path.at(index).at(slot),
                    number.shown(),
                    first,
                    rule,
                ));
            }
        }
    }

    let templates = &config.templates;
    let template_path = KeyPath::new("templates[]");
    for (index, template) in templates.iter().enumerate() {
        let same = |a: &crate::Template, b: &crate::Template| {
            !b.name.is_empty()
                && !b.language.is_empty()
                && (&a.name, &a.language) == (&b.name, &b.language)
        };
        if let Some(first) = earlier(templates, index, same) {
            let shown = ShownValue::display(format_args!(
                "({:?}, {:?})",
                template.name, template.language
            ));
            let rule = "a name and language pair is registered once";
            report(repeat(
                template_path.at(index),
                shown,
                template_path.at(first),
                rule,
            ));
        }
    }

    let operators = &config.operators;
    for (index, operator) in operators.iter().enumerate() {
        let name = KeyPath::new("operators[].name");
        if let Some(first) = earlier(operators, index, |a, b| {
            !b.name.trim().is_empty() && a.name == b.name
        }) {
            let rule = "operator names are unique";
            report(repeat(
                name.at(index),
                operator.name.shown(),
                name.at(first),
                rule,
            ));
        }
        let usable = match &operator.token {
            OperatorToken::Sha256(_) => true,
            OperatorToken::File(text) => !text.is_empty(),
            OperatorToken::Env(text) => !text.is_empty(),
        };
        if usable && let Some(first) = earlier(operators, index, |a, b| a.token == b.token) {
            let suffix = token_suffix(&operator.token);
            let path = KeyPath::new("operators[].token").with_suffix(suffix);
            let rule = "each operator has a token of their own";
            report(repeat(
                path.at(index),
                operator.token.shown(),
                path.at(first),
                rule,
            ));
        }
    }
}

/// The key suffix of the token's source.
const fn token_suffix(token: &OperatorToken) -> &'static str {
    match token {
        OperatorToken::Sha256(_) => "_sha256",
        OperatorToken::File(_) => "_file",
        OperatorToken::Env(_) => "_env",
    }
}
