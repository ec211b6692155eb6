//! What a `postmortem_edited` event says: one change to the incident's post-mortem
//! draft. The draft itself is never stored; it is folded from these changes and the
//! rest of the log (`fold::fold_postmortem`).
//!
//! Free text (a section, a timeline annotation, a tollgate row) is a *register*: each
//! edit names the versions it replaces, the ones its author was looking at. Two edits
//! made apart (two laptops offline) replace the same version and neither replaces the
//! other, so both stand, marked, until someone writes a version that replaces both
//! (`register.rs`). Flags and fields (a star, an action's status) are simpler: the
//! latest change in log order wins, and every change stays in the log.

use crate::ids::EventId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The free-text sections of a post-mortem, in the order the document shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Summary,
    Impact,
    IssueReported,
    Detection,
    RootCauses,
    ContributingFactors,
    Mitigation,
    WentWell,
    WentWrong,
    GotLucky,
    SupportingData,
}

impl Section {
    pub const ALL: [Section; 11] = [
        Section::Summary,
        Section::Impact,
        Section::IssueReported,
        Section::Detection,
        Section::RootCauses,
        Section::ContributingFactors,
        Section::Mitigation,
        Section::WentWell,
        Section::WentWrong,
        Section::GotLucky,
        Section::SupportingData,
    ];

    /// The name people type (`root-causes`).
    pub fn as_str(self) -> &'static str {
        match self {
            Section::Summary => "summary",
            Section::Impact => "impact",
            Section::IssueReported => "issue-reported",
            Section::Detection => "detection",
            Section::RootCauses => "root-causes",
            Section::ContributingFactors => "contributing-factors",
            Section::Mitigation => "mitigation",
            Section::WentWell => "went-well",
            Section::WentWrong => "went-wrong",
            Section::GotLucky => "got-lucky",
            Section::SupportingData => "supporting-data",
        }
    }

    /// The heading the document gives it.
    pub fn title(self) -> &'static str {
        match self {
            Section::Summary => "Summary",
            Section::Impact => "Impact",
            Section::IssueReported => "The issue as reported",
            Section::Detection => "Detection",
            Section::RootCauses => "Root causes",
            Section::ContributingFactors => "Contributing factors",
            Section::Mitigation => "Mitigation and resolution",
            Section::WentWell => "What went well",
            Section::WentWrong => "What went wrong",
            Section::GotLucky => "Where we got lucky",
            Section::SupportingData => "Notes on the data",
        }
    }

    /// What the section is for, shown while it is empty.
    pub fn prompt(self) -> &'static str {
        match self {
            Section::Summary => "Two or three sentences: what broke, for whom, for how long.",
            Section::Impact => "Who was affected and how: users, requests, revenue, data.",
            Section::IssueReported => {
                "The problem as it first reached us, in the reporter's words."
            }
            Section::Detection => "How we found out, and how we could have found out sooner.",
            Section::RootCauses => "Why it happened, down to the cause we can fix.",
            Section::ContributingFactors => "What made it worse or slower to fix.",
            Section::Mitigation => "What stopped the bleeding, and what brought service back.",
            Section::WentWell => "What worked and should stay.",
            Section::WentWrong => "What hurt and should change.",
            Section::GotLucky => "What saved us that we cannot count on next time.",
            Section::SupportingData => "Graphs, queries and probe results worth keeping.",
        }
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Section {
    type Err = crate::Error;
    /// Reads `root-causes`, `root_causes`, `Root causes`, and a few short forms
    /// (`root-cause`, `issue`, `lessons-*`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        let alias = match wanted.as_str() {
            "root-cause" | "cause" => Some(Section::RootCauses),
            "contributing" | "factors" => Some(Section::ContributingFactors),
            "issue" | "reported" => Some(Section::IssueReported),
            "resolution" | "mitigation-and-resolution" => Some(Section::Mitigation),
            "data" => Some(Section::SupportingData),
            _ => None,
        };
        alias
            .or_else(|| Section::ALL.into_iter().find(|k| k.as_str() == wanted))
            .ok_or_else(|| crate::Error::Invalid {
                what: "section",
                value: s.to_string(),
                expected: "one of summary, impact, issue-reported, detection, root-causes, contributing-factors, mitigation, went-well, went-wrong, got-lucky, supporting-data",
            })
    }
}

/// The moments the durations are measured between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    /// When the impact began (often before anyone noticed).
    Began,
    /// When we knew.
    Detected,
    /// When the bleeding stopped.
    Mitigated,
    /// When service was fully back.
    Resolved,
}

