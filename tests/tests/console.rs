//! The kiosk console in real headless Chromium, against the real binary.
#![forbid(unsafe_code)]

use waygate_e2e::browser::{Browser, Language, Viewport};
use waygate_e2e::suite::{must, start_with_config};

#[tokio::test(flavor = "multi_thread")]
async fn the_browser_reaches_the_box_through_the_recording_proxy_and_nothing_else() {
    let gateway = start_with_config("").await;
    let browser = must(Browser::start(&gateway, Viewport::Kiosk, Language::English).await);
    must(browser.goto("/healthz").await);
    let body = must(browser.wait_for("body").await);
    assert_eq!(must(body.text().await).trim(), "ok");
    let report = must(browser.network_report().await);
    eprintln!("{report:#?}\nbrowser own: {:#?}", report.browser_own());
    if let Err(problems) = report.check_only_the_box() {
        panic!("{problems}");
    }
    must(browser.close().await);
}
