//! What the API suites that run a sync worker share: brisk timings and an app on a
//! fresh store.

use firebreak_api::types::SetAuthor;
use firebreak_api::{Api, SyncOptions};
use firebreak_store::Store;
use firebreak_sync::ClientOptions;
use std::path::Path;
use std::time::Duration;

/// Brisk timings, so that a test waits for behaviour rather than for timers.
pub fn options() -> SyncOptions {
    SyncOptions {
        client: ClientOptions {
            connect_timeout: Duration::from_secs(1),
            request_timeout: Duration::from_secs(5),
        },
        idle_poll: Duration::from_millis(200),
        local_poll: Duration::from_millis(100),
        backoff_base: Duration::from_millis(200),
        backoff_max: Duration::from_secs(1),
        // The rest (a refusal's retry, …) is not what these tests wait for.
        ..SyncOptions::default()
    }
}

/// The app's API on a fresh store in `dir`, its user named `author` locally.
pub fn app(dir: &Path, author: &str) -> Api {
    let store = Store::open(dir).expect("store");
    let mut api = Api::from_store_with_sync(store, options());
    api.set_author(SetAuthor {
        name: author.into(),
    })
    .expect("author");
    api
}
