//! `GET /v1/incidents/{id}/postmortem`: the incident's post-mortem draft, folded from
//! the stored events with the clock offset stamped on each, exactly as every laptop
//! folds it from the same events. `?format=json` (the default), `markdown`, `html` or
//! `email`; `/postmortem.md` is the Markdown.

use crate::http::incidents::{missing_incident, parse_incident};
use crate::http::{ApiError, AppState, Authed, params};
use crate::storage::HubStorage;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use firebreak_core::event::Event;
use firebreak_core::ids::{EventId, IncidentId};
use firebreak_core::postmortem::{
    PostmortemDraft, fold_postmortem, postmortem_email, postmortem_html, postmortem_markdown,
};
use std::collections::HashMap;

fn build_draft(
    storage: &dyn HubStorage,
    incident: IncidentId,
) -> Result<PostmortemDraft, ApiError> {
    let stored = storage.incident_events(incident)?;
    let offsets: HashMap<EventId, i64> = stored
        .iter()
        .filter_map(|e| e.offset_ms.map(|ms| (e.event.id, ms)))
        .collect();
    let events: Vec<Event> = stored.into_iter().map(|e| e.event).collect();
    fold_postmortem(&events, &offsets).ok_or_else(|| missing_incident(incident, events.len()))
}

async fn draft(state: &AppState, incident: &str) -> Result<PostmortemDraft, ApiError> {
    let incident = parse_incident(incident)?;
    state
        .blocking(move |storage| build_draft(storage, incident))
        .await
}

fn text(content_type: &'static str, body: String) -> Response {
    ([(CONTENT_TYPE, content_type)], body).into_response()
}

pub async fn postmortem(
    State(state): State<AppState>,
    _authed: Authed,
    Path(incident): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let query = params::query(query.as_deref(), &["format"])?;
    let format = query.get("format").map_or("json", String::as_str);
    if !matches!(format, "json" | "markdown" | "html" | "email") {
        return Err(ApiError::bad_parameter(format!(
            "format must be json, markdown, html or email, not {format:?}"
        )));
    }
    let draft = draft(&state, &incident).await?;
    Ok(match format {
        "markdown" => text("text/markdown; charset=utf-8", postmortem_markdown(&draft)),
        "html" => text("text/html; charset=utf-8", postmortem_html(&draft)),
        "email" => text("text/plain; charset=utf-8", postmortem_email(&draft)),
        _ => Json(draft).into_response(),
    })
}

pub async fn postmortem_markdown_route(
    State(state): State<AppState>,
    _authed: Authed,
    Path(incident): Path<String>,
) -> Result<Response, ApiError> {
    let draft = draft(&state, &incident).await?;
    Ok(text(
        "text/markdown; charset=utf-8",
        postmortem_markdown(&draft),
    ))
}
