//! Sync with the team's hub, for the desktop: the status the status bar shows, connect
//! and disconnect, "Sync now".
//!
//! The rounds themselves run in `firebreak_sync::SyncWorker`, a background thread with
//! its own store connection: it syncs at once when started or nudged, pushes as soon as
//! this device's log grows, pulls the others' events every few seconds, and backs off
//! while the hub does not answer. Pulled events are committed on that connection, so
//! they move the store's `data_version` like any other writer's and reach the window
//! through the shell's `store-changed`; status changes bump [`Api::sync_activity`],
//! which the shell turns into `sync-changed`.
//!
//! The worker starts lazily, when the store has a hub (at start-up, on connect, or when
//! `sync_status` finds one that the CLI connected meanwhile), so that a store with no
//! hub costs nothing and the API works exactly as before.
//!
//! Connecting asks the hub first, the way `firebreak hub connect` does: a wrong URL or
//! token, or a hub that does not answer, is refused and nothing is saved — unless the
//! user chose to save it offline. The token is written to the store's token file and
//! never returned: no transport type has a field for it.

use crate::api::Api;
use crate::convert::time;
use crate::error::{ApiError, ErrorCode};
use crate::types::*;
use firebreak_store::Store;
use firebreak_sync::{ClientOptions, HubClient, SyncError, SyncPhase, SyncStatus, SyncWorker};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How patient the worker is, and how often it looks (tests make it brisk).
pub use firebreak_sync::WorkerOptions as SyncOptions;

/// The checks `connect_hub` makes run on the command thread, which in the desktop is
/// the window's: give up on a silent hub sooner than a background round would.
const CHECK: ClientOptions = ClientOptions {
    connect_timeout: Duration::from_secs(4),
    request_timeout: Duration::from_secs(10),
};

/// After a failed lookup of the name the hub gives this device, wait this long before
/// asking again (`sync_status` is called on every status change).
const LOOKUP_RETRY: Duration = Duration::from_secs(60);

/// The name the hub gives this device's events: the user its token belongs to. Learned
/// from the hub (at connect, or after the first push binds the device), kept in memory.
#[derive(Debug, Default)]
struct HubIdentity {
    /// The hub the name was learned from; a name from another hub means nothing.
    url: Option<String>,
    user: Option<String>,
    looking: bool,
    last_lookup: Option<Instant>,
}

/// The desktop's sync worker and what the API keeps beside it.
#[derive(Debug)]
pub(crate) struct SyncSlot {
    store_path: PathBuf,
    options: SyncOptions,
    worker: Option<SyncWorker>,
    /// Bumped on every status change the UI should see (the worker's, a learned name).
    activity: Arc<AtomicU64>,
    identity: Arc<Mutex<HubIdentity>>,
    /// The worker's change counter when the store's connection was last changed here
    /// (connect, disconnect, sync now): until it moves, the worker's status predates
    /// the change and the store's is shown instead.
    stale_at: Option<u64>,
}

fn lock(identity: &Mutex<HubIdentity>) -> MutexGuard<'_, HubIdentity> {
    // Only plain values live behind this lock: a panic elsewhere leaves them usable.
    identity
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl SyncSlot {
    /// Starts the worker now if the store already has a hub.
    pub(crate) fn new(store: &Store, options: SyncOptions) -> SyncSlot {
        let mut slot = SyncSlot {
            store_path: store.path().to_path_buf(),
            options,
            worker: None,
            activity: Arc::new(AtomicU64::new(0)),
            identity: Arc::new(Mutex::new(HubIdentity::default())),
            stale_at: None,
        };
        if matches!(store.hub_connection(), Ok(Some(_))) {
            slot.ensure_worker();
        }
        slot
    }

    fn ensure_worker(&mut self) -> &SyncWorker {
        let activity = Arc::clone(&self.activity);
        self.worker.get_or_insert_with(|| {
            SyncWorker::start(
                self.store_path.clone(),
                self.options,
                Some(Box::new(move |_| {
                    activity.fetch_add(1, Ordering::AcqRel);
                })),
            )
        })
    }

    /// Sync as soon as possible; nothing to do without a hub (no worker yet).
    pub(crate) fn nudge(&self) {
        if let Some(worker) = &self.worker {
            worker.nudge();
        }
    }

    /// Nudges, and shows the store's state until the worker has answered the nudge.
    fn nudge_and_wait_for_news(&mut self) {
        let worker = self.ensure_worker();
        let seen = worker.changes();
        worker.nudge();
        self.stale_at = Some(seen);
        self.activity.fetch_add(1, Ordering::AcqRel);
    }
}

