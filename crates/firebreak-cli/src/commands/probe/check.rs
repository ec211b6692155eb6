//! `firebreak probe check TARGET…`: probes the user types. Every target is read before
//! anything runs, so one typo means nothing runs and nothing is recorded. They run with
//! `refuse_sensitive` off: the user typed the address, there is nobody else to ask.

use super::output::{ResultJson, Tally, result_line};
use super::runner::{Job, run_jobs};
use super::{adhoc_recorder, exit_code};
use crate::cli::CheckArgs;
use crate::context::Context;
use crate::output::print_json;
use anyhow::{Context as _, Result};
use firebreak_core::probe::{ProbeRecord, adhoc_probe_key, parse_target};
use firebreak_core::runbook::ProbeSpec;
use firebreak_core::runbook::probe_spec::ProbeKind;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

/// A typed target as a spec, with `--timeout` and `--ca` applied.
pub fn adhoc_spec(text: &str, timeout: Option<Duration>, ca: Option<&Path>) -> Result<ProbeSpec> {
    let mut spec = parse_target(text)?;
    if let Some(timeout) = timeout {
        spec.timeout = Some(timeout);
    }
    if let Some(ca) = ca {
        spec.set_ca(ca.display().to_string());
    }
    Ok(spec)
}

/// A `--ca` that cannot be read is the user's typo: refused before anything runs,
/// rather than recorded as a `ca_file` failure of every target.
pub fn check_ca(ca: Option<&Path>, specs: &[ProbeSpec]) -> Result<()> {
    let Some(ca) = ca else {
        return Ok(());
    };
    std::fs::metadata(ca).with_context(|| format!("cannot read --ca {}", ca.display()))?;
    let uses_ca = |s: &ProbeSpec| matches!(s.kind(), ProbeKind::Http | ProbeKind::Tls);
    if !specs.iter().any(uses_ca) {
        eprintln!("firebreak: --ca is ignored: only http(s) and tls targets use a CA");
    }
    Ok(())
}

pub fn run(ctx: &mut Context, args: CheckArgs) -> Result<ExitCode> {
    let specs = args
        .targets
        .iter()
        .map(|t| adhoc_spec(t, args.timeout, args.ca.as_deref()))
        .collect::<Result<Vec<_>>>()?;
    check_ca(args.ca.as_deref(), &specs)?;
    let recorder = adhoc_recorder(ctx, args.incident.as_deref(), args.no_record)?;
    let json = args.json.json;
    let jobs = specs
        .iter()
        .map(|spec| Job {
            spec: spec.clone(),
            refuse_sensitive: false,
        })
        .collect();
    let mut slots: Vec<Option<ResultJson>> = specs.iter().map(|_| None).collect();
    let mut tally = Tally::default();
    let store = &mut ctx.store;
    run_jobs(jobs, args.concurrency, |i, result| {
        let Some(spec) = specs.get(i) else {
            return Ok(());
        };
        tally.add(result.ok);
        let key = adhoc_probe_key(spec);
        let record = ProbeRecord::new(key.clone(), None, spec, result.clone());
        let event = recorder.record(store, record)?;
        if json {
            slots[i] = Some(ResultJson::new(result, key, None, None, event));
        } else {
            println!("{}", result_line(&result, None));
        }
        Ok(())
    })?;
    if json {
        print_json(&slots.into_iter().flatten().collect::<Vec<_>>())?;
    } else {
        println!("{} · {}", tally.text(), recorder.where_text());
    }
    Ok(exit_code(tally.all_passed()))
}
