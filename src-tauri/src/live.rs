//! Live updates: the CLI (or another app window) may write to the same store. A thread
//! with its own read connection asks SQLite's `PRAGMA data_version` four times a second
//! — a counter that moves only when another connection commits, read without touching
//! the log — and emits `store-changed` to the UI when it moves. When the store has been
//! quiet for a while, the same thread checkpoints the WAL, so that appends rarely pay
//! for a checkpoint themselves. It also watches the probe runner's activity counter
//! (probes started or finished, watches changing state), which moves without a commit.
//!
//! And it watches the sync worker's status counter (syncing, synced, offline, pending,
//! last sync), emitting `sync-changed`: a separate event, so that the status bar
//! follows sync without the screens reloading their views on every round. Events the
//! worker pulls are commits on its own connection, so they arrive as `store-changed`.

use firebreak_store::Store;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter};

const POLL: Duration = Duration::from_millis(250);
const QUIET_BEFORE_CHECKPOINT: Duration = Duration::from_secs(30);

/// What moves without a commit: the probe runner's activity and the sync status.
pub struct Counters {
    pub probes: Arc<AtomicU64>,
    pub sync: Arc<AtomicU64>,
}

pub fn watch(app: AppHandle, store_path: PathBuf, counters: Counters) -> std::io::Result<()> {
    let Counters {
        probes: activity,
        sync,
    } = counters;
    std::thread::Builder::new()
        .name("store-watch".into())
        .spawn(move || {
            let store = match Store::open_file(&store_path) {
                Ok(store) => store,
                Err(e) => {
                    eprintln!("firebreak-desktop: live updates are off: {e}");
                    return;
                }
            };
            let mut last = store.data_version().ok();
            let mut last_change = Instant::now();
            let mut checkpointed = true;
            let mut last_activity = activity.load(Ordering::Relaxed);
            let mut last_sync = sync.load(Ordering::Relaxed);
            loop {
                std::thread::sleep(POLL);
                let now_sync = sync.load(Ordering::Relaxed);
                if now_sync != last_sync {
                    last_sync = now_sync;
                    if app.emit("sync-changed", now_sync).is_err() {
                        return;
                    }
                }
                let now = store.data_version().ok();
                let now_activity = activity.load(Ordering::Relaxed);
                if now_activity != last_activity && now == last {
                    last_activity = now_activity;
                    if app.emit("store-changed", now.unwrap_or_default()).is_err() {
                        return;
                    }
                }
                if now != last {
                    last_activity = now_activity;
                    last = now;
                    last_change = Instant::now();
                    checkpointed = false;
                    if app.emit("store-changed", now.unwrap_or_default()).is_err() {
                        return; // the app is gone
                    }
                } else if !checkpointed && last_change.elapsed() > QUIET_BEFORE_CHECKPOINT {
                    checkpointed = store.checkpoint().is_ok();
                }
            }
        })
        .map(|_| ())
}
