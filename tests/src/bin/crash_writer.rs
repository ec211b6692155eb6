//! Appends notes to a store until it is killed; used by `tests/crash.rs`.
//!
//! Usage: `firebreak-crash-writer STORE_FILE [INCIDENT_ID]`
//!
//! Opens (creating if needed) the store file, starts an incident unless one is given,
//! then appends notes in a loop. After each append has returned `Ok` (so the event is on
//! disk), it prints one line to stdout and flushes:
//!
//! - `EVENT_ID incident=INCIDENT_ID` for the incident it started;
//! - `EVENT_ID` for each note.
//!
//! A line that was printed is an acknowledgement: the event must survive the kill.

use anyhow::{Context, Result};
use firebreak_core::event::{EventBody, FindingKind, NewEvent, Severity};
use firebreak_core::ids::IncidentId;
use firebreak_store::Store;
use std::io::Write;
use std::path::PathBuf;

const USAGE: &str = "usage: firebreak-crash-writer STORE_FILE [INCIDENT_ID]";

fn main() -> Result<()> {
    let mut args = std::env::args_os().skip(1);
    let path = PathBuf::from(args.next().context(USAGE)?);
    let given = args
        .next()
        .map(|arg| {
            arg.to_str()
                .context("the incident id is not UTF-8")?
                .parse::<IncidentId>()
                .context("the incident id is not a UUID")
        })
        .transpose()?;
    let mut store =
        Store::open_file(&path).with_context(|| format!("opening {}", path.display()))?;
    let mut out = std::io::stdout().lock();
    let pid = std::process::id();

    let incident = match given {
        Some(id) => id,
        None => {
            let started = store.append(
                "crash-writer",
                NewEvent::new(
                    IncidentId::new_v7(),
                    EventBody::IncidentStarted {
                        title: format!("Crash test, writer {pid}"),
                        severity: Some(Severity::Sev3),
                    },
                ),
            )?;
            writeln!(out, "{} incident={}", started.id, started.incident)?;
            out.flush()?;
            started.incident
        }
    };

    for n in 1u64.. {
        let note = store.append(
            "crash-writer",
            NewEvent::new(
                incident,
                EventBody::Finding {
                    finding: FindingKind::Note,
                    text: format!(
                        "note {n} from writer {pid}: replication lag on db-2 climbing, \
                         connections at the pool limit, checkout error rate 4.2% and rising"
                    ),
                },
            ),
        )?;
        writeln!(out, "{}", note.id)?;
        out.flush()?;
    }
    Ok(())
}
