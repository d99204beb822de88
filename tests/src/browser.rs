//! Headless Chromium for the console's suites, driven over WebDriver: Debian's `chromedriver`
//! ([`chromedriver`]) starts Chromium ([`chromium`]: headless, a fresh profile, a screen size and
//! a language), fantoccini speaks WebDriver to it, and every request goes through a recording
//! proxy ([`recording_proxy`]) that forwards only to the gateway's local listener and refuses the
//! rest; with the page's own requests as Chromium reports them ([`page_network`]) a test can
//! assert the page needs nothing but the box. Waits poll the DOM until a condition holds, bounded
//! by the readiness deadline ([`waits`]).

mod chromedriver;
mod chromium;
mod page_network;
mod recording_proxy;
mod screenshot;
mod waits;

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use tempfile::TempDir;

pub use chromium::{Language, Viewport};
pub use page_network::{NetworkReport, PageRequest};
pub use recording_proxy::{RecordedRequest, RecordingProxy};
pub use screenshot::png_size;

use crate::error::{HarnessError, HarnessResult};
use crate::gateway::Gateway;
use chromedriver::ChromeDriver;

/// One browser session on one gateway: chromedriver, Chromium, the recording proxy and the
/// temp folder of the profile and the driver's log. Everything is ended when dropped; prefer
/// [`Browser::close`], which waits for it.
pub struct Browser {
    client: Option<Client>,
    driver: Option<ChromeDriver>,
    proxy: RecordingProxy,
    /// The page's requests read from chromedriver's performance log so far.
    page_log: tokio::sync::Mutex<Vec<PageRequest>>,
    viewport: Viewport,
    language: Language,
    dir: TempDir,
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Browser")
            .field("proxy", &self.proxy.address())
            .field("viewport", &self.viewport)
            .field("language", &self.language)
            .field("dir", &self.dir.path())
            .finish_non_exhaustive()
    }
}

impl Browser {
    /// Why no browser can start here (Chromium or chromedriver is not installed), if so: the
    /// browser suites then skip, as the README's test command must pass on a machine with only
    /// Rust; CI installs both and sets `CI`, so there they run.
    pub fn missing() -> Option<String> {
        [
            crate::knobs::chromium_path(),
            crate::knobs::chromedriver_path(),
        ]
        .into_iter()
        .find(|path| !path.is_file())
        .map(|path| {
            format!(
                "{} is not installed (apt-get install chromium chromium-driver)",
                path.display()
            )
        })
    }

    /// Starts a browser whose only way out is `gateway`'s local listener, showing pages on
    /// `viewport` in `language`.
    ///
    /// # Errors
    /// When chromedriver is missing, does not start, or cannot start Chromium.
    pub async fn start(
        gateway: &Gateway,
        viewport: Viewport,
        language: Language,
    ) -> HarnessResult<Self> {
        let proxy = RecordingProxy::start(gateway.listeners()?.local).await?;
        let dir = tempfile::Builder::new()
            .prefix("waygate-browser-")
            .tempdir()
            .map_err(|error| HarnessError::io("creating", std::env::temp_dir(), error))?;
        let profile = dir.path().join("profile");
        let driver = ChromeDriver::start(&dir.path().join("chromedriver.log")).await?;
        let capabilities = chromium::capabilities(viewport, language, proxy.address(), &profile);
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url())
            .await
            .map_err(|error| {
                HarnessError::Browser(format!(
                    "starting Chromium through chromedriver: {error}\n{}",
                    driver.log_tail()
                ))
            })?;
        Ok(Self {
            client: Some(client),
            driver: Some(driver),
            proxy,
            page_log: tokio::sync::Mutex::default(),
            viewport,
            language,
            dir,
        })
    }

    /// The WebDriver client.
    ///
    /// # Panics
    /// Never: the client is only taken by [`Self::close`], which consumes the browser.
    pub fn client(&self) -> &Client {
        #[allow(clippy::expect_used, reason = "taken only by close(self)")]
        self.client.as_ref().expect("the client lives until close")
    }

    /// The screen it shows pages on.
    pub const fn viewport(&self) -> Viewport {
        self.viewport
    }

    /// The language it was started in.
    pub const fn language(&self) -> Language {
        self.language
    }

    /// The recording proxy, with every request made so far.
    pub const fn proxy(&self) -> &RecordingProxy {
        &self.proxy
    }

    /// `path` on the box (`/console` -> `http://127.0.0.1:<port>/console`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.proxy.box_origin())
    }

    /// Navigates to `path` on the box and returns once the page has loaded.
    ///
    /// # Errors
    /// When the navigation fails.
    pub async fn goto(&self, path: &str) -> HarnessResult<()> {
        let url = self.url(path);
        self.client()
            .goto(&url)
            .await
            .map_err(|error| HarnessError::Browser(format!("going to {url}: {error}")))
    }

    /// A PNG of the viewport.
    ///
    /// # Errors
    /// When the browser cannot take it.
    pub async fn screenshot(&self) -> HarnessResult<Vec<u8>> {
        self.client()
            .screenshot()
            .await
            .map_err(|error| HarnessError::Browser(format!("screenshot: {error}")))
    }

    /// Ends the session (Chromium quits) and chromedriver, waiting for both.
    ///
    /// # Errors
    /// When either does not end cleanly.
    pub async fn close(mut self) -> HarnessResult<()> {
        if let Some(client) = self.client.take() {
            client
                .close()
                .await
                .map_err(|error| HarnessError::Browser(format!("ending the session: {error}")))?;
        }
        match self.driver.take() {
            Some(driver) => driver.stop().await,
            None => Ok(()),
        }
    }

    fn driver_log(&self) -> String {
        self.driver
            .as_ref()
            .map(ChromeDriver::log_tail)
            .unwrap_or_default()
    }
}
