//! Probes as the store sees them: which ones a selection means (planned with the
//! incident's variables and the environment profile), the user's approvals for
//! sensitive hosts, recording results as events, and each probe's history.
//!
//! Running them is not here: the store has no network and no async runtime. The CLI
//! and the desktop plan here, run with `firebreak-probe`, and record here.

use crate::error::StoreError;
use crate::store::Store;
use chrono::Utc;
use firebreak_core::event::{Event, EventBody, NewEvent};
use firebreak_core::ids::IncidentId;
use firebreak_core::probe::{
    PROFILE_VARIABLE, PlannedProbe, ProbeRecord, ProbeSelection, ProfileError,
    is_valid_profile_name, parse_profile, plan_probes, run_variables,
};
use firebreak_core::runbook::Runbook;
use firebreak_core::step_ref::resolve_step;
use firebreak_core::views::{IncidentState, ProbeHistory, RunInfo, fold_probes};
use rusqlite::params;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The directory beside the store that holds environment profiles (`prod.toml`, …).
pub const PROFILES_DIR: &str = "profiles";

/// An environment profile that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ProfileLoadError {
    #[error(
        "{0:?} cannot name a profile: use letters, digits, `-` and `_` (the file is profiles/NAME.toml beside the store)"
    )]
    BadName(String),
    #[error("no profile {name:?}: expected the file {path}{available}")]
    Missing {
        name: String,
        path: PathBuf,
        available: String,
    },
    #[error("cannot read profile {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Parse(#[from] ProfileError),
}

/// What a planned run needs and what it found.
#[derive(Debug, Clone)]
pub struct ProbePlan {
    pub probes: Vec<PlannedProbe>,
    /// The profile the placeholders were filled from, if any.
    pub profile: Option<String>,
}

impl ProbePlan {
    /// The sensitive hosts of the plan that this store has no approval for, as
    /// `(runbook id, host)` pairs, distinct, in plan order.
    pub fn unapproved(&self, store: &Store) -> Result<Vec<(String, String)>, StoreError> {
        let mut out: Vec<(String, String)> = Vec::new();
        for probe in &self.probes {
            for host in &probe.sensitive {
                let pair = (probe.runbook_id.clone(), host.host.clone());
                if !out.contains(&pair) && !store.is_approved(&pair.0, &pair.1)? {
                    out.push(pair);
                }
            }
        }
        Ok(out)
    }
}

impl Store {
    /// The directory of environment profiles: `profiles/` beside the store file.
    pub fn profiles_dir(&self) -> PathBuf {
        self.path()
            .parent()
            .map_or_else(|| PathBuf::from(PROFILES_DIR), |d| d.join(PROFILES_DIR))
    }

