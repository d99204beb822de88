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
    /// The page of `admitted` (in id order; `None` for an item the listing leaves out), each
    /// made by `make`. One admitted item past the page only tells that more follow.
    pub(super) fn collect<A, E>(
        page: Page,
        admitted: impl IntoIterator<Item = Result<Option<A>, E>>,
        mut make: impl FnMut(A) -> Result<T, E>,
    ) -> Result<Self, E> {
        let mut listed = Self {
            items: Vec::new(),
            more: false,
        };
        for item in admitted {
            let Some(item) = item? else {
                continue;
            };
            if listed.items.len() >= page.limit {
                listed.more = true;
                break;
            }
            listed.items.push(make(item)?);
        }
        Ok(listed)
    }
}
