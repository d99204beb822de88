//! The boot data the shell carries: the CSRF token the page sends with every change, and what
//! the page needs before its first request (who signed in, where the journal ends, the time zone,
//! the departments, the attachment policy).

use serde::Serialize;

use super::assets::{BOOT_MARKER, INDEX_HTML};
use crate::media::{AttachmentKind, Format};
use crate::time::UnixMs;

/// What the page is booted with (`<script type="application/json" id="waygate-boot">`).
#[derive(Debug, Serialize)]
pub(super) struct Boot<'a> {
    /// The operator signed in.
    pub(super) operator: &'a str,
    /// The token every state-changing request sends as `X-CSRF-Token`.
    pub(super) csrf: &'a str,
    /// The journal's last seq when the page was made: the event stream starts after it.
    pub(super) after: u64,
    /// The zone times are shown in (an IANA name or an offset like `+09:00`).
    pub(super) time_zone: &'a str,
    /// The departments chats can be transferred to.
    pub(super) departments: &'a [String],
    /// When the session ends unless used.
    pub(super) session_expires_at: UnixMs,
    /// The gateway's clock when the page was made (to correct the screen's clock).
    pub(super) now: UnixMs,
    /// The gateway's version.
    pub(super) version: &'static str,
    /// What may be attached, checked by the page before an upload (and again by the gateway).
    pub(super) attachments: Vec<AttachmentPolicy>,
}

/// One kind of attachment: its size limit and its formats.
#[derive(Debug, Serialize)]
pub(super) struct AttachmentPolicy {
    /// `image`, `document`, `video` or `audio`.
    pub(super) kind: &'static str,
    /// The largest file of the kind, in bytes.
    pub(super) max_bytes: u64,
    /// The formats of the kind.
    pub(super) formats: Vec<FormatPolicy>,
}

/// One allowed format.
#[derive(Debug, Serialize)]
pub(super) struct FormatPolicy {
    /// File-name extensions, without the dot.
    pub(super) extensions: &'static [&'static str],
    /// The MIME type.
    pub(super) mime: &'static str,
}

/// The attachment policy, kind by kind.
pub(super) fn attachment_policy() -> Vec<AttachmentPolicy> {
    AttachmentKind::ALL
        .into_iter()
        .map(|kind| AttachmentPolicy {
            kind: kind.as_str(),
            max_bytes: kind.max_size(),
            formats: Format::ALL
                .into_iter()
                .filter(|format| format.kind() == kind)
                .map(|format| FormatPolicy {
                    extensions: format.extensions(),
                    mime: format.mime(),
                })
                .collect(),
        })
        .collect()
}

/// The shell with `boot` in place of its marker.
pub(super) fn shell(boot: &Boot<'_>) -> String {
    // JSON inside <script> must not close it: `<` is written as its escape.
    let json = serde_json::to_string(boot)
        .unwrap_or_else(|_| "{}".to_owned())
        .replace('<', "\\u003c");
    let head = format!(
        "<meta name=\"csrf-token\" content=\"{csrf}\">\
         <script type=\"application/json\" id=\"waygate-boot\">{json}</script>",
        csrf = boot.csrf,
    );
    INDEX_HTML.replacen(BOOT_MARKER, &head, 1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::build_info::VERSION;

    fn boot<'a>(departments: &'a [String], operator: &'a str) -> Boot<'a> {
        Boot {
            operator,
            csrf: "c5rf",
            after: 42,
            time_zone: "Asia/Tokyo",
            departments,
            session_expires_at: 2_000,
            now: 1_000,
            version: VERSION,
            attachments: attachment_policy(),
        }
    }

    #[test]
    fn the_shell_carries_the_boot_data() {
        let departments = vec!["sales".to_owned()];
        let page = shell(&boot(&departments, "ana"));
        assert!(!page.contains(BOOT_MARKER));
        assert!(page.contains("<meta name=\"csrf-token\" content=\"c5rf\">"));
        let start = page.find("id=\"waygate-boot\">").unwrap() + "id=\"waygate-boot\">".len();
        let end = start + page[start..].find("</script>").unwrap();
        let json: serde_json::Value = serde_json::from_str(&page[start..end]).unwrap();
        assert_eq!(json["operator"], "ana");
        assert_eq!(json["after"], 42);
        assert_eq!(json["time_zone"], "Asia/Tokyo");
        assert_eq!(json["departments"][0], "sales");
        assert_eq!(json["attachments"][0]["kind"], "image");
        assert_eq!(json["attachments"][0]["max_bytes"], 5_000_000);
        assert_eq!(json["attachments"][0]["formats"][0]["mime"], "image/jpeg");
    }

    #[test]
    fn a_name_cannot_close_the_script() {
        let departments = vec!["</script><script>alert(1)</script>".to_owned()];
        let page = shell(&boot(&departments, "<b>ana</b>"));
        assert_eq!(
            page.matches("</script>").count(),
            INDEX_HTML.matches("</script>").count() + 1
        );
        assert!(page.contains("\\u003c/script>"));
    }
}
