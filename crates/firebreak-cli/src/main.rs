//! `firebreak`: the command-line face of the core libraries. Glue only: parse the
//! command, open the store, call the library, print the result.
//!
//! Layout:
//! - `cli`: the clap definitions (the command-line contract).
//! - `context`: opening the store, who the author is, the clock.
//! - `commands/*`: one module per command group (`commands/probe/*` for the probes).
//! - `output`: JSON shapes and the small text helpers shared by commands.
//!
//! Exit codes:
//! - 0: done; for the probe commands, every probe ran and passed.
//! - 1: an error, written to stderr as `firebreak: what went wrong`; nothing usable ran
//!   and a refused command changed nothing.
//! - 2: a command line clap cannot read (usage error).
//! - 3: `probe check|run|watch` ran, but a probe failed or was skipped (a placeholder
//!   without a value), so a script can tell "down" from "could not ask".
//! - 4, 5, 6: `sync` did not finish: the hub is unreachable or failing (4: try later),
//!   refused the token (5), or refused the events (6: someone must look). `handoff send`
//!   exits the same way when its sync round fails, the handoff being recorded already.
//!
//! Only the probe commands start an async runtime (tokio, two workers); everything else
//! is synchronous.

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
            eprintln!("firebreak: {}", describe(&err));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes, `what: why: …`. Many errors already say their cause in
/// their own message (`cannot create X: permission denied`); a cause said once is not
/// repeated.
fn describe(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let line = cause.to_string();
        if text.contains(&line) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&line);
    }
    text
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
