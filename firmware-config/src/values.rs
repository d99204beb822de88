//! The types a setting can have ([`Value`]), and for each: how a problem shows it, what its
//! rule allows, its blob form, and (with `std`) how TOML spells it.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use serde::{Serialize, de::DeserializeOwned};

use crate::blob::{CodecError, Decoder, Encoder};
use crate::problem::{ProblemKind, ShownValue};
use crate::schema::Meta;

#[cfg(feature = "std")]
pub(crate) use crate::toml_in::Toml;

/// What is wrong with one setting: the key suffix (for settings with several keys), the
/// entry of a list, the value as shown, and the problem.
#[derive(Debug)]
pub struct Flaw {
    /// Index into [`Value::SUFFIXES`].
    pub suffix: usize,
    /// The entry of a list of texts, if the flaw is in one.
    pub entry: Option<usize>,
    /// The value as a report shows it.
    pub shown: ShownValue,
    /// What is wrong.
    pub kind: ProblemKind,
}

impl Flaw {
    /// A flaw of the setting's first key.
    #[must_use]
    pub const fn new(shown: ShownValue, kind: ProblemKind) -> Self {
        Self {
            suffix: 0,
            entry: None,
            shown,
            kind,
        }
    }
}

/// Why a value was not read: its problem, or each bad entry's problem (by index) in a list,
/// with what could be read (a list keeps its good entries where they are written).
#[cfg(feature = "std")]
#[derive(Debug)]
pub struct Refusal<T> {
    /// Each problem, with the entry of a list it is in.
    pub problems: Vec<(Option<usize>, ProblemKind)>,
    /// The value as far as it could be read.
    pub partial: Option<T>,
}

#[cfg(feature = "std")]
impl<T> From<ProblemKind> for Refusal<T> {
    fn from(kind: ProblemKind) -> Self {
        Self {
            problems: vec![(None, kind)],
            partial: None,
        }
    }
}

/// A setting's type.
pub trait Value: Clone + PartialEq + Serialize + DeserializeOwned {
    /// How the documentation names the TOML type.
    const TYPE: &'static str;
    /// The suffixes of its keys: one key (`""`) for most, one per source for secrets.
    const SUFFIXES: &'static [&'static str] = &[""];
    /// The words it may be, for an enumeration.
    const CHOICES: &'static [&'static str] = &[];
    /// The suffix whose value is a secret, never shown.
    const SECRET_SUFFIX: Option<usize> = None;
    /// What a value of the type must be, for a type with a form of its own (a date).
    const FORM: Option<&'static str> = None;

    /// The value as a problem report shows it.
    fn shown(&self) -> ShownValue;
    /// Reports what is wrong with it under `meta`'s rule (rules between keys are elsewhere).
    fn check(&self, meta: &Meta, report: &mut dyn FnMut(Flaw)) {
        let _ = (meta, report);
    }
    /// Writes its blob form: its postcard serialization, but for a type with a form of its own.
    ///
    /// # Errors
    /// The buffer is too small.
    fn encode(&self, out: &mut Encoder<'_>) -> Result<(), CodecError> {
        out.put(self)
    }
    /// Reads its blob form.
    ///
    /// # Errors
    /// The bytes are not this type's blob form.
    fn decode(input: &mut Decoder<'_>) -> Result<Self, CodecError> {
        input.take()
    }
    /// Reads it from the value of its key with suffix `SUFFIXES[suffix]` (the reader refuses
    /// two sources at once).
    ///
    /// # Errors
    /// What is wrong with the value, or with each entry of a list.
    #[cfg(feature = "std")]
    fn read(value: &Toml<'_>, suffix: usize, meta: &Meta) -> Result<Self, Refusal<Self>>;
    /// Its TOML text and key suffix, or `None` to leave the key out.
    #[cfg(feature = "std")]
    fn write(&self) -> Option<(usize, String)> {
        let value = toml::Value::try_from(self).ok()?;
        Some((0, value.to_string()))
    }
}

#[cfg(feature = "std")]
pub(crate) fn wrong_type(expected: &'static str, found: &Toml<'_>) -> ProblemKind {
    let found = match found {
        Toml::String(_) => "a string",
        Toml::Integer(_) => "an integer",
        Toml::Float(_) => "a float",
        Toml::Boolean(_) => "a boolean",
        Toml::Datetime(_) => "a date-time",
        Toml::Array(_) => "an array",
        Toml::Table(_) => "a table",
    };
    ProblemKind::WrongType { expected, found }
}

/// A number of `meta`'s unit: a TOML integer, or a text with a unit (`"3MiB"`, `"15m"`).
#[cfg(feature = "std")]
fn read_number(value: &Toml<'_>, meta: &Meta) -> Result<u64, ProblemKind> {
    let range = meta.range.ok_or(ProblemKind::Missing)?;
    match value {
        Toml::Integer(integer) => i128::from_str_radix(integer.as_str(), integer.radix())
            .ok()
            .and_then(|number| u64::try_from(number).ok())
            .ok_or(range.problem()),
        Toml::String(text) => crate::units::parse(text, range.unit).map_err(|kind| match kind {
            ProblemKind::OutOfRange { .. } => range.problem(),
            other => other,
        }),
        other => Err(wrong_type(crate::units::forms(range.unit), other)),
    }
}

