//! Where the gateway sends its access token to download a customer's media: Meta's media hosts,
//! and the host of the configured Graph API (the simulated Meta of the tests serves its
//! downloads there). A media URL elsewhere is refused before any request leaves: the bearer
//! token must never go to a host that is not Meta's.

use http::Uri;

/// The hosts Meta's media URLs are on (`https://lookaside.fbsbx.com/whatsapp_business/...`).
pub const META_MEDIA_HOSTS: &[&str] = &["lookaside.fbsbx.com"];

/// `url` when it may be downloaded with the access token: `https` on one of
/// [`META_MEDIA_HOSTS`], or the scheme, host and port of `graph_base_url`. Otherwise why not.
pub fn allowed_download(url: &str, graph_base_url: &str) -> Result<Uri, String> {
    let uri: Uri = url
        .parse()
        .map_err(|_| "Meta's media URL is not a URL".to_owned())?;
    let host = uri.host().unwrap_or_default().to_ascii_lowercase();
    let meta_host = uri.scheme_str() == Some("https")
        && uri.port().is_none()
        && META_MEDIA_HOSTS.contains(&host.as_str());
    let graph_host = graph_base_url.parse::<Uri>().is_ok_and(|base| {
        base.scheme() == uri.scheme()
            && base
                .host()
                .is_some_and(|base_host| base_host.eq_ignore_ascii_case(&host))
            && base.port_u16() == uri.port_u16()
    });
    if meta_host || graph_host {
        Ok(uri)
    } else {
        Err(format!(
            "Meta's media URL is on {host:?}, which is not one of Meta's media hosts ({}) nor the Graph API's host: the access token is not sent there",
            META_MEDIA_HOSTS.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRAPH: &str = "https://graph.facebook.com";

    #[test]
    fn media_downloads_only_from_meta_hosts() {
        assert!(
            allowed_download(
                "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1&ext=2",
                GRAPH
            )
            .is_ok()
        );
        assert!(allowed_download("https://graph.facebook.com/v24.0/x", GRAPH).is_ok());
        for refused in [
            "http://lookaside.fbsbx.com/x",
            "https://lookaside.fbsbx.com:8443/x",
            "https://lookaside.fbsbx.com.evil.example/x",
            "https://evil.example/lookaside.fbsbx.com",
            "https://user@evil.example/x",
            "/relative",
            "not a url",
        ] {
            assert!(allowed_download(refused, GRAPH).is_err(), "{refused}");
        }
        let local = "http://127.0.0.1:4321";
        assert!(allowed_download("http://127.0.0.1:4321/media/1", local).is_ok());
        assert!(allowed_download("http://127.0.0.1:4322/media/1", local).is_err());
        assert!(allowed_download("https://127.0.0.1:4321/media/1", local).is_err());
    }
}
