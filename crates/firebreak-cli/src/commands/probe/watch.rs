//! `firebreak probe watch`: one target (as `probe check` reads it) or every probe of a
//! step (planned and allowed as `probe run` does), re-run every `--every`. Every run is
//! printed; only the runs that change a probe's state (the first one, then passing ↔
//! failing) are recorded, so the log reads "down at 13:02, up at 13:19 after 17m down"
//! instead of hundreds of identical lines.
//!
//! Exit: 0 when every watched probe ends passing, 3 when one ends failing (or never
//! ran, or was skipped), so `probe watch URL --count 30` can wait for a fix in a script.

use super::check::{adhoc_spec, check_ca};
use super::output::{ResultJson, result_line, skipped_line};
use super::plan;
use super::runner::{cancel_on_ctrl_c, options, runtime};
use super::{Recorder, adhoc_recorder, exit_code};
use crate::cli::WatchArgs;
use crate::context::Context;
use crate::output::clock;
use anyhow::Result;
use firebreak_core::event::StepTarget;
use firebreak_core::probe::{Health, ProbeRecord, StateChange, adhoc_probe_key};
use firebreak_core::render::human_duration;
use firebreak_core::runbook::ProbeSpec;
use firebreak_probe::{CancellationToken, WatchEvent, WatchOptions};
use serde::Serialize;
use std::process::ExitCode;
use tokio::sync::mpsc;

/// One probe being watched.
#[derive(Debug)]
struct Watched {
    key: String,
    spec: ProbeSpec,
    runbook: Option<String>,
    step: Option<StepTarget>,
    /// The step as people type it, for text lines.
    step_ref: Option<String>,
    refuse_sensitive: bool,
}

pub fn run(ctx: &mut Context, args: WatchArgs) -> Result<ExitCode> {
    let (watched, recorder, skipped) = match &args.target {
        Some(target) => {
            let spec = adhoc_spec(target, args.timeout, args.ca.as_deref())?;
            check_ca(args.ca.as_deref(), std::slice::from_ref(&spec))?;
            let recorder = adhoc_recorder(ctx, args.incident.as_deref(), args.no_record)?;
            let watched = Watched {
                key: adhoc_probe_key(&spec),
                spec,
                runbook: None,
                step: None,
                step_ref: None,
                // The user typed it.
                refuse_sensitive: false,
            };
            (vec![watched], recorder, 0)
        }
        None => step_probes(ctx, &args)?,
    };
    if watched.is_empty() {
        // Every probe of the step was skipped (and said so).
        return Ok(exit_code(false));
    }
    let wopts = WatchOptions {
        every: args.every,
        confirmations: 1,
        max_runs: args.count,
    };
    let mut last: Vec<Option<Health>> = watched.iter().map(|_| None).collect();
    let store = &mut ctx.store;
    let rt = runtime()?;
    rt.block_on(async {
        let cancel = CancellationToken::new();
        cancel_on_ctrl_c(cancel.clone());
        let (tx, mut rx) = mpsc::unbounded_channel::<(usize, WatchEvent)>();
        for (i, w) in watched.iter().enumerate() {
            let opts = options(&cancel, w.refuse_sensitive);
            let mut handle = firebreak_probe::watch(w.spec.clone(), &opts, wopts.clone());
            let tx = tx.clone();
            tokio::spawn(async move {
                while let Some(event) = handle.next().await {
                    if tx.send((i, event)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Ends when every watch has stopped: after --count runs, or on Ctrl-C.
        while let Some((i, event)) = rx.recv().await {
            let Some(w) = watched.get(i) else {
                continue;
            };
            last[i] = event.health;
            let recorded = match &event.change {
                Some(change) => {
                    let mut record = ProbeRecord::new(
                        w.key.clone(),
                        w.step.clone(),
                        &w.spec,
                        event.result.clone(),
                    );
                    record.watch_change = Some(change.clone());
                    recorder.record(store, record)?
                }
                None => None,
            };
            if args.json {
                let line = WatchJson {
                    run: event.run,
                    health: event.health,
                    change: event.change.clone(),
                    result: ResultJson::new(
                        event.result.clone(),
                        w.key.clone(),
                        w.runbook.clone(),
                        w.step.as_ref().map(|s| s.step.to_string()),
                        recorded,
                    ),
                };
                println!("{}", serde_json::to_string(&line)?);
            } else {
                println!(
                    "{}  #{}  {}{}",
                    clock(event.result.started_at),
                    event.run,
                    result_line(&event.result, w.step_ref.as_deref()),
                    change_text(event.change.as_ref(), recorded.is_some())
                );
            }
        }
        anyhow::Ok(())
    })?;
    let all_passing = skipped == 0 && last.iter().all(|h| *h == Some(Health::Passing));
    Ok(exit_code(all_passing))
}

/// The probes of `--step`, planned and allowed as for `probe run`; skipped ones are
/// printed here, once.
fn step_probes(ctx: &mut Context, args: &WatchArgs) -> Result<(Vec<Watched>, Recorder, usize)> {
    let planned = plan::make(
        ctx,
        args.incident.as_deref(),
        args.step.as_deref(),
        args.profile.as_deref(),
    )?;
    let (runnable, skipped) = planned.split();
    for &i in &skipped {
        let probe = &planned.plan.probes[i];
        let line = skipped_line(
            probe,
            &planned.step_ref(probe),
            &planned.missing_sentence(probe),
        );
        // Keep stdout one JSON object per line under --json.
        if args.json {
            eprintln!("firebreak: {line}");
        } else {
            println!("{line}");
        }
    }
    if !runnable.is_empty() {
        plan::approve_sensitive(ctx, &planned, args.allow_sensitive)?;
    }
    let watched = runnable
        .iter()
        .map(|&i| {
            let p = &planned.plan.probes[i];
            Watched {
                key: p.key.clone(),
                spec: p.spec.clone(),
                runbook: Some(p.runbook_id.clone()),
                step: Some(p.step.clone()),
                step_ref: Some(planned.step_ref(p)),
                refuse_sensitive: p.sensitive.is_empty(),
            }
        })
        .collect();
    let recorder = Recorder::into_incident(planned.incident.clone(), ctx.author()?);
    Ok((watched, recorder, skipped.len()))
}

/// `  [now failing · recorded]`, `  [failing → passing after 2s failing · recorded]`;
/// empty when the run changed nothing.
fn change_text(change: Option<&StateChange>, recorded: bool) -> String {
    let Some(change) = change else {
        return String::new();
    };
    let what = match (change.from, change.previous_lasted_ms) {
        (Some(from), Some(ms)) => {
            let lasted = chrono::Duration::milliseconds(i64::try_from(ms).unwrap_or(i64::MAX));
            format!(
                "{from} → {} after {} {from}",
                change.to,
                human_duration(lasted)
            )
        }
        _ => format!("now {}", change.to),
    };
    format!("  [{what}{}]", if recorded { " · recorded" } else { "" })
}

/// One run as `probe watch --json` prints it, one object per line.
#[derive(Serialize)]
struct WatchJson {
    /// 1 for the first run.
    run: u64,
    /// The state after this run.
    health: Option<Health>,
    /// The change of state this run made; only these runs are recorded.
    change: Option<StateChange>,
    #[serde(flatten)]
    result: ResultJson,
}
