//! The console's page, style and script, inside the binary: a kiosk on a LAN cut off from the
//! internet loads nothing from anywhere else (no CDN, no external font).

/// The app shell; [`BOOT_MARKER`] is replaced by the session's boot data.
pub(super) const INDEX_HTML: &str = include_str!("../../console/index.html");
/// The style sheet.
pub(super) const APP_CSS: &str = include_str!("../../console/app.css");
/// The script.
pub(super) const APP_JS: &str = include_str!("../../console/app.js");

/// Where the shell takes the boot data (the CSRF token and the session's facts).
pub(super) const BOOT_MARKER: &str = "<!--WAYGATE-BOOT-->";

/// The policy every console page is served with: only the gateway's own script, style, images,
/// media and connections; no frames, no inline script.
pub(super) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' blob: data:; media-src 'self'; connect-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A static asset: its path, type and text.
#[derive(Debug, Clone, Copy)]
pub(super) struct Asset {
    /// Where it is served.
    pub(super) path: &'static str,
    /// Its `Content-Type`.
    pub(super) content_type: &'static str,
    /// Its bytes.
    pub(super) body: &'static str,
}

/// The style and the script.
pub(super) const ASSETS: [Asset; 2] = [
    Asset {
        path: "/console/app.css",
        content_type: "text/css; charset=utf-8",
        body: APP_CSS,
    },
    Asset {
        path: "/console/app.js",
        content_type: "text/javascript; charset=utf-8",
        body: APP_JS,
    },
];

/// Every asset's bytes, the shell's included (the budget is 150 KB).
pub fn total_bytes() -> usize {
    INDEX_HTML.len() + ASSETS.iter().map(|asset| asset.body.len()).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shell_takes_the_boot_data() {
        assert_eq!(INDEX_HTML.matches(BOOT_MARKER).count(), 1);
    }

    #[test]
    fn the_assets_stay_within_the_budget() {
        assert!(total_bytes() <= 150_000, "{} bytes", total_bytes());
    }

    #[test]
    fn nothing_is_loaded_from_elsewhere() {
        for text in [INDEX_HTML, APP_CSS, APP_JS] {
            for reference in [
                "src=\"http",
                "src=\"//",
                "href=\"http",
                "href=\"//",
                "url(http",
                "url(\"http",
                "url('http",
                "url(//",
                "@import",
                "fetch(\"http",
                "EventSource(\"http",
            ] {
                assert!(!text.contains(reference), "an asset loads {reference}...");
            }
        }
    }
}
