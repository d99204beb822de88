//! Reading arrays with [`FieldReader`]: arrays of tables (`[[departments]]`) and arrays of
//! strings, each bounded by a capacity; an entry that cannot be read keeps its index.

use toml::{Table, Value};

use crate::key_path::KeyPath;
use crate::keys;
use crate::problem::{Problem, ProblemKind};
use crate::shown_value::ShownValue;
use crate::toml_fields::{FieldReader, Secrecy};

impl FieldReader {
    /// The entries of the array of tables `name` (`[[name]]`), at most `capacity` of them
    /// (more are reported); empty when absent or not an array.
    pub(crate) fn array_of_tables<'t>(
        &mut self,
        root: &'t Table,
        name: &'static str,
        capacity: usize,
    ) -> &'t [Value] {
        self.array(root, KeyPath::new(name), "an array of tables", capacity)
    }

    /// The entry `value` of an array of tables, as a table whose unknown keys are reported;
    /// `None` (reported) when it is not a table.
    pub(crate) fn entry_table<'t>(
        &mut self,
        value: &'t Value,
        entry: KeyPath,
        name: &'static str,
        known: &'static [&'static str],
    ) -> Option<&'t Table> {
        match value {
            Value::Table(table) => {
                self.reject_unknown(table, entry, name, known);
                Some(table)
            }
            other => {
                self.wrong_type(entry, "a table", other);
                None
            }
        }
    }

    /// The array at `key` of `table`, at most `capacity` entries (more are reported); empty
    /// when absent or (reported) not an array.
    fn array<'t>(
        &mut self,
        table: &'t Table,
        key: KeyPath,
        expected: &'static str,
        capacity: usize,
    ) -> &'t [Value] {
        match table.get(keys::field_name(key.pattern())) {
            None => &[],
            Some(Value::Array(entries)) => {
                if entries.len() > capacity {
                    self.report(Problem::at(
                        key,
                        ShownValue::Hidden,
                        ProblemKind::TooMany {
                            len: entries.len(),
                            capacity,
                        },
                    ));
                }
                entries.get(..capacity).unwrap_or(entries)
            }
            Some(other) => {
                self.wrong_type(key, expected, other);
                &[]
            }
        }
    }

    /// The strings of the array at `key`, each in `N` bytes, at most `M` of them; an entry
    /// that is not a string or too long is reported and left empty (covered), so later
    /// entries keep their index. Entries are named with `entry_pattern` and `key`'s indexes.
    pub(crate) fn text_list<const N: usize, const M: usize>(
        &mut self,
        table: &Table,
        key: KeyPath,
        entry_pattern: &'static str,
    ) -> Option<heapless::Vec<heapless::String<N>, M>> {
        if !table.contains_key(keys::field_name(key.pattern())) {
            return None;
        }
        let entries = self.array(table, key, "an array of strings", M);
        let mut out = heapless::Vec::new();
        for (index, value) in entries.iter().enumerate() {
            let path = key.with_pattern(entry_pattern).at(index);
            let text = self.text_value(value, path, Secrecy::Plain);
            if text.is_none() {
                self.cover(path);
            }
            // `entries` holds at most `M` values, so every push succeeds.
            let _fits = out.push(text.unwrap_or_default());
        }
        Some(out)
    }
}
