//! The shell that reads every configured number from Meta into the registry. The caller runs it
//! at start and every few hours; it holds the registry's lock only to record each answer, never
//! across a request.

use std::sync::{Mutex, PoisonError};

use crate::graph::GraphClient;
use crate::settings::NumberSettings;
use crate::time::UnixMs;

use super::board::Board;

/// How one refresh went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefreshReport {
    /// The numbers Meta answered for.
    pub read: Vec<String>,
    /// The numbers whose read failed, with why (their profile is now unknown).
    pub failed: Vec<(String, String)>,
}

/// Reads each of `numbers` once, one after the other, and records each answer in `board` as
/// read at `now`. A failed read makes that number's profile unknown; it never holds sending.
pub async fn refresh_all(
    client: &GraphClient,
    numbers: &[NumberSettings],
    board: &Mutex<Board>,
    now: UnixMs,
) -> RefreshReport {
    let mut report = RefreshReport::default();
    for number in numbers {
        let id = number.phone_number_id.as_str();
        let answer = client.read_number(id).await;
        let mut board = board.lock().unwrap_or_else(PoisonError::into_inner);
        match answer {
            Ok(profile) => {
                board.read_succeeded(id, profile, now);
                report.read.push(id.to_owned());
            }
            Err(failure) => {
                let error = failure.to_string();
                tracing::warn!(phone_number_id = id, %error, "reading the number from Meta failed; its state is unknown");
                board.read_failed(id, &error, now);
                report.failed.push((id.to_owned(), error));
            }
        }
    }
    report
}

/// How often the configured numbers are read again.
pub const REFRESH_INTERVAL: std::time::Duration = std::time::Duration::from_secs(4 * 3600);

/// Reads every configured number now and every [`REFRESH_INTERVAL`] until `stop`.
pub async fn refresh_periodically(
    client: GraphClient,
    numbers: Vec<NumberSettings>,
    board: std::sync::Arc<Mutex<Board>>,
    clock: crate::clock::SharedClock,
    stop: tokio_util::sync::CancellationToken,
) {
    if numbers.is_empty() || !client.has_token() {
        return;
    }
    loop {
        let report = tokio::select! {
            () = stop.cancelled() => return,
            report = refresh_all(&client, &numbers, &board, clock.now_ms()) => report,
        };
        tracing::info!(
            read = report.read.len(),
            failed = report.failed.len(),
            "business numbers read from Meta"
        );
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(REFRESH_INTERVAL) => {}
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use std::convert::Infallible;
    use std::sync::Arc;

    use bytes::Bytes;
    use http::{Request, Response};
    use http_body_util::Full;
    use hyper::body::Incoming;
    use hyper::service::service_fn;
    use hyper_util::rt::TokioIo;
    use tokio::net::TcpListener;

    use super::*;
    use crate::numbers::{NumberProblem, ProfileState};
    use crate::secret::Secret;
    use crate::settings::GraphSettings;

    const NOW: UnixMs = 1_800_000_000_000;

    /// A one-route Graph API: number 101 is pending review, every other id is unknown.
    async fn meta(seen: Arc<Mutex<Vec<String>>>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let seen = Arc::clone(&seen);
                let service = service_fn(move |request: Request<Incoming>| {
                    let seen = Arc::clone(&seen);
                    async move {
                        let bearer = request.headers()[http::header::AUTHORIZATION]
                            .to_str()
                            .unwrap()
                            .to_owned();
                        seen.lock().unwrap().push(format!(
                            "{} {} {bearer}",
                            request.method(),
                            request.uri()
                        ));
                        let (status, body) = if request.uri().path() == "/v24.0/101" {
                            (
                                200,
                                r#"{"verified_name":"Kiosk","name_status":"PENDING_REVIEW","code_verification_status":"VERIFIED","throughput":{"level":"STANDARD"},"platform_type":"CLOUD_API","id":"101"}"#,
                            )
                        } else {
                            (
                                400,
                                r#"{"error":{"message":"Unsupported get request","type":"GraphMethodException","code":100,"fbtrace_id":"A"}}"#,
                            )
                        };
                        let mut response =
                            Response::new(Full::new(Bytes::from_static(body.as_bytes())));
                        *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
                        Ok::<_, Infallible>(response)
                    }
                });
                tokio::spawn(
                    hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service),
                );
            }
        });
        format!("http://{address}")
    }

    fn client(base_url: String, token: Option<&str>) -> GraphClient {
        let settings = GraphSettings {
            base_url,
            api_version: "v24.0".into(),
            ca_file: None,
        };
        GraphClient::new(settings, token.map(|token| Secret::new(token.to_owned()))).unwrap()
    }

    #[tokio::test]
    async fn every_number_is_read_and_a_failure_leaves_it_unknown() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let client = client(meta(Arc::clone(&seen)).await, Some("EAAG-test"));
        let numbers = [
            NumberSettings::default_for("101"),
            NumberSettings::default_for("202"),
        ];
        let board = Mutex::new(Board::new(&numbers));
        let report = refresh_all(&client, &numbers, &board, NOW).await;
        assert_eq!(report.read, vec!["101".to_owned()]);
        assert_eq!(report.failed.len(), 1);
        assert!(report.failed[0].1.contains("error 100"), "{report:?}");

        let board = board.lock().unwrap();
        let pending = board.number("101").unwrap();
        assert_eq!(pending.profile_state(), ProfileState::Known);
        assert_eq!(pending.profile.read_at, Some(NOW));
        assert_eq!(pending.problems(), vec![NumberProblem::NameApprovalPending]);
        let unknown = board.number("202").unwrap();
        assert_eq!(unknown.profile_state(), ProfileState::Unknown);
        assert_eq!(
            seen.lock().unwrap()[0],
            format!(
                "GET /v24.0/101?fields={} Bearer EAAG-test",
                crate::graph::NUMBER_FIELDS
            )
        );
    }

    #[tokio::test]
    async fn without_a_token_nothing_is_asked_and_every_number_is_unknown() {
        let numbers = [NumberSettings::default_for("101")];
        let board = Mutex::new(Board::new(&numbers));
        let report = refresh_all(
            &client("http://127.0.0.1:9".into(), None),
            &numbers,
            &board,
            NOW,
        )
        .await;
        assert!(report.read.is_empty());
        assert!(report.failed[0].1.contains("no access token"));
        assert_eq!(
            board.lock().unwrap().number("101").unwrap().profile_state(),
            ProfileState::Unknown
        );
    }
}
