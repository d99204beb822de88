//! A wire list of at most `N` entries ([`Bounded`]) that decodes without an allocator and
//! counts, rather than refuses, entries past its capacity, so the overflow becomes a problem
//! naming its key instead of a malformed body.

use core::fmt;
use core::marker::PhantomData;

use serde::de::{SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Up to `N` entries, and how many the wire held.
pub(super) struct Bounded<T, const N: usize> {
    items: heapless::Vec<T, N>,
    len: usize,
}

impl<T, const N: usize> Bounded<T, N> {
    /// The entries of `items`, mapped with `wire`.
    pub(super) fn from_items<'s, S: 's>(
        items: impl IntoIterator<Item = &'s S>,
        wire: impl Fn(&'s S) -> T,
    ) -> Self {
        let mut out = Self {
            items: heapless::Vec::new(),
            len: 0,
        };
        for item in items {
            out.push(wire(item));
        }
        out
    }

    fn push(&mut self, item: T) {
        self.len = self.len.saturating_add(1);
        // Past the capacity an entry is only counted (see `overflow`).
        let _kept = self.items.push(item);
    }

    /// `Some(entries on the wire)` when they were more than `N`.
    pub(super) fn overflow(&self) -> Option<usize> {
        (self.len > N).then_some(self.len)
    }

    /// The entries kept, in order.
    pub(super) fn into_items(self) -> heapless::Vec<T, N> {
        self.items
    }
}

impl<T: fmt::Debug, const N: usize> fmt::Debug for Bounded<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.items).finish()
    }
}

impl<T: Serialize, const N: usize> Serialize for Bounded<T, N> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(&self.items)
    }
}

impl<'de, T: Deserialize<'de>, const N: usize> Deserialize<'de> for Bounded<T, N> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(BoundedVisitor(PhantomData))
    }
}

struct BoundedVisitor<T, const N: usize>(PhantomData<T>);

impl<'de, T: Deserialize<'de>, const N: usize> Visitor<'de> for BoundedVisitor<T, N> {
    type Value = Bounded<T, N>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Bounded {
            items: heapless::Vec::new(),
            len: 0,
        };
        while let Some(item) = seq.next_element()? {
            out.push(item);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_past_the_capacity_are_counted_not_kept() {
        let mut buffer = [0_u8; 16];
        let written = postcard::to_slice(&[1_u32, 2, 3, 4, 5][..], &mut buffer)
            .map(|bytes| bytes.len())
            .unwrap_or(0);
        let decoded: Result<Bounded<u32, 3>, _> = postcard::from_bytes(&buffer[..written]);
        let Ok(decoded) = decoded else {
            panic!("a list of five u32 decodes: {decoded:?}");
        };
        assert_eq!(decoded.overflow(), Some(5));
        assert_eq!(decoded.into_items().as_slice(), [1, 2, 3]);

        let exact: Result<Bounded<u32, 5>, _> = postcard::from_bytes(&buffer[..written]);
        assert!(matches!(exact, Ok(ref list) if list.overflow().is_none()));
        let mut again = [0_u8; 16];
        let reencoded = exact.map(|list| {
            postcard::to_slice(&list, &mut again)
                .map(|bytes| bytes.len())
                .ok()
        });
        assert_eq!(reencoded, Ok(Some(written)));
        assert_eq!(again[..written], buffer[..written]);
    }
}
