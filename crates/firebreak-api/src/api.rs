//! One method per command. Each is a thin call into the store and the core; the Tauri
//! shell only forwards to these, so everything the desktop does is tested here without
//! a window.

use crate::convert::{
    PlannedByKey, RunContext, incident_summary, run_view, time, timeline_entries,
};
use crate::error::{ApiError, ErrorCode};
use crate::probe_api::{plan_for_view, probe_view};
use crate::probe_runner::ProbeRunner;
use crate::sync_api::{SyncOptions, SyncSlot};
use crate::types::*;
use chrono::{Local, Utc};
use firebreak_core::event::{EventBody, FindingKind, NewEvent, Role, Severity, Status};
use firebreak_core::probe::run_variables;
use firebreak_core::render::{IncidentReport, incident_markdown, markdown_to_safe_html};
use firebreak_core::runbook::placeholder::fill;
use firebreak_core::time_input::parse_time;
use firebreak_core::views::{StepState, fold_probes, fold_timeline};
use firebreak_store::{AUTHOR_KEY, FileOutcome, NewFinding, PutOutcome, Store, StoreError};
use std::path::{Path, PathBuf};

/// The desktop app's view of one store.
pub struct Api {
    store: Store,
    runner: ProbeRunner,
    sync: SyncSlot,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

fn rejected_empty(what: &str) -> ApiError {
    ApiError::new(ErrorCode::Rejected, format!("{what} is empty"))
}

impl Api {
    /// Opens the store as the CLI does (`FIREBREAK_HOME`, else the platform's data dir).
    pub fn open(explicit_home: Option<&Path>) -> Result<Api, ApiError> {
        Ok(Api::from_store(Store::open_default(explicit_home)?))
    }

    pub fn from_store(store: Store) -> Api {
        Api::from_store_with_sync(store, SyncOptions::default())
    }

    /// With the sync worker's timings chosen (tests make them brisk).
    pub fn from_store_with_sync(store: Store, sync: SyncOptions) -> Api {
        let runner = ProbeRunner::new(store.path().to_path_buf());
        let sync = SyncSlot::new(&store, sync);
        Api {
            store,
            runner,
            sync,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub(crate) fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    pub(crate) fn runner(&self) -> &ProbeRunner {
        &self.runner
    }

    pub(crate) fn sync(&self) -> &SyncSlot {
        &self.sync
    }

    pub(crate) fn sync_mut(&mut self) -> &mut SyncSlot {
        &mut self.sync
    }

    /// A counter that moves whenever probes or watches start, finish or change state,
    /// so the shell can tell the UI to refresh (results themselves move the store's
    /// `data_version`).
    pub fn probe_activity(&self) -> std::sync::Arc<std::sync::atomic::AtomicU64> {
        self.runner.activity()
    }

    pub(crate) fn author(&self) -> Result<String, ApiError> {
        Ok(self.store.author(None)?)
    }

    /// Every command that appends to the log writes through here: the author is read
    /// first, and after the write the sync worker is nudged, so the new events reach
    /// the hub at once rather than at the worker's next look. (Probe results, written
    /// by the runner's own connection, are noticed by the worker's poll.)
    pub(crate) fn append_with<T>(
        &mut self,
        write: impl FnOnce(&mut Store, &str) -> Result<T, StoreError>,
    ) -> Result<T, ApiError> {
        let author = self.author()?;
        let written = write(&mut self.store, &author)?;
        self.sync.nudge();
        Ok(written)
    }

    // ----- app -------------------------------------------------------------------

    pub fn app_info(&mut self) -> Result<AppInfo, ApiError> {
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            store_path: self.store.path().display().to_string(),
            author: self.author()?,
            device: self.store.device().to_string(),
        })
    }

    pub fn set_author(&mut self, args: SetAuthor) -> Result<AppInfo, ApiError> {
        let name = args.name.trim();
        if name.is_empty() {
            return Err(ApiError::invalid("your name is empty"));
        }
        self.store.set_setting(AUTHOR_KEY, name)?;
        self.app_info()
    }

