//! `firebreak probe run`: the probes a runbook step (or every step) declares. Probes
//! with a placeholder nothing fills are skipped (said, not run, not recorded); the rest
//! run once the sensitive hosts among them are allowed, and each result is recorded
//! against its step as it arrives.

use super::output::{ResultJson, Tally, result_line, skipped_line};
use super::plan::{self, Planned};
use super::runner::{Job, run_jobs};
use super::{Recorder, exit_code};
use crate::cli::RunArgs;
use crate::context::Context;
use crate::output::{one_line, print_json};
use anyhow::Result;
use chrono::Utc;
use firebreak_core::probe::{
    FailureClass, Outcome, PlannedProbe, ProbeRecord, ProbeResult, VariableSource,
};
use firebreak_core::runbook::ProbeSpec;
use serde::Serialize;
use std::collections::BTreeMap;
use std::process::ExitCode;

pub fn run(ctx: &mut Context, args: RunArgs) -> Result<ExitCode> {
    let planned = plan::make(
        ctx,
        args.incident.incident.as_deref(),
        args.step.as_deref(),
        args.profile.as_deref(),
    )?;
    let json = args.json.json;
    if args.dry_run {
        dry_run(ctx, &planned, json)?;
        return Ok(ExitCode::SUCCESS);
    }
    let (runnable, skipped) = planned.split();
    if !runnable.is_empty() {
        plan::approve_sensitive(ctx, &planned, args.allow_sensitive)?;
    }
    let recorder = Recorder::into_incident(planned.incident.clone(), ctx.author()?);
    let probes = &planned.plan.probes;
    let mut slots: Vec<Option<ResultJson>> = probes.iter().map(|_| None).collect();
    let mut tally = Tally::default();
    for &i in &skipped {
        let probe = &probes[i];
        let sentence = planned.missing_sentence(probe);
        tally.skipped += 1;
        if json {
            slots[i] = Some(skipped_json(probe, &sentence));
        } else {
            println!(
                "{}",
                skipped_line(probe, &planned.step_ref(probe), &sentence)
            );
        }
    }
    let jobs: Vec<Job> = runnable
        .iter()
        .map(|&i| Job {
            spec: probes[i].spec.clone(),
            // Every sensitive host of a runnable probe is allowed by now; the others
            // must not reach one through a name that resolves there.
            refuse_sensitive: probes[i].sensitive.is_empty(),
        })
        .collect();
    let store = &mut ctx.store;
    run_jobs(jobs, args.concurrency, |j, result| {
        let Some(&i) = runnable.get(j) else {
            return Ok(());
        };
        let probe = &probes[i];
        tally.add(result.ok);
        let record = ProbeRecord::new(
            probe.key.clone(),
            Some(probe.step.clone()),
            &probe.spec,
            result.clone(),
        );
        let event = recorder.record(store, record)?;
        if json {
            slots[i] = Some(ResultJson::new(
                result,
                probe.key.clone(),
                Some(probe.runbook_id.clone()),
                Some(probe.step.step.to_string()),
                event,
            ));
        } else {
            println!("{}", result_line(&result, Some(&planned.step_ref(probe))));
        }
        Ok(())
    })?;
    if json {
        print_json(&slots.into_iter().flatten().collect::<Vec<_>>())?;
    } else {
        let recorded = if runnable.is_empty() {
            "nothing recorded".to_string()
        } else {
            recorder.where_text()
        };
        println!("{} · {recorded}", tally.text());
    }
    Ok(exit_code(tally.all_passed()))
}

/// A probe that was not run, in the same shape as a result (so a script reads one
/// array): `ok` false, class `bad_target` (a placeholder left is what that class
/// means), `skipped` true and the names in `missing`.
fn skipped_json(probe: &PlannedProbe, sentence: &str) -> ResultJson {
    let result = ProbeResult::new(
        probe.spec.kind(),
        probe.spec.target_text(),
        probe.spec.name.clone(),
        Utc::now(),
        Outcome::error(FailureClass::BadTarget, sentence),
    );
    let mut json = ResultJson::new(
        result,
        probe.key.clone(),
        Some(probe.runbook_id.clone()),
        Some(probe.step.step.to_string()),
        None,
    );
    json.skipped = true;
    json.missing = probe.missing.clone();
    json
}

