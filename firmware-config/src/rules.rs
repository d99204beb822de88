//! Validation: every setting against its declared rule, then the rules between keys, every
//! problem reported rather than the first. Each repeat is reported at the later entry.

use core::net::SocketAddr;

use crate::config::{Config, Path};
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
    // A certificate needs its key and a key its certificate.
    let tls = [
        (
            "public.tls_cert",
            &public.tls_cert,
            "needs public.tls_key too (set both or neither; with neither, a self-signed \
             certificate is generated in data_dir)",
        ),
        (
            "public.tls_key",
            &public.tls_key,
            "needs public.tls_cert too (set both or neither; with neither, a self-signed \
             certificate is generated in data_dir)",
        ),
    ];
    for ((key, value, rule), (_, other, _)) in [(tls[0], tls[1]), (tls[1], tls[0])] {
        broken(value.is_some() && other.is_none(), key, value, rule, report);
    }
    let local = config.local.listen;
    let collide = listeners_collide(public.listen, local);
    let rule = "must not use the same port as public.listen";
    broken(collide, "local.listen", &local, rule, report);
    let inflight_in_range = (64 << 10..=1 << 30).contains(&public.inflight_body_bytes);
    if inflight_in_range && public.inflight_body_bytes < public.max_body_bytes {
        let kind = ProblemKind::BelowOther {
            other: "public.max_body_bytes",
            other_value: u64::from(public.max_body_bytes),
        };
        let path = KeyPath::new("public.inflight_body_bytes");
        report(Problem::at(path, public.inflight_body_bytes.shown(), kind));
    }
    // A console session lasts at least as long as it may stay unused.
    let console = &config.console;
    let idle_seconds = u64::from(console.session_idle_seconds);
    let max_hours_in_range = (1..=720).contains(&console.session_max_hours);
    if max_hours_in_range && u64::from(console.session_max_hours) * 3_600 < idle_seconds {
        let kind = ProblemKind::BelowOther {
            other: "console.session_idle_seconds",
            other_value: idle_seconds,
        };
        let path = KeyPath::new("console.session_max_hours");
        report(Problem::at(path, console.session_max_hours.shown(), kind));
    }

    let file = |path: &Path| (!path.is_empty()).then(|| path.clone());
    let rule = "each file is listed once";
    let lists = KeyPath::new("chat.profanity_word_lists");
    repeats(
        &config.chat.profanity_word_lists,
        lists,
        rule,
        file,
        Value::shown,
        report,
    );

    let departments = &config.departments;
    let name = |department: &crate::Department| named(&department.name);
    let path = KeyPath::new("departments[].name");
    let shown = |department: &crate::Department| department.name.shown();
    repeats(
        departments,
        path,
        "department names are unique",
        name,
        shown,
        report,
    );
    let numbers = KeyPath::new("departments[].numbers");
    for (index, department) in departments.iter().enumerate() {
        for (slot, number) in department.numbers.iter().enumerate() {
            let first = departments
                .iter()
                .take(index + 1)
                .enumerate()
                .find_map(|(at, other)| {
                    let other_slot = other.numbers.iter().position(|n| n == number)?;
                    Some((at, other_slot)).filter(|first| *first != (index, slot))
                });
            let digits = !number.is_empty() && number.bytes().all(|byte| byte.is_ascii_digit());
            if let Some((first_index, first_slot)) = first.filter(|_| digits) {
                let rule = "a business number is listed once, in one department";
                let first = numbers.at(first_index).at(first_slot);
                report(repeat(
                    numbers.at(index).at(slot),
                    number.shown(),
                    first,
                    rule,
                ));
            }
        }
    }

    let pair = |template: &crate::Template| {
        let written = !template.name.is_empty() && !template.language.is_empty();
        written.then(|| (template.name.clone(), template.language.clone()))
    };
    let shown = |template: &crate::Template| {
        ShownValue::display(format_args!(
            "({:?}, {:?})",
            template.name, template.language
        ))
    };
    let rule = "a name and language pair is registered once";
    repeats(
        &config.templates,
        KeyPath::new("templates[]"),
        rule,
        pair,
        shown,
        report,
    );

    let operators = &config.operators;
    let name = |operator: &crate::Operator| named(&operator.name);
    let path = KeyPath::new("operators[].name");
    let shown = |operator: &crate::Operator| operator.name.shown();
    repeats(
        operators,
        path,
        "operator names are unique",
        name,
        shown,
        report,
    );
    let token = |operator: &crate::Operator| match &operator.token {
        OperatorToken::File(text) if text.is_empty() => None,
        OperatorToken::Env(text) if text.is_empty() => None,
        token => Some(token.clone()),
    };
    let shown = |operator: &crate::Operator| operator.token.shown();
    let path = |suffix| KeyPath::new("operators[].token").with_suffix(suffix);
    for suffix in ["_sha256", "_file", "_env"] {
        let of_kind = |operator: &crate::Operator| {
            token(operator).filter(|token| token_suffix(token) == suffix)
        };
        let rule = "each operator has a token of their own";
        repeats(operators, path(suffix), rule, of_kind, shown, report);
    }
    outbound_repeats(config, report);
    upstream_rules(config, report);
    operator_tools_repeats(config, report);
}

