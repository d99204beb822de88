//! A key path with its array indexes ([`KeyPath`]): `departments[2].name` is the pattern
//! [`crate::keys::DEPARTMENT_NAME`] (`"departments[].name"`) with index 2.

use core::fmt;

/// The most `[]` a key pattern holds (`departments[].numbers[]` holds two).
pub const MAX_KEY_INDEXES: usize = 2;

/// One key of a configuration: a pattern from [`crate::keys`] and an index for each `[]` in
/// it. Displays with the indexes filled in (`departments[2].numbers[0]`); a `[]` without an
/// index prints as `[]`. A plain key (`store.quota_bytes`) has no index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyPath {
    pattern: &'static str,
    indexes: [u16; MAX_KEY_INDEXES],
    len: u8,
}

impl KeyPath {
    /// The path `pattern` with no index yet.
    #[must_use]
    pub const fn new(pattern: &'static str) -> Self {
        Self {
            pattern,
            indexes: [0; MAX_KEY_INDEXES],
            len: 0,
        }
    }

    /// This path with `index` filling its next `[]` (indexes past `u16::MAX` print as
    /// `u16::MAX`; a path already holding [`MAX_KEY_INDEXES`] indexes is returned unchanged).
    #[must_use]
    pub fn at(mut self, index: usize) -> Self {
        if let Some(slot) = self.indexes.get_mut(usize::from(self.len)) {
            *slot = u16::try_from(index).unwrap_or(u16::MAX);
            self.len += 1;
        }
        self
    }

    /// The path of `pattern` with this path's indexes: from the item `departments[2]` to its
    /// field `departments[2].name`.
    #[must_use]
    pub const fn with_pattern(self, pattern: &'static str) -> Self {
        Self { pattern, ..self }
    }

    /// The pattern: the [`crate::keys`] constant this path is an instance of.
    #[must_use]
    pub const fn pattern(&self) -> &'static str {
        self.pattern
    }

    /// The indexes, outermost first.
    #[must_use]
    pub fn indexes(&self) -> &[u16] {
        self.indexes
            .get(..usize::from(self.len))
            .unwrap_or(&self.indexes)
    }

    /// Whether `other` is this path or lies inside it: `departments[2]` contains
    /// `departments[2].name` but not `departments[3].name` nor `departments_x`.
    #[must_use]
    pub fn contains(&self, other: &Self) -> bool {
        let Some(rest) = other.pattern.strip_prefix(self.pattern) else {
            return false;
        };
        let at_boundary = rest.is_empty() || rest.starts_with(['.', '[']);
        at_boundary && other.indexes().starts_with(self.indexes())
    }
}

impl From<&'static str> for KeyPath {
    fn from(pattern: &'static str) -> Self {
        Self::new(pattern)
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut indexes = self.indexes().iter();
        let mut parts = self.pattern.split("[]");
        if let Some(first) = parts.next() {
            f.write_str(first)?;
        }
        for part in parts {
            match indexes.next() {
                Some(index) => write!(f, "[{index}]")?,
                None => f.write_str("[]")?,
            }
            f.write_str(part)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys;

    #[test]
    fn indexes_fill_the_brackets_in_order() {
        let number = KeyPath::new(keys::DEPARTMENT_NUMBER).at(2).at(0);
        assert_eq!(number.to_string(), "departments[2].numbers[0]");
        assert_eq!(number.indexes(), [2, 0]);
        assert_eq!(number.pattern(), keys::DEPARTMENT_NUMBER);
        assert_eq!(
            KeyPath::new(keys::DEPARTMENT_NUMBER).at(1).to_string(),
            "departments[1].numbers[]"
        );
        assert_eq!(
            KeyPath::new(keys::STORE_QUOTA_BYTES).to_string(),
            "store.quota_bytes"
        );
        let name = KeyPath::new(keys::DEPARTMENT)
            .at(7)
            .with_pattern(keys::DEPARTMENT_NAME);
        assert_eq!(name.to_string(), "departments[7].name");
        assert_eq!(number.at(9), number, "a third index has no bracket");
        assert_eq!(
            KeyPath::new(keys::TEMPLATE).at(70_000).to_string(),
            "templates[65535]"
        );
    }

    #[test]
    fn containment_follows_segments_and_indexes() {
        let item = KeyPath::new(keys::DEPARTMENT).at(2);
        assert!(item.contains(&item));
        assert!(item.contains(&KeyPath::new(keys::DEPARTMENT_NAME).at(2)));
        assert!(item.contains(&KeyPath::new(keys::DEPARTMENT_NUMBER).at(2).at(5)));
        assert!(!item.contains(&KeyPath::new(keys::DEPARTMENT_NAME).at(3)));
        assert!(!item.contains(&KeyPath::new(keys::TEMPLATE_NAME).at(2)));
        let name = KeyPath::new(keys::OPERATOR_NAME).at(0);
        assert!(!name.contains(&KeyPath::new(keys::OPERATOR).at(0)));
        assert!(!KeyPath::new("chat.a").contains(&KeyPath::new("chat.ab")));
    }
}
