//! Client TLS configuration: trust exactly the gateway's certificate (pinning), or — for the
//! load generator's `--insecure` — any certificate. Handshake signatures are always verified.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme, SupportedProtocolVersion};

use crate::error::{HarnessError, HarnessResult};

/// ALPN id for HTTP/2.
pub const ALPN_H2: &[u8] = b"h2";
/// ALPN id for HTTP/1.1.
pub const ALPN_HTTP1: &[u8] = b"http/1.1";

/// Which server certificates to accept.
#[derive(Debug, Clone)]
pub enum ServerTrust {
    /// Exactly these certificates (DER-equal end-entity certificate).
    Pinned(Vec<CertificateDer<'static>>),
    /// Any certificate (benchmarks against throwaway servers only).
    Insecure,
}

impl ServerTrust {
    /// Pins every certificate in a PEM file.
    ///
    /// # Errors
    /// When the file cannot be read or holds no certificate.
    pub fn pinned_from_pem(path: &Path) -> HarnessResult<Self> {
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|error| HarnessError::Tls(format!("reading {}: {error}", path.display())))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| HarnessError::Tls(format!("parsing {}: {error}", path.display())))?;
        if certs.is_empty() {
            return Err(HarnessError::Tls(format!(
                "{} holds no certificate",
                path.display()
            )));
        }
        Ok(Self::Pinned(certs))
    }
}

/// A client configuration with the ring provider, the given trust, protocol versions and ALPN ids.
///
/// # Errors
/// When rustls rejects the protocol versions.
pub fn client_config(
    trust: ServerTrust,
    versions: &[&'static SupportedProtocolVersion],
    alpn: &[&[u8]],
) -> HarnessResult<Arc<ClientConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(TrustVerifier {
        trust,
        algorithms: provider.signature_verification_algorithms,
    });
    let mut config = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(versions)
        .map_err(|error| HarnessError::Tls(error.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|id| id.to_vec()).collect();
    Ok(Arc::new(config))
}

/// TLS 1.3 and 1.2, offering the given ALPN ids.
///
/// # Errors
/// See [`client_config`].
pub fn default_client_config(
    trust: ServerTrust,
    alpn: &[&[u8]],
) -> HarnessResult<Arc<ClientConfig>> {
    client_config(trust, rustls::DEFAULT_VERSIONS, alpn)
}

/// The server name the harness sends (the gateway's self-signed certificate lists it).
pub fn server_name() -> ServerName<'static> {
    ServerName::try_from("localhost").expect("\"localhost\" is a valid DNS name")
}

#[derive(Debug)]
struct TrustVerifier {
    trust: ServerTrust,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for TrustVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match &self.trust {
            ServerTrust::Insecure => Ok(ServerCertVerified::assertion()),
            ServerTrust::Pinned(certs) if certs.iter().any(|pinned| pinned == end_entity) => {
                Ok(ServerCertVerified::assertion())
            }
            ServerTrust::Pinned(_) => Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            )),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The ring provider, for callers building server configurations.
pub fn ring_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}
