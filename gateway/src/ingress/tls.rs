//! TLS for the public listener: rustls with the ring provider, TLS 1.2 and 1.3, ALPN h2 and
//! http/1.1. The certificate comes from PEM files, or is generated once and kept in the data
//! folder when none is configured.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// Where a generated certificate lives inside the data folder.
pub const GENERATED_CERT: &str = "tls/cert.pem";
/// Where a generated key lives inside the data folder.
pub const GENERATED_KEY: &str = "tls/key.pem";

/// Names a generated certificate is valid for.
const GENERATED_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// What can go wrong setting up TLS.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A PEM file could not be read or holds nothing usable.
    #[error("{what} {path}: {reason}")]
    Pem {
        /// "certificate" or "private key".
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
    /// rustls refused the certificate and key (mismatch, unsupported key type...).
    #[error("the certificate and key cannot be used together: {0}")]
    Rustls(#[from] rustls::Error),
    /// Generating the self-signed certificate failed.
    #[error("cannot generate a self-signed certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// Writing the generated files failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// The certificate and key files the listener uses.
#[derive(Debug, Clone)]
pub struct CertificateFiles {
    /// The PEM certificate chain.
    pub cert: PathBuf,
    /// The PEM private key.
    pub key: PathBuf,
    /// True when this start generated them.
    pub generated: bool,
}

/// Uses the configured files, or generates a self-signed pair in `data_dir` the first time.
pub fn certificate_files(
    data_dir: &Path,
    configured: Option<(PathBuf, PathBuf)>,
) -> Result<CertificateFiles, TlsError> {
    if let Some((cert, key)) = configured {
        return Ok(CertificateFiles {
            cert,
            key,
            generated: false,
        });
    }
    let cert = data_dir.join(GENERATED_CERT);
    let key = data_dir.join(GENERATED_KEY);
    if cert.exists() && key.exists() {
        // Earlier versions wrote the certificate with mode 0644.
        for path in [&cert, &key] {
            crate::files::make_private(path).map_err(|source| TlsError::Write {
                path: path.clone(),
                source,
            })?;
        }
        return Ok(CertificateFiles {
            cert,
            key,
            generated: false,
        });
    }
    let names: Vec<String> = GENERATED_NAMES.iter().map(|n| (*n).to_owned()).collect();
    let pair = rcgen::generate_simple_self_signed(names)?;
    crate::files::write_private(&key, pair.signing_key.serialize_pem().as_bytes()).map_err(
        |source| TlsError::Write {
            path: key.clone(),
            source,
        },
    )?;
    crate::files::write_private(&cert, pair.cert.pem().as_bytes()).map_err(|source| {
        TlsError::Write {
            path: cert.clone(),
            source,
        }
    })?;
    Ok(CertificateFiles {
        cert,
        key,
        generated: true,
    })
}

/// Builds the rustls server configuration from PEM files.
pub fn server_config(files: &CertificateFiles) -> Result<Arc<ServerConfig>, TlsError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert)
        .map_err(|error| pem_error("certificate", &files.cert, &error))?
        .collect::<Result<_, _>>()
        .map_err(|error| pem_error("certificate", &files.cert, &error))?;
    if chain.is_empty() {
        return Err(TlsError::Pem {
            what: "certificate",
            path: files.cert.clone(),
            reason: "holds no CERTIFICATE block".into(),
        });
    }
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|error| pem_error("private key", &files.key, &error))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn pem_error(what: &'static str, path: &Path, error: &rustls_pki_types::pem::Error) -> TlsError {
    // The PEM error describes structure only (no key material), so it is safe to show.
    TlsError::Pem {
        what,
        path: path.to_path_buf(),
        reason: error.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn generates_once_then_reuses() {
        let dir = tempfile::tempdir().unwrap();
        let first = certificate_files(dir.path(), None).unwrap();
        assert!(first.generated);
        let pem = std::fs::read(&first.cert).unwrap();
        let second = certificate_files(dir.path(), None).unwrap();
        assert!(!second.generated);
        assert_eq!(std::fs::read(&second.cert).unwrap(), pem);
        let config = server_config(&second).unwrap();
        assert_eq!(config.alpn_protocols[0], b"h2");
    }

    #[test]
    fn the_pair_is_owner_only_even_when_an_earlier_start_left_it_wider() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let first = certificate_files(dir.path(), None).unwrap();
        assert_eq!(mode(&first.key), 0o600, "private key is owner-only");
        assert_eq!(mode(&first.cert), 0o600, "certificate is owner-only");
        std::fs::set_permissions(&first.cert, std::fs::Permissions::from_mode(0o644)).unwrap();
        let second = certificate_files(dir.path(), None).unwrap();
        assert!(!second.generated);
        assert_eq!(
            mode(&second.cert),
            0o600,
            "a reused certificate is narrowed"
        );
    }

    #[test]
    fn a_missing_or_empty_file_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let cert = dir.path().join("cert.pem");
        std::fs::write(&cert, "not pem").unwrap();
        let files = CertificateFiles {
            cert: cert.clone(),
            key: dir.path().join("missing.pem"),
            generated: false,
        };
        let error = server_config(&files).unwrap_err().to_string();
        assert!(error.contains("cert.pem"), "{error}");
    }
}
