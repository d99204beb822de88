//! The benchmark baseline: hyper HTTP/1.1 over tokio-rustls (ring) that reads each request body
//! whole and answers 200 — what an HTTPS webhook endpoint costs before it does any work.
#![forbid(unsafe_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use bytes::Bytes;
use clap::Parser;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use waygate_e2e::tls::{ALPN_HTTP1, ring_provider};
use waygate_e2e::{HarnessError, HarnessResult};

/// Command line of `bare-server`.
#[derive(Debug, Parser)]
#[command(about = "Baseline HTTPS server: reads the body, answers 200")]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Certificate chain (PEM). Without --cert/--key a self-signed certificate is generated.
    #[arg(long, requires = "key")]
    cert: Option<PathBuf>,
    /// Private key (PEM).
    #[arg(long, requires = "cert")]
    key: Option<PathBuf>,
    /// Write the (generated or loaded) certificate here, for clients that pin it.
    #[arg(long)]
    write_cert: Option<PathBuf>,
    /// Write the bound address here (atomically) once listening.
    #[arg(long)]
    addr_file: Option<PathBuf>,
    /// Largest body read, in bytes (larger bodies get 413).
    #[arg(long, default_value_t = 3_145_728)]
    max_body_bytes: usize,
}

fn main() -> ExitCode {
    waygate_e2e::tool::run_tool("bare-server", run(Args::parse()))
}

async fn run(args: Args) -> HarnessResult<()> {
    let (certs, key, cert_pem) = match (&args.cert, &args.key) {
        (Some(cert), Some(key)) => load_pem(cert, key)?,
        _ => generate_self_signed()?,
    };
    if let Some(path) = &args.write_cert {
        write_atomically(path, cert_pem.as_bytes())?;
    }
    let mut config = ServerConfig::builder_with_provider(ring_provider())
        .with_safe_default_protocol_versions()
        .map_err(|error| HarnessError::Tls(error.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|error| HarnessError::Tls(error.to_string()))?;
    config.alpn_protocols = vec![ALPN_HTTP1.to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind(args.listen)
        .await
        .map_err(|error| HarnessError::Http(format!("bind {}: {error}", args.listen)))?;
    let local = listener
        .local_addr()
        .map_err(|error| HarnessError::Http(format!("local_addr: {error}")))?;
    if let Some(path) = &args.addr_file {
        write_atomically(path, local.to_string().as_bytes())?;
    }
    println!("bare-server listening on {local}");
    let max_body = args.max_body_bytes;
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|error| HarnessError::Http(format!("signal handler: {error}")))?;
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((tcp, _peer)) = accepted else { continue };
                let acceptor = acceptor.clone();
                tokio::spawn(async move { serve_connection(acceptor, tcp, max_body).await });
            }
            _ = terminate.recv() => return Ok(()),
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}

async fn serve_connection(acceptor: TlsAcceptor, tcp: tokio::net::TcpStream, max_body: usize) {
    // Same socket option a latency-minded server sets.
    let _nodelay = tcp.set_nodelay(true);
    let Ok(tls) = acceptor.accept(tcp).await else {
        return;
    };
    let service = service_fn(move |request: Request<Incoming>| async move {
        let status = match Limited::new(request.into_body(), max_body).collect().await {
            Ok(_body) => StatusCode::OK,
            Err(_) => StatusCode::PAYLOAD_TOO_LARGE,
        };
        let mut response = Response::new(Empty::<Bytes>::new());
        *response.status_mut() = status;
        Ok::<_, std::convert::Infallible>(response)
    });
    // Peers closing mid-request end the connection; nothing to report for a baseline.
    let _served = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(tls), service)
        .await;
}

/// The certificate chain, its key, and the chain as PEM text.
type KeyPair = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>, String);

fn load_pem(cert: &Path, key: &Path) -> HarnessResult<KeyPair> {
    let certs = CertificateDer::pem_file_iter(cert)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|error| HarnessError::Tls(format!("{}: {error}", cert.display())))?;
    let pem = std::fs::read_to_string(cert).map_err(|error| HarnessError::Io {
        action: "reading",
        path: cert.to_path_buf(),
        source: error,
    })?;
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|error| HarnessError::Tls(format!("{}: {error}", key.display())))?;
    Ok((certs, key, pem))
}

fn generate_self_signed() -> HarnessResult<KeyPair> {
    let names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    let generated = rcgen::generate_simple_self_signed(names)
        .map_err(|error| HarnessError::Tls(format!("generating a certificate: {error}")))?;
    let key = PrivateKeyDer::try_from(generated.signing_key.serialize_der())
        .map_err(|error| HarnessError::Tls(format!("generated key: {error}")))?;
    Ok((
        vec![generated.cert.der().clone()],
        key,
        generated.cert.pem(),
    ))
}

fn write_atomically(path: &Path, bytes: &[u8]) -> HarnessResult<()> {
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, bytes).map_err(|error| HarnessError::Io {
        action: "writing",
        path: temporary.clone(),
        source: error,
    })?;
    std::fs::rename(&temporary, path).map_err(|error| HarnessError::Io {
        action: "renaming into",
        path: path.to_path_buf(),
        source: error,
    })
}