/// `upstream.commands_url` needs `upstream.url`. (A url needs a secret too, but the gateway
/// checks that: `WAYGATE_UPSTREAM_SECRET` may give it.)
fn upstream_rules(config: &Config, report: &mut impl FnMut(Problem)) {
    let (url, commands) = (&config.upstream.url, &config.upstream.commands_url);
    let rule = "needs upstream.url too (commands come from the headquarters events are synced to)";
    let broken_at = "upstream.commands_url";
    broken(
        commands.is_some() && url.is_none(),
        broken_at,
        commands,
        rule,
        report,
    );
}

/// Reports `rule` at `key`, showing `value`, when it is `broken`.
fn broken<T: Value>(
    broken: bool,
    key: &'static str,
    value: &T,
    rule: &'static str,
    report: &mut impl FnMut(Problem),
) {
    if broken {
        let kind = ProblemKind::Rule(rule);
        report(Problem::at(KeyPath::new(key), value.shown(), kind));
    }
}

/// A text that is written (not empty), for comparing entries.
fn written<const N: usize>(text: &heapless::String<N>) -> Option<heapless::String<N>> {
    (!text.is_empty()).then(|| text.clone())
}

/// Each canned response's id and shortcut once; each article's id once.
fn operator_tools_repeats(config: &Config, report: &mut impl FnMut(Problem)) {
    let canned = &config.canned_responses;
    let id = |canned: &crate::CannedResponse| written(&canned.id);
    let shown = |canned: &crate::CannedResponse| canned.id.shown();
    let path = KeyPath::new("canned_responses[].id");
    let rule = "each canned response has an id of its own";
    repeats(canned, path, rule, id, shown, report);
    let shortcut = |canned: &crate::CannedResponse| written(&canned.shortcut);
    let shown = |canned: &crate::CannedResponse| canned.shortcut.shown();
    let path = KeyPath::new("canned_responses[].shortcut");
    let rule = "a shortcut inserts one canned response";
    repeats(canned, path, rule, shortcut, shown, report);
    let id = |article: &crate::Article| written(&article.id);
    let shown = |article: &crate::Article| article.id.shown();
    let path = KeyPath::new("articles[].id");
    let rule = "each article has an id of its own";
    repeats(&config.articles, path, rule, id, shown, report);
}

/// The rules between `[[numbers]]` and between `[[pricing.rates]]`.
fn outbound_repeats(config: &Config, report: &mut impl FnMut(Problem)) {
    let id = |number: &crate::Number| {
        let id = &number.phone_number_id;
        (!id.is_empty()).then(|| id.clone())
    };
    let shown = |number: &crate::Number| number.phone_number_id.shown();
    let path = KeyPath::new("numbers[].phone_number_id");
    let rule = "each business number is configured once";
    repeats(&config.numbers, path, rule, id, shown, report);

    let row = |rate: &crate::Rate| {
        let market = rate.market.as_bytes().first_chunk::<2>()?;
        Some((
            market.map(|byte| byte.to_ascii_uppercase()),
            rate.category,
            rate.from,
        ))
    };
    let shown = |rate: &crate::Rate| {
        let (market, category) = (rate.market.as_str(), rate.category.name());
        ShownValue::display(format_args!("({market:?}, {category:?}, {})", rate.from))
    };
    let rule = "a market, category and first day have one price";
    let path = KeyPath::new("pricing.rates[]");
    repeats(&config.pricing.rates, path, rule, row, shown, report);
}

/// A name that is written (not blank).
fn named(name: &crate::Name) -> Option<crate::Name> {
    (!name.trim().is_empty()).then(|| name.clone())
}

/// Reports each of `items` whose `key` equals an earlier one's, at its index in `path`.
fn repeats<T, K: PartialEq>(
    items: &[T],
    path: KeyPath,
    rule: &'static str,
    key: impl Fn(&T) -> Option<K>,
    shown: impl Fn(&T) -> ShownValue,
    report: &mut impl FnMut(Problem),
) {
    for (index, item) in items.iter().enumerate() {
        let Some(this) = key(item) else { continue };
        let earlier = items
            .iter()
            .take(index)
            .position(|other| key(other).as_ref() == Some(&this));
        if let Some(first) = earlier {
            report(repeat(path.at(index), shown(item), path.at(first), rule));
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
