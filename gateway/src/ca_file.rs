//! Extra trust roots for the Graph API client (`meta.ca_file`): a PEM file of certificates,
//! each of which must be usable as a trust anchor. The client trusts them besides the built-in
//! (webpki) roots; `config check` and `serve` read the file the same way before anything starts.

use std::path::{Path, PathBuf};

use rustls::RootCertStore;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;

/// Why `meta.ca_file` cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{}: {reason}", path.display())]
pub struct CaFileError {
    /// The file.
    pub path: PathBuf,
    /// Why, in words (the PEM error describes structure only).
    pub reason: String,
}

/// Adds every certificate of the PEM file at `path` to `roots`, and returns how many.
///
/// # Errors
/// The file cannot be read, is not PEM, holds no certificate, or holds one that is not a
/// usable trust root.
pub fn add_ca_file(roots: &mut RootCertStore, path: &Path) -> Result<usize, CaFileError> {
    let error = |reason: String| CaFileError {
        path: path.to_owned(),
        reason,
    };
    let certificates: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .and_then(Iterator::collect)
        .map_err(|pem| error(pem.to_string()))?;
    if certificates.is_empty() {
        return Err(error("holds no CERTIFICATE block".to_owned()));
    }
    let count = certificates.len();
    for (index, certificate) in certificates.into_iter().enumerate() {
        roots.add(certificate).map_err(|refused| {
            error(format!(
                "certificate {} is not a usable trust root: {refused}",
                index + 1
            ))
        })?;
    }
    Ok(count)
}
