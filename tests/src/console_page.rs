//! What the console suites do with the console page in the browser, by the selectors of the
//! contract between server, page and tests: sign in through the 401 sign-in page, wait until the
//! page is interactive, open a chat, switch the language, and measure the time to interactive
//! and the bytes of the assets.

use serde_json::json;

use crate::browser::{Browser, Language, NetworkReport};
use crate::error::{HarnessError, HarnessResult};

/// The mark the page sets once its first lists are drawn and its event stream is open.
pub const INTERACTIVE_MARK: &str = "waygate-interactive";
/// What the body says once the page is interactive.
pub const READY: &str = r#"body[data-ready="1"]"#;
/// The console's assets: the shell (with the session's boot data) and the two it loads.
pub const ASSET_PATHS: [&str; 3] = ["/console", "/console/app.css", "/console/app.js"];

impl Browser {
    /// Goes to `/console`, which answers the sign-in page, types `token`, submits, and waits
    /// until the console is interactive.
    ///
    /// # Errors
    /// When the sign-in page or the console does not show as the contract says.
    pub async fn sign_in_to_console(&self, token: &str) -> HarnessResult<()> {
        self.goto("/console").await?;
        let field = self.wait_for("#token").await?;
        field
            .send_keys(token)
            .await
            .map_err(|error| HarnessError::Browser(format!("typing the token: {error}")))?;
        self.click("#sign-in").await?;
        self.wait_for(READY).await.map(drop)
    }

    /// Opens chat `id` from whichever list shows it and waits for its conversation.
    ///
    /// # Errors
    /// When the chat is not listed or its conversation does not open.
    pub async fn open_chat(&self, id: u64) -> HarnessResult<()> {
        self.click(&format!(r#"li[data-chat-id="{id}"] button"#))
            .await?;
        self.wait_for(&format!(r#"#conversation[data-chat-id="{id}"]"#))
            .await
            .map(drop)
    }

    /// Picks `language` with the page's `#lang` switch and waits until `html[lang]` follows.
    ///
    /// # Errors
    /// When the switch is missing or the page does not follow it.
    pub async fn switch_language(&self, language: Language) -> HarnessResult<()> {
        let code = language.code();
        self.wait_for("#lang")
            .await?
            .select_by_value(code)
            .await
            .map_err(|error| HarnessError::Browser(format!("choosing {code} in #lang: {error}")))?;
        self.wait_for(&format!(r#"html[lang="{code}"]"#)).await?;
        // As a person would, leave the switch (its focus ring is not part of the screen).
        self.run("document.activeElement && document.activeElement.blur(); return null;")
            .await
            .map(drop)
    }

    /// Milliseconds from the navigation's start to the page's [`INTERACTIVE_MARK`].
    ///
    /// # Errors
    /// When the page never sets the mark.
    pub async fn time_to_interactive_ms(&self) -> HarnessResult<f64> {
        let script = format!(
            "const marks = performance.getEntriesByName({}); \
             return marks.length ? marks[0].startTime : null;",
            json!(INTERACTIVE_MARK)
        );
        let value = self
            .wait_until(&script, &format!("performance.mark({INTERACTIVE_MARK:?})"))
            .await?;
        value.as_f64().ok_or_else(|| {
            HarnessError::Browser(format!("{INTERACTIVE_MARK}'s startTime is {value}"))
        })
    }
}

/// The bytes of each console asset's body as the box answered it last (200 only), in the
/// order of [`ASSET_PATHS`]; `None` for one that was not loaded.
pub fn asset_bytes(report: &NetworkReport) -> [Option<u64>; 3] {
    ASSET_PATHS.map(|path| {
        report
            .proxy
            .iter()
            .rev()
            .find(|record| record.forwarded && record.status == Some(200) && record.path() == path)
            .map(|record| record.body_bytes)
    })
}