#[derive(Serialize)]
struct PlanJson<'a> {
    incident: String,
    /// The profile placeholders were filled from, if any.
    profile: Option<&'a str>,
    probes: Vec<PlannedJson<'a>>,
}

#[derive(Serialize)]
struct PlannedJson<'a> {
    key: &'a str,
    runbook: &'a str,
    step: String,
    step_text: &'a str,
    section: &'a str,
    line: u32,
    label: String,
    kind: &'static str,
    /// The target with every known placeholder filled.
    target: String,
    missing: &'a [String],
    sensitive: Vec<SensitiveJson<'a>>,
    /// Where each placeholder's value came from.
    filled_from: &'a BTreeMap<String, VariableSource>,
    spec: &'a ProbeSpec,
}

#[derive(Serialize)]
struct SensitiveJson<'a> {
    host: &'a str,
    field: &'static str,
    what: &'static str,
    approved: bool,
}

/// Prints the plan and runs nothing: which probes, filled how, from where, and which
/// hosts would need the user's say-so.
fn dry_run(ctx: &Context, planned: &Planned, json: bool) -> Result<()> {
    let mut probes = Vec::new();
    for p in &planned.plan.probes {
        let mut sensitive = Vec::new();
        for s in &p.sensitive {
            sensitive.push(SensitiveJson {
                host: &s.host,
                field: s.field,
                what: s.what.describe(),
                approved: ctx.store.is_approved(&p.runbook_id, &s.host)?,
            });
        }
        probes.push(PlannedJson {
            key: &p.key,
            runbook: &p.runbook_id,
            step: p.step.step.to_string(),
            step_text: &p.step_text,
            section: &p.section,
            line: p.line,
            label: p.label(),
            kind: p.spec.kind().as_str(),
            target: p.spec.target_text(),
            missing: &p.missing,
            sensitive,
            filled_from: &p.filled_from,
            spec: &p.spec,
        });
    }
    if json {
        return print_json(&PlanJson {
            incident: planned.incident.id.to_string(),
            profile: planned.plan.profile.as_deref(),
            probes,
        });
    }
    let incident = &planned.incident;
    println!(
        "Would run {} probe{} in {} [{}]{} (dry run: nothing runs)",
        probes.len(),
        if probes.len() == 1 { "" } else { "s" },
        incident.title,
        incident.id.short(),
        planned
            .plan
            .profile
            .as_deref()
            .map(|p| format!(", profile {p}"))
            .unwrap_or_default()
    );
    for (p, shown) in planned.plan.probes.iter().zip(&probes) {
        println!(
            "\n  step {}  {}  ({})",
            planned.step_ref(p),
            one_line(&shown.label, 80),
            shown.key
        );
        println!("    {} {}", shown.kind, shown.target);
        for (name, source) in &p.filled_from {
            println!("    {{{{ {name} }}}} from {}", source_text(source));
        }
        if !p.missing.is_empty() {
            println!("    skipped: {}", planned.missing_sentence(p));
        }
        for s in &shown.sensitive {
            println!(
                "    sensitive: {} is {}{}",
                s.host,
                s.what,
                if s.approved {
                    ", allowed before"
                } else {
                    ", needs --allow-sensitive (or a yes when asked)"
                }
            );
        }
    }
    Ok(())
}

fn source_text(source: &VariableSource) -> String {
    match source {
        VariableSource::Incident => "the incident (`incident var`)".to_string(),
        VariableSource::Profile(name) => format!("the profile {name} (profiles/{name}.toml)"),
        VariableSource::Runbook(id) => format!("runbook {id}'s defaults"),
    }
}
