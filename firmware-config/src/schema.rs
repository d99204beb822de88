//! The declaration of every setting, and the walk over it that every use follows.
//!
//! A setting is declared once, in a [`section!`] of [`crate::config`]: its key, type, default,
//! rule ([`Meta`]: range and unit, form, whether it is required, the blob format that added it)
//! and a one-line doc. Each use of the configuration is a visitor ([`Visit`], [`VisitMut`]) over
//! those declarations: validation, the firmware blob, TOML in and out, and the documentation
//! table. Adding a setting is one line in a section and its use.

use crate::problem::ProblemKind;

/// What a number counts, and how TOML may spell it besides a plain integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A count of something (`"connections"`); plain integers only.
    Count(&'static str),
    /// Bytes; also `"64KiB"`, `"3MiB"`, `"1GiB"`.
    Bytes,
    /// Milliseconds; also `"500ms"`, `"30s"`, `"15m"`, `"1h"`.
    Millis,
    /// Seconds; also `"90s"`, `"15m"`, `"24h"`, `"31d"`.
    Seconds,
    /// Hours; also `"24h"`, `"8d"`.
    Hours,
}

impl Unit {
    /// The word problem reports use (`"bytes"`, `"milliseconds"`, ...).
    #[must_use]
    pub const fn word(self) -> &'static str {
        match self {
            Self::Count(word) => word,
            Self::Bytes => "bytes",
            Self::Millis => "milliseconds",
            Self::Seconds => "seconds",
            Self::Hours => "hours",
        }
    }

    /// The value of one unit in milliseconds, for units of time.
    #[must_use]
    pub const fn millis(self) -> Option<u64> {
        match self {
            Self::Millis => Some(1),
            Self::Seconds => Some(1_000),
            Self::Hours => Some(3_600_000),
            Self::Count(_) | Self::Bytes => None,
        }
    }
}

/// An inclusive range with its unit and, when the reason is not obvious, a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// Smallest allowed value.
    pub min: u64,
    /// Largest allowed value.
    pub max: u64,
    /// What the number counts.
    pub unit: Unit,
    /// Why the range is what it is.
    pub note: Option<&'static str>,
}

impl Range {
    /// Whether `value` lies inside `min..=max`.
    #[must_use]
    pub const fn allows(&self, value: u64) -> bool {
        self.min <= value && value <= self.max
    }

    /// The problem of a value outside this range.
    #[must_use]
    pub const fn problem(&self) -> ProblemKind {
        ProblemKind::OutOfRange {
            min: self.min,
            max: self.max,
            unit: self.unit.word(),
            note: self.note,
        }
    }
}

/// A form a text must have, beyond fitting its capacity.
#[derive(Debug, Clone, Copy)]
pub struct Form {
    /// Whether the text has the form.
    pub test: fn(&str) -> bool,
    /// The form, as a phrase completing "must be ...".
    pub expected: &'static str,
}

/// One setting's declaration, apart from its type and default.
#[derive(Debug, Clone, Copy)]
pub struct Meta {
    /// The key pattern (`"store.quota_bytes"`, `"departments[].name"`).
    pub key: &'static str,
    /// The one-line doc.
    pub doc: &'static str,
    /// The blob format version that added the setting.
    pub since: u16,
    /// The allowed range of a number.
    pub range: Option<Range>,
    /// The form of a text.
    pub form: Option<Form>,
    /// A text that must not be blank.
    pub non_blank: bool,
    /// A key without a default, that must be written.
    pub required: bool,
    /// What writing none of a setting's sources means (`"it is generated into data_dir"`),
    /// for one that may have none.
    pub unset: Option<&'static str>,
}

impl Meta {
    /// A setting of blob format 1 with no rule; the section macro fills in key and doc.
    pub const ANY: Self = Self {
        key: "",
        doc: "",
        since: 1,
        range: None,
        form: None,
        non_blank: false,
        required: false,
        unset: None,
    };

    /// A number in `min..=max` of `unit`.
    #[must_use]
    pub const fn range(min: u64, max: u64, unit: Unit) -> Self {
        let range = Range {
            min,
            max,
            unit,
            note: None,
        };
        Self {
            range: Some(range),
            ..Self::ANY
        }
    }

    /// This rule, with a note on its range.
    #[must_use]
    pub const fn note(mut self, note: &'static str) -> Self {
        if let Some(range) = &mut self.range {
            range.note = Some(note);
        }
        self
    }

    /// This rule, for a setting that blob format `version` added.
    #[must_use]
    pub const fn since(self, version: u16) -> Self {
        Self {
            since: version,
            ..self
        }
    }

    /// A text that must not be blank.
    pub const NON_BLANK: Self = Self {
        non_blank: true,
        ..Self::ANY
    };

    /// A text of form `form`, which must be written.
    #[must_use]
    pub const fn required(form: Option<Form>) -> Self {
        Self {
            form,
            required: true,
            non_blank: true,
            ..Self::ANY
        }
    }
}

