//! The blob body as a walk over the declared settings: in one pass per format version, each
//! setting that version added is written (or read) as postcard, in declaration order. An
//! array of tables is written whole, as a count and its tables' settings.

use serde::{Deserialize, Serialize};

use super::error::describe;

/// Why a setting could not be written or read: the buffer is full, or the bytes are not the
/// setting's blob form (the detail says how).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodecError(pub &'static str);

const FULL: CodecError = CodecError("the buffer is full");
use crate::schema::{Meta, Section, Visit, VisitMut};
use crate::values::Value;

/// Which settings the current pass covers.
#[derive(Debug, Clone, Copy, Default)]
struct Pass {
    /// The format version being written or read.
    version: u16,
    /// The version of the enclosing table (a setting is as new as its table).
    floor: u16,
    /// Inside an array of tables, where every setting is covered.
    whole: bool,
}

impl Pass {
    fn covers(self, meta: &Meta) -> bool {
        self.whole || meta.since.max(self.floor) == self.version
    }

    fn enters(self, meta: &Meta) -> bool {
        self.whole || meta.since.max(self.floor) <= self.version
    }
}

/// Writes settings into a buffer, or only counts their bytes.
#[derive(Debug)]
pub struct Encoder<'a> {
    out: Option<&'a mut [u8]>,
    written: usize,
    failed: bool,
    pass: Pass,
}

impl<'a> Encoder<'a> {
    /// An encoder that only counts.
    pub(super) const fn counting() -> Self {
        Self {
            out: None,
            written: 0,
            failed: false,
            pass: Pass {
                version: 0,
                floor: 0,
                whole: false,
            },
        }
    }

    /// An encoder writing into `out`.
    pub(super) const fn into(out: &'a mut [u8]) -> Self {
        Self {
            out: Some(out),
            ..Self::counting()
        }
    }

    pub(super) const fn begin(&mut self, version: u16) {
        self.pass.version = version;
    }

    pub(super) const fn written(&self) -> usize {
        self.written
    }

    pub(super) const fn failed(&self) -> bool {
        self.failed
    }

    /// Writes `value` in postcard.
    ///
    /// # Errors
    /// The buffer is full.
    pub fn put<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CodecError> {
        let used = match &mut self.out {
            None => postcard::serialize_with_flavor(value, postcard::ser_flavors::Size::default())
                .map_err(|_| FULL)?,
            Some(out) => {
                let rest = out.get_mut(self.written..).ok_or(FULL)?;
                postcard::to_slice(value, rest).map_err(|_| FULL)?.len()
            }
        };
        self.written += used;
        Ok(())
    }

    /// Writes a count or a choice's index (a varint).
    ///
    /// # Errors
    /// The buffer is full.
    pub fn length(&mut self, length: usize) -> Result<(), CodecError> {
        self.put(&u32::try_from(length).unwrap_or(u32::MAX))
    }
}

impl Visit for Encoder<'_> {
    fn value<T: Value>(&mut self, meta: &'static Meta, value: &T) {
        if self.pass.covers(meta) && value.encode(self).is_err() {
            self.failed = true;
        }
    }

    fn section<S: Section>(&mut self, meta: &'static Meta, section: &S) {
        if self.pass.enters(meta) {
            let outer = self.pass;
            self.pass.floor = meta.since.max(outer.floor);
            section.visit(self);
            self.pass = outer;
        }
    }

    fn list<S: Section, const N: usize>(
        &mut self,
        meta: &'static Meta,
        list: &heapless::Vec<S, N>,
    ) {
        if !self.pass.covers(meta) || self.length(list.len()).is_err() {
            return;
        }
        let outer = self.pass;
        self.pass.whole = true;
        list.iter().for_each(|item| item.visit(self));
        self.pass = outer;
    }
}

/// Reads settings from a body; the first error stops the reading.
#[derive(Debug)]
pub struct Decoder<'de> {
    rest: &'de [u8],
    error: Option<CodecError>,
    pass: Pass,
}

impl<'de> Decoder<'de> {
    pub(super) const fn new(body: &'de [u8]) -> Self {
        Self {
            rest: body,
            error: None,
            pass: Pass {
                version: 0,
                floor: 0,
                whole: false,
            },
        }
    }

    pub(super) const fn begin(&mut self, version: u16) {
        self.pass.version = version;
    }

    /// The first error, or one for bytes left over.
    pub(super) fn finish(self) -> Result<(), CodecError> {
        match (self.error, self.rest) {
            (Some(error), _) => Err(error),
            (None, []) => Ok(()),
            (None, _) => Err(CodecError("bytes are left over after the config")),
        }
    }

    /// Reads one postcard value.
    ///
    /// # Errors
    /// The bytes are not a `T`.
    pub fn take<T: Deserialize<'de>>(&mut self) -> Result<T, CodecError> {
        let (value, rest) =
            postcard::take_from_bytes(self.rest).map_err(|error| CodecError(describe(&error)))?;
        self.rest = rest;
        Ok(value)
    }

    /// Reads a count or a choice's index.
    ///
    /// # Errors
    /// The bytes are not a varint.
    pub fn length(&mut self) -> Result<usize, CodecError> {
        let length: u32 = self.take()?;
        usize::try_from(length).map_err(|_| CodecError("a count does not fit this board"))
    }

    fn keep<T>(&mut self, result: Result<T, CodecError>) -> Option<T> {
        result.map_err(|error| self.error = Some(error)).ok()
    }
}

impl VisitMut for Decoder<'_> {
    fn value<T: Value>(&mut self, meta: &'static Meta, value: &mut T) {
        if self.error.is_none() && self.pass.covers(meta) {
            let read = T::decode(self);
            if let Some(read) = self.keep(read) {
                *value = read;
            }
        }
    }

    fn section<S: Section>(&mut self, meta: &'static Meta, section: &mut S) {
        if self.pass.enters(meta) {
            let outer = self.pass;
            self.pass.floor = meta.since.max(outer.floor);
            section.visit_mut(self);
            self.pass = outer;
        }
    }

    fn list<S: Section, const N: usize>(
        &mut self,
        meta: &'static Meta,
        list: &mut heapless::Vec<S, N>,
    ) {
        if self.error.is_some() || !self.pass.covers(meta) {
            return;
        }
        let length = self.length();
        let Some(length) = self.keep(length) else {
            return;
        };
        let outer = self.pass;
        self.pass.whole = true;
        list.clear();
        for _ in 0..length {
            let mut item = S::default();
            item.visit_mut(self);
            let full = CodecError("a list has more entries than this build holds");
            if self.error.is_some() || list.push(item).is_err() {
                self.error.get_or_insert(full);
                break;
            }
        }
        self.pass = outer;
    }
}
