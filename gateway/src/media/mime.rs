//! Reading a declared MIME type: `type/subtype`, then optional `; name=value` parameters.

/// A declared MIME type, split into its parts. Borrowed from the declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct DeclaredMime<'a> {
    /// `type/subtype`, trimmed, in the declaration's case.
    pub(super) essence: &'a str,
    /// The `codecs` parameter without quotes, if given (`opus` in `audio/ogg; codecs=opus`).
    pub(super) codecs: Option<&'a str>,
}

impl<'a> DeclaredMime<'a> {
    /// Splits a declaration. `None` when it is not `type/subtype` with both parts non-empty
    /// tokens.
    pub(super) fn parse(declared: &'a str) -> Option<Self> {
        let mut parts = declared.split(';');
        let essence = parts.next().unwrap_or_default().trim();
        let (top, sub) = essence.split_once('/')?;
        if !is_token(top) || !is_token(sub) {
            return None;
        }
        let codecs = parts.find_map(|parameter| {
            let (name, value) = parameter.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("codecs")
                .then(|| value.trim().trim_matches('"').trim())
        });
        Some(Self { essence, codecs })
    }

    /// Whether every codec named in the `codecs` parameter is Opus (true when none is named).
    pub(super) fn codecs_are_opus(&self) -> bool {
        self.codecs.is_none_or(|codecs| {
            codecs
                .split(',')
                .all(|codec| codec.trim().eq_ignore_ascii_case("opus"))
        })
    }
}

/// An RFC 2045 token: one or more visible ASCII characters other than separators.
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_mime_parts() {
        let ogg = DeclaredMime::parse(" audio/ogg ; codecs=\"opus\" ");
        assert_eq!(
            ogg,
            Some(DeclaredMime {
                essence: "audio/ogg",
                codecs: Some("opus")
            })
        );
        assert!(ogg.is_some_and(|m| m.codecs_are_opus()));
        let vorbis = DeclaredMime::parse("audio/ogg;CODECS=vorbis");
        assert!(vorbis.is_some_and(|m| !m.codecs_are_opus()));
        let plain = DeclaredMime::parse("text/plain; charset=utf-8");
        assert_eq!(
            plain.map(|m| (m.essence, m.codecs)),
            Some(("text/plain", None))
        );
        for bad in [
            "",
            "image",
            "image/",
            "/png",
            "image/png/x",
            "ima ge/png",
            "é/x",
        ] {
            assert_eq!(DeclaredMime::parse(bad), None, "{bad:?}");
        }
    }
}
