//! What `probe run` and `probe watch --step` share: the plan (which probes, filled from
//! the incident's variables, the profile and the runbook's defaults), the sentence for a
//! probe that cannot run yet, and the say-so for sensitive hosts.
//!
//! Why ask: a runbook is written by someone else, and a probe aimed at loopback,
//! link-local or a cloud metadata service reaches things on or next to this machine. So
//! before a runbook's probe goes there, the user says yes once per runbook and host (the
//! store remembers). Every other runbook probe runs with `refuse_sensitive`, so a name
//! that only *resolves* to such an address is refused by the engine as `blocked`.

use super::output::step_ref;
use crate::context::Context;
use anyhow::{Result, bail};
use firebreak_core::probe::{PlannedProbe, ProbeSelection};
use firebreak_core::views::IncidentState;
use firebreak_store::ProbePlan;
use std::io::{BufRead, IsTerminal, Write};

/// A plan and the incident it is for.
#[derive(Debug)]
pub struct Planned {
    pub incident: IncidentState,
    pub plan: ProbePlan,
}

impl Planned {
    /// The step of a planned probe as people type it.
    pub fn step_ref(&self, probe: &PlannedProbe) -> String {
        step_ref(
            &self.incident,
            &probe.runbook_id,
            &probe.step.step.to_string(),
        )
    }

    /// Indices of the probes that can run (every placeholder filled) and of those that
    /// cannot, in plan order.
    pub fn split(&self) -> (Vec<usize>, Vec<usize>) {
        (0..self.plan.probes.len()).partition(|&i| self.plan.probes[i].missing.is_empty())
    }

    /// The sentence for a probe that cannot run: the names without a value and how to
    /// give them one.
    pub fn missing_sentence(&self, probe: &PlannedProbe) -> String {
        let names: Vec<String> = probe
            .missing
            .iter()
            .map(|n| format!("{{{{ {n} }}}}"))
            .collect();
        let first = probe.missing.first().map_or("NAME", String::as_str);
        let profile = match &self.plan.profile {
            Some(p) => format!("add it to the profile {p} (profiles/{p}.toml)"),
            None => "put it in a profile (profiles/NAME.toml beside the store, chosen with --profile NAME)".to_string(),
        };
        format!(
            "{} {} no value: set it with `firebreak incident var {first} VALUE`, or {profile}",
            names.join(", "),
            if names.len() == 1 { "has" } else { "have" },
        )
    }
}

/// Plans the probes of `step` (all of them when `None`) in the incident `selector`
/// names. An empty plan is an error: nothing would run.
pub fn make(
    ctx: &Context,
    selector: Option<&str>,
    step: Option<&str>,
    profile: Option<&str>,
) -> Result<Planned> {
    let incident = ctx.store.resolve_incident(selector)?;
    let selection = match step {
        Some(r) => ctx.store.probe_step(&incident, r)?,
        None => ProbeSelection::All,
    };
    let plan = ctx.store.plan_probes(&incident, &selection, profile)?;
    if plan.probes.is_empty() {
        match step {
            Some(r) => bail!(
                "step {r} declares no probes; `firebreak runbook show ID` shows the steps that do"
            ),
            None => bail!(
                "the runbooks of {} declare no probes; `firebreak probe check TARGET` probes a target you type",
                incident.title
            ),
        }
    }
    Ok(Planned { incident, plan })
}

/// Makes sure the user allowed every sensitive host the plan's runnable probes reach:
/// `--allow-sensitive` approves them; otherwise a terminal asks once; otherwise it is an
/// error naming the hosts, and nothing runs.
pub fn approve_sensitive(ctx: &mut Context, planned: &Planned, allow: bool) -> Result<()> {
    let unapproved = planned.plan.unapproved(&ctx.store)?;
    if unapproved.is_empty() {
        return Ok(());
    }
    let described: Vec<(String, String, &'static str)> = unapproved
        .iter()
        .map(|(runbook, host)| {
            let what = planned
                .plan
                .probes
                .iter()
                .filter(|p| &p.runbook_id == runbook)
                .flat_map(|p| &p.sensitive)
                .find(|s| &s.host == host)
                .map_or("a sensitive address", |s| s.what.describe());
            (runbook.clone(), host.clone(), what)
        })
        .collect();
    let approved = if allow {
        true
    } else if std::io::stdin().is_terminal() {
        ask(&described)?
    } else {
        let hosts: Vec<String> = described
            .iter()
            .map(|(runbook, host, what)| format!("{host} ({what}, from runbook {runbook})"))
            .collect();
        bail!(
            "nothing run: the runbook's probes would reach {}; pass --allow-sensitive to allow it (asked once per runbook and host)",
            hosts.join(", ")
        );
    };
    if !approved {
        bail!("nothing run: the sensitive hosts were not allowed");
    }
    let author = ctx.author()?;
    ctx.store.approve_hosts(&author, &unapproved)?;
    Ok(())
}

/// Asks on the terminal, once for all the hosts. The question goes to stderr so that
/// `--json` output stays clean.
fn ask(described: &[(String, String, &'static str)]) -> Result<bool> {
    let mut err = std::io::stderr().lock();
    writeln!(
        err,
        "These runbook probes would reach addresses on or next to this machine:"
    )?;
    for (runbook, host, what) in described {
        writeln!(err, "  {host}: {what}, from runbook {runbook}")?;
    }
    write!(err, "Run them? (remembered per runbook and host) [y/N] ")?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}
