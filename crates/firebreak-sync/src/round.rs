//! One sync round: push everything this device has that the hub has not acknowledged,
//! then pull everything after the stored cursor.
//!
//! Push first, so that a round that ends with a pull has the device's own events on
//! the hub before it asks what the hub has. Progress is written as it is made (the
//! high-water mark after each answered batch, the cursor with each stored page), so a
//! round that dies half way loses no work, and the next round only repeats requests
//! the hub treats as no-ops.

use crate::client::{ClientOptions, HubClient};
use crate::error::SyncError;
use chrono::Utc;
use firebreak_core::sync::clock::{ClockSample, Exchange, RecordedSample, best_estimate};
use firebreak_core::sync::{
    ErrorCode, MAX_BATCH_ENTRIES, MAX_PULL_LIMIT, PlanError, PushLimits, accept_pull,
    cursor_still_holds, plan_push,
};
use firebreak_store::{HubConnection, Store, SyncFailure};
use serde::Serialize;

/// How many of the device's events are read from the store per planning window. A
/// window is several batches, so a long offline backlog streams rather than loading
/// the whole log at once.
const PUSH_WINDOW: usize = MAX_BATCH_ENTRIES * 5;

/// How many times one round follows the hub's "start from here" (`seq_gap`) before it
/// gives up: once is the normal case (the hub lost events to a restore), more means
/// something else is wrong.
const MAX_REPLANS: usize = 3;

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RoundReport {
    /// Events the hub stored for the first time.
    pub pushed: usize,
    /// Events sent that the hub already had (a re-send after a lost answer).
    pub already_on_hub: usize,
    /// The hub's high-water mark for this device after the round.
    pub acknowledged_seq: u64,
    /// Other devices' events new to this store.
    pub pulled: usize,
    /// The pull cursor after the round.
    pub pull_cursor: u64,
    /// This device's clock against the hub's, when measured (hub minus device).
    pub clock: Option<ClockSample>,
    /// Whether the round moved anything: events pushed or pulled, the high-water mark
    /// or the cursor. An idle round writes nothing it need not write.
    pub changed: bool,
}

/// How long a success stays fresh enough that an idle round need not write another.
/// Idle rounds come every few seconds from the desktop; writing each would wake every
/// reader of the store (the window refreshes on each commit) for nothing.
const QUIET_SUCCESS_SECS: i64 = 60;

/// One round against the store's hub, with the attempt and its outcome recorded in the
/// store (`firebreak sync --status` and the desktop's status bar read them).
///
/// An idle round (nothing moved) after a recent success records nothing, so the
/// stored "last sync" may be up to a minute old; the desktop's worker keeps the exact
/// time in memory.
pub fn sync_once(store: &mut Store, options: ClientOptions) -> Result<RoundReport, SyncError> {
    let client = client_for(store, options)?;
    let before = store.hub_connection()?.ok_or(SyncError::NotConnected)?;
    let attempted_at = Utc::now();
    let result = sync_round(store, &client);
    let ended_at = Utc::now();
    let recently_synced = before.last_error.is_none()
        && before
            .last_success_at
            .is_some_and(|at| (ended_at - at).num_seconds() < QUIET_SUCCESS_SECS);
    if matches!(&result, Ok(report) if !report.changed) && recently_synced {
        return result;
    }
    let failure = result.as_ref().err().map(|e| SyncFailure {
        kind: e.kind().as_str().to_string(),
        message: e.to_string(),
    });
    // The round's own error matters more than a failure to note it.
    let noted = store.record_sync_outcome(client.url(), attempted_at, ended_at, failure.as_ref());
    let report = result?;
    noted?;
    Ok(report)
}

/// The client for the hub this store is connected to.
pub fn client_for(store: &Store, options: ClientOptions) -> Result<HubClient, SyncError> {
    let hub = store.hub_connection()?.ok_or(SyncError::NotConnected)?;
    let token = store.hub_token()?.ok_or(SyncError::NotConnected)?;
    HubClient::new(&hub.url, &token, store.device(), options)
}

/// One round: check where the hub stands, push, then pull.
///
/// The checks cost two small requests and catch a hub restored from a backup, which
/// the stored numbers alone cannot: the hub's own high-water mark for this device
/// (lower than ours: re-push what it lost; higher: an answer we never got), and
/// whether the hub still holds, at our cursor, the event we last pulled there (if not,
/// pull everything again; stored events are skipped).
pub fn sync_round(store: &mut Store, client: &HubClient) -> Result<RoundReport, SyncError> {
    let hub = store.hub_connection()?.ok_or(SyncError::NotConnected)?;
    let on_hub = client
        .device_status()?
        .map_or(0, |device| device.acknowledged_seq);
    if on_hub < hub.acknowledged_seq {
        tracing::warn!(
            on_hub,
            stored = hub.acknowledged_seq,
            "the hub has fewer of this device's events than it acknowledged; pushing them again"
        );
        store.reset_acknowledged(client.url(), on_hub)?;
    } else if on_hub > hub.acknowledged_seq {
        // An acknowledgement whose answer was lost.
        store.record_acknowledged(client.url(), on_hub)?;
    }
    let start_from = on_hub;
    if hub.pull_cursor > 0 && !cursor_holds(client, &hub)? {
        tracing::warn!(
            cursor = hub.pull_cursor,
            "the hub's log differs at this store's cursor; pulling everything again"
        );
        store.reset_pull_cursor(client.url(), 0)?;
    }
    let mut report = RoundReport {
        clock: best_estimate(&store.clock_samples()?).map(|s| s.sample),
        ..RoundReport::default()
    };
    let mut clock = RoundClock::default();
    let pushed = push_all(store, client, start_from, &mut report, &mut clock);
    let pulled = pushed.and_then(|()| pull_all(store, client, &mut report, &mut clock));
    report.changed = report.pushed > 0
        || report.already_on_hub > 0
        || report.pulled > 0
        || report.acknowledged_seq != hub.acknowledged_seq
        || report.pull_cursor != hub.pull_cursor;
    // The round's best sample is kept even when the round failed part way; an idle
    // round keeps it only when the newest kept one is getting old.
    let stored = store.clock_samples()?;
    let stale = stored
        .first()
        .is_none_or(|newest| (Utc::now() - newest.received_at).num_seconds() >= QUIET_SUCCESS_SECS);
    if let Some(best) = clock.best
        && (report.changed || pulled.is_err() || stale)
    {
        store.record_clock_sample(best)?;
        report.clock = best_estimate(&store.clock_samples()?).map(|s| s.sample);
    }
    pulled?;
    Ok(report)
}

