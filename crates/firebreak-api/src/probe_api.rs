//! The probe commands: run a step's, a section's or every probe; an ad-hoc probe; watches;
//! incident variables. Planning and the safety check happen here, synchronously, so a
//! refusal comes back as an error; the probes themselves run in the background
//! (`probe_runner`).

use crate::api::Api;
use crate::convert::time;
use crate::error::{ApiError, ErrorCode};
use crate::probe_runner::ProbeJob;
use crate::types::*;
use firebreak_core::ids::RunId;
use firebreak_core::probe::{
    PlannedProbe, ProbeResult, ProbeSelection, adhoc_probe_key, parse_target,
};
use firebreak_core::views::{IncidentState, ProbeHistory};
use firebreak_store::{ProbePlan, ProbePlanError, Store};
use std::time::Duration;

/// The most points a probe's chart gets.
const CHART_POINTS: usize = 120;

impl From<ProbePlanError> for ApiError {
    fn from(err: ProbePlanError) -> Self {
        match err {
            ProbePlanError::Store(e) => e.into(),
            ProbePlanError::Profile(e) => ApiError::invalid(e.to_string()),
        }
    }
}

impl Api {
    pub fn run_probes(&mut self, args: RunProbes) -> Result<ProbesStarted, ApiError> {
        let state = self.store().resolve_incident(Some(&args.incident))?;
        let plan = match &args.key {
            Some(key) => self.plan_key(&state, key, args.profile.as_deref())?,
            None => {
                let selection = self.selection(&state, &args)?;
                self.store()
                    .plan_probes(&state, &selection, args.profile.as_deref())?
            }
        };
        if plan.probes.is_empty() {
            return Err(ApiError::invalid("there is no probe to run there"));
        }
        let jobs = self.approved_jobs(&plan, args.approve)?;
        let (runnable, skipped) = split_missing(&plan.probes, jobs);
        let author = self.author()?;
        let keys = self.runner().start(&author, state.id, runnable)?;
        Ok(ProbesStarted { keys, skipped })
    }

    pub fn check_target(&mut self, args: CheckTarget) -> Result<ProbesStarted, ApiError> {
        let state = self.store().resolve_incident(Some(&args.incident))?;
        let spec = parse_target(&args.target).map_err(|e| ApiError::invalid(e.to_string()))?;
        let job = ProbeJob {
            key: adhoc_probe_key(&spec),
            step: None,
            spec,
            // The user typed this target: it is theirs to aim wherever they like.
            refuse_sensitive: false,
        };
        let author = self.author()?;
        let keys = self.runner().start(&author, state.id, vec![job])?;
        Ok(ProbesStarted {
            keys,
            skipped: Vec::new(),
        })
    }

    pub fn start_watch(&mut self, args: StartWatch) -> Result<WatchView, ApiError> {
        let state = self.store().resolve_incident(Some(&args.incident))?;
        let every = Duration::from_secs(u64::from(args.every_secs));
        let (job, label) = match (&args.key, &args.target) {
            (Some(key), None) => {
                let only = self.plan_key(&state, key, args.profile.as_deref())?;
                let label = only
                    .probes
                    .first()
                    .map(PlannedProbe::label)
                    .unwrap_or_default();
                let jobs = self.approved_jobs(&only, args.approve)?;
                let (mut runnable, skipped) = split_missing(&only.probes, jobs);
                if let Some(skip) = skipped.first() {
                    return Err(ApiError::invalid(skip.reason.clone()));
                }
                let Some(job) = runnable.pop() else {
                    return Err(ApiError::invalid(format!("no probe {key} to watch")));
                };
                (job, label)
            }
            (None, Some(target)) => {
                let spec = parse_target(target).map_err(|e| ApiError::invalid(e.to_string()))?;
                let label = spec.target_text();
                let job = ProbeJob {
                    key: adhoc_probe_key(&spec),
                    step: None,
                    spec,
                    refuse_sensitive: false,
                };
                (job, label)
            }
            _ => {
                return Err(ApiError::invalid(
                    "say what to watch: a probe key or a target, not both",
                ));
            }
        };
        let author = self.author()?;
        self.runner().watch(&author, state.id, job, label, every)
    }

    pub fn stop_watch(&mut self, args: WatchRef) -> Result<Vec<WatchView>, ApiError> {
        let incident = self
            .runner()
            .watches_all()
            .into_iter()
            .find(|w| w.id == args.id)
            .map(|w| w.incident);
        self.runner().stop_watch(&args.id);
        Ok(match incident {
            Some(id) => self
                .runner()
                .watches_all()
                .into_iter()
                .filter(|w| w.incident == id)
                .collect(),
            None => Vec::new(),
        })
    }

    pub fn set_variable(&mut self, args: SetVariable) -> Result<IncidentSummary, ApiError> {
        let state = self.store().resolve_incident(Some(&args.incident))?;
        // An empty value is refused by the log's rules, not read as "remove": removing
        // is said with null, so a slip of the keyboard cannot drop a variable.
        self.append_with(|store, author| {
            store.set_variable(author, &state, &args.name, args.value.as_deref())
        })?;
        Ok(crate::convert::incident_summary(
            &self.store().incident(state.id)?,
        ))
    }

    /// The step or section a request names; every probe when it names neither.
    fn selection(
        &self,
        state: &IncidentState,
        args: &RunProbes,
    ) -> Result<ProbeSelection, ApiError> {
        Ok(match (&args.step_ref, &args.run, args.section) {
            (Some(step), _, _) => self.store().probe_step(state, step)?,
            (None, Some(run), Some(section)) => ProbeSelection::Section {
                run: run
                    .parse::<RunId>()
                    .map_err(|_| ApiError::invalid(format!("{run:?} is not a run id")))?,
                section: section as usize,
            },
            (None, None, None) => ProbeSelection::All,
            _ => {
                return Err(ApiError::invalid(
                    "say which probes: a key, a step ref, or a run and a section, or neither for all",
                ));
            }
        })
    }

