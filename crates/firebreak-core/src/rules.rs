//! The rules an event must keep before it is appended. Pure checks over values the
//! caller already has; the store runs them inside the append's transaction.

use crate::event::{Event, EventBody, EventKind};
use crate::postmortem::{PostmortemChange, gate_key};

/// Why an event was not appended. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("{0} is empty; say what you saw, thought, decided or did")]
    EmptyText(&'static str),
    #[error(
        "event {id} is a {kind} event; only findings (note, observation, hypothesis, decision, action, update) can be amended or retracted, and conclusions retracted"
    )]
    NotAmendable { id: String, kind: EventKind },
    #[error("event {0} is retracted; it cannot be amended or retracted again")]
    AlreadyRetracted(String),
    #[error("event {event} belongs to another incident ({incident})")]
    OtherIncident { event: String, incident: String },
    #[error("{body} events must point at the event they change")]
    MissingTarget { body: EventKind },
    #[error("only amendments and retractions point at another event, not {0} events")]
    UnexpectedTarget(EventKind),
    #[error("step {step} is not in runbook {runbook}; it has steps {available}")]
    UnknownStep {
        step: String,
        runbook: String,
        available: String,
    },
    #[error("a {kind} cannot be {outcome}: {expected}")]
    WrongOutcome {
        outcome: crate::event::Outcome,
        kind: EventKind,
        expected: &'static str,
    },
    #[error("event {0} is not a handoff; give the id of a handoff event")]
    NotAHandoff(String),
    #[error("this incident already runs runbook {0}")]
    DuplicateRun(String),
    #[error(
        "event {0} is not a post-mortem action; give an id `firebreak postmortem action list` shows"
    )]
    NotAFollowUp(String),
    #[error("event {id} is a {kind} event, not an entry of the post-mortem's timeline")]
    NotATimelineEntry { id: String, kind: EventKind },
    #[error("event {id} is not a version of {what}; an edit replaces versions of the same thing")]
    NotAVersionOf { id: String, what: String },
    #[error("the action change changes nothing: give a status, owner, ticket or text")]
    NothingChanged,
    #[error(
        "{0:?} cannot be a variable name: use letters, digits, `_`, `-` and `.`, starting with a letter or `_`"
    )]
    BadVariableName(String),
}

/// Checks a new event's own content.
pub fn check_body(body: &EventBody) -> Result<(), Rejection> {
    match body {
        EventBody::Finding { text, .. } if text.trim().is_empty() => {
            Err(Rejection::EmptyText("the finding"))
        }
        EventBody::Amended { text } if text.trim().is_empty() => {
            Err(Rejection::EmptyText("the amended text"))
        }
        EventBody::IncidentStarted { title, .. } if title.trim().is_empty() => {
            Err(Rejection::EmptyText("the incident's title"))
        }
        EventBody::RoleAssigned { person, .. } if person.trim().is_empty() => {
            Err(Rejection::EmptyText("the person's name"))
        }
        EventBody::VariableSet { name, .. }
            if !crate::runbook::placeholder::is_valid_name(name) =>
        {
            Err(Rejection::BadVariableName(name.clone()))
        }
        EventBody::VariableSet { value: Some(v), .. } if v.trim().is_empty() => {
            Err(Rejection::EmptyText("the variable's value"))
        }
        EventBody::HandoffSent { to, .. } if to.trim().is_empty() => {
            Err(Rejection::EmptyText("the name of the person taking over"))
        }
        EventBody::HandoffSent { note, .. } if note.trim().is_empty() => {
            Err(Rejection::EmptyText("the handoff note"))
        }
        EventBody::HandoffAccepted { from, .. } if from.trim().is_empty() => {
            Err(Rejection::EmptyText("the name of the person handing over"))
        }
        EventBody::PostmortemEdited { edit } => check_postmortem_change(edit),
        _ => Ok(()),
    }
}

fn check_postmortem_change(edit: &PostmortemChange) -> Result<(), Rejection> {
    match edit {
        PostmortemChange::ActionAdded { text, .. } if text.trim().is_empty() => {
            Err(Rejection::EmptyText("the action"))
        }
        PostmortemChange::Tollgate { gate, .. } if gate.trim().is_empty() => {
            Err(Rejection::EmptyText("the tollgate's name"))
        }
        PostmortemChange::Tollgate { why_missed, .. } if why_missed.trim().is_empty() => {
            Err(Rejection::EmptyText("why the tollgate missed it"))
        }
        PostmortemChange::ActionChanged {
            status: None,
            owner: None,
            ticket: None,
            text: None,
            ..
        } => Err(Rejection::NothingChanged),
        PostmortemChange::ActionChanged { text: Some(t), .. } if t.trim().is_empty() => {
            Err(Rejection::EmptyText("the action"))
        }
        _ => Ok(()),
    }
}