fn check_range(value: u64, meta: &Meta, shown: ShownValue, report: &mut dyn FnMut(Flaw)) {
    if let Some(range) = meta.range
        && !range.allows(value)
    {
        report(Flaw::new(shown, range.problem()));
    }
}

macro_rules! number_value {
    ($type:ty) => {
        impl Value for $type {
            const TYPE: &'static str = "integer";
            fn shown(&self) -> ShownValue {
                ShownValue::display(self)
            }
            fn check(&self, meta: &Meta, report: &mut dyn FnMut(Flaw)) {
                check_range(u64::from(*self), meta, self.shown(), report);
            }
            #[cfg(feature = "std")]
            fn read(value: &Toml<'_>, _: usize, meta: &Meta) -> Result<Self, Refusal<Self>> {
                let range = meta
                    .range
                    .map_or(ProblemKind::Missing, |range| range.problem());
                Ok(Self::try_from(read_number(value, meta)?).map_err(|_| range)?)
            }
        }
    };
}

number_value!(u32);
number_value!(u64);

/// An optional number: absent by default (the setting's doc says what that means), in its
/// range when written.
impl Value for Option<u32> {
    const TYPE: &'static str = "integer";
    fn shown(&self) -> ShownValue {
        self.as_ref().map_or(ShownValue::Hidden, Value::shown)
    }
    fn check(&self, meta: &Meta, report: &mut dyn FnMut(Flaw)) {
        if let Some(number) = self {
            number.check(meta, report);
        }
    }
    #[cfg(feature = "std")]
    fn read(value: &Toml<'_>, suffix: usize, meta: &Meta) -> Result<Self, Refusal<Self>> {
        u32::read(value, suffix, meta)
            .map(Some)
            .map_err(|refusal| Refusal {
                problems: refusal.problems,
                partial: None,
            })
    }
}

impl Value for bool {
    const TYPE: &'static str = "boolean";
    fn shown(&self) -> ShownValue {
        ShownValue::display(self)
    }
    #[cfg(feature = "std")]
    fn read(value: &Toml<'_>, _: usize, _: &Meta) -> Result<Self, Refusal<Self>> {
        Ok(value
            .as_bool()
            .ok_or_else(|| wrong_type("true or false", value))?)
    }
}

/// A text's flaw under `meta`'s rule: blank, or not of its form.
fn text_flaw(text: &str, meta: &Meta) -> Option<ProblemKind> {
    if meta.non_blank && text.trim().is_empty() {
        return Some(ProblemKind::Empty);
    }
    let form = meta.form?;
    (!(form.test)(text)).then_some(ProblemKind::BadFormat {
        expected: form.expected,
    })
}

#[cfg(feature = "std")]
/// A copy of `text` in a fixed string, or the problem of a text too long for it.
pub(crate) fn fixed<const N: usize>(text: &str) -> Result<heapless::String<N>, ProblemKind> {
    heapless::String::try_from(text).map_err(|_| ProblemKind::TooLong {
        len: text.len(),
        capacity: N,
    })
}

#[cfg(feature = "std")]
pub(crate) fn read_text<const N: usize>(
    value: &Toml<'_>,
) -> Result<heapless::String<N>, ProblemKind> {
    fixed(
        value
            .as_str()
            .ok_or_else(|| wrong_type("a string", value))?,
    )
}

impl<const N: usize> Value for heapless::String<N> {
    const TYPE: &'static str = "string";
    fn shown(&self) -> ShownValue {
        ShownValue::quoted(self)
    }
    fn check(&self, meta: &Meta, report: &mut dyn FnMut(Flaw)) {
        if let Some(kind) = text_flaw(self, meta) {
            report(Flaw::new(self.shown(), kind));
        }
    }
    #[cfg(feature = "std")]
    fn read(value: &Toml<'_>, _: usize, _: &Meta) -> Result<Self, Refusal<Self>> {
        Ok(read_text(value)?)
    }
}

/// An optional path: absent by default, and not empty when written.
impl<const N: usize> Value for Option<heapless::String<N>> {
    const TYPE: &'static str = "string";
    fn shown(&self) -> ShownValue {
        self.as_ref().map_or(ShownValue::Hidden, Value::shown)
    }
    fn check(&self, meta: &Meta, report: &mut dyn FnMut(Flaw)) {
        if let Some(text) = self {
            text.check(meta, report);
        }
    }
    #[cfg(feature = "std")]
    fn read(value: &Toml<'_>, _: usize, _: &Meta) -> Result<Self, Refusal<Self>> {
        Ok(Some(read_text(value)?))
    }
}

