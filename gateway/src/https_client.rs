//! The pooled HTTPS client the gateway's outgoing requests share in form (Meta's Graph API,
//! headquarters): hyper-util's pooled client (connection reuse, HTTP/1.1 and HTTP/2 by ALPN)
//! over rustls with the ring provider, trusting the webpki roots and any extra ones given.
//! Plain `http://` is accepted for loopback test servers only: the configuration refuses it
//! elsewhere.

use std::sync::Arc;
use std::time::Duration;

use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::RootCertStore;

/// How long an idle pooled connection is kept.
const POOL_IDLE: Duration = Duration::from_secs(90);

/// A pooled client sending bodies of type `B`.
pub type PooledClient<B> = Client<HttpsConnector<HttpConnector>, B>;

/// The webpki roots, to which a caller may add its own.
pub fn webpki_roots() -> RootCertStore {
    RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    }
}

/// A pooled client trusting `roots`.
///
/// # Errors
/// rustls refused the configuration.
pub fn pooled_client<B>(roots: RootCertStore) -> Result<PooledClient<B>, rustls::Error>
where
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
{
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build();
    Ok(Client::builder(TokioExecutor::new())
        .pool_idle_timeout(POOL_IDLE)
        .build(connector))
}

/// A client error in words, with its cause (hyper's outer error says little).
pub fn transport_reason(error: &hyper_util::client::legacy::Error) -> String {
    use std::error::Error as _;
    match error.source() {
        Some(source) => format!("{error}: {source}"),
        None => error.to_string(),
    }
}