/// A walk over a configuration's settings.
pub trait Visit {
    /// One setting.
    fn value<T: crate::values::Value>(&mut self, meta: &'static Meta, value: &T);
    /// A table of settings (`[public]`); by default its settings are walked.
    fn section<S: Section>(&mut self, meta: &'static Meta, section: &S) {
        let _ = meta;
        section.visit(self);
    }
    /// An array of tables (`[[departments]]`).
    fn list<S: Section, const N: usize>(&mut self, meta: &'static Meta, list: &heapless::Vec<S, N>);
}

/// A walk over a configuration's settings that may change them.
pub trait VisitMut {
    /// One setting.
    fn value<T: crate::values::Value>(&mut self, meta: &'static Meta, value: &mut T);
    /// A table of settings; by default its settings are walked.
    fn section<S: Section>(&mut self, meta: &'static Meta, section: &mut S) {
        let _ = meta;
        section.visit_mut(self);
    }
    /// An array of tables.
    fn list<S: Section, const N: usize>(
        &mut self,
        meta: &'static Meta,
        list: &mut heapless::Vec<S, N>,
    );
}

/// A table of settings, declared with [`section!`].
pub trait Section: Default + Clone {
    /// The key prefix of its settings (`"public."`, `"departments[]."`, `""` at the top).
    const PREFIX: &'static str;
    /// Walks its settings in declaration order.
    fn visit<V: Visit + ?Sized>(&self, visitor: &mut V);
    /// Walks its settings in declaration order, mutably.
    fn visit_mut<V: VisitMut + ?Sized>(&mut self, visitor: &mut V);
}

/// What a section's field is: a setting, a table or an array of tables.
pub trait Node {
    /// Hands this node to `visitor`.
    fn accept<V: Visit + ?Sized>(&self, meta: &'static Meta, visitor: &mut V);
    /// Hands this node to `visitor`, mutably.
    fn accept_mut<V: VisitMut + ?Sized>(&mut self, meta: &'static Meta, visitor: &mut V);
}

impl<S: Section, const N: usize> Node for heapless::Vec<S, N> {
    fn accept<V: Visit + ?Sized>(&self, meta: &'static Meta, visitor: &mut V) {
        visitor.list(meta, self);
    }
    fn accept_mut<V: VisitMut + ?Sized>(&mut self, meta: &'static Meta, visitor: &mut V) {
        visitor.list(meta, self);
    }
}

/// Declares a table of settings: the struct, its defaults, and its walk. Each field is
/// `/// one-line doc` then `name: Type = default, rule;` where the rule is a [`Meta`]
/// expression. A field whose type is a section is a table; a `heapless::Vec` of a section is
/// an array of tables.
#[macro_export]
#[doc(hidden)]
macro_rules! section {
    (
        $(#[doc = $section_doc:literal])*
        pub struct $name:ident at $prefix:literal {
            $(
                #[doc = $doc:literal]
                $field:ident : $type:ty = $default:expr, $meta:expr;
            )*
        }
    ) => {
        $(#[doc = $section_doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            $(#[doc = $doc] pub $field: $type,)*
        }

        impl Default for $name {
            fn default() -> Self {
                Self { $($field: $default,)* }
            }
        }

        impl $crate::schema::Section for $name {
            const PREFIX: &'static str = $prefix;

            fn visit<V: $crate::schema::Visit + ?Sized>(&self, visitor: &mut V) {
                $({
                    const META: $crate::schema::Meta = $crate::schema::Meta {
                        key: concat!($prefix, stringify!($field)),
                        doc: $doc,
                        ..$meta
                    };
                    $crate::schema::Node::accept(&self.$field, &META, visitor);
                })*
            }

            fn visit_mut<V: $crate::schema::VisitMut + ?Sized>(&mut self, visitor: &mut V) {
                $({
                    const META: $crate::schema::Meta = $crate::schema::Meta {
                        key: concat!($prefix, stringify!($field)),
                        doc: $doc,
                        ..$meta
                    };
                    $crate::schema::Node::accept_mut(&mut self.$field, &META, visitor);
                })*
            }
        }

        impl $crate::schema::Node for $name {
            fn accept<V: $crate::schema::Visit + ?Sized>(
                &self,
                meta: &'static $crate::schema::Meta,
                visitor: &mut V,
            ) {
                visitor.section(meta, self);
            }
            fn accept_mut<V: $crate::schema::VisitMut + ?Sized>(
                &mut self,
                meta: &'static $crate::schema::Meta,
                visitor: &mut V,
            ) {
                visitor.section(meta, self);
            }
        }
    };
}

impl<T: crate::values::Value> Node for T {
    fn accept<V: Visit + ?Sized>(&self, meta: &'static Meta, visitor: &mut V) {
        visitor.value(meta, self);
    }
    fn accept_mut<V: VisitMut + ?Sized>(&mut self, meta: &'static Meta, visitor: &mut V) {
        visitor.value(meta, self);
    }
}
