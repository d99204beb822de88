//! TOML out, from the declarations: [`Config::to_toml`] (a file that reads back as the same
//! configuration), [`example_toml`] (every setting with its doc, rule and default) and
//! [`settings_table`] (the README's table).

use std::fmt::Write as _;

use crate::config::Config;
use crate::schema::{Meta, Section, Unit, Visit};
use crate::values::Value;

impl Config {
    /// The configuration as TOML that [`crate::parse_toml`] reads back as `self`.
    #[must_use]
    pub fn to_toml(&self) -> String {
        let mut writer = Writer::default();
        writer.out.push_str(
            "# waygate configuration. Each setting is preceded by its doc and what it allows;\n\
             # `waygate config check` reports every problem of a file with its line.\n",
        );
        self.visit(&mut writer);
        writer.out
    }
}

/// Every setting with its doc, rule and default, as a commented TOML file.
#[must_use]
pub fn example_toml() -> String {
    Config::default().to_toml()
}

/// The settings as Markdown table rows: key, type, default, allowed, description.
#[must_use]
pub fn settings_table() -> String {
    let mut table = Table {
        out: "| key | type | default | allowed | description |\n| --- | --- | --- | --- | --- |\n"
            .to_owned(),
    };
    Config::default().visit(&mut table);
    table.out
}

/// A size in the largest binary unit that divides it (`3MiB`).
fn size(bytes: u64) -> String {
    let units = [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)];
    units
        .iter()
        .find(|(_, shift)| bytes >= 1 << shift && bytes.is_multiple_of(1 << shift))
        .map_or_else(
            || bytes.to_string(),
            |(unit, shift)| format!("{}{unit}", bytes >> shift),
        )
}

/// What a setting allows, in words; `; required` when it must be written.
fn allowed<T: Value>(meta: &Meta) -> String {
    let mut words = allowed_values::<T>(meta);
    if meta.required && T::SUFFIXES.len() == 1 {
        words.push_str("; required");
    }
    words
}

/// The values a setting allows, in words.
fn allowed_values<T: Value>(meta: &Meta) -> String {
    let name = meta.key.rsplit('.').next().unwrap_or_default();
    if let Some(range) = meta.range {
        let (min, max) = match range.unit {
            Unit::Bytes => (size(range.min), size(range.max)),
            _ => (range.min.to_string(), range.max.to_string()),
        };
        let note = range
            .note
            .map(|note| format!("; {note}"))
            .unwrap_or_default();
        return format!("{min} to {max} {}{note}", range.unit.word());
    }
    if !T::CHOICES.is_empty() {
        let words: Vec<String> = T::CHOICES
            .iter()
            .map(|word| format!("\"{word}\""))
            .collect();
        return format!("one of {}", words.join(", "));
    }
    if T::SUFFIXES.len() > 1 {
        let keys: Vec<String> = T::SUFFIXES
            .iter()
            .map(|suffix| format!("{name}{suffix}"))
            .collect();
        let count = if meta.required { "exactly" } else { "at most" };
        let unset = meta.unset.map(|unset| format!("; with none, {unset}"));
        return format!(
            "{count} one of {}{}",
            keys.join(", "),
            unset.unwrap_or_default()
        );
    }
    let form = meta.form.map(|form| form.expected).or(T::FORM);
    let blank = if meta.non_blank { "not empty" } else { "any" };
    form.unwrap_or(blank).to_owned()
}

/// Writes TOML: `[table]` and `[[array]]` headers, then `key = value` lines, each after its doc;
/// an empty array of tables as a commented sample.
#[derive(Default)]
struct Writer {
    out: String,
    /// Inside a commented sample.
    commented: bool,
}

impl Writer {
    fn line(&mut self, text: &str) {
        let _ = writeln!(self.out, "{}{text}", if self.commented { "# " } else { "" });
    }
}

impl Visit for Writer {
    fn value<T: Value>(&mut self, meta: &'static Meta, value: &T) {
        let name = meta.key.rsplit('.').next().unwrap_or_default();
        let _ = writeln!(self.out, "# {} ({})", meta.doc.trim(), allowed::<T>(meta));
        match value.write() {
            Some((suffix, text)) => {
                let suffix = T::SUFFIXES.get(suffix).copied().unwrap_or_default();
                self.line(&format!("{name}{suffix} = {text}"));
            }
            None => {
                let _ = writeln!(self.out, "# {name} = (unset)");
            }
        }
    }

    fn section<S: Section>(&mut self, meta: &'static Meta, section: &S) {
        let _ = writeln!(self.out, "\n# {}", meta.doc.trim());
        self.line(&format!("[{}]", meta.key));
        section.visit(self);
    }

    fn list<S: Section, const N: usize>(
        &mut self,
        meta: &'static Meta,
        list: &heapless::Vec<S, N>,
    ) {
        let _ = writeln!(self.out, "\n# {} (at most {N})", meta.doc.trim());
        if list.is_empty() {
            self.commented = true;
            self.line(&format!("[[{}]]", meta.key));
            S::default().visit(self);
            self.commented = false;
        }
        for item in list {
            self.out.push('\n');
            self.line(&format!("[[{}]]", meta.key));
            item.visit(self);
        }
    }
}

/// Writes one Markdown row per setting.
struct Table {
    out: String,
}

impl Visit for Table {
    fn value<T: Value>(&mut self, meta: &'static Meta, value: &T) {
        let keys: Vec<String> = T::SUFFIXES
            .iter()
            .map(|suffix| format!("`{}{suffix}`", meta.key))
            .collect();
        let default = value
            .write()
            .map_or_else(|| "unset".to_owned(), |(_, text)| format!("`{text}`"));
        let _ = writeln!(
            self.out,
            "| {} | {} | {} | {} | {} |",
            keys.join(" / "),
            T::TYPE,
            default.replace('|', "\\|"),
            allowed::<T>(meta).replace('|', "\\|"),
            meta.doc.trim()
        );
    }

    fn list<S: Section, const N: usize>(&mut self, meta: &'static Meta, _: &heapless::Vec<S, N>) {
        let _ = writeln!(
            self.out,
            "| `[[{}]]` | array of tables | none | at most {N} | {} |",
            meta.key,
            meta.doc.trim()
        );
        S::default().visit(self);
    }
}
