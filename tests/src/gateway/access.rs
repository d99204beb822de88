//! What a test reads from a running gateway: paths, addresses, secrets, endpoints, logs.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::process::Child;

use super::{Gateway, LOG_TAIL_BYTES, STDERR_LOG, STDOUT_LOG};
use crate::error::{HarnessError, HarnessResult};
use crate::http_client::{Endpoint, HttpConnection};
use crate::listeners::Listeners;
use crate::meta::MetaSimulator;
use crate::options::GatewayOptions;
use crate::tls::{ALPN_HTTP1, ServerTrust, default_client_config};

impl Gateway {
    /// The simulated Meta that signs with this gateway's app secret.
    pub fn meta(&self) -> &Arc<MetaSimulator> {
        &self.meta
    }

    /// The bearer token of the operator "default" on the local API (from the environment, or the
    /// one the gateway generated when secrets are not passed through the environment).
    pub fn operator_token(&self) -> &str {
        self.options.operator_token.expose()
    }

    /// The options it was started with (secrets included).
    pub fn options(&self) -> &GatewayOptions {
        &self.options
    }

    /// The data folder.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The temp folder holding the data folder, config and logs.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `<data>/tls/cert.pem`.
    pub fn cert_path(&self) -> PathBuf {
        self.data_dir.join("tls").join("cert.pem")
    }

    /// What the last start wrote to `listeners.json`.
    ///
    /// # Errors
    /// When the gateway has not become ready.
    pub fn listeners(&self) -> HarnessResult<Listeners> {
        self.listeners.ok_or(HarnessError::State(
            "listeners unknown: gateway not started",
        ))
    }

    /// The child's process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }

    /// Whether a process is running (spawned and not yet reaped).
    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// The public listener with TLS pinned to the gateway's certificate, offering `alpn`.
    ///
    /// # Errors
    /// When the gateway has not become ready or the TLS config cannot be built.
    pub fn public_endpoint_with(
        &self,
        versions: &[&'static rustls::SupportedProtocolVersion],
        alpn: &[&[u8]],
    ) -> HarnessResult<Endpoint> {
        let certificate = self.certificate.clone().ok_or(HarnessError::State(
            "certificate unknown: gateway not started",
        ))?;
        let tls =
            crate::tls::client_config(ServerTrust::Pinned(vec![certificate]), versions, alpn)?;
        Ok(Endpoint {
            addr: self.listeners()?.public,
            tls: Some(tls),
        })
    }

    /// The public listener over TLS 1.2/1.3, pinned, HTTP/1.1 only.
    ///
    /// # Errors
    /// As for [`Self::public_endpoint_with`].
    pub fn public_endpoint(&self) -> HarnessResult<Endpoint> {
        let certificate = self.certificate.clone().ok_or(HarnessError::State(
            "certificate unknown: gateway not started",
        ))?;
        Ok(Endpoint {
            addr: self.listeners()?.public,
            tls: Some(default_client_config(
                ServerTrust::Pinned(vec![certificate]),
                &[ALPN_HTTP1],
            )?),
        })
    }

    /// The local listener (plain HTTP).
    ///
    /// # Errors
    /// When the gateway has not become ready.
    pub fn local_endpoint(&self) -> HarnessResult<Endpoint> {
        Ok(Endpoint {
            addr: self.listeners()?.local,
            tls: None,
        })
    }

    /// A new HTTP/1.1 connection to the public listener.
    ///
    /// # Errors
    /// When connecting fails.
    pub async fn connect_public(&self) -> HarnessResult<HttpConnection> {
        self.public_endpoint()?.connect().await
    }

    /// A new connection to the local listener.
    ///
    /// # Errors
    /// When connecting fails.
    pub async fn connect_local(&self) -> HarnessResult<HttpConnection> {
        self.local_endpoint()?.connect().await
    }

    /// The public listener's address.
    ///
    /// # Errors
    /// When the gateway has not become ready.
    pub fn public_addr(&self) -> HarnessResult<SocketAddr> {
        Ok(self.listeners()?.public)
    }

    /// The file the gateway's standard output goes to (all runs, appended; not a terminal).
    pub fn stdout_path(&self) -> PathBuf {
        self.dir.path().join(STDOUT_LOG)
    }

    /// The file the gateway's standard error goes to (all runs, appended).
    pub fn stderr_path(&self) -> PathBuf {
        self.dir.path().join(STDERR_LOG)
    }

    /// The tails of the captured stdout and stderr.
    pub fn logs(&self) -> String {
        let mut text = String::new();
        for path in [self.stdout_path(), self.stderr_path()] {
            let content = std::fs::read(&path).unwrap_or_default();
            let start = content.len().saturating_sub(LOG_TAIL_BYTES);
            text.push_str(&format!(
                "----- {} (last {} of {} bytes) -----\n{}\n",
                path.display(),
                content.len() - start,
                content.len(),
                String::from_utf8_lossy(&content[start..])
            ));
        }
        text
    }
}
