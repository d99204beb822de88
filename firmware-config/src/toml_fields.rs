//! Reading typed fields out of a parsed TOML table, collecting a problem for every key that is
//! unknown, of the wrong type, out of its type's domain or too long, instead of stopping at the
//! first.
//!
//! Inside an array the reader keeps every entry's index: an entry it cannot read is replaced
//! by a placeholder and its key *covered*, so the validation that follows does not report the
//! placeholder a second time (see [`FieldReader::report_unless_covered`]). Arrays are read in
//! `toml_fields_arrays`.

use core::fmt::Display;
use core::net::SocketAddr;

use toml::{Table, Value};

use crate::config::{LogFormat, SecretSource};
use crate::config_errors::ConfigProblem;
use crate::key_path::KeyPath;
use crate::keys::{self, SecretKeys};
use crate::limits::Limit;
use crate::problem::{Problem, ProblemKind};
use crate::shown_value::ShownValue;
use crate::validate::out_of_range_at;

/// Whether a value may be shown in a problem report.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Secrecy {
    Plain,
    Secret,
}

/// Reads fields and collects problems.
#[derive(Default)]
pub(crate) struct FieldReader {
    problems: Vec<ConfigProblem>,
    covered: Vec<KeyPath>,
}

impl FieldReader {
    /// The problems collected so far.
    pub(crate) fn into_problems(self) -> Vec<ConfigProblem> {
        self.problems
    }

    /// Records a problem.
    pub(crate) fn report(&mut self, problem: Problem) {
        self.problems.push(ConfigProblem::Invalid(problem));
    }

    /// Records that the value at `path` is a placeholder for one already reported.
    pub(crate) fn cover(&mut self, path: KeyPath) {
        self.covered.push(path);
    }

    /// Records a validation problem, unless it is about a placeholder (its key, or the
    /// earlier entry a duplicate repeats, lies in a covered key).
    pub(crate) fn report_unless_covered(&mut self, problem: Problem) {
        let covers = |path: &KeyPath| self.covered.iter().any(|covered| covered.contains(path));
        let about_placeholder = covers(&problem.path())
            || matches!(problem.kind(), ProblemKind::Duplicate { first, .. } if covers(first));
        if !about_placeholder {
            self.report(problem);
        }
    }