/// Checks one event a post-mortem change refers to (`PostmortemChange::references`):
/// an action change points at an action, a star or an annotation at a timeline entry,
/// and a new version replaces versions of the same section, annotation or tollgate.
pub fn check_postmortem_reference(
    edit: &PostmortemChange,
    referenced: &Event,
) -> Result<(), Rejection> {
    let id = referenced.id;
    let is_version_of_the_same = |other: &PostmortemChange| match (edit, other) {
        (
            PostmortemChange::Section { section: a, .. },
            PostmortemChange::Section { section: b, .. },
        ) => a == b,
        (
            PostmortemChange::Annotate { entry: a, .. },
            PostmortemChange::Annotate { entry: b, .. },
        ) => a == b,
        (
            PostmortemChange::Tollgate { gate: a, .. },
            PostmortemChange::Tollgate { gate: b, .. },
        ) => gate_key(a) == gate_key(b),
        _ => false,
    };
    let referenced_edit = match &referenced.body {
        EventBody::PostmortemEdited { edit } => Some(edit),
        _ => None,
    };
    match edit {
        PostmortemChange::ActionChanged { .. } => match referenced_edit {
            Some(PostmortemChange::ActionAdded { .. }) => Ok(()),
            _ => Err(Rejection::NotAFollowUp(id.to_string())),
        },
        PostmortemChange::Mark { .. } => entry_check(referenced),
        PostmortemChange::Annotate { entry, .. } if *entry == id => entry_check(referenced),
        PostmortemChange::Section { .. }
        | PostmortemChange::Annotate { .. }
        | PostmortemChange::Tollgate { .. } => match referenced_edit {
            Some(other) if is_version_of_the_same(other) => Ok(()),
            _ => Err(Rejection::NotAVersionOf {
                id: id.to_string(),
                what: match edit {
                    PostmortemChange::Section { section, .. } => format!("section {section}"),
                    PostmortemChange::Tollgate { gate, .. } => format!("tollgate {gate:?}"),
                    _ => "that annotation".to_string(),
                },
            }),
        },
        PostmortemChange::ActionAdded { .. } | PostmortemChange::Milestone { .. } => Ok(()),
    }
}

fn entry_check(referenced: &Event) -> Result<(), Rejection> {
    let kind = referenced.kind();
    let bookkeeping = matches!(
        kind,
        EventKind::PostmortemEdited
            | EventKind::VariableSet
            | EventKind::Amended
            | EventKind::Retracted
    );
    if bookkeeping || referenced.private {
        return Err(Rejection::NotATimelineEntry {
            id: referenced.id.to_string(),
            kind,
        });
    }
    Ok(())
}

/// Checks that an amendment or retraction may change `target`. `target_retracted` says
/// whether a retraction of it is already in the log.
pub fn check_amendment(
    body: &EventBody,
    target: &Event,
    target_retracted: bool,
) -> Result<(), Rejection> {
    if let EventBody::Concluded { outcome, .. } = body {
        if target_retracted {
            return Err(Rejection::AlreadyRetracted(target.id.to_string()));
        }
        let wanted: EventKind = outcome.applies_to().into();
        if target.kind() != wanted {
            return Err(Rejection::WrongOutcome {
                outcome: *outcome,
                kind: target.kind(),
                expected: "hypotheses are confirmed or ruled out; actions are done or abandoned",
            });
        }
        return Ok(());
    }
    // A conclusion recorded by mistake ("ruled out" on the wrong hypothesis) can be
    // withdrawn, which reopens the finding; it has no text to amend.
    let retracting_a_conclusion =
        matches!(body, EventBody::Retracted { .. }) && target.kind() == EventKind::Concluded;
    if !target.kind().is_finding() && !retracting_a_conclusion {
        return Err(Rejection::NotAmendable {
            id: target.id.to_string(),
            kind: target.kind(),
        });
    }
    if target_retracted {
        return Err(Rejection::AlreadyRetracted(target.id.to_string()));
    }
    debug_assert!(matches!(
        body,
        EventBody::Amended { .. } | EventBody::Retracted { .. }
    ));
    Ok(())
}

/// Whether events of this kind point at another event (`Event::amends`).
pub fn points_at_another(body: &EventBody) -> bool {
    matches!(
        body,
        EventBody::Amended { .. } | EventBody::Retracted { .. } | EventBody::Concluded { .. }
    )
}

