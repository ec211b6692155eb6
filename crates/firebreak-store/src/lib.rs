//! Firebreak's local store: one SQLite file holding the append-only event log and the
//! runbook library, shared by the desktop app and the CLI.
//!
//! Layout:
//! - `store`: opening the file (private permissions, WAL, `synchronous=FULL`, the
//!   application id), settings, the device id.
//! - `migrations`: append-only SQL compiled in, applied all-or-nothing; newer stores
//!   refused.
//! - `events`: durable appends (rules checked inside the transaction) and reads.
//! - `incidents`: incident ids, folded states, the default incident, checklists.
//! - `actions`: whole operations the CLI and the desktop share: start an incident with
//!   its runbooks (one transaction), run a runbook, change a step.
//! - `probes`: planning probe runs (incident variables, environment profiles in
//!   `profiles/` beside the store, runbook defaults), approvals of sensitive hosts,
//!   recording results, probe history.
//! - `runbooks`: every version kept, one current per id; bundled runbooks installed.
//! - `import`: files and directories into the library, failures per file.
//! - `search`: FTS5 over findings (runbook search lives with the runbooks).
//! - `sync_state`: the hub this store syncs with (the token in `hub-token` beside the
//!   store, mode 0600), the acknowledged sequence number, the pull cursor, clock
//!   samples; other devices' events stored with the cursor in one transaction.
//! - `foreign`: other devices' events (from the hub or a bundle) stored once; a
//!   different event under a known id or `(device, seq)` refused.
//! - `bundle_file`: handoff bundle files written whole and private, read back checked.
//! - `handoff`: drafting, sending, exporting, importing and accepting handoffs.
//! - `postmortem`: the incident's post-mortem draft (a fold with the hub-measured clock
//!   offsets) and changes to it appended as events.
//! - `identity`: the store a front end opens by default, and who the author is.
//! - `paths`: where the store lives (`--home`, `FIREBREAK_HOME`, the platform's data dir).
//!
//! Invariant: the `events` table is insert-only. Triggers refuse UPDATE and DELETE, and
//! nothing in this crate issues either against it.

mod actions;
mod bundle_file;
mod bundled;
mod error;
mod events;
mod foreign;
mod handoff;
mod identity;
mod import;
mod incidents;
pub mod migrations;
pub mod paths;
mod postmortem;
mod probes;
mod runbooks;
mod search;
mod store;
mod sync_state;

pub use actions::{NewFinding, StepChange};
pub use bundle_file::{BundleFileError, PendingBundle, read_bundle_file};
pub use bundled::BUNDLED_RUNBOOKS;
pub use error::StoreError;
pub use foreign::Arrival;
pub use handoff::{BundleImport, HandoffAccepted};
pub use identity::{AUTHOR_ENV, AUTHOR_KEY};
pub use import::{FileOutcome, ImportReport, read_runbook};
pub use probes::{PROFILES_DIR, ProbePlan, ProbePlanError, ProfileLoadError};
pub use runbooks::{PutOutcome, RunbookHit, RunbookSummary};
pub use search::FindingHit;
pub use store::{APPLICATION_ID, Store, WAL_AUTOCHECKPOINT_PAGES};
pub use sync_state::{HubConnection, StoredPage, SyncFailure, TOKEN_FILE};
