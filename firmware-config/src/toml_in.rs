//! TOML in: [`parse_toml`] and [`load_toml_file`]. The reader walks the declared settings
//! alongside the parsed document, so every problem is reported at once with its line: types
//! and forms while reading, then each rule of [`Config::validate`], then unknown keys.

use std::fs::File;
use std::io::Read as _;

use toml::Spanned;

use crate::config::Config;
use crate::config_errors::{ConfigErrors, ConfigProblem};
use crate::problem::{KeyPath, Problem, ProblemKind, ShownValue};
use crate::rules::path_in;
use crate::schema::{Meta, Section, VisitMut};
use crate::values::{Refusal, Value};

/// A parsed TOML value with its spans.
pub type Toml<'a> = toml::de::DeValue<'a>;
type Table<'a> = toml::de::DeTable<'a>;

/// The largest configuration file read, in bytes (a real one is a few hundred).
pub const MAX_CONFIG_FILE_BYTES: u64 = 1024 * 1024;

/// Reads a configuration from TOML text. Every key is optional (absent = default), except
/// the names and sources of array entries.
///
/// # Errors
/// Every problem of the text at once, each with its line: a syntax error, unknown keys, wrong
/// types, values out of range or too long, rules between keys... Secrets are never shown.
pub fn parse_toml(text: &str) -> Result<Config, ConfigErrors> {
    read_toml(text).into_result()
}

/// A TOML text read as far as it goes: the configuration (settings that could not be read
/// keep their defaults), the line of each key written, and every problem. Callers that check
/// more (files the settings name) add their problems to the same list.
#[derive(Debug, Clone)]
pub struct Reading {
    /// The configuration read.
    pub config: Config,
    /// The line of each key written.
    pub lines: KeyLines,
    /// Every problem, in file order.
    pub problems: Vec<ConfigProblem>,
}

impl Reading {
    /// A reading of the defaults, with no problem yet.
    fn defaults() -> Self {
        Self {
            config: Config::default(),
            lines: KeyLines::default(),
            problems: Vec::new(),
        }
    }

    /// The configuration, or every problem. (A `Config` is large, with fixed capacities:
    /// moved once here rather than through combinators, each a copy on the stack.)
    fn into_result(self) -> Result<Config, ConfigErrors> {
        match ConfigErrors::from_problems(self.problems) {
            None => Ok(self.config),
            Some(errors) => Err(errors),
        }
    }
}

/// The line of each key written in a file: `departments[1].numbers` is on line 12.
#[derive(Debug, Clone, Default)]
pub struct KeyLines(Vec<(String, usize)>);

impl KeyLines {
    /// The line of `path` or of the nearest entry containing it (`departments[1]`).
    #[must_use]
    pub fn line_of(&self, path: &str) -> Option<usize> {
        let found = self.0.iter().rev().find(|(known, _)| {
            path.strip_prefix(known.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('['))
        });
        found.map(|(_, line)| *line)
    }
}

/// Reads `text` as far as it goes (see [`Reading`]); a syntax error is the only problem then.
#[must_use]
pub fn read_toml(text: &str) -> Reading {
    let mut reading = Reading::defaults();
    let root = match Table::parse(text) {
        Ok(root) => root,
        Err(error) => {
            let line = error.span().map(|span| line_of(text, span.start));
            let message = error.message().to_owned();
            reading
                .problems
                .push(ConfigProblem::Syntax { line, message });
            return reading;
        }
    };
    let mut reader = Reader {
        text,
        tables: vec![(Some(root.get_ref()), line_of(text, 0), Vec::new())],
        indexes: Vec::new(),
        problems: Vec::new(),
        lines: KeyLines::default(),
    };
    reading.config.visit_mut(&mut reader);
    reader.close_table("");
    let mut problems = reader.problems.clone();
    reading.config.for_each_problem(|problem| {
        let path = problem.path().with_suffix("").to_string();
        let covered = reader.problems.iter().any(|earlier| {
            earlier.base_path().is_some_and(|earlier| {
                path.strip_prefix(&earlier)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
            })
        });
        if !covered {
            let line = reader.lines.line_of(&problem.path().to_string());
            problems.push(ConfigProblem::Invalid { problem, line });
        }
    });
    problems.sort_by_key(|problem| problem.line().unwrap_or(usize::MAX));
    reading.lines = reader.lines;
    reading.problems = problems;
    reading
}

/// Reads and parses the TOML file at `path`.
///
/// # Errors
/// The file cannot be read, is larger than [`MAX_CONFIG_FILE_BYTES`] or is not UTF-8; or any
/// problem [`parse_toml`] reports.
pub fn load_toml_file(path: &std::path::Path) -> Result<Config, ConfigErrors> {
    read_toml_file(path)?.into_result()
}