impl Milestone {
    pub const ALL: [Milestone; 4] = [
        Milestone::Began,
        Milestone::Detected,
        Milestone::Mitigated,
        Milestone::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Milestone::Began => "began",
            Milestone::Detected => "detected",
            Milestone::Mitigated => "mitigated",
            Milestone::Resolved => "resolved",
        }
    }

    /// As the header shows it.
    pub fn label(self) -> &'static str {
        match self {
            Milestone::Began => "Impact began",
            Milestone::Detected => "Detected",
            Milestone::Mitigated => "Mitigated",
            Milestone::Resolved => "Resolved",
        }
    }
}

impl FromStr for Milestone {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        let wanted = match wanted.as_str() {
            "start" | "started" | "impact" => "began",
            "detection" => "detected",
            "mitigation" => "mitigated",
            "resolution" => "resolved",
            other => other,
        };
        Milestone::ALL
            .into_iter()
            .find(|m| m.as_str() == wanted)
            .ok_or_else(|| crate::Error::Invalid {
                what: "milestone",
                value: s.to_string(),
                expected: "one of began, detected, mitigated, resolved",
            })
    }
}

/// Corrective actions fix this incident's cause; preventive ones stop its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionClass {
    Corrective,
    Preventive,
}

impl ActionClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionClass::Corrective => "corrective",
            ActionClass::Preventive => "preventive",
        }
    }
}

impl FromStr for ActionClass {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "corrective" | "fix" => Ok(ActionClass::Corrective),
            "preventive" | "prevent" | "prevention" => Ok(ActionClass::Preventive),
            _ => Err(crate::Error::Invalid {
                what: "action type",
                value: s.to_string(),
                expected: "corrective or preventive",
            }),
        }
    }
}

/// Where a follow-up action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Open,
    InProgress,
    Done,
    WontDo,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 4] = [
        ActionStatus::Open,
        ActionStatus::InProgress,
        ActionStatus::Done,
        ActionStatus::WontDo,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::InProgress => "in-progress",
            ActionStatus::Done => "done",
            ActionStatus::WontDo => "wont-do",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::InProgress => "in progress",
            ActionStatus::Done => "done",
            ActionStatus::WontDo => "won't do",
        }
    }
}

impl FromStr for ActionStatus {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s
            .trim()
            .to_ascii_lowercase()
            .replace(['_', ' '], "-")
            .replace('\'', "");
        ActionStatus::ALL
            .into_iter()
            .find(|k| k.as_str() == wanted)
            .ok_or_else(|| crate::Error::Invalid {
                what: "action status",
                value: s.to_string(),
                expected: "one of open, in-progress, done, wont-do",
            })
    }
}

/// A timeline entry's curation flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    Star,
    Unstar,
    Hide,
    Show,
}

impl FromStr for Mark {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "star" => Ok(Mark::Star),
            "unstar" => Ok(Mark::Unstar),
            "hide" => Ok(Mark::Hide),
            "show" | "unhide" => Ok(Mark::Show),
            _ => Err(crate::Error::Invalid {
                what: "mark",
                value: s.to_string(),
                expected: "one of star, unstar, hide, show",
            }),
        }
    }
}

/// One change to the post-mortem draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PostmortemChange {
    /// A section's new text, replacing the versions its author saw.
    Section {
        section: Section,
        text: String,
        #[serde(default)]
        replaces: Vec<EventId>,
    },
    /// A timeline entry starred, unstarred, hidden or shown again.
    Mark { entry: EventId, mark: Mark },
    /// A timeline entry's annotation (empty text removes it).
    Annotate {
        entry: EventId,
        text: String,
        #[serde(default)]
        replaces: Vec<EventId>,
    },
    /// A corrective or preventive action; the event's id is the action's id.
    ActionAdded {
        class: ActionClass,
        text: String,
        owner: Option<String>,
        ticket: Option<String>,
    },
    /// Fields of an action changed; absent fields stay as they were.
    ActionChanged {
        action: EventId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<ActionStatus>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ticket: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    /// A tollgate row: the gate, why it let the fault through, and the follow-up
    /// ticket. Rows are keyed by the gate's name (any case and spacing).
    Tollgate {
        gate: String,
        why_missed: String,
        ticket: Option<String>,
        #[serde(default)]
        replaces: Vec<EventId>,
    },
    /// A milestone's time set by hand (`None`: back to the one read from the log).
    Milestone {
        milestone: Milestone,
        at: Option<DateTime<Utc>>,
    },
}

