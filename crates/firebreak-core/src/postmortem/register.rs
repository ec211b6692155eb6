//! A multi-value register: free text that several people edit, possibly apart.
//!
//! Every edit names the versions it replaces (the ones on its author's screen). The
//! versions that stand are the edits no other edit replaces. One standing version is
//! the text; more than one is a conflict, and every one of them is kept and shown until
//! somebody writes a version that replaces them all. Nothing is ever dropped silently,
//! and the result depends only on the set of edits, never on the order they arrived in,
//! so every laptop and the hub agree.

use crate::ids::EventId;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashSet;

/// One edit of a register.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Version<T> {
    /// The edit's event.
    pub id: EventId,
    pub author: String,
    /// When it was written (clock-corrected where known).
    pub at: DateTime<Utc>,
    pub value: T,
}

/// An edit and the versions it replaces.
#[derive(Debug, Clone)]
pub struct Edit<T> {
    pub version: Version<T>,
    pub replaces: Vec<EventId>,
}

/// What stands after a set of edits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing<T> {
    /// The standing versions in log order; two or more is a conflict. Versions with
    /// the same value count once (the latest is kept): two people who typed the same
    /// thing do not disagree.
    pub versions: Vec<Version<T>>,
    /// Every standing edit's id, those folded into an equal version included: what a
    /// new edit made by someone who has seen them all replaces. (Replacing only the
    /// shown ones would bring a hidden duplicate back as a conflict.)
    pub heads: Vec<EventId>,
    /// Everyone who edited it, in the order they first did.
    pub editors: Vec<String>,
}

impl<T> Standing<T> {
    pub fn is_conflict(&self) -> bool {
        self.versions.len() > 1
    }

    /// The one standing version, if there is exactly one.
    pub fn current(&self) -> Option<&Version<T>> {
        match self.versions.as_slice() {
            [only] => Some(only),
            _ => None,
        }
    }

    /// The ids a new edit made by someone who has seen every standing version replaces.
    pub fn heads(&self) -> Vec<EventId> {
        self.heads.clone()
    }
}

/// Folds edits, given in log order, into what stands. `None` when there were none.
pub fn fold_register<T: Clone + PartialEq>(edits: &[Edit<T>]) -> Option<Standing<T>> {
    if edits.is_empty() {
        return None;
    }
    let replaced: HashSet<EventId> = edits
        .iter()
        .flat_map(|e| e.replaces.iter().copied())
        .collect();
    let mut versions: Vec<Version<T>> = Vec::new();
    let mut heads: Vec<EventId> = Vec::new();
    for edit in edits.iter().filter(|e| !replaced.contains(&e.version.id)) {
        heads.push(edit.version.id);
        // Same text twice: keep the later one, in the later one's place.
        versions.retain(|v| v.value != edit.version.value);
        versions.push(edit.version.clone());
    }
    let mut editors: Vec<String> = Vec::new();
    for edit in edits {
        if !editors.contains(&edit.version.author) {
            editors.push(edit.version.author.clone());
        }
    }
    // Edits that replace each other in a cycle (only a forged log can do that) would
    // leave nothing standing; show them all rather than nothing.
    if versions.is_empty() {
        versions = edits.iter().map(|e| e.version.clone()).collect();
        heads = versions.iter().map(|v| v.id).collect();
    }
    Some(Standing {
        versions,
        heads,
        editors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn edit(author: &str, minute: u32, text: &str, replaces: &[EventId]) -> Edit<String> {
        Edit {
            version: Version {
                id: EventId::new_v7(),
                author: author.into(),
                at: Utc
                    .with_ymd_and_hms(2026, 11, 21, 14, minute, 0)
                    .single()
                    .expect("time"),
                value: text.into(),
            },
            replaces: replaces.to_vec(),
        }
    }

    fn texts(standing: &Standing<String>) -> Vec<&str> {
        standing.versions.iter().map(|v| v.value.as_str()).collect()
    }

    #[test]
    fn a_chain_of_edits_leaves_the_last() {
        let first = edit("alice", 1, "one", &[]);
        let second = edit("bob", 2, "two", &[first.version.id]);
        let standing = fold_register(&[first, second]).expect("edited");
        assert_eq!(texts(&standing), ["two"]);
        assert!(!standing.is_conflict());
        assert_eq!(standing.editors, ["alice", "bob"]);
    }

    #[test]
    fn edits_made_apart_both_stand_until_one_replaces_both() {
        let base = edit("alice", 1, "base", &[]);
        let a = edit("alice", 2, "alice's", &[base.version.id]);
        let b = edit("bob", 3, "bob's", &[base.version.id]);
        let standing = fold_register(&[base.clone(), a.clone(), b.clone()]).expect("edited");
        assert!(standing.is_conflict());
        assert_eq!(texts(&standing), ["alice's", "bob's"]);
        assert_eq!(standing.current(), None);

        let merged = edit("carol", 4, "both", &standing.heads());
        let standing = fold_register(&[base, a, b, merged]).expect("edited");
        assert_eq!(texts(&standing), ["both"]);
    }

    #[test]
    fn the_same_text_written_twice_is_no_conflict() {
        let a = edit("alice", 1, "same", &[]);
        let b = edit("bob", 2, "same", &[]);
        let standing = fold_register(&[a.clone(), b.clone()]).expect("edited");
        assert_eq!(standing.versions, vec![b.version.clone()]);
        // Both are replaced by the next edit, or the hidden twin would come back.
        assert_eq!(standing.heads(), vec![a.version.id, b.version.id]);
        let next = edit("carol", 3, "new", &standing.heads());
        let standing = fold_register(&[a, b, next]).expect("edited");
        assert_eq!(texts(&standing), ["new"]);
    }

    #[test]
    fn the_order_edits_arrive_in_does_not_matter_once_sorted() {
        // Callers pass log order; the set of standing versions never depends on which
        // replacement was seen first.
        let base = edit("alice", 1, "base", &[]);
        let a = edit("alice", 2, "a", &[base.version.id]);
        let b = edit("bob", 3, "b", &[base.version.id]);
        let one = fold_register(&[base.clone(), a.clone(), b.clone()]).expect("edited");
        let two = fold_register(&[b, base, a]).expect("edited");
        let mut x = texts(&one);
        let mut y = texts(&two);
        x.sort();
        y.sort();
        assert_eq!(x, y);
    }

    #[test]
    fn nothing_edited_is_none() {
        assert!(fold_register::<String>(&[]).is_none());
    }
}
