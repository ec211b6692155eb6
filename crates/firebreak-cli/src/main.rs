//! `firebreak`: the command-line face of the core libraries. Glue only: parse the
//! command, open the store, call the library, print the result.
//!
//! Layout:
//! - `cli`: the clap definitions (the command-line contract).
//! - `context`: opening the store, who the author is, the clock.
//! - `commands/*`: one module per command group.
//! - `output`: JSON shapes and the small text helpers shared by commands.
//!
//! Errors go to stderr as `firebreak: what went wrong`, with exit code 1 (2 for a
//! command line clap cannot read).

mod cli;
mod commands;
mod context;
mod output;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    restore_default_sigpipe();
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("firebreak: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Rust ignores SIGPIPE, so `firebreak log | head` would panic on the closed pipe.
/// Restoring the default makes it end quietly, as every other Unix tool does.
#[cfg(unix)]
#[allow(unsafe_code)]
fn restore_default_sigpipe() {
    // SAFETY: called first thing in `main`, before any other thread exists, with a
    // valid signal number and the default disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_default_sigpipe() {}