impl PostmortemChange {
    /// A one-line description for the log and its search.
    pub fn describe(&self) -> String {
        match self {
            PostmortemChange::Section { section, .. } => {
                format!("Post-mortem: {} edited", section.title())
            }
            PostmortemChange::Mark { mark, .. } => {
                let verb = match mark {
                    Mark::Star => "starred",
                    Mark::Unstar => "unstarred",
                    Mark::Hide => "hidden",
                    Mark::Show => "shown",
                };
                format!("Post-mortem: timeline entry {verb}")
            }
            PostmortemChange::Annotate { text, .. } if text.trim().is_empty() => {
                "Post-mortem: annotation removed".to_string()
            }
            PostmortemChange::Annotate { text, .. } => {
                format!("Post-mortem: annotated \u{201c}{}\u{201d}", text.trim())
            }
            PostmortemChange::ActionAdded { class, text, .. } => {
                format!(
                    "Post-mortem: {} action \u{201c}{}\u{201d}",
                    class.as_str(),
                    text.trim()
                )
            }
            PostmortemChange::ActionChanged {
                status: Some(s), ..
            } => {
                format!("Post-mortem: action {}", s.label())
            }
            PostmortemChange::ActionChanged { .. } => "Post-mortem: action changed".to_string(),
            PostmortemChange::Tollgate { gate, .. } => {
                format!("Post-mortem: tollgate \u{201c}{}\u{201d}", gate.trim())
            }
            PostmortemChange::Milestone { milestone, at } => match at {
                Some(at) => format!(
                    "Post-mortem: {} at {}",
                    milestone.as_str(),
                    at.format("%Y-%m-%d %H:%M UTC")
                ),
                None => format!("Post-mortem: {} time from the log", milestone.as_str()),
            },
        }
    }

    /// The events this change refers to, which must be in the same incident.
    pub fn references(&self) -> Vec<EventId> {
        match self {
            PostmortemChange::Section { replaces, .. }
            | PostmortemChange::Tollgate { replaces, .. } => replaces.clone(),
            PostmortemChange::Annotate {
                entry, replaces, ..
            } => {
                let mut all = vec![*entry];
                all.extend(replaces.iter().copied());
                all
            }
            PostmortemChange::Mark { entry, .. } => vec![*entry],
            PostmortemChange::ActionChanged { action, .. } => vec![*action],
            PostmortemChange::ActionAdded { .. } | PostmortemChange::Milestone { .. } => Vec::new(),
        }
    }
}

/// A gate's name as rows are keyed: lower case, blanks collapsed, `/` spaced alike.
pub fn gate_key(gate: &str) -> String {
    gate.to_lowercase()
        .replace('/', " / ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The gates every post-mortem asks about, even before anyone fills them in.
pub const DEFAULT_GATES: [&str; 3] = ["Unit tests", "Integration / UAT", "Post-release checkouts"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_read_the_names_people_type() {
        assert_eq!(
            "root-cause".parse::<Section>().ok(),
            Some(Section::RootCauses)
        );
        assert_eq!(
            "Root causes".parse::<Section>().ok(),
            Some(Section::RootCauses)
        );
        assert_eq!("went_well".parse::<Section>().ok(), Some(Section::WentWell));
        for section in Section::ALL {
            assert_eq!(section.as_str().parse::<Section>().ok(), Some(section));
        }
        let err = "rootcause".parse::<Section>().expect_err("unknown");
        assert!(err.to_string().contains("root-causes"), "{err}");
    }

    #[test]
    fn changes_round_trip_through_json_with_their_tag() {
        let change = PostmortemChange::ActionChanged {
            action: EventId::new_v7(),
            status: Some(ActionStatus::InProgress),
            owner: None,
            ticket: Some("OPS-12".into()),
            text: None,
        };
        let json = serde_json::to_value(&change).expect("json");
        assert_eq!(json["op"], "action_changed");
        assert_eq!(json["status"], "in_progress");
        assert!(json.get("owner").is_none());
        let back: PostmortemChange = serde_json::from_value(json).expect("decode");
        assert_eq!(back, change);
    }

    #[test]
    fn gates_are_keyed_by_their_name_in_any_spelling() {
        assert_eq!(
            gate_key("Integration/UAT"),
            gate_key(" integration  /  uat ")
        );
        assert_ne!(gate_key("Unit tests"), gate_key("Integration / UAT"));
    }

    #[test]
    fn statuses_and_milestones_parse() {
        assert_eq!(
            "won't do".parse::<ActionStatus>().ok(),
            Some(ActionStatus::WontDo)
        );
        assert_eq!(
            "in progress".parse::<ActionStatus>().ok(),
            Some(ActionStatus::InProgress)
        );
        assert_eq!("start".parse::<Milestone>().ok(), Some(Milestone::Began));
        assert!("later".parse::<Milestone>().is_err());
    }
}
