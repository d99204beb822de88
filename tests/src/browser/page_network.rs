//! Which requests were the page's: Chromium reports every request its pages make (the
//! DevTools `Network.requestWillBeSent` events, collected by chromedriver's performance log),
//! which tells them apart from the requests the browser makes for itself at startup (a Google
//! account check, an update check, a search engine preconnect). No switch turns all of those
//! off (the account check is made for every profile once its network is up), and the proxy
//! refuses them like anything else that is not for the box.
//!
//! [`NetworkReport`] puts the two views together: the page asked for nothing but the box, every
//! such request reached the box through the proxy (nothing went around it), and what else the
//! proxy saw was the browser's own and was refused.

use std::collections::HashSet;

use http::Method;
use serde_json::{Value, json};

use super::{Browser, RecordedRequest};
use crate::error::{HarnessError, HarnessResult};

/// The DevTools event of a request about to be sent.
const REQUEST_WILL_BE_SENT: &str = "Network.requestWillBeSent";
/// The DevTools event of a request answered from the browser's cache (no network).
const SERVED_FROM_CACHE: &str = "Network.requestServedFromCache";
/// The URL schemes that go out on the network (`data:`, `blob:`, `about:` do not).
const NETWORK_SCHEMES: [&str; 4] = ["http://", "https://", "ws://", "wss://"];

/// A request one of the browser's pages made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// DevTools' id (a redirect keeps the id of the request it follows).
    pub id: String,
    /// Its method.
    pub method: String,
    /// Its URL, without the fragment.
    pub url: String,
    /// Whether the browser answered it from its cache, without the network.
    pub from_cache: bool,
}

/// The page's requests and the proxy's records, side by side.
#[derive(Debug, Clone)]
pub struct NetworkReport {
    /// The box's origin (`http://127.0.0.1:<port>`).
    pub box_origin: String,
    /// Every network request the pages made.
    pub page: Vec<PageRequest>,
    /// Every request the proxy saw.
    pub proxy: Vec<RecordedRequest>,
}

impl NetworkReport {
    /// The page's requests for anything but the box.
    pub fn page_elsewhere(&self) -> Vec<&PageRequest> {
        let prefix = format!("{}/", self.box_origin);
        self.page
            .iter()
            .filter(|request| !request.url.starts_with(&prefix))
            .collect()
    }

    /// The page's requests that went to the network but that the proxy never saw.
    pub fn page_around_the_proxy(&self) -> Vec<&PageRequest> {
        let seen: HashSet<(&str, &str)> = self
            .proxy
            .iter()
            .map(|record| (record.method.as_str(), record.url.as_str()))
            .collect();
        self.page
            .iter()
            .filter(|request| !request.from_cache)
            .filter(|request| !seen.contains(&(request.method.as_str(), request.url.as_str())))
            .collect()
    }

    /// What the proxy refused that no page asked for: the browser's own requests.
    pub fn browser_own(&self) -> Vec<&RecordedRequest> {
        let page_urls: HashSet<&str> = self.page.iter().map(|r| r.url.as_str()).collect();
        let page_authorities: HashSet<String> = self
            .page
            .iter()
            .filter_map(|r| authority_of(&r.url))
            .collect();
        self.proxy
            .iter()
            .filter(|record| !record.forwarded)
            .filter(|record| {
                if record.method == Method::CONNECT {
                    !page_authorities.contains(&record.url)
                } else {
                    !page_urls.contains(record.url.as_str())
                }
            })
            .collect()
    }

    /// Passes when the pages asked for something, only for the box, and all of it through the
    /// proxy; otherwise says what broke that.
    ///
    /// # Errors
    /// The offending requests, listed.
    pub fn check_only_the_box(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        if !self
            .page
            .iter()
            .any(|r| r.url.starts_with(&self.box_origin))
        {
            problems.push("the pages made no request to the box at all".to_owned());
        }
        for request in self.page_elsewhere() {
            problems.push(format!(
                "the page asked for {} {} (not the box)",
                request.method, request.url
            ));
        }
        for request in self.page_around_the_proxy() {
            problems.push(format!(
                "the page's {} {} never reached the recording proxy",
                request.method, request.url
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{}\nrecorded: {:#?}",
                problems.join("\n"),
                self.proxy
            ))
        }
    }
}

/// `host:port` of an absolute URL (the port defaulted by the scheme), as a `CONNECT` names it.
fn authority_of(url: &str) -> Option<String> {
    let uri: http::Uri = url.parse().ok()?;
    let host = uri.host()?;
    let port = uri.port_u16().or(match uri.scheme_str()? {
        "https" | "wss" => Some(443),
        "http" | "ws" => Some(80),
        _ => None,
    })?;
    Some(format!("{host}:{port}"))
}

impl Browser {
    /// The page's requests and the proxy's records so far.
    ///
    /// # Errors
    /// When chromedriver's log cannot be read.
    pub async fn network_report(&self) -> HarnessResult<NetworkReport> {
        Ok(NetworkReport {
            box_origin: self.proxy.box_origin(),
            page: self.page_requests().await?,
            proxy: self.proxy.requests(),
        })
    }

