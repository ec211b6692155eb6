//! How probes are run, as opposed to what they check (that is the `ProbeSpec`).

use tokio_util::sync::CancellationToken;

/// Probes run at once by [`crate::run_many`] unless told otherwise: enough to check a
/// whole runbook section in about one round trip, few enough not to look like a scan.
pub const DEFAULT_CONCURRENCY: usize = 64;

/// Options shared by every probe of a run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Cancelling it ends every probe of the run at its next await; each then reports
    /// `cancelled`. [`crate::run_many`] and [`crate::watch`] derive child tokens from it.
    pub cancel: CancellationToken,
    /// How many probes [`crate::run_many`] runs at once (0 is read as 1).
    pub concurrency: usize,
    /// Trust the system's root certificates (read at run time through
    /// rustls-native-certs, once per process). The probe's `ca` file is trusted in
    /// addition. Off, only the `ca` file is trusted — for tests and air-gapped setups.
    pub use_system_roots: bool,
    /// Refuse to connect to an address that turns out, after name lookup, to be
    /// loopback, link-local or a cloud metadata service (class `blocked`). The CLI and
    /// desktop ask about hosts written that way before running; this catches a name
    /// that resolves there.
    pub refuse_sensitive: bool,
    /// Sent as `user-agent` unless the probe sets one, so a server's logs show where the
    /// request came from.
    pub user_agent: String,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            cancel: CancellationToken::new(),
            concurrency: DEFAULT_CONCURRENCY,
            use_system_roots: true,
            refuse_sensitive: false,
            user_agent: concat!("firebreak-probe/", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }
}