/// A connect check's failure, with what the user can do about it.
fn refused_connect(error: SyncError) -> ApiError {
    match &error {
        SyncError::BadUrl(..) => ApiError::new(ErrorCode::BadHubUrl, error.to_string()),
        SyncError::Unauthorized { url, message } => ApiError::new(
            ErrorCode::HubUnauthorized,
            format!(
                "the hub at {url} does not accept this token ({message}); check that it is \
                 the last line `firebreak-hub user add NAME` printed, or ask the hub's admin \
                 for a new one. Nothing was saved."
            ),
        ),
        SyncError::Store(_) => ApiError::new(ErrorCode::Store, error.to_string()),
        e if e.kind().is_transient() => ApiError::new(
            ErrorCode::HubUnreachable,
            format!(
                "{error}. Nothing was saved: tick “Save offline” to keep the connection \
                 anyway and sync when the hub answers."
            ),
        ),
        _ => ApiError::new(
            ErrorCode::HubRefused,
            format!("{error}. Nothing was saved."),
        ),
    }
}

fn view(status: &SyncStatus, device: String, hub_user: Option<String>) -> SyncStatusView {
    SyncStatusView {
        phase: match status.phase {
            SyncPhase::NotConnected => "not_connected",
            SyncPhase::Syncing => "syncing",
            SyncPhase::Synced => "synced",
            SyncPhase::Offline => "offline",
            SyncPhase::Failed => "failed",
        }
        .to_string(),
        hub_url: status.hub_url.clone(),
        pending: u32::try_from(status.pending).unwrap_or(u32::MAX),
        last_attempt_at: status.last_attempt_at.map(time),
        last_success_at: status.last_success_at.map(time),
        error: status.error.as_ref().map(|e| SyncErrorView {
            kind: e.kind.clone(),
            message: e.message.clone(),
        }),
        next_attempt_at: status.next_attempt_at.map(time),
        clock_offset_ms: status.clock_offset_ms,
        clock_skewed: status.clock_skewed,
        device,
        hub_user,
        token_path: None,
    }
}

