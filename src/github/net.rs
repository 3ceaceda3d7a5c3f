//! The connections under the GitHub client: proxies and CA certificates from the environment,
//! read the way curl and gh read them (docs/github-sync.md, "Proxies and certificates").
//!
//! - Proxies: `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (and their lower-case
//!   forms), matched by hyper-util's proxy matcher (the rules curl documents). An `https://`
//!   API URL goes through a `CONNECT` tunnel (with `Proxy-Authorization` when the proxy URL
//!   carries `user:password@`); an `http://` one is sent to the proxy in absolute form.
//! - CA certificates: `SSL_CERT_FILE` / `SSL_CERT_DIR` replace the system store when set
//!   (rustls-native-certs), else the platform's store is used.

use crate::error::{Error, Result};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::TcpStream;
use tower_service::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The environment variables that name a proxy, in the order curl reads them.
pub const PROXY_VARS: [&str; 8] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// A TCP connector that goes through the proxy the environment names for each destination.
#[derive(Clone)]
pub struct ProxyConnector {
    http: HttpConnector,
    matcher: Arc<Matcher>,
}

impl ProxyConnector {
    /// Proxies from the environment; `connect_timeout` bounds each TCP connect.
    pub fn from_env(connect_timeout: Duration) -> ProxyConnector {
        ProxyConnector::with_matcher(Matcher::from_env(), connect_timeout)
    }

    pub fn with_matcher(matcher: Matcher, connect_timeout: Duration) -> ProxyConnector {
        let mut http = HttpConnector::new();
        // The TLS layer above decides about the scheme; this one only opens TCP connections.
        http.enforce_http(false);
        http.set_connect_timeout(Some(connect_timeout));
        ProxyConnector {
            http,
            matcher: Arc::new(matcher),
        }
    }

    /// The proxy a request to `url` goes through, if any (for messages and tests).
    pub fn proxy_for(&self, url: &str) -> Option<String> {
        let uri: http::Uri = url.parse().ok()?;
        self.matcher.intercept(&uri).map(|i| i.uri().to_string())
    }
}

/// A TCP stream, marked as going to a proxy when requests on it must use the absolute form.
pub struct ProxyStream {
    io: TokioIo<TcpStream>,
    proxied: bool,
}

impl Connection for ProxyStream {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.proxied)
    }
}

impl hyper::rt::Read for ProxyStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for ProxyStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }
}

impl Service<http::Uri> for ProxyConnector {
    type Response = ProxyStream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = std::result::Result<ProxyStream, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<std::result::Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: http::Uri) -> Self::Future {
        let mut http = self.http.clone();
        let intercept = self.matcher.intercept(&dst);
        Box::pin(async move {
            match intercept {
                None => Ok(ProxyStream {
                    io: http.call(dst).await?,
                    proxied: false,
                }),
                // HTTPS: a CONNECT tunnel; TLS to GitHub runs inside it.
                Some(i) if dst.scheme_str() == Some("https") => {
                    let mut tunnel = Tunnel::new(i.uri().clone(), http);
                    if let Some(auth) = i.basic_auth() {
                        tunnel = tunnel.with_auth(auth.clone());
                    }
                    Ok(ProxyStream {
                        io: tunnel.call(dst).await?,
                        proxied: false,
                    })
                }
                // Plain HTTP: the request itself goes to the proxy, in absolute form.
                Some(i) => Ok(ProxyStream {
                    io: http.call(i.uri().clone()).await?,
                    proxied: true,
                }),
            }
        })
    }
}

/// Fail early, with the fix, when `SSL_CERT_FILE` names a file without a PEM certificate
/// (rustls would otherwise only say that no CA certificates were found).
pub fn check_ca_env() -> Result<()> {
    let Some(path) = std::env::var_os("SSL_CERT_FILE") else {
        return Ok(());
    };
    let shown = std::path::Path::new(&path).display().to_string();
    let text = std::fs::read(&path).map_err(|e| {
        Error::Usage(format!(
            "SSL_CERT_FILE={shown} cannot be read ({e}); point it at a PEM CA bundle or unset it"
        ))
    })?;
    if !text
        .windows(b"-----BEGIN CERTIFICATE-----".len())
        .any(|w| w == b"-----BEGIN CERTIFICATE-----")
    {
        return Err(Error::Usage(format!(
            "SSL_CERT_FILE={shown} holds no PEM certificate; point it at a PEM CA bundle or unset it"
        )));
    }
    Ok(())
}

/// The HTTP client octocrab runs on: TLS (rustls, ring) with the environment's CA roots, over
/// [`ProxyConnector`], HTTP/1.1.
pub fn client(
    connect_timeout: Duration,
) -> Result<
    hyper_util::client::legacy::Client<
        hyper_rustls::HttpsConnector<ProxyConnector>,
        octocrab::OctoBody,
    >,
> {
    check_ca_env()?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(provider)
        .map_err(|e| {
            Error::GitHub(format!(
                "no CA certificates could be loaded ({e}); set SSL_CERT_FILE to a PEM CA bundle"
            ))
        })?
        .https_or_http()
        .enable_http1()
        .wrap_connector(ProxyConnector::from_env(connect_timeout));
    Ok(
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build(https),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(http: &str, https: &str, no: &str) -> ProxyConnector {
        let m = Matcher::builder().http(http).https(https).no(no).build();
        ProxyConnector::with_matcher(m, Duration::from_secs(1))
    }

    #[test]
    fn https_proxy_is_for_https_urls_and_http_proxy_for_http_ones() {
        let c = matcher("http://web-proxy:3128", "http://tls-proxy:8080", "");
        assert_eq!(
            c.proxy_for("https://api.github.com/graphql").as_deref(),
            Some("http://tls-proxy:8080/")
        );
        assert_eq!(
            c.proxy_for("http://ghe.internal/api/v3").as_deref(),
            Some("http://web-proxy:3128/")
        );
    }

    #[test]
    fn no_proxy_bypasses_hosts_their_subdomains_and_networks() {
        let c = matcher(
            "http://p:1",
            "http://p:1",
            "github.example.com, 10.0.0.0/8,localhost",
        );
        assert_eq!(c.proxy_for("https://github.example.com/api/v3"), None);
        assert_eq!(c.proxy_for("https://api.github.example.com/x"), None);
        assert_eq!(c.proxy_for("http://10.1.2.3:8080/api/v3"), None);
        assert!(c.proxy_for("https://api.github.com/graphql").is_some());
    }
}