    /// Reports every key of `table` (named `name`, `""` at the top) that is not in `known`.
    pub(crate) fn reject_unknown_keys(
        &mut self,
        table: &Table,
        name: &'static str,
        known: &'static [&'static str],
    ) {
        self.reject_unknown(table, name, name, known);
    }

    /// Reports every key of `table`, written under `prefix` (`"departments[2]"`, or `""` at
    /// the top) in the table or array of tables `name`, that is not in `known`.
    pub(crate) fn reject_unknown(
        &mut self,
        table: &Table,
        prefix: impl Display,
        name: &'static str,
        known: &'static [&'static str],
    ) {
        let prefix = prefix.to_string();
        for field in table.keys() {
            if known.iter().any(|key| keys::field_name(key) == field) {
                continue;
            }
            let key = if prefix.is_empty() {
                field.clone()
            } else {
                format!("{prefix}.{field}")
            };
            self.problems.push(ConfigProblem::UnknownKey {
                key,
                table: name,
                known,
                suggestion: keys::with_field_name(field).next(),
            });
        }
    }

    /// The table `name` of `root`, after reporting its unknown keys; `None` when absent or not
    /// a table.
    pub(crate) fn table<'t>(
        &mut self,
        root: &'t Table,
        name: &'static str,
        known: &'static [&'static str],
    ) -> Option<&'t Table> {
        match root.get(name)? {
            Value::Table(table) => {
                self.reject_unknown_keys(table, name, known);
                Some(table)
            }
            other => {
                self.wrong_type(name, "a table", other);
                None
            }
        }
    }

    /// The string at `key`, if present and fitting in `N` bytes.
    pub(crate) fn text<const N: usize>(
        &mut self,
        table: &Table,
        key: impl Into<KeyPath>,
    ) -> Option<heapless::String<N>> {
        self.fixed_string(table, key.into(), Secrecy::Plain)
    }

    /// The string at `key` in `N` bytes; the value is not shown in a report if `secrecy` says.
    pub(crate) fn fixed_string<const N: usize>(
        &mut self,
        table: &Table,
        key: KeyPath,
        secrecy: Secrecy,
    ) -> Option<heapless::String<N>> {
        let value = table.get(keys::field_name(key.pattern()))?;
        self.text_value(value, key, secrecy)
    }

    /// `value` (named `path`) as a string of `N` bytes; reported when it is not a string or
    /// too long.
    pub(crate) fn text_value<const N: usize>(
        &mut self,
        value: &Value,
        path: KeyPath,
        secrecy: Secrecy,
    ) -> Option<heapless::String<N>> {
        let Value::String(text) = value else {
            self.wrong_type(path, "a string", value);
            return None;
        };
        match heapless::String::try_from(text.as_str()) {
            Ok(fixed) => Some(fixed),
            Err(_) => {
                let shown = match secrecy {
                    Secrecy::Plain => ShownValue::quoted(text),
                    Secrecy::Secret => ShownValue::Redacted,
                };
                let kind = ProblemKind::TooLong {
                    len: text.len(),
                    capacity: N,
                };
                self.report(Problem::at(path, shown, kind));
                None
            }
        }
    }

    /// The string at `key`, as written.
    pub(crate) fn str<'t>(&mut self, table: &'t Table, key: KeyPath) -> Option<&'t str> {
        match table.get(keys::field_name(key.pattern()))? {
            Value::String(text) => Some(text),
            other => {
                self.wrong_type(key, "a string", other);
                None
            }
        }
    }

    /// The boolean at `key`.
    pub(crate) fn boolean(&mut self, table: &Table, key: &'static str) -> Option<bool> {
        match table.get(keys::field_name(key))? {
            Value::Boolean(value) => Some(*value),
            other => {
                self.wrong_type(key, "a boolean (true or false)", other);
                None
            }
        }
    }

    /// The integer at `limit.key`, if present and representable as `T`; a value beyond `T` is
    /// reported against `limit` (a value within `T` is left to validation).
    pub(crate) fn integer<T>(&mut self, table: &Table, limit: &Limit<T>) -> Option<T>
    where
        T: Copy + TryFrom<i64> + Into<u64>,
    {
        self.integer_at(table, limit, KeyPath::new(limit.key))
    }

    /// As [`Self::integer`], naming `path` (an instance of `limit.key` in an array).
    pub(crate) fn integer_at<T>(
        &mut self,
        table: &Table,
        limit: &Limit<T>,
        path: KeyPath,
    ) -> Option<T>
    where
        T: Copy + TryFrom<i64> + Into<u64>,
    {
        match table.get(keys::field_name(limit.key))? {
            Value::Integer(number) => match T::try_from(*number) {
                Ok(value) => Some(value),
                Err(_) => {
                    self.report(out_of_range_at(limit, path, ShownValue::display(number)));
                    None
                }
            },
            other => {
                self.wrong_type(path, "an integer", other);
                None
            }
        }
    }

    /// The socket address at `key`.
    pub(crate) fn socket_addr(&mut self, table: &Table, key: &'static str) -> Option<SocketAddr> {
        let text = self.str(table, KeyPath::new(key))?;
        match text.parse() {
            Ok(addr) => Some(addr),
            Err(_) => {
                self.report(Problem::new(
                    key,
                    ShownValue::quoted(text),
                    ProblemKind::NotSocketAddr,
                ));
                None
            }
        }
    }

    /// The word at `key` that `from_name` knows; any other is reported with `allowed`.
    pub(crate) fn choice<T>(
        &mut self,
        table: &Table,
        key: KeyPath,
        from_name: fn(&str) -> Option<T>,
        allowed: &'static [&'static str],
    ) -> Option<T> {
        let text = self.str(table, key)?;
        let choice = from_name(text);
        if choice.is_none() {
            self.report(Problem::at(
                key,
                ShownValue::quoted(text),
                ProblemKind::NotOneOf { allowed },
            ));
        }
        choice
    }

    /// The log format at `key`.
    pub(crate) fn log_format(&mut self, table: &Table, key: &'static str) -> Option<LogFormat> {
        self.choice(
            table,
            KeyPath::new(key),
            LogFormat::from_name,
            LogFormat::NAMES,
        )
    }

    /// The source of the secret whose keys are `keys`: `None` when no key is set (the secret
    /// is generated) or when the keys are in error.
    pub(crate) fn secret(&mut self, table: &Table, keys: &SecretKeys) -> Option<SecretSource> {
        let mut present = keys
            .all()
            .into_iter()
            .filter(|key| table.contains_key(keys::field_name(key)));
        let first = present.next()?;
        let mut conflicting = false;
        for other in present {
            conflicting = true;
            self.report(Problem::new(
                first,
                ShownValue::Hidden,
                ProblemKind::ConflictingSources { other },
            ));
        }
        if conflicting {
            return None;
        }
        if first == keys.inline {
            self.fixed_string(table, KeyPath::new(first), Secrecy::Secret)
                .map(SecretSource::Inline)
        } else if first == keys.file {
            self.text(table, first).map(SecretSource::File)
        } else {
            self.text(table, first).map(SecretSource::Env)
        }
    }

    /// Reports that `key` holds `found` where `expected` belongs.
    pub(crate) fn wrong_type(
        &mut self,
        key: impl Into<KeyPath>,
        expected: &'static str,
        found: &Value,
    ) {
        self.report(Problem::at(
            key.into(),
            ShownValue::Hidden,
            ProblemKind::WrongType {
                expected,
                found: type_name(found),
            },
        ));
    }
}

/// The TOML type of `value`, as a problem report names it.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date-time",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}
