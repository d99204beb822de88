//! The bounded buffer between an event stream's reader and its response body: the reader
//! pushes frames, the body yields them as fast as the client takes them. The bound is in bytes;
//! a push that would pass it fails ([`Overflow`]) and the reader cuts the client off: a client
//! that falls behind never makes the gateway hold more than the bound (and one frame, so that
//! an event larger than the bound still passes to a client that keeps up).

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame};
use tokio::sync::{Notify, mpsc};

/// The client is behind: the frame was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(super) enum Overflow {
    /// The buffer holds its bound.
    #[error("the client fell behind by more than the stream's buffer")]
    Full,
    /// The body is gone (the client closed the connection).
    #[error("the client is gone")]
    Closed,
}

/// The reader's end.
pub(super) struct FrameSender {
    frames: mpsc::UnboundedSender<Bytes>,
    queued: Arc<AtomicUsize>,
    limit: usize,
    /// Told each time the body takes a frame.
    taken: Arc<Notify>,
}

/// The body's end: a response body of the frames pushed, ending when the sender is dropped.
pub(super) struct FrameBody {
    frames: mpsc::UnboundedReceiver<Bytes>,
    queued: Arc<AtomicUsize>,
    taken: Arc<Notify>,
}

/// A buffer of at most `limit` bytes (but always room for one frame).
pub(super) fn frame_queue(limit: usize) -> (FrameSender, FrameBody) {
    // Unbounded in count, bounded in bytes by `push`.
    let (sender, receiver) = mpsc::unbounded_channel();
    let queued = Arc::new(AtomicUsize::new(0));
    let taken = Arc::new(Notify::new());
    (
        FrameSender {
            frames: sender,
            queued: Arc::clone(&queued),
            limit,
            taken: Arc::clone(&taken),
        },
        FrameBody {
            frames: receiver,
            queued,
            taken,
        },
    )
}

impl FrameSender {
    /// Queues `frame`, unless the buffer would pass its bound (and is not empty) or the body
    /// is gone.
    pub(super) fn push(&self, frame: Bytes) -> Result<(), Overflow> {
        if self.frames.is_closed() {
            return Err(Overflow::Closed);
        }
        let len = frame.len();
        let queued = self.queued.load(Ordering::Acquire);
        if queued > 0 && queued.saturating_add(len) > self.limit {
            return Err(Overflow::Full);
        }
        self.queued.fetch_add(len, Ordering::AcqRel);
        self.frames.send(frame).map_err(|_| Overflow::Closed)
    }

    /// Waits, at most `grace`, until the buffer is at most half full: a reader catching up
    /// from the store waits for a client that is taking frames instead of outrunning it.
    /// `false`: the client took too little in `grace` (it is behind, and is cut off).
    pub(super) async fn room(&self, grace: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + grace;
        loop {
            let taken = self.taken.notified();
            if self.queued.load(Ordering::Acquire) <= self.limit / 2 {
                return true;
            }
            if tokio::time::timeout_at(deadline, taken).await.is_err() {
                return self.queued.load(Ordering::Acquire) <= self.limit / 2;
            }
        }
    }

    /// Resolves when the body is gone.
    pub(super) async fn closed(&self) {
        self.frames.closed().await;
    }

    /// Bytes queued and not yet taken by the body.
    #[cfg(test)]
    pub(super) fn queued(&self) -> usize {
        self.queued.load(Ordering::Acquire)
    }
}

impl Body for FrameBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        self.frames.poll_recv(cx).map(|frame| {
            frame.map(|frame| {
                self.queued.fetch_sub(frame.len(), Ordering::AcqRel);
                self.taken.notify_waiters();
                Ok(Frame::data(frame))
            })
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use http_body_util::BodyExt as _;

    use super::*;

    #[tokio::test]
    async fn a_reader_ahead_of_its_client_by_the_bound_is_refused_and_one_that_keeps_up_is_not() {
        let (sender, mut body) = frame_queue(10);
        sender.push(Bytes::from_static(b"12345")).unwrap();
        sender.push(Bytes::from_static(b"6789")).unwrap();
        assert_eq!(sender.queued(), 9);
        assert_eq!(
            sender.push(Bytes::from_static(b"ab")),
            Err(Overflow::Full),
            "9 + 2 > 10"
        );
        // The client reads: room again.
        let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
        assert_eq!(first, "12345");
        sender.push(Bytes::from_static(b"ab")).unwrap();
        assert_eq!(sender.queued(), 6);
        drop(sender);
        let rest = body.collect().await.unwrap().to_bytes();
        assert_eq!(rest, "6789ab");
    }

    #[tokio::test(start_paused = true)]
    async fn a_reader_waits_for_room_while_the_client_takes_frames_and_not_longer() {
        let (sender, mut body) = frame_queue(10);
        sender.push(Bytes::from_static(b"123456")).unwrap();
        let grace = Duration::from_secs(2);
        // Nothing taken within the grace: no room.
        assert!(!sender.room(grace).await);
        // A frame taken while the reader waits: room.
        let (waited, taken) = tokio::join!(sender.room(grace), body.frame());
        assert!(waited);
        assert_eq!(taken.unwrap().unwrap().into_data().unwrap(), "123456");
        assert!(sender.room(grace).await, "an empty buffer has room");
    }

    #[tokio::test]
    async fn a_frame_larger_than_the_bound_passes_an_empty_buffer_and_a_gone_body_is_seen() {
        let (sender, body) = frame_queue(4);
        sender
            .push(Bytes::from_static(b"larger than four"))
            .unwrap();
        assert_eq!(sender.push(Bytes::from_static(b"x")), Err(Overflow::Full));
        drop(body);
        sender.closed().await;
        assert_eq!(sender.push(Bytes::new()), Err(Overflow::Closed));
    }
}
