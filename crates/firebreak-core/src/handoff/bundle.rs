//! The handoff bundle: one file that carries an incident to the next responder when
//! the hub cannot — on a USB stick, a shared drive, or pasted into whatever chat still
//! works.
//!
//! It is JSON, so it survives being pasted (whitespace outside strings may change; the
//! checksum does not care) and can be read by people in a pinch:
//!
//! ```json
//! { "firebreak_handoff": 1,
//!   "checksum": "sha256:…",
//!   "payload": { "incident": …, "from": "alice", "to": "bob", "note": "# Handoff…",
//!                "handoff": <the handoff_sent event's id>,
//!                "events": [ every event of the incident but private ones ],
//!                "runbooks": [ the pinned runbook versions its runs follow ] } }
//! ```
//!
//! The checksum is SHA-256 over the payload in canonical JSON (compact, as serde_json
//! writes a parsed value), so any change to a value — a truncated note, an edited event —
//! is caught, while re-indenting is not an error. Decoding checks everything the store
//! relies on before anything is written: the format version, the checksum, that every
//! event belongs to the incident, that the handoff event is there, and that each
//! runbook's source matches its hash.

use crate::event::{Event, EventBody};
use crate::ids::{EventId, IncidentId};
use crate::runbook::content_hash;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashSet;

/// The bundle format this build writes and reads.
pub const BUNDLE_VERSION: u64 = 1;

/// The field that names the format and its version.
const FORMAT_FIELD: &str = "firebreak_handoff";

/// A file larger than this is not a handoff bundle (someone picked the wrong file); it
/// is refused before it is read into memory. Every event is under 64 KiB, so this is
/// thousands of events more than any incident holds.
pub const MAX_BUNDLE_BYTES: u64 = 256 * 1024 * 1024;

/// What a bundle carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundlePayload {
    pub incident: IncidentId,
    pub title: String,
    pub from: String,
    pub to: String,
    pub created_at: DateTime<Utc>,
    /// The `handoff_sent` event this bundle delivers.
    pub handoff: EventId,
    /// The note, as in the handoff event (repeated here for people reading the file).
    pub note: String,
    pub events: Vec<Event>,
    pub runbooks: Vec<BundledRunbook>,
}

/// A pinned runbook version a run of the incident follows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundledRunbook {
    pub runbook_id: String,
    pub content_hash: String,
    pub title: String,
    pub source: String,
}

/// Why a bundle was refused. Nothing was imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error(
        "the bundle ends early (line {line}, column {column}): it was cut short on the way; ask for it again or copy the whole file"
    )]
    Truncated { line: usize, column: usize },
    #[error("the bundle is not valid JSON at line {line}, column {column}: {reason}")]
    NotJson {
        line: usize,
        column: usize,
        reason: String,
    },
    #[error(
        "the bundle is not text (byte {byte} is not UTF-8): this is another kind of file, or the bundle was damaged"
    )]
    NotText { byte: usize },
    #[error(
        "the file is {bytes} bytes, far more than any handoff bundle (at most {MAX_BUNDLE_BYTES}): this is another file"
    )]
    TooLarge { bytes: u64 },
    #[error("this is not a Firebreak handoff bundle: it has no `{FORMAT_FIELD}` field")]
    NotABundle,
    #[error(
        "this bundle is format {found}, written by a newer Firebreak; this one reads format {BUNDLE_VERSION}: upgrade Firebreak to import it"
    )]
    FutureVersion { found: u64 },
    #[error("the bundle's `{FORMAT_FIELD}` field must be a format number, found {0}")]
    BadVersion(String),
    #[error(
        "the bundle's checksum does not match its content (expected {expected}, computed {computed}): it was changed or damaged after export"
    )]
    BadChecksum { expected: String, computed: String },
    #[error("the bundle's {what} is malformed: {reason}")]
    Malformed { what: &'static str, reason: String },
    #[error("the bundle does not hold together: {0}")]
    Inconsistent(String),
}

/// Writes a bundle as pretty JSON, checksum included.
pub fn encode_bundle(payload: &BundlePayload) -> Result<String, BundleError> {
    let value = serde_json::to_value(payload).map_err(|e| BundleError::Malformed {
        what: "payload",
        reason: e.to_string(),
    })?;
    let checksum = checksum_of(&value);
    let document = serde_json::json!({
        FORMAT_FIELD: BUNDLE_VERSION,
        "checksum": checksum,
        "payload": value,
    });
    let mut text = serde_json::to_string_pretty(&document).map_err(|e| BundleError::Malformed {
        what: "payload",
        reason: e.to_string(),
    })?;
    text.push('\n');
    Ok(text)
}

