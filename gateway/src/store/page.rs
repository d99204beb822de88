//! A part of a listing, for lists that grow for years (chats, operators' messages): the items
//! after an id, a limited number of them, and whether more follow.

/// Which part of a listing: the items after `after` (by id), `limit` of them at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Only items with a greater id (0: from the first).
    pub after: u64,
    /// The most items listed.
    pub limit: usize,
}

impl Page {
    /// Every item.
    pub const ALL: Self = Self {
        after: 0,
        limit: usize::MAX,
    };

    /// The ids a listing of this page reads from.
    pub(super) const fn ids(self) -> (std::ops::Bound<u64>, std::ops::Bound<u64>) {
        (
            std::ops::Bound::Excluded(self.after),
            std::ops::Bound::Unbounded,
        )
    }
}

/// A part of a listing, and whether more items follow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed<T> {
    /// The items, in id order.
    pub items: Vec<T>,
    /// Whether the listing admits more items after the last one listed.
    pub more: bool,
}

impl<T> Listed<T> {
    /// An empty part, to fill by [`Self::offer`].
    pub(super) const fn new() -> Self {
        Self {
            items: Vec::new(),
            more: false,
        }
    }

    /// Adds the item `make` gives, unless `page` is full: then notes that more follow and
    /// answers `false` (stop reading).
    pub(super) fn offer<E>(
        &mut self,
        page: Page,
        make: impl FnOnce() -> Result<T, E>,
    ) -> Result<bool, E> {
        if self.items.len() >= page.limit {
            self.more = true;
            return Ok(false);
        }
        self.items.push(make()?);
        Ok(true)
    }
}
