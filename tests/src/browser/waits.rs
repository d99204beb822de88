//! Waiting on the page: poll the DOM (a CSS selector, or a JavaScript expression) until the
//! condition holds (and click what appears), with the readiness deadline as a failure
//! detector. On a timeout the error names what was awaited and shows the page's text and the
//! requests made so far.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use fantoccini::elements::Element;
use serde_json::{Value, json};

use super::Browser;
use crate::error::{HarnessError, HarnessResult};
use crate::knobs::ready_deadline;

/// How often a wait looks at the page again.
const POLL_EVERY: Duration = Duration::from_millis(25);
/// How much of the page's text a timeout shows.
const BODY_SHOWN_CHARS: usize = 6_000;

impl Browser {
    /// The first element matching `css`, once there is one.
    ///
    /// # Errors
    /// [`HarnessError::Timeout`] when none appears within the readiness deadline.
    pub async fn wait_for(&self, css: &str) -> HarnessResult<Element> {
        let started = Instant::now();
        loop {
            match self.client().find(Locator::Css(css)).await {
                Ok(element) => return Ok(element),
                Err(error) if is_no_such_element(&error) => {}
                Err(error) => {
                    return Err(HarnessError::Browser(format!("finding {css}: {error}")));
                }
            }
            self.check_deadline(started, &format!("an element matching {css}"))
                .await?;
            tokio::time::sleep(POLL_EVERY).await;
        }
    }

    /// Clicks the element matching `css` once there is one.
    ///
    /// # Errors
    /// When none appears or the click fails.
    pub async fn click(&self, css: &str) -> HarnessResult<()> {
        self.wait_for(css)
            .await?
            .click()
            .await
            .map_err(|error| HarnessError::Browser(format!("clicking {css}: {error}")))
    }

    /// Returns once no element matches `css`.
    ///
    /// # Errors
    /// [`HarnessError::Timeout`] when one still does at the readiness deadline.
    pub async fn wait_gone(&self, css: &str) -> HarnessResult<()> {
        let script = format!("return document.querySelector({}) === null;", json!(css));
        self.wait_until(&script, &format!("no element matching {css}"))
            .await
            .map(drop)
    }

    /// Runs `script` (a function body that `return`s) until it returns something other than
    /// `false`, `null` or `undefined`, and returns that.
    ///
    /// # Errors
    /// [`HarnessError::Timeout`] naming `what` at the readiness deadline, or the script's error.
    pub async fn wait_until(&self, script: &str, what: &str) -> HarnessResult<Value> {
        let started = Instant::now();
        loop {
            let value = self.run(script).await?;
            if !matches!(value, Value::Null | Value::Bool(false)) {
                return Ok(value);
            }
            self.check_deadline(started, what).await?;
            tokio::time::sleep(POLL_EVERY).await;
        }
    }

    /// Runs `script` (a function body) in the page and returns what it returns.
    ///
    /// # Errors
    /// When the script throws or the browser cannot run it.
    pub async fn run(&self, script: &str) -> HarnessResult<Value> {
        self.client()
            .execute(script, Vec::new())
            .await
            .map_err(|error| HarnessError::Browser(format!("running `{script}`: {error}")))
    }

    async fn check_deadline(&self, started: Instant, what: &str) -> HarnessResult<()> {
        if started.elapsed() < ready_deadline() {
            return Ok(());
        }
        let page = self
            .run(
                "return location.href + ' (html lang=' + document.documentElement.lang + ')\\n' \
                 + (document.body ? document.body.innerText : '');",
            )
            .await
            .ok()
            .and_then(|text| text.as_str().map(str::to_owned))
            .unwrap_or_default();
        let shown: String = page.chars().take(BODY_SHOWN_CHARS).collect();
        let requests: Vec<String> = self
            .proxy
            .requests()
            .iter()
            .map(|r| format!("{} {} -> {:?}", r.method, r.url, r.status))
            .collect();
        Err(HarnessError::Timeout(format!(
            "waited {:?} for {what}; the page shows:\n{shown}\nrequests through the proxy:\n{}\n{}",
            ready_deadline(),
            requests.join("\n"),
            self.driver_log()
        )))
    }
}

fn is_no_such_element(error: &fantoccini::error::CmdError) -> bool {
    matches!(
        error,
        fantoccini::error::CmdError::Standard(standard)
            if standard.error == fantoccini::error::ErrorStatus::NoSuchElement
    )
}