    /// The names of the profiles there are, sorted.
    pub fn profile_names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.profiles_dir())
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name().to_string_lossy().to_string();
                name.strip_suffix(".toml")
                    .filter(|n| is_valid_profile_name(n))
                    .map(str::to_string)
            })
            .collect();
        names.sort();
        names
    }

    /// Reads the profile `name` (`profiles/NAME.toml`).
    pub fn profile(&self, name: &str) -> Result<BTreeMap<String, String>, ProfileLoadError> {
        let name = name.trim();
        if !is_valid_profile_name(name) {
            return Err(ProfileLoadError::BadName(name.to_string()));
        }
        let path = self.profiles_dir().join(format!("{name}.toml"));
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let names = self.profile_names();
                let available = if names.is_empty() {
                    String::new()
                } else {
                    format!("; there are {}", names.join(", "))
                };
                return Err(ProfileLoadError::Missing {
                    name: name.to_string(),
                    path,
                    available,
                });
            }
            Err(source) => return Err(ProfileLoadError::Read { path, source }),
        };
        Ok(parse_profile(&path.display().to_string(), &text)?)
    }

    /// The probes `selection` means in `incident`, filled from the incident's variables,
    /// then the profile (`profile`, else the incident's `profile` variable), then each
    /// runbook's defaults.
    pub fn plan_probes(
        &self,
        incident: &IncidentState,
        selection: &ProbeSelection,
        profile: Option<&str>,
    ) -> Result<ProbePlan, ProbePlanError> {
        let profile_name = profile
            .map(str::to_string)
            .or_else(|| incident.variables.get(PROFILE_VARIABLE).cloned())
            .filter(|n| !n.trim().is_empty());
        let profile_values = match &profile_name {
            Some(name) => Some(self.profile(name)?),
            None => None,
        };
        let runs = self.run_runbooks(incident)?;
        let pairs: Vec<(&RunInfo, &Runbook)> = runs.iter().map(|(r, b)| (r, b)).collect();
        let probes = plan_probes(&pairs, selection, |runbook| {
            run_variables(
                &incident.variables,
                profile_name.as_deref().zip(profile_values.as_ref()),
                runbook,
            )
        });
        Ok(ProbePlan {
            probes,
            profile: profile_name,
        })
    }

    /// The step a person typed (`3`, `runbook-id:3.2`) as a probe selection.
    pub fn probe_step(
        &self,
        incident: &IncidentState,
        step_ref: &str,
    ) -> Result<ProbeSelection, StoreError> {
        let runs = self.run_runbooks(incident)?;
        let pairs: Vec<(&RunInfo, &Runbook)> = runs.iter().map(|(r, b)| (r, b)).collect();
        Ok(ProbeSelection::Step(resolve_step(step_ref, &pairs)?))
    }

    fn run_runbooks(
        &self,
        incident: &IncidentState,
    ) -> Result<Vec<(RunInfo, Runbook)>, StoreError> {
        incident
            .runs
            .iter()
            .map(|run| Ok((run.clone(), self.run_runbook(run)?)))
            .collect()
    }

    /// Whether the user allowed `runbook_id`'s probes to reach `host`.
    pub fn is_approved(&self, runbook_id: &str, host: &str) -> Result<bool, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT 1 FROM probe_approvals WHERE runbook_id = ?1 AND host = ?2")?;
        Ok(stmt.exists(params![runbook_id, host.to_ascii_lowercase()])?)
    }

    /// Records that the user allowed these `(runbook id, host)` pairs, in one
    /// transaction. Approving twice is harmless.
    pub fn approve_hosts(
        &mut self,
        author: &str,
        pairs: &[(String, String)],
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT OR IGNORE INTO probe_approvals (runbook_id, host, approved_at, approved_by)
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            let now = Utc::now().to_rfc3339();
            for (runbook, host) in pairs {
                stmt.execute(params![runbook, host.to_ascii_lowercase(), now, author])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Appends probe results to the incident's log, all in one transaction, in the
    /// order given.
    pub fn record_probes(
        &mut self,
        author: &str,
        incident: IncidentId,
        records: Vec<ProbeRecord>,
    ) -> Result<Vec<Event>, StoreError> {
        let events = records
            .into_iter()
            .map(|record| {
                NewEvent::new(
                    incident,
                    EventBody::Probe {
                        probe: Box::new(record),
                    },
                )
            })
            .collect();
        self.append_all(author, events)
    }

    /// Sets (`Some`) or removes (`None`) an incident variable. Setting a variable to the
    /// value it has, or removing one that is not set, records nothing.
    pub fn set_variable(
        &mut self,
        author: &str,
        incident: &IncidentState,
        name: &str,
        value: Option<&str>,
    ) -> Result<Option<Event>, StoreError> {
        let name = name.trim();
        let value = value.map(str::trim);
        if incident.variables.get(name).map(String::as_str) == value {
            return Ok(None);
        }
        let body = EventBody::VariableSet {
            name: name.to_string(),
            value: value.map(str::to_string),
        };
        self.append(author, NewEvent::new(incident.id, body))
            .map(Some)
    }

    /// Every probe's results over the incident.
    pub fn probe_history(&self, incident: IncidentId) -> Result<Vec<ProbeHistory>, StoreError> {
        Ok(fold_probes(&self.incident_events(incident)?))
    }
}

/// A plan that could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ProbePlanError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Profile(#[from] ProfileLoadError),
}