impl Api {
    /// A counter that moves whenever the sync status does, so the shell can tell the
    /// UI (`sync-changed`) without the UI polling.
    pub fn sync_activity(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.sync().activity)
    }

    pub fn sync_status(&mut self) -> Result<SyncStatusView, ApiError> {
        let from_store = SyncStatus::from_store(self.store())?;
        if from_store.hub_url.is_some() && self.sync().worker.is_none() {
            // Connected by another process (the CLI) while the app ran.
            self.sync_mut().nudge_and_wait_for_news();
        }
        let slot = self.sync_mut();
        let live = slot.worker.as_ref().map(|w| (w.changes(), w.status()));
        let status = match live {
            Some((changes, live))
                if live.hub_url == from_store.hub_url && slot.stale_at != Some(changes) =>
            {
                slot.stale_at = None;
                SyncStatus {
                    // The store counts exactly what waits; the worker's count is from
                    // its last look.
                    pending: from_store.pending,
                    ..live
                }
            }
            // The worker has not looked since the connection changed: what the store
            // says, and a round is on its way.
            _ if from_store.hub_url.is_some() => SyncStatus {
                phase: SyncPhase::Syncing,
                ..from_store
            },
            _ => from_store,
        };
        self.learn_hub_user(&status);
        let hub_user = {
            let identity = lock(&self.sync().identity);
            identity
                .user
                .clone()
                .filter(|_| identity.url.is_some() && identity.url == status.hub_url)
        };
        let mut out = view(&status, self.store().device().to_string(), hub_user);
        if status.hub_url.is_some() {
            out.token_path = Some(self.store().token_path().display().to_string());
        }
        Ok(out)
    }

    /// Keeps the hub's URL and token for this store, after checking both with the hub
    /// unless `offline`; then syncs at once.
    pub fn connect_hub(&mut self, args: ConnectHub) -> Result<SyncStatusView, ApiError> {
        let token = args.token.trim();
        if token.is_empty() || token.chars().any(char::is_whitespace) {
            return Err(ApiError::invalid(
                "the token is empty or has spaces in it: paste the last line \
                 `firebreak-hub user add NAME` printed",
            ));
        }
        // The URL's shape is checked even offline, so a typo is caught now.
        let client = HubClient::new(&args.url, token, self.store().device(), CHECK)
            .map_err(refused_connect)?;
        let mut user = None;
        if !args.offline {
            client.health().map_err(refused_connect)?;
            // Needs the token, so it proves the token works; names the user when this
            // device has pushed before.
            user = client
                .device_status()
                .map_err(refused_connect)?
                .and_then(|d| d.user);
        }
        self.store().connect_hub(client.url(), token)?;
        {
            let mut identity = lock(&self.sync().identity);
            *identity = HubIdentity {
                url: Some(client.url().to_string()),
                user,
                ..HubIdentity::default()
            };
        }
        self.sync_mut().nudge_and_wait_for_news();
        self.sync_status()
    }

    /// Forgets the hub and its token. The events stay: they are the log.
    pub fn disconnect_hub(&mut self) -> Result<SyncStatusView, ApiError> {
        self.store().disconnect_hub()?;
        *lock(&self.sync().identity) = HubIdentity::default();
        if self.sync().worker.is_some() {
            self.sync_mut().nudge_and_wait_for_news();
        }
        self.sync_status()
    }

    /// Syncs now rather than at the next tick or retry.
    pub fn sync_now(&mut self) -> Result<SyncStatusView, ApiError> {
        if self.store().hub_connection()?.is_some() {
            self.sync_mut().nudge_and_wait_for_news();
        }
        self.sync_status()
    }

    /// Once the device has pushed, the hub has bound it to the token's user: ask which,
    /// off the command thread, and tell the UI when the answer is in.
    fn learn_hub_user(&self, status: &SyncStatus) {
        let Some(url) = status.hub_url.clone() else {
            return;
        };
        if status.acknowledged_seq == 0 {
            return;
        }
        {
            let mut identity = lock(&self.sync().identity);
            if identity.url.as_deref() != Some(url.as_str()) {
                *identity = HubIdentity {
                    url: Some(url.clone()),
                    ..HubIdentity::default()
                };
            }
            let recently = identity
                .last_lookup
                .is_some_and(|at| at.elapsed() < LOOKUP_RETRY);
            if identity.user.is_some() || identity.looking || recently {
                return;
            }
            identity.looking = true;
            identity.last_lookup = Some(Instant::now());
        }
        let identity = Arc::clone(&self.sync().identity);
        let activity = Arc::clone(&self.sync().activity);
        let token = self.store().hub_token().ok().flatten();
        let device = self.store().device();
        let lookup = move || {
            let user = token
                .and_then(|token| HubClient::new(&url, &token, device, CHECK).ok())
                .and_then(|client| client.device_status().ok())
                .flatten()
                .and_then(|d| d.user);
            let mut identity = lock(&identity);
            identity.looking = false;
            if identity.url.as_deref() == Some(url.as_str()) && user.is_some() {
                identity.user = user;
                activity.fetch_add(1, Ordering::AcqRel);
            }
        };
        if std::thread::Builder::new()
            .name("firebreak-hub-user".into())
            .spawn(lookup)
            .is_err()
        {
            lock(&self.sync().identity).looking = false;
        }
    }
}
