//! The parsed shape of a runbook. Every node keeps its byte span in the source, so the
//! model can prove that nothing in the file was dropped.

use super::probe_spec::ProbeSpec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// A byte range in the runbook's source.
pub type Span = Range<usize>;

/// A parsed runbook version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Runbook {
    /// Stable id: front matter `id`, else the file name slugified.
    pub id: String,
    /// Front matter `title`, else the first heading, else the id.
    pub title: String,
    /// SHA-256 of the source bytes, lower-case hex. A run pins it.
    pub content_hash: String,
    pub front_matter: FrontMatter,
    /// The sections in document order. Content before the first heading, if any, is a
    /// section with `level` 0 and an empty title.
    pub sections: Vec<Section>,
    /// The whole source, verbatim.
    pub source: String,
}

/// Which syntax the front matter was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FrontMatterFormat {
    Yaml,
    Toml,
}

/// Front matter fields Firebreak understands, plus everything else kept as it was.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FrontMatter {
    pub format: Option<FrontMatterFormat>,
    pub title: Option<String>,
    pub id: Option<String>,
    pub tags: Vec<String>,
    pub services: Vec<String>,
    /// Defaults for `{{ placeholders }}`.
    pub variables: BTreeMap<String, String>,
    /// Keys Firebreak does not interpret (Hugo's `weight`, …), kept as JSON values.
    pub extra: BTreeMap<String, serde_json::Value>,
    /// The front matter's span in the source, delimiters included.
    pub span: Option<Span>,
}

/// A heading and what follows it up to the next heading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Heading text (inline Markdown, without the `#`s).
    pub title: String,
    /// 1 to 6; 0 for the content before the first heading.
    pub level: u8,
    /// 1-based line of the heading (or of the first content, for level 0).
    pub line: u32,
    /// The heading's own span (empty for level 0).
    pub heading_span: Span,
    /// Content between the heading and the section's first step.
    pub blocks: Vec<Block>,
    pub steps: Vec<Step>,
}

/// A checklist step: one list item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub path: StepPath,
    /// The item's own text (inline Markdown), without the list or task marker.
    pub text: String,
    /// `Some(checked)` when written as a task item (`- [ ]` / `- [x]`).
    pub task: Option<bool>,
    pub line: u32,
    /// The whole item, sub-steps included.
    pub span: Span,
    /// The span of the list marker and any task marker (`1. `, `- [ ] `).
    pub marker_span: Span,
    /// The span of `text` in the source.
    pub text_span: Span,
    /// Content attached to the step: nested paragraphs, code, probes, and what follows
    /// the step up to the next step or heading.
    pub blocks: Vec<Block>,
    pub substeps: Vec<Step>,
}

/// A piece of content attached to a section or a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    pub kind: BlockKind,
    /// The block's source, verbatim.
    pub source: String,
    pub span: Span,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BlockKind {
    Paragraph,
    Quote,
    Table,
    Html,
    Rule,
    /// A code block that is not a probe: shown with a copy button, run only on an
    /// explicit click.
    Command {
        lang: Option<String>,
        code: String,
    },
    /// A `probe` fence, parsed and validated.
    Probe {
        spec: ProbeSpec,
    },
    /// Anything else the Markdown parser produced no block for (link reference
    /// definitions, footnote definitions, stray text): kept verbatim.
    Other,
}

/// A step's position: `3` is the third top-level step of the runbook, `3.2` its second
/// sub-step. Top-level steps are numbered through the whole runbook, not per section, so
/// a path is short and unique.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StepPath(pub Vec<u32>);

impl StepPath {
    pub fn child(&self, n: u32) -> StepPath {
        let mut parts = self.0.clone();
        parts.push(n);
        StepPath(parts)
    }

    pub fn depth(&self) -> usize {
        self.0.len()
    }
}

impl fmt::Display for StepPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, part) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{part}")?;
        }
        Ok(())
    }
}

impl FromStr for StepPath {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || crate::Error::Invalid {
            what: "step",
            value: s.to_string(),
            expected: "a step number such as 3 or 3.2",
        };
        let trimmed = s.trim();
        if trimmed.is_empty() {
            return Err(bad());
        }
        let parts = trimmed
            .split('.')
            .map(|p| p.parse::<u32>().ok().filter(|n| *n > 0))
            .collect::<Option<Vec<u32>>>()
            .ok_or_else(bad)?;
        Ok(StepPath(parts))
    }
}

impl Serialize for StepPath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for StepPath {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Runbook {
    /// Every step, sub-steps included, depth first in document order, with the section
    /// it belongs to.
    pub fn steps(&self) -> Vec<(&Section, &Step)> {
        fn walk<'a>(section: &'a Section, step: &'a Step, out: &mut Vec<(&'a Section, &'a Step)>) {
            out.push((section, step));
            for sub in &step.substeps {
                walk(section, sub, out);
            }
        }
        let mut out = Vec::new();
        for section in &self.sections {
            for step in &section.steps {
                walk(section, step, &mut out);
            }
        }
        out
    }

    /// The number of steps, sub-steps included.
    pub fn step_count(&self) -> usize {
        self.steps().len()
    }

    pub fn step(&self, path: &StepPath) -> Option<&Step> {
        self.steps()
            .into_iter()
            .map(|(_, step)| step)
            .find(|step| &step.path == path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_paths_parse_and_print() {
        let p: StepPath = "3.2.1".parse().expect("valid");
        assert_eq!(p.0, vec![3, 2, 1]);
        assert_eq!(p.to_string(), "3.2.1");
        assert_eq!(p.depth(), 3);
        for bad in ["", "0", "3.", ".3", "a", "3..2", "-1"] {
            assert!(
                bad.parse::<StepPath>().is_err(),
                "{bad:?} should be refused"
            );
        }
    }
}