    // ----- incidents -------------------------------------------------------------

    pub fn list_incidents(&mut self) -> Result<Vec<IncidentSummary>, ApiError> {
        Ok(self
            .store
            .incidents()?
            .iter()
            .map(incident_summary)
            .collect())
    }

    pub fn incident_view(&mut self, args: IncidentRef) -> Result<IncidentView, ApiError> {
        let state = self.store.resolve_incident(args.incident.as_deref())?;
        let events = self.store.incident_events(state.id)?;
        let runs = self.store.checklists(&state)?;
        let qualify = runs.len() > 1;
        let probes = plan_for_view(&self.store, &state)?;
        let planned: PlannedByKey<'_> = probes
            .plan
            .probes
            .iter()
            .map(|p| (p.key.as_str(), p))
            .collect();
        let profile_values = match &probes.plan.profile {
            Some(name) if probes.profile_error.is_none() => {
                self.store.profile(name).ok().map(|v| (name.clone(), v))
            }
            _ => None,
        };
        let step_refs: std::collections::HashMap<&str, String> = probes
            .plan
            .probes
            .iter()
            .map(|p| {
                let path = p.step.step.to_string();
                let step_ref = if qualify {
                    format!("{}:{path}", p.runbook_id)
                } else {
                    path
                };
                (p.key.as_str(), step_ref)
            })
            .collect();
        Ok(IncidentView {
            incident: incident_summary(&state),
            roles: state
                .roles
                .iter()
                .map(|(role, person)| RoleHolder {
                    role: role.as_str().to_string(),
                    person: person.clone(),
                })
                .collect(),
            status_reached: state
                .status_reached
                .iter()
                .map(|(status, at)| StatusReached {
                    status: status.as_str().to_string(),
                    at: time(*at),
                })
                .collect(),
            runs: runs
                .iter()
                .map(|(run, runbook, checklist)| {
                    let vars = run_variables(
                        &state.variables,
                        profile_values.as_ref().map(|(n, v)| (n.as_str(), v)),
                        runbook,
                    );
                    let ctx = RunContext {
                        vars: &vars,
                        planned: &planned,
                    };
                    run_view(run, runbook, checklist, qualify, &ctx)
                })
                .collect(),
            timeline: timeline_entries(&fold_timeline(&events)),
            now: time(Utc::now()),
            variables: state
                .variables
                .iter()
                .map(|(name, value)| VariableView {
                    name: name.clone(),
                    value: value.clone(),
                })
                .collect(),
            profile: probes.plan.profile.clone(),
            profiles: self.store.profile_names(),
            profile_error: probes.profile_error.clone(),
            probes: fold_probes(&events)
                .iter()
                .map(|h| probe_view(h, step_refs.get(h.key.as_str()).cloned()))
                .collect(),
            running_probes: self.runner.running(state.id),
            watches: self.runner.watches(state.id),
            probe_error: self.runner.last_error(),
        })
    }

    pub fn start_incident(&mut self, args: StartIncident) -> Result<IncidentSummary, ApiError> {
        let severity: Option<Severity> = args
            .severity
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(str::parse)
            .transpose()?;
        if args.title.trim().is_empty() {
            return Err(rejected_empty("the incident's title"));
        }
        let state = self.append_with(|store, author| {
            store.start_incident(author, &args.title, severity, &args.runbooks)
        })?;
        Ok(incident_summary(&state))
    }

    pub fn run_runbook(&mut self, args: RunRunbook) -> Result<IncidentSummary, ApiError> {
        let state = self.store.resolve_incident(Some(&args.incident))?;
        self.append_with(|store, author| store.start_run(author, &state, &args.runbook))?;
        Ok(incident_summary(&self.store.incident(state.id)?))
    }

    fn record(&mut self, incident: &str, body: EventBody) -> Result<IncidentSummary, ApiError> {
        let state = self.store.resolve_incident(Some(incident))?;
        self.append_with(|store, author| store.append(author, NewEvent::new(state.id, body)))?;
        Ok(incident_summary(&self.store.incident(state.id)?))
    }

