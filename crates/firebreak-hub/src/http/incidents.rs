//! `GET /v1/incidents` and an incident's merged timeline, as JSON and as Markdown.
//! Everything is folded from the stored events on each request (views are folds), with
//! each event's times corrected by the clock offset the hub stamped on it when it was
//! stored. The devices' current clocks are listed beside, for the reader.

use crate::http::{ApiError, AppState, Authed};
use crate::storage::HubStorage;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use firebreak_core::event::Event;
use firebreak_core::ids::IncidentId;
use firebreak_core::sync::{
    DeviceClock, HubEvent, IncidentList, IncidentSummary, TimelineResponse, merge_timeline,
    timeline_markdown as render_markdown,
};
use firebreak_core::views::fold_incident;
use std::collections::BTreeSet;

fn summarize(events: &[HubEvent]) -> Option<IncidentSummary> {
    let plain: Vec<Event> = events.iter().map(|e| e.event.clone()).collect();
    let state = fold_incident(&plain)?;
    let responders: BTreeSet<String> = plain.iter().map(|e| e.author.clone()).collect();
    Some(IncidentSummary::from_state(
        &state,
        responders.into_iter().collect(),
    ))
}

/// Every incident the hub has the start of, newest started first.
pub async fn list(
    State(state): State<AppState>,
    _authed: Authed,
) -> Result<Json<IncidentList>, ApiError> {
    let incidents = state
        .blocking(|storage| -> Result<_, ApiError> {
            let mut incidents = Vec::new();
            for id in storage.started_incidents()? {
                if let Some(summary) = summarize(&storage.incident_events(id)?) {
                    incidents.push(summary);
                }
            }
            incidents.sort_by(|a, b| b.started_at.cmp(&a.started_at).then(a.id.cmp(&b.id)));
            Ok(incidents)
        })
        .await?;
    Ok(Json(IncidentList { incidents }))
}

/// The 404 for an incident the hub cannot fold: none of its events, or not its start.
pub(crate) fn missing_incident(incident: IncidentId, events: usize) -> ApiError {
    ApiError::not_found(if events == 0 {
        format!("the hub has no incident {incident}")
    } else {
        format!("the hub has {events} events of incident {incident} but not its start yet")
    })
}

pub(crate) fn parse_incident(text: &str) -> Result<IncidentId, ApiError> {
    text.parse()
        .map_err(|_| ApiError::bad_parameter(format!("{text:?} is not an incident id")))
}

/// The merged timeline: events folded, each moved by the offset stamped on it; the
/// devices' clocks as the hub knows them now.
fn build_timeline(
    storage: &dyn HubStorage,
    incident: IncidentId,
) -> Result<TimelineResponse, ApiError> {
    let events = storage.incident_events(incident)?;
    let summary = summarize(&events).ok_or_else(|| missing_incident(incident, events.len()))?;
    let devices: BTreeSet<_> = events.iter().map(|e| e.event.device).collect();
    let mut clocks = Vec::new();
    for device in devices {
        if let Some(record) = storage.device(device)?
            && let Some(clock) = record.clock
        {
            clocks.push(DeviceClock {
                device,
                user: record.user,
                offset_ms: clock.sample.offset_ms,
                rtt_ms: clock.sample.rtt_ms,
                measured_at: clock.received_at,
                skewed: clock.sample.is_skewed(),
            });
        }
    }
    Ok(TimelineResponse {
        incident: summary,
        entries: merge_timeline(&events),
        devices: clocks,
    })
}

pub async fn timeline(
    State(state): State<AppState>,
    _authed: Authed,
    Path(incident): Path<String>,
) -> Result<Json<TimelineResponse>, ApiError> {
    let incident = parse_incident(&incident)?;
    let timeline = state
        .blocking(move |storage| build_timeline(storage, incident))
        .await?;
    Ok(Json(timeline))
}

pub async fn timeline_markdown(
    State(state): State<AppState>,
    _authed: Authed,
    Path(incident): Path<String>,
) -> Result<Response, ApiError> {
    let incident = parse_incident(&incident)?;
    let timeline = state
        .blocking(move |storage| build_timeline(storage, incident))
        .await?;
    Ok((
        [(CONTENT_TYPE, "text/markdown; charset=utf-8")],
        render_markdown(&timeline),
    )
        .into_response())
}
