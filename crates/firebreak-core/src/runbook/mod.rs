//! Runbooks: the Markdown format (see `docs/runbook-format.md`) and its parsed model.
//!
//! Layout:
//! - `model`: the parsed shape, with a source span on every node.
//! - `parse`: Markdown (pulldown-cmark) to model.
//! - `front_matter`: YAML `---` / TOML `+++` front matter.
//! - `probe_spec`: typed, validated `probe` fences.
//! - `placeholder`: `{{ name }}` placeholders and their filling.
//! - `error`: `line:col: what was expected`.

mod error;
mod front_matter;
mod model;
mod parse;
pub mod placeholder;
pub mod probe_spec;

pub use error::RunbookError;
pub use model::{
    Block, BlockKind, FrontMatter, FrontMatterFormat, Runbook, Section, Span, Step, StepPath,
};
pub use parse::{MAX_NESTING, content_hash, parse, slugify, uncovered_text};
pub use probe_spec::ProbeSpec;