    pub fn set_status(&mut self, args: SetStatus) -> Result<IncidentSummary, ApiError> {
        let status: Status = args.status.parse()?;
        self.record(&args.incident, EventBody::StatusChanged { status })
    }

    pub fn set_severity(&mut self, args: SetSeverity) -> Result<IncidentSummary, ApiError> {
        let severity: Severity = args.severity.parse()?;
        self.record(&args.incident, EventBody::SeverityChanged { severity })
    }

    pub fn assign_role(&mut self, args: AssignRole) -> Result<IncidentSummary, ApiError> {
        let role: Role = args.role.parse()?;
        let person = args.person.trim().to_string();
        self.record(&args.incident, EventBody::RoleAssigned { role, person })
    }

    pub fn change_step(&mut self, args: ChangeStep) -> Result<StepChanged, ApiError> {
        let wanted = match args.state.as_str() {
            "checked" => StepState::Checked,
            "skipped" => StepState::Skipped,
            "open" => StepState::Open,
            other => {
                return Err(ApiError::invalid(format!(
                    "step state {other:?}: expected checked, skipped or open"
                )));
            }
        };
        let state = self.store.resolve_incident(Some(&args.incident))?;
        let change = self.append_with(|store, author| {
            store.change_step(author, &state, &args.step_ref, wanted, args.reason)
        })?;
        Ok(StepChanged {
            step_ref: args.step_ref,
            state: wanted.as_str().to_string(),
            recorded: change.event.is_some(),
        })
    }

    // ----- findings ----------------------------------------------------------------

    pub fn add_note(&mut self, args: AddNote) -> Result<TimelineEntry, ApiError> {
        let kind: FindingKind = args.kind.parse()?;
        // Everything typed is read before anything is written.
        let occurred_at = args
            .at
            .as_deref()
            .filter(|at| !at.trim().is_empty())
            .map(|at| parse_time(at, Utc::now(), *Local::now().offset()))
            .transpose()?;
        let state = self.store.resolve_incident(Some(&args.incident))?;
        let event = self.append_with(|store, author| {
            store.add_finding(
                author,
                state.id,
                NewFinding {
                    kind,
                    text: args.text,
                    occurred_at,
                    private: args.private,
                },
            )
        })?;
        self.entry_of(event.incident, event.id)
    }

    pub fn amend(&mut self, args: Amend) -> Result<TimelineEntry, ApiError> {
        let (target, _) =
            self.append_with(|store, author| store.amend(author, &args.event, &args.text))?;
        self.entry_of(target.incident, target.id)
    }

    pub fn retract(&mut self, args: Retract) -> Result<TimelineEntry, ApiError> {
        let (target, _) =
            self.append_with(|store, author| store.retract(author, &args.event, args.reason))?;
        self.entry_of(target.incident, target.id)
    }

    /// The timeline entry of one event, as it stands now.
    pub(crate) fn entry_of(
        &self,
        incident: firebreak_core::ids::IncidentId,
        id: firebreak_core::ids::EventId,
    ) -> Result<TimelineEntry, ApiError> {
        let events = self.store.incident_events(incident)?;
        timeline_entries(&fold_timeline(&events))
            .into_iter()
            .find(|e| e.id == id.to_string())
            .ok_or_else(|| ApiError::new(ErrorCode::UnknownEvent, format!("no event {id}")))
    }

    // ----- runbooks ----------------------------------------------------------------

    pub fn list_runbooks(&mut self) -> Result<Vec<RunbookSummary>, ApiError> {
        Ok(self
            .store
            .runbooks()?
            .into_iter()
            .map(|r| RunbookSummary {
                id: r.id,
                title: r.title,
                steps: u32::try_from(r.steps).unwrap_or(u32::MAX),
                content_hash: r.content_hash,
                origin: r.origin,
                updated_at: r.updated_at,
                versions: u32::try_from(r.versions).unwrap_or(u32::MAX),
            })
            .collect())
    }