    /// Every network request the pages made so far.
    ///
    /// # Errors
    /// When chromedriver's log cannot be read.
    pub async fn page_requests(&self) -> HarnessResult<Vec<PageRequest>> {
        // chromedriver hands out each log entry once: keep what was read before.
        let entries = self.read_performance_log().await?;
        let mut requests = self.page_log.lock().await;
        let mut cached = Vec::new();
        for entry in entries {
            let Some(text) = entry["message"].as_str() else {
                continue;
            };
            let Ok(message) = serde_json::from_str::<Value>(text) else {
                continue;
            };
            let event = &message["message"];
            let params = &event["params"];
            let id = params["requestId"].as_str().unwrap_or_default().to_owned();
            match event["method"].as_str() {
                Some(REQUEST_WILL_BE_SENT) => {
                    let url = params["request"]["url"].as_str().unwrap_or_default();
                    if NETWORK_SCHEMES.iter().any(|scheme| url.starts_with(scheme)) {
                        requests.push(PageRequest {
                            id,
                            method: params["request"]["method"]
                                .as_str()
                                .unwrap_or_default()
                                .to_owned(),
                            url: url.to_owned(),
                            from_cache: false,
                        });
                    }
                }
                Some(SERVED_FROM_CACHE) => cached.push(id),
                _ => {}
            }
        }
        for request in requests.iter_mut() {
            if cached.contains(&request.id) {
                request.from_cache = true;
            }
        }
        Ok(requests.clone())
    }

    /// The new entries of chromedriver's performance log (`POST /session/{id}/se/log`).
    async fn read_performance_log(&self) -> HarnessResult<Vec<Value>> {
        let session = self
            .client()
            .session_id()
            .await
            .map_err(|error| HarnessError::Browser(format!("session id: {error}")))?
            .ok_or(HarnessError::State("no WebDriver session"))?;
        let driver = self
            .driver
            .as_ref()
            .ok_or(HarnessError::State("chromedriver already stopped"))?;
        let mut connection = driver.endpoint().connect().await?;
        let body = json!({"type": "performance"}).to_string();
        let reply = connection
            .request(
                Method::POST,
                &format!("/session/{session}/se/log"),
                &[("content-type", "application/json")],
                body.into(),
            )
            .await?;
        let log: Value =
            serde_json::from_slice(&reply.body).map_err(|source| HarnessError::Json {
                context: "chromedriver's performance log".to_owned(),
                source,
            })?;
        match log["value"].as_array() {
            Some(entries) => Ok(entries.clone()),
            None => Err(HarnessError::Browser(format!(
                "chromedriver's performance log ({}): {log}",
                reply.status
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(method: &str, url: &str) -> PageRequest {
        PageRequest {
            id: "1".to_owned(),
            method: method.to_owned(),
            url: url.to_owned(),
            from_cache: false,
        }
    }

    fn record(method: Method, url: &str, forwarded: bool) -> RecordedRequest {
        RecordedRequest {
            method,
            url: url.to_owned(),
            forwarded,
            status: Some(if forwarded { 200 } else { 502 }),
            content_encoding: None,
            body_bytes: 0,
        }
    }

    const BOX: &str = "http://127.0.0.1:8080";

    #[test]
    fn a_page_that_asks_only_the_box_through_the_proxy_passes() {
        let report = NetworkReport {
            box_origin: BOX.to_owned(),
            page: vec![page("GET", "http://127.0.0.1:8080/console")],
            proxy: vec![
                record(Method::CONNECT, "accounts.google.com:443", false),
                record(Method::GET, "http://127.0.0.1:8080/console", true),
            ],
        };
        assert_eq!(report.check_only_the_box(), Ok(()));
        assert_eq!(report.browser_own().len(), 1);
    }

    #[test]
    fn a_font_from_elsewhere_or_a_request_around_the_proxy_fails() {
        let report = NetworkReport {
            box_origin: BOX.to_owned(),
            page: vec![
                page("GET", "http://127.0.0.1:8080/console"),
                page("GET", "https://fonts.example/a.woff2"),
                page("GET", "http://127.0.0.1:8080/console/app.js"),
            ],
            proxy: vec![
                record(Method::GET, "http://127.0.0.1:8080/console", true),
                record(Method::CONNECT, "fonts.example:443", false),
            ],
        };
        let Err(problems) = report.check_only_the_box() else {
            panic!("a font from elsewhere and a request around the proxy must fail the check");
        };
        assert!(
            problems.contains("fonts.example/a.woff2 (not the box)"),
            "{problems}"
        );
        assert!(
            problems.contains("/console/app.js never reached"),
            "{problems}"
        );
        assert!(
            report.browser_own().is_empty(),
            "the refused CONNECT was the page's"
        );
    }

    #[test]
    fn a_page_that_asked_nothing_fails() {
        let report = NetworkReport {
            box_origin: BOX.to_owned(),
            page: Vec::new(),
            proxy: Vec::new(),
        };
        assert!(report.check_only_the_box().is_err());
    }
}
