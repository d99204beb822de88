//! A refused input: the field at fault and what to do about it.

/// Why an operator's (or headquarters', or the configuration's) input was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct Invalid {
    /// The field at fault (`shortcut`, `tags[2]`...).
    pub field: String,
    /// What is wrong and what to do, for a person.
    pub reason: String,
}

impl Invalid {
    /// `field` refused because of `reason`.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