/// A list of texts (`numbers = ["1065…"]`); each entry follows the setting's form.
impl<const M: usize, const N: usize> Value for heapless::Vec<heapless::String<M>, N> {
    const TYPE: &'static str = "array of strings";
    fn shown(&self) -> ShownValue {
        ShownValue::display(format_args!("[{} entries]", self.len()))
    }
    fn check(&self, meta: &Meta, report: &mut dyn FnMut(Flaw)) {
        for (entry, text) in self.iter().enumerate() {
            if let Some(kind) = text_flaw(text, meta) {
                report(Flaw {
                    entry: Some(entry),
                    ..Flaw::new(text.shown(), kind)
                });
            }
        }
    }
    #[cfg(feature = "std")]
    fn read(value: &Toml<'_>, _: usize, _: &Meta) -> Result<Self, Refusal<Self>> {
        let entries = value
            .as_array()
            .ok_or_else(|| wrong_type("an array of strings", value))?;
        if entries.len() > N {
            return Err(ProblemKind::TooMany {
                len: entries.len(),
                capacity: N,
            }
            .into());
        }
        let mut list = Self::new();
        let mut bad = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            // A bad entry leaves an empty one in its place, so the others keep their indexes.
            let text = read_text(entry.get_ref()).unwrap_or_else(|kind| {
                bad.push((Some(index), kind));
                heapless::String::new()
            });
            // At most N entries, checked above.
            list.push(text).unwrap_or_default();
        }
        if bad.is_empty() {
            Ok(list)
        } else {
            Err(Refusal {
                problems: bad,
                partial: Some(list),
            })
        }
    }
}

/// A socket address; its blob form is an IPv4 or IPv6 variant with fixed-size fields.
impl Value for SocketAddr {
    const TYPE: &'static str = "string (IP address and port)";
    fn shown(&self) -> ShownValue {
        ShownValue::display(self)
    }
    fn encode(&self, out: &mut Encoder<'_>) -> Result<(), CodecError> {
        match self {
            Self::V4(v4) => {
                out.put(&0_u8)?;
                out.put(&v4.ip().octets())?;
                out.put(&v4.port())
            }
            Self::V6(v6) => {
                out.put(&1_u8)?;
                out.put(&v6.ip().octets())?;
                out.put(&v6.port())?;
                out.put(&v6.flowinfo())?;
                out.put(&v6.scope_id())
            }
        }
    }
    fn decode(input: &mut Decoder<'_>) -> Result<Self, CodecError> {
        Ok(match input.take::<u8>()? {
            0 => {
                let ip: [u8; 4] = input.take()?;
                SocketAddrV4::new(Ipv4Addr::from(ip), input.take()?).into()
            }
            1 => {
                let ip: [u8; 16] = input.take()?;
                let (port, flowinfo, scope_id) = (input.take()?, input.take()?, input.take()?);
                SocketAddrV6::new(Ipv6Addr::from(ip), port, flowinfo, scope_id).into()
            }
            _ => {
                return Err(CodecError("a choice has an unknown tag"));
            }
        })
    }
    #[cfg(feature = "std")]
    fn read(value: &Toml<'_>, _: usize, _: &Meta) -> Result<Self, Refusal<Self>> {
        let text = value
            .as_str()
            .ok_or_else(|| wrong_type("a string", value))?;
        let expected = "an IP address and port, like \"127.0.0.1:8443\" or \"[::1]:8443\"";
        Ok(text
            .parse()
            .map_err(|_| ProblemKind::BadFormat { expected })?)
    }
}

/// Default listen address on loopback.
pub(crate) const fn loopback(port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
}

/// An enumeration written as one of a few words (case-insensitive in TOML, lowercase out).
macro_rules! words {
    (
        $(#[doc = $doc:literal])*
        pub enum $name:ident {
            $(#[doc = $variant_doc:literal] $variant:ident => $word:literal,)+
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(#[doc = $variant_doc] #[serde(rename = $word)] $variant,)+
        }

        impl $name {
            /// Every value, in blob order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];
            /// The words, for problem reports.
            pub const NAMES: &'static [&'static str] = &[$($word),+];

            /// The word (lowercase).
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $word),+
                }
            }

            /// The value named `word`, in any case (`"MARKETING"` as Meta spells it).
            #[must_use]
            pub fn from_name(word: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|value| value.name().eq_ignore_ascii_case(word))
            }
        }

        impl $crate::values::Value for $name {
            const TYPE: &'static str = "string";
            const CHOICES: &'static [&'static str] = Self::NAMES;
            fn shown(&self) -> $crate::problem::ShownValue {
                $crate::problem::ShownValue::quoted(self.name())
            }
            #[cfg(feature = "std")]
            fn read(
                value: &$crate::values::Toml<'_>,
                _: usize,
                _: &$crate::schema::Meta,
            ) -> Result<Self, $crate::values::Refusal<Self>> {
                let not_one_of = $crate::problem::ProblemKind::NotOneOf { allowed: Self::NAMES };
                Ok(value.as_str().and_then(Self::from_name).ok_or(not_one_of)?)
            }
        }
    };
}
pub(crate) use words;