    /// The plan of the one probe with this key.
    fn plan_key(
        &self,
        state: &IncidentState,
        key: &str,
        profile: Option<&str>,
    ) -> Result<ProbePlan, ApiError> {
        let mut plan = self
            .store()
            .plan_probes(state, &ProbeSelection::All, profile)?;
        plan.probes.retain(|p| p.key == key);
        if plan.probes.is_empty() {
            return Err(ApiError::invalid(format!(
                "no probe {key} in this incident"
            )));
        }
        Ok(plan)
    }

    /// Jobs for every planned probe, after the safety check: a probe from a runbook
    /// that reaches a loopback, link-local or metadata host needs the user's say-so,
    /// once per runbook and host.
    fn approved_jobs(
        &mut self,
        plan: &ProbePlan,
        approve: bool,
    ) -> Result<Vec<ProbeJob>, ApiError> {
        let pending = plan.unapproved(self.store())?;
        if !pending.is_empty() {
            if !approve {
                let hosts: Vec<String> = pending
                    .iter()
                    .map(|(runbook, host)| format!("{host} (runbook {runbook})"))
                    .collect();
                return Err(ApiError::new(
                    ErrorCode::NeedsApproval,
                    format!(
                        "these probes reach {}, a loopback, link-local or cloud-metadata address; run them only if you expect that",
                        hosts.join(", ")
                    ),
                ));
            }
            let author = self.author()?;
            self.store_mut().approve_hosts(&author, &pending)?;
        }
        Ok(plan
            .probes
            .iter()
            .map(|p| ProbeJob {
                key: p.key.clone(),
                step: Some(p.step.clone()),
                spec: p.spec.clone(),
                // Approved hosts may be reached; a name that resolves to such an
                // address without having been written as one is still refused.
                refuse_sensitive: p.sensitive.is_empty(),
            })
            .collect())
    }
}

/// Splits jobs into those that can run and those with placeholders nothing fills.
fn split_missing(
    planned: &[PlannedProbe],
    jobs: Vec<ProbeJob>,
) -> (Vec<ProbeJob>, Vec<SkippedProbe>) {
    let mut runnable = Vec::new();
    let mut skipped = Vec::new();
    for (probe, job) in planned.iter().zip(jobs) {
        if probe.missing.is_empty() {
            runnable.push(job);
        } else {
            let names: Vec<String> = probe
                .missing
                .iter()
                .map(|n| format!("{{{{ {n} }}}}"))
                .collect();
            skipped.push(SkippedProbe {
                key: probe.key.clone(),
                label: probe.label(),
                missing: probe.missing.clone(),
                reason: format!(
                    "{} has no value: set it as an incident variable or in a profile",
                    names.join(", ")
                ),
            });
        }
    }
    (runnable, skipped)
}

/// The probe part of the incident view.
pub(crate) struct ProbeSection {
    pub plan: ProbePlan,
    pub profile_error: Option<String>,
}

/// Plans every probe of the incident for drawing (targets filled, keys); a profile that
/// cannot be read is reported, and the plan made without it.
pub(crate) fn plan_for_view(
    store: &Store,
    state: &IncidentState,
) -> Result<ProbeSection, ApiError> {
    match store.plan_probes(state, &ProbeSelection::All, None) {
        Ok(plan) => Ok(ProbeSection {
            plan,
            profile_error: None,
        }),
        Err(ProbePlanError::Profile(e)) => {
            let mut without = state.clone();
            without
                .variables
                .remove(firebreak_core::probe::PROFILE_VARIABLE);
            let plan = store.plan_probes(&without, &ProbeSelection::All, None)?;
            Ok(ProbeSection {
                plan,
                profile_error: Some(e.to_string()),
            })
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn probe_view(history: &ProbeHistory, step_ref: Option<String>) -> ProbeView {
    let skip = history.runs.len().saturating_sub(CHART_POINTS);
    ProbeView {
        key: history.key.clone(),
        label: history.label.clone(),
        step: step_ref,
        runs: u32::try_from(history.runs.len()).unwrap_or(u32::MAX),
        passes: u32::try_from(history.passes()).unwrap_or(u32::MAX),
        points: history
            .runs
            .iter()
            .skip(skip)
            .map(|p| ProbePointView {
                at: time(p.at),
                ok: p.ok,
                total_ms: p.total_ms,
                author: p.author.clone(),
            })
            .collect(),
        last: result_view(&history.last),
    }
}

pub(crate) fn result_view(r: &ProbeResult) -> ProbeResultView {
    ProbeResultView {
        ok: r.ok,
        kind: r.kind.as_str().to_string(),
        target: r.target.clone(),
        at: time(r.started_at),
        reason: r.reason.clone(),
        class: r.class().map(|c| c.as_str().to_string()),
        resolved_addr: r.resolved_addr.clone(),
        timings: TimingsView {
            dns_ms: r.timings.dns_ms,
            connect_ms: r.timings.connect_ms,
            tls_ms: r.timings.tls_ms,
            first_byte_ms: r.timings.first_byte_ms,
            total_ms: r.timings.total_ms,
        },
        http_status: r.http.as_ref().map(|h| h.status),
        cert_days_left: r.tls.as_ref().and_then(|t| t.days_left),
        answers: r
            .dns
            .as_ref()
            .map(|d| d.answers.clone())
            .unwrap_or_default(),
    }
}
