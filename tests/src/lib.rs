//! Helpers shared by the system tests: real processes (the `firebreak` CLI and the
//! `firebreak-hub` server) on loopback, and the checks run over what they leave behind.
//!
//! - `binaries`, `child`, `hub_process`, `silent_hub`: from `firebreak-testkit` (the
//!   binaries, a child killed on drop, a hub process: start, SIGKILL, restart, users; a
//!   listener that never answers).
//! - `hub_reader`: what a hub holds, read over plain HTTP (never through the client
//!   under test or the fault proxy).
//! - `laptop`: a responder's store driven through the CLI.
//! - `set_full`: nothing lost, nothing doubled, nothing private leaked.
//!
//! Knobs (environment): `FIREBREAK_TEST_NO_BUILD=1` uses the binaries as built,
//! `FIREBREAK_TEST_KEEP=1` keeps laptops' homes for a look after a failure,
//! `FIREBREAK_TEST_HUB_LOG` sets the hubs' log filter (default `info`; logs are in
//! `hub-data.log` beside each hub's data directory). The fault suite has its own
//! (`tests/sync_faults.rs`).

pub use firebreak_testkit::{binaries, child, hub_process, silent_hub};
pub mod hub_reader;
pub mod laptop;
pub mod set_full;
