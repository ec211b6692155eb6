//! Binding and running the server: plain HTTP, or HTTPS when a certificate and key are
//! given; a graceful stop that ends open event streams and lets pushes in flight finish
//! (and so be acknowledged) before the process exits.

use crate::error::ServeError;
use crate::http::{AppState, HubConfig, router};
use crate::storage::HubStorage;
use crate::tls::{TlsListener, load_config};
use rustls::ServerConfig;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// A PEM certificate chain and its private key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// How to serve.
#[derive(Debug, Clone, PartialEq)]
pub struct ServeOptions {
    /// `host:port`; port 0 picks a free one (see [`Server::local_addr`]).
    pub listen: String,
    pub tls: Option<TlsFiles>,
    pub config: HubConfig,
}

/// A hub bound to its address, not yet serving.
#[derive(Debug)]
pub struct Server {
    tcp: TcpListener,
    tls: Option<Arc<ServerConfig>>,
    state: AppState,
    local: SocketAddr,
}

impl Server {
    /// Reads the TLS files (if any), binds the address and reads the newest cursor.
    pub async fn bind(
        storage: Arc<dyn HubStorage>,
        options: ServeOptions,
    ) -> Result<Server, ServeError> {
        let tls = options
            .tls
            .as_ref()
            .map(|files| load_config(&files.cert, &files.key))
            .transpose()?;
        let tcp = TcpListener::bind(&options.listen)
            .await
            .map_err(|source| ServeError::Bind {
                addr: options.listen.clone(),
                source,
            })?;
        let local = tcp.local_addr()?;
        let reader = Arc::clone(&storage);
        let head = tokio::task::spawn_blocking(move || reader.head())
            .await
            .map_err(|e| ServeError::Io(std::io::Error::other(e)))??;
        let state = AppState::new(storage, options.config, head, CancellationToken::new());
        Ok(Server {
            tcp,
            tls,
            state,
            local,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// `http://ADDR` or `https://ADDR`.
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.local)
    }

    /// Serves until `shutdown` resolves, then stops gracefully.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let token = self.state.shutdown().clone();
        let app = router(self.state);
        let stop = async move {
            shutdown.await;
            tracing::info!("stopping: finishing requests in flight");
            // Open event streams end here; without it they would hold the stop forever.
            token.cancel();
        };
        match self.tls {
            None => {
                axum::serve(self.tcp, app)
                    .with_graceful_shutdown(stop)
                    .await?
            }
            Some(config) => {
                axum::serve(TlsListener::new(self.tcp, config)?, app)
                    .with_graceful_shutdown(stop)
                    .await?
            }
        }
        Ok(())
    }
}
