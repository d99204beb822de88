//! What the rest of the gateway sees of the sender while it runs: the numbers' registry, which
//! numbers are held (and why), and a way to resume one. The sender's lanes stay its own; a resume reaches them
//! through a channel.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{Notify, mpsc};

use crate::graph::{GraphClient, GraphFailure};
use crate::numbers::Board;
use crate::outbound::Hold;

/// A handle on the running sender. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SenderHandle {
    client: Option<GraphClient>,
    board: Arc<Mutex<Board>>,
    holds: Arc<Mutex<BTreeMap<String, Hold>>>,
    resumes: mpsc::UnboundedSender<String>,
    waker: Arc<Notify>,
    has_token: bool,
}

/// The sender's end of a [`SenderHandle`].
#[derive(Debug)]
pub(super) struct HandleEnd {
    pub(super) holds: Arc<Mutex<BTreeMap<String, Hold>>>,
    pub(super) resumes: mpsc::UnboundedReceiver<String>,
    pub(super) waker: Arc<Notify>,
}

impl SenderHandle {
    /// A handle and the sender's end of it; `has_token`: whether an access token is configured.
    pub(super) fn new(client: Option<GraphClient>, board: Arc<Mutex<Board>>) -> (Self, HandleEnd) {
        let has_token = client.as_ref().is_none_or(GraphClient::has_token);
        let holds = Arc::new(Mutex::new(BTreeMap::new()));
        let waker = Arc::new(Notify::new());
        let (resumes, receiver) = mpsc::unbounded_channel();
        let handle = Self {
            client,
            board,
            holds: Arc::clone(&holds),
            resumes,
            waker: Arc::clone(&waker),
            has_token,
        };
        let end = HandleEnd {
            holds,
            resumes: receiver,
            waker,
        };
        (handle, end)
    }

    /// A handle on no sender (for tests of what only reads it): nothing is held.
    pub fn detached() -> Self {
        Self::new(None, Arc::default()).0
    }

    /// Marks the customer's message `wamid` to `number` as read, at Meta, now.
    ///
    /// # Errors
    /// Meta's refusal, or no answer (a detached handle has no client).
    pub async fn mark_read(&self, number: &str, wamid: &str) -> Result<(), GraphFailure> {
        match &self.client {
            Some(client) => client.mark_read(number, wamid).await,
            None => Err(GraphFailure::NotSent("no Graph API client".into())),
        }
    }

    /// The numbers' registry: what Meta says of each number.
    pub fn board(&self) -> Board {
        self.board
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Tells the sender that a message was queued.
    pub fn wake(&self) {
        self.waker.notify_one();
    }

    /// Whether an access token is configured (without one, nothing is sent).
    pub fn has_token(&self) -> bool {
        self.has_token
    }

    /// The held numbers, with their holds.
    pub fn holds(&self) -> BTreeMap<String, Hold> {
        self.holds
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Lifts the hold of `number`; the hold it had, or `None` when it was not held.
    pub fn resume(&self, number: &str) -> Option<Hold> {
        let hold = self
            .holds
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(number)?;
        // A sender that has stopped has nothing to resume.
        let _ = self.resumes.send(number.to_owned());
        Some(hold)
    }
}

impl HandleEnd {
    /// How many numbers are held.
    pub(super) fn held_count(&self) -> usize {
        self.holds
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Publishes a hold.
    pub(super) fn held(&self, number: &str, hold: Hold) {
        self.holds
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(number.to_owned(), hold);
    }
}