/// Reads the configuration file at `path` as far as it goes: TOML, or a firmware blob
/// (recognised by its magic bytes; it has no lines, and any problem refuses it whole).
///
/// # Errors
/// The file cannot be read, is larger than [`MAX_CONFIG_FILE_BYTES`] or is neither a blob nor
/// UTF-8 text.
pub fn read_toml_file(path: &std::path::Path) -> Result<Reading, ConfigErrors> {
    let unreadable = |error: std::io::Error| ConfigProblem::Unreadable {
        path: path.to_owned(),
        kind: error.kind(),
    };
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|file| file.take(MAX_CONFIG_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(unreadable)?;
    if u64::try_from(bytes.len()).map_or(true, |len| len > MAX_CONFIG_FILE_BYTES) {
        let path = path.to_owned();
        return Err(ConfigProblem::TooLarge {
            path,
            limit: MAX_CONFIG_FILE_BYTES,
        }
        .into());
    }
    if bytes.starts_with(&crate::blob::MAGIC) {
        let mut reading = Reading::defaults();
        match crate::blob::decode(&bytes) {
            Ok(config) => reading.config = config,
            Err(error) => reading.problems.push(ConfigProblem::Blob {
                path: path.to_owned(),
                error: Box::new(error),
            }),
        }
        return Ok(reading);
    }
    let text = String::from_utf8(bytes).map_err(|_| ConfigProblem::NotUtf8 {
        path: path.to_owned(),
    })?;
    Ok(read_toml(&text))
}

/// The line (from 1) of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).matches('\n').count() + 1
}

/// How a problem shows a value as written.
fn shown(value: &Toml<'_>, secret: bool) -> ShownValue {
    match value {
        _ if secret => ShownValue::Redacted,
        Toml::String(text) => ShownValue::quoted(text),
        Toml::Integer(integer) if integer.radix() == 10 => ShownValue::display(integer.as_str()),
        Toml::Boolean(flag) => ShownValue::display(flag),
        _ => ShownValue::Hidden,
    }
}

/// The last segment of a key pattern: `"quota_bytes"` of `"store.quota_bytes"`.
fn field_name(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

/// One table being read: the table (absent: defaults), its header's line, and the keys the
/// declarations know in it.
type Frame<'t> = (Option<&'t Table<'t>>, usize, Vec<String>);

struct Reader<'t> {
    text: &'t str,
    tables: Vec<Frame<'t>>,
    indexes: Vec<usize>,
    problems: Vec<ConfigProblem>,
    lines: KeyLines,
}

impl<'t> Reader<'t> {
    fn report(&mut self, problem: Problem, line: usize) {
        let line = Some(line);
        self.problems.push(ConfigProblem::Invalid { problem, line });
    }

    fn line_of_span(&self, spanned: &Spanned<impl Sized>) -> usize {
        line_of(self.text, spanned.span().start)
    }

    /// The table the walk is in, and its header's line.
    fn current(&mut self) -> (Option<&'t Table<'t>>, usize) {
        self.tables
            .last()
            .map_or((None, 1), |(table, line, _)| (*table, *line))
    }

    /// The entry `name` of the current table, noted as known.
    fn entry(
        &mut self,
        name: String,
    ) -> Option<(
        &'t Spanned<std::borrow::Cow<'t, str>>,
        &'t Spanned<Toml<'t>>,
    )> {
        let (table, _) = self.current();
        let found = table.and_then(|table| table.get_key_value(name.as_str()));
        if let Some((_, _, known)) = self.tables.last_mut() {
            known.push(name);
        }
        found
    }

    /// Reports the keys of the table just read that no declaration knows.
    fn close_table(&mut self, prefix: &str) {
        let Some((Some(table), _, known)) = self.tables.pop() else {
            return;
        };
        for (key, value) in table.iter() {
            if !known.iter().any(|name| name == key.get_ref().as_ref()) {
                let unknown = ConfigProblem::UnknownKey {
                    key: format!("{prefix}{}", key.get_ref()),
                    line: Some(self.line_of_span(key)),
                    known: known.clone(),
                    is_table: value.get_ref().is_table(),
                    suggestion: suggestion(key.get_ref()),
                };
                self.problems.push(unknown);
            }
        }
    }

    fn expect_type(&mut self, path: KeyPath, value: &Spanned<Toml<'_>>, expected: &'static str) {
        let kind = crate::values::wrong_type(expected, value.get_ref());
        let line = self.line_of_span(value);
        self.report(Problem::at(path, ShownValue::Hidden, kind), line);
    }
}

/// The declared key whose last segment is `name`, for a key written in the wrong table.
fn suggestion(name: &str) -> Option<String> {
    struct Keys(Vec<String>);
    impl crate::schema::Visit for Keys {
        fn value<T: Value>(&mut self, meta: &'static Meta, _: &T) {
            self.0.extend(
                T::SUFFIXES
                    .iter()
                    .map(|suffix| format!("{}{suffix}", meta.key)),
            );
        }
        fn list<S: Section, const N: usize>(
            &mut self,
            meta: &'static Meta,
            _: &heapless::Vec<S, N>,
        ) {
            self.0.push(meta.key.to_owned());
            S::default().visit(self);
        }
    }
    let mut keys = Keys(Vec::new());
    Config::default().visit(&mut keys);
    keys.0.into_iter().find(|key| field_name(key) == name)
}

