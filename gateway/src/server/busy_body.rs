//! A response body that keeps its connection busy until it has been sent: a connection is idle
//! only between requests, so a long answer (an event stream, a large download) is not closed
//! for idleness, nor evicted when the listener is full, while its body still flows.

use std::pin::Pin;
use std::task::{Context, Poll};

use hyper::body::{Body, Frame, SizeHint};

use super::idle::RequestGuard;

/// `B`, holding its request's guard until the body ends or is dropped.
pub(super) struct BusyBody<B> {
    body: B,
    _busy: RequestGuard,
}

impl<B> BusyBody<B> {
    /// `body`, keeping `busy` until it is done.
    pub(super) fn new(body: B, busy: RequestGuard) -> Self {
        Self { body, _busy: busy }
    }
}

impl<B: Body + Unpin> Body for BusyBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use bytes::Bytes;
    use http_body_util::{BodyExt as _, Full};

    use super::*;
    use crate::server::idle::{Connections, IdleClose, IdleLimits};

    #[tokio::test(start_paused = true)]
    async fn a_connection_is_busy_until_its_answer_body_is_sent() {
        let limits = IdleLimits {
            first_request: Duration::from_secs(3),
            between_requests: Duration::from_secs(30),
        };
        let connections = Arc::new(Connections::default());
        let activity = connections.open(1);
        let body = BusyBody::new(
            Full::new(Bytes::from_static(b"x")),
            activity.request_started(),
        );
        let watcher = {
            let connections = Arc::clone(&connections);
            let activity = Arc::clone(&activity);
            tokio::spawn(async move { connections.watch(&activity, limits).await })
        };
        // The handler answered long ago; the body is still being sent.
        tokio::time::sleep(Duration::from_secs(600)).await;
        assert!(
            !watcher.is_finished(),
            "cut while its answer was being sent"
        );
        assert!(
            !connections.evict_longest_idle(),
            "a busy connection gives way"
        );
        assert_eq!(body.collect().await.unwrap().to_bytes(), "x");
        assert_eq!(watcher.await.unwrap(), IdleClose::TimedOut);
    }
}