/// Reads and checks a bundle as it arrives: the bytes of a file, or what someone pasted
/// from a chat (a Markdown code fence around it is dropped).
pub fn decode_bundle_bytes(bytes: &[u8]) -> Result<BundlePayload, BundleError> {
    let text = std::str::from_utf8(bytes).map_err(|e| BundleError::NotText {
        byte: e.valid_up_to(),
    })?;
    decode_bundle(unfenced(text))
}

/// A bundle's text without the code fence a chat may have wrapped it in.
fn unfenced(text: &str) -> &str {
    let trimmed = text.trim();
    let Some(rest) = trimmed.strip_prefix("```") else {
        return text;
    };
    // The opening fence's line (```json) goes; so does a closing fence, if any.
    let body = rest.split_once('\n').map_or("", |(_, body)| body);
    body.trim_end().strip_suffix("```").unwrap_or(body)
}

/// Reads and checks a bundle. Every check runs before the caller writes anything.
pub fn decode_bundle(text: &str) -> Result<BundlePayload, BundleError> {
    let document: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        if e.is_eof() {
            BundleError::Truncated {
                line: e.line(),
                column: e.column(),
            }
        } else {
            BundleError::NotJson {
                line: e.line(),
                column: e.column(),
                reason: e.to_string(),
            }
        }
    })?;
    let version = document.get(FORMAT_FIELD).ok_or(BundleError::NotABundle)?;
    let version = version
        .as_u64()
        .ok_or_else(|| BundleError::BadVersion(version.to_string()))?;
    if version > BUNDLE_VERSION {
        return Err(BundleError::FutureVersion { found: version });
    }
    if version == 0 {
        return Err(BundleError::BadVersion("0".into()));
    }
    let expected =
        document
            .get("checksum")
            .and_then(|c| c.as_str())
            .ok_or(BundleError::Malformed {
                what: "checksum",
                reason: "missing, or not a string".into(),
            })?;
    let payload = document.get("payload").ok_or(BundleError::Malformed {
        what: "payload",
        reason: "missing".into(),
    })?;
    let computed = checksum_of(payload);
    if computed != expected {
        return Err(BundleError::BadChecksum {
            expected: expected.to_string(),
            computed,
        });
    }
    let payload: BundlePayload =
        serde_json::from_value(payload.clone()).map_err(|e| BundleError::Malformed {
            what: "payload",
            reason: e.to_string(),
        })?;
    check_consistency(&payload)?;
    Ok(payload)
}

