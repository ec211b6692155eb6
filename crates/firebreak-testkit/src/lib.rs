//! Test support shared by the system tests, the desktop API's and the desktop window's
//! tests, and the sync benchmark: one way to find the binaries and one way to run a
//! real hub, instead of a copy in each suite.
//!
//! - `binaries`: where `firebreak` and `firebreak-hub` are (built on first use when
//!   missing or older than the sources).
//! - `child`: a child process killed and reaped on drop, so no test leaks one.
//! - `hub_process`: a hub process on 127.0.0.1: start, SIGKILL, restart on the same
//!   port; users and tokens from its own `user add`.
//! - `silent_hub`: a listener that accepts and never answers, for timeouts.
//!
//! Nothing here listens on or connects to anything but loopback.

pub mod binaries;
pub mod child;
pub mod hub_process;
pub mod silent_hub;