    pub fn search_runbooks(&mut self, args: Query) -> Result<Vec<RunbookHit>, ApiError> {
        Ok(self
            .store
            .search_runbooks(&args.query, 20)?
            .into_iter()
            .map(|h| RunbookHit {
                id: h.id,
                title: h.title,
                snippet: h.snippet,
            })
            .collect())
    }

    pub fn runbook_preview(&mut self, args: RunbookRef) -> Result<RunbookPreview, ApiError> {
        let runbook = self.store.runbook(&args.id)?;
        let body_start = runbook.front_matter.span.as_ref().map_or(0, |s| s.end);
        let body = runbook.source.get(body_start..).unwrap_or(&runbook.source);
        let vars = &runbook.front_matter.variables;
        let body = fill(body, |name| vars.get(name).cloned()).text;
        Ok(RunbookPreview {
            id: runbook.id.clone(),
            title: runbook.title.clone(),
            content_hash: runbook.content_hash.clone(),
            steps: u32::try_from(runbook.step_count()).unwrap_or(u32::MAX),
            html: markdown_to_safe_html(&body),
        })
    }

    pub fn import_runbooks(&mut self, args: ImportPaths) -> Result<ImportReport, ApiError> {
        let paths: Vec<PathBuf> = args.paths.iter().map(PathBuf::from).collect();
        let report = self.store.import_paths(&paths)?;
        let files: Vec<ImportedFile> = report
            .files
            .iter()
            .map(|f| match f {
                FileOutcome::Imported {
                    path,
                    id,
                    title,
                    steps,
                    change,
                } => ImportedFile {
                    path: path.display().to_string(),
                    ok: true,
                    id: Some(id.clone()),
                    title: Some(title.clone()),
                    steps: Some(u32::try_from(*steps).unwrap_or(u32::MAX)),
                    change: Some(
                        match change {
                            PutOutcome::Added => "added",
                            PutOutcome::NewVersion => "new_version",
                            PutOutcome::Restored => "restored",
                            PutOutcome::Unchanged => "unchanged",
                        }
                        .to_string(),
                    ),
                    error: None,
                },
                FileOutcome::Failed { path, error } => ImportedFile {
                    path: path.display().to_string(),
                    ok: false,
                    id: None,
                    title: None,
                    steps: None,
                    change: None,
                    error: Some(error.clone()),
                },
            })
            .collect();
        let failed = u32::try_from(report.failed()).unwrap_or(u32::MAX);
        Ok(ImportReport {
            imported: u32::try_from(files.len()).unwrap_or(u32::MAX) - failed,
            failed,
            files,
        })
    }

    // ----- export ------------------------------------------------------------------

    fn markdown(&self, incident: &str, include_private: bool) -> Result<String, ApiError> {
        let state = self.store.resolve_incident(Some(incident))?;
        let events = self.store.incident_events(state.id)?;
        let runs = self.store.checklists(&state)?;
        let timeline = fold_timeline(&events);
        Ok(incident_markdown(&IncidentReport {
            state: &state,
            runs: runs.iter().map(|(run, _, c)| (run, c)).collect(),
            timeline: &timeline,
            include_private,
            now: Utc::now(),
        }))
    }

    pub fn export_markdown(&mut self, args: IncidentRef) -> Result<String, ApiError> {
        let incident = args
            .incident
            .ok_or_else(|| ApiError::invalid("which incident to export?"))?;
        self.markdown(&incident, false)
    }

    /// Writes the incident's Markdown to `path` (chosen in the save dialog); returns it.
    pub fn export_incident(&mut self, args: ExportIncident) -> Result<String, ApiError> {
        let text = self.markdown(&args.incident, args.include_private)?;
        std::fs::write(&args.path, text).map_err(|e| {
            ApiError::new(ErrorCode::Io, format!("cannot write {}: {e}", args.path))
        })?;
        Ok(args.path)
    }
}
