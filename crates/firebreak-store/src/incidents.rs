//! Incidents as the store sees them: their ids, their folded state, and which one a
//! command means when it names none.

use crate::error::StoreError;
use crate::store::Store;
use firebreak_core::ids::IncidentId;
use firebreak_core::runbook::Runbook;
use firebreak_core::views::{IncidentState, RunChecklist, RunInfo, fold_checklist, fold_incident};

impl Store {
    /// The ids of every incident started in (or synced into) this store, oldest first.
    pub fn incident_ids(&self) -> Result<Vec<IncidentId>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT incident_id FROM events WHERE kind = 'incident_started' ORDER BY rowid",
        )?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        ids.iter()
            .map(|text| {
                text.parse().map_err(|_| StoreError::CorruptEvent {
                    id: text.clone(),
                    reason: "bad incident id".into(),
                })
            })
            .collect()
    }

    /// One incident's folded state.
    pub fn incident(&self, id: IncidentId) -> Result<IncidentState, StoreError> {
        fold_incident(&self.incident_events(id)?)
            .ok_or_else(|| StoreError::UnknownIncident(id.to_string()))
    }

    /// Every incident: open ones first, then the most recently started first.
    pub fn incidents(&self) -> Result<Vec<IncidentState>, StoreError> {
        let mut all = self
            .incident_ids()?
            .into_iter()
            .map(|id| self.incident(id))
            .collect::<Result<Vec<_>, _>>()?;
        all.sort_by(|a, b| {
            b.is_open()
                .cmp(&a.is_open())
                .then_with(|| b.started_at.cmp(&a.started_at))
        });
        Ok(all)
    }

    /// The incident a command means: the one named by `selector` (a full id, or a unique
    /// prefix or suffix of one), else the most recently started open incident.
    pub fn resolve_incident(&self, selector: Option<&str>) -> Result<IncidentState, StoreError> {
        let Some(query) = selector else {
            return self
                .incidents()?
                .into_iter()
                .find(IncidentState::is_open)
                .ok_or(StoreError::NoOpenIncident);
        };
        let needle = query.trim().to_ascii_lowercase().replace('-', "");
        if needle.is_empty() {
            return Err(StoreError::UnknownIncident(query.to_string()));
        }
        let ids = self.incident_ids()?;
        let matches: Vec<IncidentId> = ids
            .into_iter()
            .filter(|id| {
                let full = id.0.simple().to_string();
                full == needle
                    || (needle.len() >= 4 && (full.starts_with(&needle) || full.ends_with(&needle)))
            })
            .collect();
        match matches.as_slice() {
            [] => Err(StoreError::UnknownIncident(query.to_string())),
            [id] => self.incident(*id),
            many => Err(StoreError::AmbiguousIncident {
                query: query.to_string(),
                count: many.len(),
            }),
        }
    }

    /// The pinned runbook version of a run.
    pub fn run_runbook(&self, run: &RunInfo) -> Result<Runbook, StoreError> {
        self.runbook_version(&run.runbook_id, &run.content_hash)
    }

    /// Each run of the incident with its pinned runbook and its checklist.
    pub fn checklists(
        &self,
        state: &IncidentState,
    ) -> Result<Vec<(RunInfo, Runbook, RunChecklist)>, StoreError> {
        let events = self.incident_events(state.id)?;
        state
            .runs
            .iter()
            .map(|run| {
                let runbook = self.run_runbook(run)?;
                let checklist = fold_checklist(run.run, &runbook, &events);
                Ok((run.clone(), runbook, checklist))
            })
            .collect()
    }
}
