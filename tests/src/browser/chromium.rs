//! How Chromium is started for a console suite: headless, with most of the features that call
//! home turned off, every request through the recording proxy (loopback included), a fresh
//! profile, a screen size, a language, and the page's network events logged.

use std::net::SocketAddr;
use std::path::Path;

use serde_json::{Value, json};

use crate::knobs::chromium_path;

/// The screen the page is shown on, emulated by Chromium at a device pixel ratio of 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewport {
    /// The branch's 1024×600 touch screen (a desktop page, touch events).
    Kiosk,
    /// A phone: 390×844, touch, a mobile page (the viewport meta tag applies).
    Phone,
}

impl Viewport {
    /// Its size in CSS pixels (and in screenshot pixels: the device pixel ratio is 1).
    pub const fn size(self) -> (u32, u32) {
        match self {
            Self::Kiosk => (1024, 600),
            Self::Phone => (390, 844),
        }
    }

    /// A short name for files and messages (`kiosk`, `phone`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Kiosk => "kiosk",
            Self::Phone => "phone",
        }
    }
}

/// The browser's language: its interface and what it asks servers for (`Accept-Language`,
/// `navigator.languages`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// American English.
    English,
    /// Japanese, with English as the second choice.
    Japanese,
}

impl Language {
    /// The page's code for it (`#lang`'s values, `html[lang]`).
    pub const fn code(self) -> &'static str {
        match self {
            Self::English => "en",
            Self::Japanese => "ja",
        }
    }

    /// Chromium's `--lang`.
    const fn locale(self) -> &'static str {
        match self {
            Self::English => "en-US",
            Self::Japanese => "ja",
        }
    }

    /// The `intl.accept_languages` preference.
    const fn accept_languages(self) -> &'static str {
        match self {
            Self::English => "en-US,en",
            Self::Japanese => "ja,en-US,en",
        }
    }
}

/// The WebDriver capabilities that start Chromium for one session.
pub(super) fn capabilities(
    viewport: Viewport,
    language: Language,
    proxy: SocketAddr,
    profile: &Path,
) -> serde_json::Map<String, Value> {
    let (width, height) = viewport.size();
    let args = vec![
        "--headless=new".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-quic".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        "--disable-default-apps".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--disable-extensions".to_owned(),
        "--disable-component-extensions-with-background-pages".to_owned(),
        "--disable-client-side-phishing-detection".to_owned(),
        "--disable-domain-reliability".to_owned(),
        "--disable-breakpad".to_owned(),
        "--disable-field-trial-config".to_owned(),
        "--disable-search-engine-choice-screen".to_owned(),
        "--metrics-recording-only".to_owned(),
        "--no-pings".to_owned(),
        "--no-default-browser-check".to_owned(),
        "--password-store=basic".to_owned(),
        "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate,AutofillServerCommunication,CertificateTransparencyComponentUpdater".to_owned(),
        format!("--user-data-dir={}", profile.display()),
        format!("--lang={}", language.locale()),
        // Every request, to the box included, goes through the recording proxy: `<-loopback>`
        // takes away the implicit bypass of localhost and 127.0.0.1.
        format!("--proxy-server=http://{proxy}"),
        "--proxy-bypass-list=<-loopback>".to_owned(),
    ];
    let mut options = json!({
        "binary": chromium_path().display().to_string(),
        "prefs": {"intl": {"accept_languages": language.accept_languages()}},
        // The page's own requests, told apart from the browser's (page_network.rs).
        "perfLoggingPrefs": {"enableNetwork": true, "enablePage": false},
    });
    // The window's own size is not the page's in headless mode: the screen is emulated.
    options["mobileEmulation"] = json!({
        "deviceMetrics": {
            "width": width,
            "height": height,
            "pixelRatio": 1,
            "touch": true,
            "mobile": viewport == Viewport::Phone,
        },
    });
    options["args"] = json!(args);
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("browserName".to_owned(), json!("chrome"));
    capabilities.insert("goog:chromeOptions".to_owned(), options);
    capabilities.insert(
        "goog:loggingPrefs".to_owned(),
        json!({"performance": "ALL"}),
    );
    capabilities
}