/// The pattern of the table a key is in: `"operators[]"` for `"operators[].token"`.
fn item_of(key: &'static str) -> &'static str {
    key.rsplit_once('.').map_or(key, |(item, _)| item)
}

/// The prefix unknown keys of a table get in reports: `"public."`, `"departments[2]."`.
fn prefix_of(path: KeyPath) -> String {
    format!("{path}.")
}

impl VisitMut for Reader<'_> {
    fn value<T: Value>(&mut self, meta: &'static Meta, value: &mut T) {
        let path = path_in(meta.key, &self.indexes);
        let name = field_name(meta.key);
        let mut found = Vec::new();
        for (suffix, text) in T::SUFFIXES.iter().enumerate() {
            if let Some((key, item)) = self.entry(format!("{name}{text}")) {
                let line = self.line_of_span(key);
                self.lines
                    .0
                    .push((path.with_suffix(text).to_string(), line));
                found.push((suffix, item.get_ref(), line));
            }
        }
        let suffix_of = |index: usize| T::SUFFIXES.get(index).copied().unwrap_or_default();
        let Some(&(first, item, line)) = found.first() else {
            if meta.required {
                let (_, line) = self.current();
                let kind = match T::SUFFIXES {
                    [_, _, ..] => ProblemKind::NoSource {
                        name,
                        suffixes: T::SUFFIXES,
                    },
                    _ => ProblemKind::Missing,
                };
                let at = match T::SUFFIXES {
                    [_, _, ..] => path.with_pattern(item_of(meta.key)),
                    _ => path,
                };
                self.report(Problem::at(at, ShownValue::Hidden, kind), line);
            }
            return;
        };
        let other = path.with_suffix(suffix_of(first));
        for &(suffix, extra, line) in found.iter().skip(1) {
            let kind = ProblemKind::ConflictingSources {
                other,
                unset: meta.unset,
            };
            let shown = shown(extra, T::SECRET_SUFFIX == Some(suffix));
            self.report(
                Problem::at(path.with_suffix(suffix_of(suffix)), shown, kind),
                line,
            );
        }
        if found.len() > 1 {
            return;
        }
        match T::read(item, first, meta) {
            Ok(read) => *value = read,
            Err(Refusal { problems, partial }) => {
                if let Some(partial) = partial {
                    *value = partial;
                }
                let secret = T::SECRET_SUFFIX == Some(first);
                for (entry, kind) in problems {
                    let at = path.with_suffix(suffix_of(first));
                    let (at, entry_value) = match entry {
                        Some(index) => (
                            at.at(index),
                            item.as_array().and_then(|items| items.get(index)),
                        ),
                        None => (at, None),
                    };
                    let shown = shown(entry_value.map_or(item, Spanned::get_ref), secret);
                    self.report(Problem::at(at, shown, kind), line);
                }
            }
        }
    }

    fn section<S: Section>(&mut self, meta: &'static Meta, section: &mut S) {
        let path = path_in(meta.key, &self.indexes);
        let (table, line) = match self.entry(field_name(meta.key).to_owned()) {
            None => (None, 1),
            Some((_, value)) => match value.get_ref().as_table() {
                Some(table) => (Some(table), self.line_of_span(value)),
                None => {
                    self.expect_type(path, value, "a table");
                    return;
                }
            },
        };
        self.tables.push((table, line, Vec::new()));
        section.visit_mut(self);
        self.close_table(&prefix_of(path));
    }

    fn list<S: Section, const N: usize>(
        &mut self,
        meta: &'static Meta,
        list: &mut heapless::Vec<S, N>,
    ) {
        let path = path_in(meta.key, &self.indexes);
        let Some((_, value)) = self.entry(field_name(meta.key).to_owned()) else {
            return;
        };
        let Some(items) = value.get_ref().as_array() else {
            return self.expect_type(path, value, "an array of tables");
        };
        let line = self.line_of_span(value);
        self.lines.0.push((path.to_string(), line));
        if items.len() > N {
            let kind = ProblemKind::TooMany {
                len: items.len(),
                capacity: N,
            };
            self.report(Problem::at(path, ShownValue::Hidden, kind), line);
        }
        for (index, item) in items.iter().enumerate().take(N) {
            let item_path = path.at(index);
            let Some(table) = item.get_ref().as_table() else {
                self.expect_type(item_path, item, "a table");
                // A default entry keeps the indexes of the later ones as written.
                let _fits = list.push(S::default());
                continue;
            };
            let line = self.line_of_span(item);
            self.lines.0.push((item_path.to_string(), line));
            self.indexes.push(index);
            self.tables.push((Some(table), line, Vec::new()));
            let mut entry = S::default();
            entry.visit_mut(self);
            self.close_table(&prefix_of(item_path));
            self.indexes.pop();
            // `take(N)` keeps the list within its capacity.
            let _fits = list.push(entry);
        }
    }
}
