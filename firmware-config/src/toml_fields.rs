//! Reading typed fields out of a parsed TOML table, collecting a problem for every key that is
//! unknown, of the wrong type, out of its type's domain or too long, instead of stopping at the
//! first.

use core::net::SocketAddr;

use toml::{Table, Value};

use crate::config::{LogFormat, SecretSource};
use crate::config_errors::ConfigProblem;
use crate::keys::{self, SecretKeys};
use crate::limits::Limit;
use crate::problem::{Problem, ProblemKind};
use crate::shown_value::ShownValue;
use crate::validate::out_of_range;

/// Whether a value may be shown in a problem report.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Secrecy {
    Plain,
    Secret,
}

/// Reads fields and collects problems.
#[derive(Default)]
pub(crate) struct FieldReader {
    problems: Vec<ConfigProblem>,
}

impl FieldReader {
    /// The problems collected so far.
    pub(crate) fn into_problems(self) -> Vec<ConfigProblem> {
        self.problems
    }

    /// Records a problem found elsewhere (validation).
    pub(crate) fn report(&mut self, problem: Problem) {
        self.problems.push(ConfigProblem::Invalid(problem));
    }

    /// Reports every key of `table` (named `name`, `""` at the top) that is not in `known`.
    pub(crate) fn reject_unknown_keys(
        &mut self,
        table: &Table,
        name: &'static str,
        known: &'static [&'static str],
    ) {
        for field in table.keys() {
            if known.iter().any(|key| keys::field_name(key) == field) {
                continue;
            }
            let key = if name.is_empty() {
                field.clone()
            } else {
                format!("{name}.{field}")
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
        key: &'static str,
    ) -> Option<heapless::String<N>> {
        self.fixed_string(table, key, Secrecy::Plain)
    }

    fn fixed_string<const N: usize>(
        &mut self,
        table: &Table,
        key: &'static str,
        secrecy: Secrecy,
    ) -> Option<heapless::String<N>> {
        let text = self.str(table, key)?;
        match heapless::String::try_from(text) {
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
                self.report(Problem::new(key, shown, kind));
                None
            }
        }
    }

    fn str<'t>(&mut self, table: &'t Table, key: &'static str) -> Option<&'t str> {
        match table.get(keys::field_name(key))? {
            Value::String(text) => Some(text),
            other => {
                self.wrong_type(key, "a string", other);
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
        match table.get(keys::field_name(limit.key))? {
            Value::Integer(number) => match T::try_from(*number) {
                Ok(value) => Some(value),
                Err(_) => {
                    self.report(out_of_range(limit, ShownValue::display(number)));
                    None
                }
            },
            other => {
                self.wrong_type(limit.key, "an integer", other);
                None
            }
        }
    }

    /// The socket address at `key`.
    pub(crate) fn socket_addr(&mut self, table: &Table, key: &'static str) -> Option<SocketAddr> {
        let text = self.str(table, key)?;
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

    /// The log format at `key`.
    pub(crate) fn log_format(&mut self, table: &Table, key: &'static str) -> Option<LogFormat> {
        let text = self.str(table, key)?;
        let format = LogFormat::from_name(text);
        if format.is_none() {
            self.report(Problem::new(
                key,
                ShownValue::quoted(text),
                ProblemKind::NotOneOf {
                    allowed: LogFormat::NAMES,
                },
            ));
        }
        format
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
            self.fixed_string(table, first, Secrecy::Secret)
                .map(SecretSource::Inline)
        } else if first == keys.file {
            self.text(table, first).map(SecretSource::File)
        } else {
            self.text(table, first).map(SecretSource::Env)
        }
    }

    fn wrong_type(&mut self, key: &'static str, expected: &'static str, found: &Value) {
        self.report(Problem::new(
            key,
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