/// The best clock sample of the round so far. Kept in memory and written once at the
/// end: writing one per request cost two durable writes each (5–9% of a large push).
#[derive(Debug, Default)]
struct RoundClock {
    best: Option<RecordedSample>,
}

/// Whether the hub still has the event this store last pulled at its cursor. Without
/// a remembered event (never the case after a page with events), the hub's cursor must
/// at least have reached ours.
fn cursor_holds(client: &HubClient, hub: &HubConnection) -> Result<bool, SyncError> {
    match hub.pull_cursor_event {
        Some(event) => {
            let probe = client.pull(hub.pull_cursor - 1, 1, None)?;
            Ok(cursor_still_holds(hub.pull_cursor, event, &probe.body))
        }
        None => Ok(client.health()?.cursor >= hub.pull_cursor),
    }
}

fn push_all(
    store: &mut Store,
    client: &HubClient,
    mut acknowledged: u64,
    report: &mut RoundReport,
    clock: &mut RoundClock,
) -> Result<(), SyncError> {
    let device = store.device();
    let mut replans = 0;
    'window: loop {
        let local_last = store.own_last_seq()?;
        if acknowledged >= local_last {
            if acknowledged > local_last {
                return Err(PlanError::HubAhead {
                    acknowledged,
                    local_last_seq: local_last,
                }
                .into());
            }
            break;
        }
        let events = store.own_events_after(acknowledged, PUSH_WINDOW)?;
        let window_last = events.last().map_or(acknowledged, |e| e.seq);
        let batches = plan_push(
            device,
            window_last,
            acknowledged,
            &events,
            PushLimits::default(),
        )?;
        for batch in batches {
            let request = batch.request(device, report.clock);
            let answer = match client.push(&request) {
                Ok(answer) => answer,
                Err(SyncError::Refused { detail, .. })
                    if detail.code == ErrorCode::SeqGap && replans < MAX_REPLANS =>
                {
                    // The hub has less than this store believes (it was restored from a
                    // backup): start again from where it says.
                    let expected = detail.expected_seq.unwrap_or(1).max(1);
                    tracing::warn!(expected, "the hub asked to push from an earlier event");
                    replans += 1;
                    acknowledged = expected - 1;
                    store.reset_acknowledged(client.url(), acknowledged)?;
                    continue 'window;
                }
                Err(other) => return Err(other),
            };
            note_clock(answer.exchange, report, clock);
            let response = answer.body;
            if response.acknowledged_seq > store.own_last_seq()? {
                return Err(PlanError::HubAhead {
                    acknowledged: response.acknowledged_seq,
                    local_last_seq: store.own_last_seq()?,
                }
                .into());
            }
            store.record_acknowledged(client.url(), response.acknowledged_seq)?;
            acknowledged = acknowledged.max(response.acknowledged_seq);
            report.pushed += response.stored;
            report.already_on_hub += response.already_stored;
        }
    }
    report.acknowledged_seq = acknowledged;
    Ok(())
}

fn pull_all(
    store: &mut Store,
    client: &HubClient,
    report: &mut RoundReport,
    clock: &mut RoundClock,
) -> Result<(), SyncError> {
    let device = store.device();
    let mut cursor = store
        .hub_connection()?
        .ok_or(SyncError::NotConnected)?
        .pull_cursor;
    loop {
        let answer = client.pull(cursor, MAX_PULL_LIMIT, report.clock)?;
        note_clock(answer.exchange, report, clock);
        let page = accept_pull(device, cursor, answer.body)?;
        let stored = store.store_pulled_page(client.url(), &page)?;
        report.pulled += stored.inserted;
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    report.pull_cursor = cursor;
    Ok(())
}

/// Notes the clock sample of an exchange, and uses the round's best one (the shortest
/// round trip) for the next request. A sample that makes no sense (a clock that jumped
/// mid-request) is dropped.
fn note_clock(exchange: Option<Exchange>, report: &mut RoundReport, clock: &mut RoundClock) {
    let Some(exchange) = exchange else {
        return;
    };
    let sample = exchange.sample();
    if sample.check().is_err() {
        return;
    }
    let recorded = RecordedSample {
        sample,
        received_at: exchange.received_at,
    };
    if clock
        .best
        .is_none_or(|best| sample.rtt_ms <= best.sample.rtt_ms)
    {
        clock.best = Some(recorded);
        report.clock = Some(sample);
    }
}
