//! A response or request body that streams a file from disk in chunks, read by a task: at most
//! a few chunks are in memory whatever the file's size. Optional bytes go before and after the
//! file (a multipart upload's parts around it).

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::io::AsyncReadExt as _;
use tokio::sync::mpsc;

/// The chunk a file is read in.
const CHUNK: usize = 64 * 1024;

/// A body of optional leading bytes, a file read from disk in chunks by a task (at most two
/// chunks queued), and optional trailing bytes.
pub(crate) struct FileBody {
    chunks: mpsc::Receiver<Result<Bytes, std::io::Error>>,
    length: u64,
}

impl FileBody {
    /// `head`, then the first `bytes` bytes of `file`, then `tail`.
    pub(crate) fn spawn(head: Bytes, mut file: tokio::fs::File, bytes: u64, tail: Bytes) -> Self {
        let length = u64::try_from(head.len() + tail.len())
            .unwrap_or(u64::MAX)
            .saturating_add(bytes);
        let (sender, chunks) = mpsc::channel(2);
        tokio::spawn(async move {
            if !head.is_empty() && sender.send(Ok(head)).await.is_err() {
                return;
            }
            let mut left = bytes;
            while left > 0 {
                let mut buffer = vec![0_u8; CHUNK];
                let read = match file.read(&mut buffer).await {
                    Ok(0) => {
                        let _ = sender
                            .send(Err(std::io::Error::other(
                                "the file is shorter than recorded",
                            )))
                            .await;
                        return;
                    }
                    Ok(read) => read,
                    Err(error) => {
                        let _ = sender.send(Err(error)).await;
                        return;
                    }
                };
                let read = read.min(usize::try_from(left).unwrap_or(usize::MAX));
                buffer.truncate(read);
                left -= u64::try_from(read).unwrap_or(left);
                if sender.send(Ok(Bytes::from(buffer))).await.is_err() {
                    return;
                }
            }
            if !tail.is_empty() {
                let _ = sender.send(Ok(tail)).await;
            }
        });
        Self { chunks, length }
    }
}

impl Body for FileBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        self.chunks
            .poll_recv(cx)
            .map(|chunk| chunk.map(|chunk| chunk.map(Frame::data)))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.length)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use http_body_util::BodyExt as _;

    use super::*;

    #[tokio::test]
    async fn a_file_body_streams_head_file_and_tail() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, vec![7_u8; 150_000]).unwrap();
        let file = tokio::fs::File::open(&path).await.unwrap();
        let body = FileBody::spawn(
            Bytes::from_static(b"head"),
            file,
            150_000,
            Bytes::from_static(b"tail"),
        );
        assert_eq!(body.size_hint().exact(), Some(150_008));
        let all = body.collect().await.unwrap().to_bytes();
        assert_eq!(all.len(), 150_008);
        assert!(all.starts_with(b"head\x07"));
        assert!(all.ends_with(b"\x07tail"));
    }
}