/// Whether an event of this kind must, or must not, point at another.
pub fn check_target_presence(body: &EventBody, has_target: bool) -> Result<(), Rejection> {
    match (points_at_another(body), has_target) {
        (true, false) => Err(Rejection::MissingTarget { body: body.kind() }),
        (false, true) => Err(Rejection::UnexpectedTarget(body.kind())),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::FindingKind;
    use crate::test_support::LogBuilder;

    #[test]
    fn empty_findings_are_refused() {
        let body = EventBody::Finding {
            finding: FindingKind::Note,
            text: "  \n".into(),
        };
        assert_eq!(check_body(&body), Err(Rejection::EmptyText("the finding")));
    }

    #[test]
    fn variables_need_a_placeholder_name_and_a_value() {
        let set = |name: &str, value: Option<&str>| EventBody::VariableSet {
            name: name.into(),
            value: value.map(str::to_string),
        };
        assert_eq!(
            check_body(&set("api_base", Some("http://127.0.0.1"))),
            Ok(())
        );
        assert_eq!(check_body(&set("api_base", None)), Ok(()));
        assert_eq!(
            check_body(&set("api base", Some("x"))),
            Err(Rejection::BadVariableName("api base".into()))
        );
        assert_eq!(
            check_body(&set("api", Some("  "))),
            Err(Rejection::EmptyText("the variable's value"))
        );
    }

    #[test]
    fn only_live_findings_can_be_amended() {
        let mut log = LogBuilder::new("a");
        let start = log.push(EventBody::StatusChanged {
            status: crate::event::Status::Identified,
        });
        let note = log.push(EventBody::Finding {
            finding: FindingKind::Note,
            text: "x".into(),
        });
        let amend = EventBody::Amended { text: "y".into() };
        assert!(matches!(
            check_amendment(&amend, &start, false),
            Err(Rejection::NotAmendable { .. })
        ));
        assert_eq!(check_amendment(&amend, &note, false), Ok(()));
        assert!(matches!(
            check_amendment(&amend, &note, true),
            Err(Rejection::AlreadyRetracted(_))
        ));
    }

    #[test]
    fn outcomes_fit_the_finding_they_end() {
        use crate::event::Outcome;
        let mut log = LogBuilder::new("a");
        let hypothesis = log.push(EventBody::Finding {
            finding: FindingKind::Hypothesis,
            text: "the cache is cold".into(),
        });
        let action = log.push(EventBody::Finding {
            finding: FindingKind::Action,
            text: "drain node 3".into(),
        });
        let ruled_out = EventBody::Concluded {
            outcome: Outcome::RuledOut,
            note: None,
        };
        let done = EventBody::Concluded {
            outcome: Outcome::Done,
            note: None,
        };
        assert_eq!(check_amendment(&ruled_out, &hypothesis, false), Ok(()));
        assert_eq!(check_amendment(&done, &action, false), Ok(()));
        let wrong = check_amendment(&done, &hypothesis, false).expect_err("refused");
        assert!(
            wrong.to_string().contains("a hypothesis cannot be done"),
            "{wrong}"
        );
        assert!(matches!(
            check_amendment(&ruled_out, &action, false),
            Err(Rejection::WrongOutcome { .. })
        ));
        assert!(matches!(
            check_amendment(&ruled_out, &hypothesis, true),
            Err(Rejection::AlreadyRetracted(_))
        ));
        assert!(check_target_presence(&ruled_out, false).is_err());

        // A mistaken conclusion can be withdrawn, not amended.
        let conclusion = log.push_with(ruled_out.clone(), |e| e.amends = Some(hypothesis.id));
        let retract = EventBody::Retracted { reason: None };
        assert_eq!(check_amendment(&retract, &conclusion, false), Ok(()));
        let amend = EventBody::Amended { text: "y".into() };
        assert!(matches!(
            check_amendment(&amend, &conclusion, false),
            Err(Rejection::NotAmendable { .. })
        ));
    }

    #[test]
    fn a_handoff_names_someone_and_says_something() {
        let sent = |to: &str, note: &str| EventBody::HandoffSent {
            to: to.into(),
            note: note.into(),
        };
        assert_eq!(check_body(&sent("bob", "all yours")), Ok(()));
        assert!(matches!(
            check_body(&sent(" ", "all yours")),
            Err(Rejection::EmptyText(_))
        ));
        assert_eq!(
            check_body(&sent("bob", "\n")),
            Err(Rejection::EmptyText("the handoff note"))
        );
    }

    #[test]
    fn targets_only_on_changes() {
        let note = EventBody::Finding {
            finding: FindingKind::Note,
            text: "x".into(),
        };
        assert!(check_target_presence(&note, true).is_err());
        assert!(check_target_presence(&note, false).is_ok());
        let retract = EventBody::Retracted { reason: None };
        assert!(check_target_presence(&retract, false).is_err());
        assert!(check_target_presence(&retract, true).is_ok());
    }
}