/// `sha256:<hex>` of the value's canonical JSON.
fn checksum_of(value: &serde_json::Value) -> String {
    // Serialising a `Value` cannot fail: its keys are strings and its numbers finite.
    let canonical = serde_json::to_vec(value).unwrap_or_default();
    let digest = Sha256::digest(&canonical);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

fn check_consistency(payload: &BundlePayload) -> Result<(), BundleError> {
    let mut ids = HashSet::new();
    let mut seqs = HashSet::new();
    for (i, event) in payload.events.iter().enumerate() {
        if event.incident != payload.incident {
            return Err(BundleError::Inconsistent(format!(
                "event {} (#{}) belongs to incident {}, not {}",
                event.id,
                i + 1,
                event.incident,
                payload.incident
            )));
        }
        if event.private {
            return Err(BundleError::Inconsistent(format!(
                "event {} (#{}) is private; private events never leave their device",
                event.id,
                i + 1
            )));
        }
        if !ids.insert(event.id) || !seqs.insert((event.device, event.seq)) {
            return Err(BundleError::Inconsistent(format!(
                "event {} (#{}) appears twice",
                event.id,
                i + 1
            )));
        }
    }
    let handoff = payload
        .events
        .iter()
        .find(|e| e.id == payload.handoff)
        .ok_or_else(|| {
            BundleError::Inconsistent(format!(
                "the handoff event {} is not among its events",
                payload.handoff
            ))
        })?;
    if !matches!(handoff.body, EventBody::HandoffSent { .. }) {
        return Err(BundleError::Inconsistent(format!(
            "event {} is a {} event, not a handoff",
            handoff.id,
            handoff.kind()
        )));
    }
    if !payload
        .events
        .iter()
        .any(|e| matches!(e.body, EventBody::IncidentStarted { .. }))
    {
        return Err(BundleError::Inconsistent(
            "the incident's first event (incident_started) is missing".into(),
        ));
    }
    for runbook in &payload.runbooks {
        let actual = content_hash(&runbook.source);
        if actual != runbook.content_hash {
            return Err(BundleError::Inconsistent(format!(
                "runbook {}'s source does not match its hash {}",
                runbook.runbook_id, runbook.content_hash
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::FindingKind;
    use crate::test_support::LogBuilder;

    fn sample() -> BundlePayload {
        let mut log = LogBuilder::new("alice");
        log.push(EventBody::IncidentStarted {
            title: "checkout 502s".into(),
            severity: None,
        });
        log.push(EventBody::Finding {
            finding: FindingKind::Observation,
            text: "LB shows \"0/4\" healthy — ünïcode".into(),
        });
        let sent = log.push(EventBody::HandoffSent {
            to: "bob".into(),
            note: "# Handoff\n\nall yours".into(),
        });
        let source = "# Restart\n\n- [ ] restart it\n".to_string();
        BundlePayload {
            incident: log.incident,
            title: "checkout 502s".into(),
            from: "alice".into(),
            to: "bob".into(),
            created_at: log.clock,
            handoff: sent.id,
            note: "# Handoff\n\nall yours".into(),
            events: log.events.clone(),
            runbooks: vec![BundledRunbook {
                runbook_id: "restart".into(),
                content_hash: content_hash(&source),
                title: "Restart".into(),
                source,
            }],
        }
    }

    #[test]
    fn a_bundle_reads_back_as_written_even_reindented() {
        let payload = sample();
        let text = encode_bundle(&payload).expect("encodes");
        assert_eq!(decode_bundle(&text), Ok(payload.clone()));
        // Pasted through a chat that re-flowed the whitespace.
        let value: serde_json::Value = serde_json::from_str(&text).expect("json");
        let compact = serde_json::to_string(&value).expect("compact");
        assert_eq!(decode_bundle(&compact), Ok(payload));
    }

    #[test]
    fn a_truncated_bundle_says_so() {
        let text = encode_bundle(&sample()).expect("encodes");
        let cut = &text[..text.len() / 2];
        let err = decode_bundle(cut).expect_err("refused");
        assert!(matches!(err, BundleError::Truncated { .. }), "{err:?}");
        assert!(err.to_string().contains("cut short"), "{err}");
    }

    #[test]
    fn a_changed_value_fails_the_checksum() {
        let text = encode_bundle(&sample()).expect("encodes");
        let tampered = text.replace("all yours", "all mine!");
        let err = decode_bundle(&tampered).expect_err("refused");
        assert!(matches!(err, BundleError::BadChecksum { .. }), "{err:?}");
        assert!(err.to_string().contains("changed or damaged"), "{err}");
    }

    #[test]
    fn a_future_version_is_refused_with_a_reason() {
        let text = encode_bundle(&sample()).expect("encodes");
        let future = text.replacen("\"firebreak_handoff\": 1", "\"firebreak_handoff\": 2", 1);
        assert_ne!(future, text, "the version field is where the test expects");
        let err = decode_bundle(&future).expect_err("refused");
        assert_eq!(err, BundleError::FutureVersion { found: 2 });
        assert!(err.to_string().contains("upgrade Firebreak"), "{err}");
    }

    #[test]
    fn a_pasted_bundle_may_come_in_a_code_fence_but_must_be_text() {
        let payload = sample();
        let text = encode_bundle(&payload).expect("encodes");
        let fenced = format!("```json\n{text}```\n");
        assert_eq!(decode_bundle_bytes(fenced.as_bytes()), Ok(payload.clone()));
        assert_eq!(decode_bundle_bytes(text.as_bytes()), Ok(payload));
        let mut binary = text.into_bytes();
        binary[10] = 0xff;
        assert_eq!(
            decode_bundle_bytes(&binary),
            Err(BundleError::NotText { byte: 10 })
        );
    }

    #[test]
    fn other_json_is_not_a_bundle() {
        assert_eq!(
            decode_bundle("{\"hello\": 1}"),
            Err(BundleError::NotABundle)
        );
        assert!(matches!(
            decode_bundle("hello"),
            Err(BundleError::NotJson { line: 1, .. })
        ));
    }

    #[test]
    fn inconsistent_content_is_refused_even_with_a_good_checksum() {
        let mut stray = sample();
        stray.events[1].incident = IncidentId::new_v7();
        let err = decode_bundle(&encode_bundle(&stray).expect("encodes")).expect_err("refused");
        assert!(err.to_string().contains("belongs to incident"), "{err}");

        let mut no_handoff = sample();
        no_handoff.handoff = no_handoff.events[1].id;
        let err =
            decode_bundle(&encode_bundle(&no_handoff).expect("encodes")).expect_err("refused");
        assert!(err.to_string().contains("not a handoff"), "{err}");

        let mut bad_runbook = sample();
        bad_runbook.runbooks[0]
            .source
            .push_str("- [ ] sneaked in\n");
        let err =
            decode_bundle(&encode_bundle(&bad_runbook).expect("encodes")).expect_err("refused");
        assert!(err.to_string().contains("does not match its hash"), "{err}");

        let mut private = sample();
        private.events[1].private = true;
        let err = decode_bundle(&encode_bundle(&private).expect("encodes")).expect_err("refused");
        assert!(err.to_string().contains("private"), "{err}");
    }
}
