//! `firebreak sync [--watch | --status]`.

use crate::cli::SyncArgs;
use crate::context::Context;
use anyhow::Result;
use chrono::{DateTime, Utc};
use firebreak_sync::{
    ClientOptions, FailureKind, RoundReport, SyncPhase, SyncStatus, SyncWorker, WorkerOptions,
    sync_once,
};
use std::process::ExitCode;

/// `sync` could not reach the hub, or the hub is failing: try again later.
pub const EXIT_UNREACHABLE: u8 = 4;
/// The hub refused the token.
pub const EXIT_UNAUTHORIZED: u8 = 5;
/// The hub refused the events (or answered nonsense): someone must look.
pub const EXIT_REFUSED: u8 = 6;

pub fn run(ctx: &mut Context, args: SyncArgs) -> Result<ExitCode> {
    if args.status {
        print_status(&SyncStatus::from_store(&ctx.store)?, args.json.json)?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.watch {
        return watch(ctx, args.json.json);
    }
    match sync_once(&mut ctx.store, ClientOptions::default()) {
        Ok(report) => {
            print_report(&ctx.store, &report, args.json.json)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let kind = e.kind();
            if args.json.json {
                println!(
                    "{}",
                    serde_json::json!({"ok": false, "kind": kind, "error": e.to_string()})
                );
            }
            eprintln!("firebreak: sync failed ({}): {e}", kind.as_str());
            Ok(exit_code(kind))
        }
    }
}

pub fn exit_code(kind: FailureKind) -> ExitCode {
    match kind {
        FailureKind::Unreachable | FailureKind::HubFailing => ExitCode::from(EXIT_UNREACHABLE),
        FailureKind::Unauthorized => ExitCode::from(EXIT_UNAUTHORIZED),
        FailureKind::Refused => ExitCode::from(EXIT_REFUSED),
        FailureKind::NotConnected | FailureKind::Store => ExitCode::FAILURE,
    }
}

fn print_report(store: &firebreak_store::Store, report: &RoundReport, json: bool) -> Result<()> {
    let hub = store.hub_connection()?.map(|h| h.url).unwrap_or_default();
    if json {
        let mut value = serde_json::to_value(report)?;
        value["ok"] = true.into();
        value["hub"] = hub.into();
        println!("{value}");
        return Ok(());
    }
    let resent = if report.already_on_hub > 0 {
        format!(" ({} already there)", report.already_on_hub)
    } else {
        String::new()
    };
    println!(
        "synced with {hub}: pushed {}{resent}, pulled {}; the hub has this device's log up to #{}",
        report.pushed, report.pulled, report.acknowledged_seq
    );
    if let Some(clock) = report.clock
        && clock.is_skewed()
    {
        println!(
            "warning: this laptop's clock is {} off the hub's; its times are corrected on the hub's timeline",
            human_offset(clock.offset_ms)
        );
    }
    Ok(())
}

/// Syncs until Ctrl-C, printing each change of state.
fn watch(ctx: &Context, json: bool) -> Result<ExitCode> {
    if ctx.store.hub_connection()?.is_none() {
        anyhow::bail!(firebreak_sync::SyncError::NotConnected);
    }
    let observer = Box::new(move |status: &SyncStatus| {
        if json {
            if let Ok(line) = serde_json::to_string(status) {
                println!("{line}");
            }
        } else {
            println!("{}", status_line(status));
        }
    });
    let worker = SyncWorker::start(
        ctx.store.path().to_path_buf(),
        WorkerOptions::default(),
        Some(observer),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // An error here means no signal handler could be set; stop at once rather than
    // run a loop nobody can end cleanly.
    let _ = runtime.block_on(tokio::signal::ctrl_c());
    worker.stop();
    Ok(ExitCode::SUCCESS)
}

fn status_line(status: &SyncStatus) -> String {
    let mut line = format!(
        "{}  {}  pending {}",
        Utc::now().format("%H:%M:%S"),
        status.phase.as_str(),
        status.pending
    );
    if let Some(error) = &status.error
        && status.phase != SyncPhase::Synced
    {
        line.push_str(&format!("  ({}: {})", error.kind, error.message));
    }
    if let Some(next) = status.next_attempt_at {
        line.push_str(&format!("  next try {}", next.format("%H:%M:%S")));
    }
    line
}

pub fn print_status(status: &SyncStatus, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(status)?);
        return Ok(());
    }
    let Some(url) = &status.hub_url else {
        println!("not connected to a hub: everything stays on this laptop");
        println!("connect with `firebreak hub connect URL --token TOKEN`");
        if status.pending > 0 {
            println!("{} events will be pushed once connected", status.pending);
        }
        return Ok(());
    };
    println!("hub       {url}");
    println!("state     {}", status.phase.as_str());
    println!(
        "last sync {}",
        status
            .last_success_at
            .map_or_else(|| "never".to_string(), ago)
    );
    println!(
        "pending   {} event{} not yet on the hub",
        status.pending,
        if status.pending == 1 { "" } else { "s" }
    );
    println!("pushed    up to #{}", status.acknowledged_seq);
    println!("pulled    up to hub cursor {}", status.pull_cursor);
    if let Some(offset) = status.clock_offset_ms {
        println!(
            "clock     {} against the hub{}",
            human_offset(offset),
            if status.clock_skewed {
                " (skewed: times are corrected on the hub's timeline)"
            } else {
                ""
            }
        );
    }
    if let Some(error) = &status.error {
        println!("error     {}: {}", error.kind, error.message);
    }
    Ok(())
}

fn ago(at: DateTime<Utc>) -> String {
    let secs = (Utc::now() - at).num_seconds().max(0);
    let how_long = match secs {
        0..60 => format!("{secs} s ago"),
        60..3600 => format!("{} min ago", secs / 60),
        _ => format!("{} h ago", secs / 3600),
    };
    format!("{} ({how_long})", at.format("%Y-%m-%d %H:%M:%S UTC"))
}

/// Hub minus device, as people read it: "+1.5 s" means this laptop is behind.
fn human_offset(offset_ms: i64) -> String {
    let sign = if offset_ms < 0 { "-" } else { "+" };
    let abs = offset_ms.unsigned_abs();
    if abs < 1000 {
        format!("{sign}{abs} ms")
    } else {
        format!("{sign}{:.1} s", abs as f64 / 1000.0)
    }
}
