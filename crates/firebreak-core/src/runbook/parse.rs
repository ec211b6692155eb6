//! Markdown (pulldown-cmark) to the runbook model.
//!
//! The body is parsed into a small tree of events with their source spans. Headings
//! open sections; list items at the top level of a section, or nested in another
//! step's item, are steps; everything else becomes a block on the step or section it
//! follows. Whatever source text lies between the parser's nodes (link reference
//! definitions, stray text) becomes an `Other` block where it stands, so nothing in the
//! file is dropped: [`uncovered_text`] checks it.

use super::error::{LineIndex, RunbookError, clamp_span, floor_boundary, slice, to_u32};
use super::front_matter;
use super::model::{Block, BlockKind, Runbook, Section, Span, Step, StepPath};
use super::probe_spec::ProbeSpec;
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::ops::Range;

/// Deepest nesting of Markdown containers (lists, items, quotes, emphasis …) accepted.
/// It keeps recursion bounded, and the model's JSON within serde_json's default depth
/// limit (each level of sub-steps adds two levels here).
pub const MAX_NESTING: usize = 100;

/// SHA-256 of the source's UTF-8 bytes, lower-case hex.
pub fn content_hash(source: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(source.as_bytes());
    let mut out = String::with_capacity(digest.len() * 2);
    for byte in digest {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

/// Parses a whole runbook file. `fallback_id` (usually the file name) gives the id when
/// the front matter has none; it is slugified.
pub fn parse(source: &str, fallback_id: &str) -> Result<Runbook, RunbookError> {
    let lines = LineIndex::new(source);
    let front_matter::Parsed {
        front_matter,
        body_start,
    } = front_matter::parse(source, &lines)?;
    let body = source.get(body_start..).unwrap_or("");
    if body.trim().is_empty() {
        return Err(if front_matter.span.is_some() {
            lines.error(
                body_start,
                "expected a Markdown runbook after the front matter, found nothing",
            )
        } else {
            RunbookError::new(1, 1, "expected a Markdown runbook, found an empty file")
        });
    }
    let nodes = build_tree(body, body_start, &lines)?;
    let mut builder = Builder {
        source,
        lines: &lines,
        defaults: &front_matter.variables,
        sections: Vec::new(),
        next_step: 0,
        first_heading: None,
    };
    builder.document(&nodes, body_start)?;
    let Builder {
        sections,
        first_heading,
        ..
    } = builder;

    let id = front_matter
        .id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map_or_else(|| slugify(fallback_id), str::to_string);
    let title = front_matter
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .or(first_heading)
        .unwrap_or_else(|| id.clone());
    Ok(Runbook {
        id,
        title,
        content_hash: content_hash(source),
        front_matter,
        sections,
        source: source.to_string(),
    })
}

/// Lower-case ASCII letters, digits and single dashes; a trailing Markdown extension
/// and any directory are dropped first. Never empty.
pub fn slugify(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let lower = base.to_ascii_lowercase();
    let stem = [".md", ".markdown", ".mdown", ".mkd"]
        .iter()
        .find_map(|ext| lower.strip_suffix(ext))
        .unwrap_or(&lower);
    let mut out = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "runbook".to_string()
    } else {
        out
    }
}

/// Source text of the runbook that no node of the model covers, ignoring whitespace:
/// `(line, text)` pairs. Empty for every runbook [`parse`] returns; a non-empty answer
/// is a bug.
pub fn uncovered_text(runbook: &Runbook) -> Vec<(usize, String)> {
    fn step_spans(step: &Step, out: &mut Vec<Span>) {
        out.push(step.marker_span.clone());
        out.push(step.text_span.clone());
        out.extend(step.blocks.iter().map(|b| b.span.clone()));
        for sub in &step.substeps {
            step_spans(sub, out);
        }
    }
    let source = runbook.source.as_str();
    let mut spans: Vec<Span> = Vec::new();
    spans.extend(runbook.front_matter.span.clone());
    for section in &runbook.sections {
        spans.push(section.heading_span.clone());
        spans.extend(section.blocks.iter().map(|b| b.span.clone()));
        for step in &section.steps {
            step_spans(step, &mut spans);
        }
    }
    let mut spans: Vec<Span> = spans.iter().map(|s| clamp_span(source, s)).collect();
    spans.sort_by_key(|s| s.start);
    let lines = LineIndex::new(source);
    let mut out = Vec::new();
    let mut report = |from: usize, to: usize| {
        let text = slice(source, &(from..to));
        let skipped_bom = if from == 0 {
            text.strip_prefix('\u{feff}').unwrap_or(text)
        } else {
            text
        };
        let trimmed = skipped_bom.trim();
        if !trimmed.is_empty() {
            let lead = text.len() - text.trim_start_matches(is_space_or_bom).len();
            out.push((lines.line(from + lead) as usize, trimmed.to_string()));
        }
    };
    let mut pos = 0;
    for span in spans {
        if span.start > pos {
            report(pos, span.start);
        }
        pos = pos.max(span.end);
    }
    if pos < source.len() {
        report(pos, source.len());
    }
    out
}

fn is_space_or_bom(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

fn options() -> Options {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TASKLISTS);
    options.insert(Options::ENABLE_FOOTNOTES);
    options
}

/// An event with its span in the whole source, and for a `Start` event, what it
/// contains up to its `End`.
#[derive(Debug)]
struct Node<'a> {
    event: Event<'a>,
    span: Range<usize>,
    children: Vec<Node<'a>>,
}

fn build_tree<'a>(
    body: &'a str,
    offset: usize,
    lines: &LineIndex<'_>,
) -> Result<Vec<Node<'a>>, RunbookError> {
    fn attach<'a>(stack: &mut [Node<'a>], top: &mut Vec<Node<'a>>, node: Node<'a>) {
        match stack.last_mut() {
            Some(parent) => parent.children.push(node),
            None => top.push(node),
        }
    }
    let mut stack: Vec<Node<'a>> = Vec::new();
    let mut top: Vec<Node<'a>> = Vec::new();
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        let span = range.start + offset..range.end + offset;
        match event {
            Event::Start(_) => {
                if stack.len() >= MAX_NESTING {
                    return Err(lines.error(
                        span.start,
                        format!(
                            "Markdown nested more than {MAX_NESTING} levels deep: expected at most {MAX_NESTING} levels of lists, quotes and emphasis"
                        ),
                    ));
                }
                stack.push(Node {
                    event,
                    span,
                    children: Vec::new(),
                });
            }
            Event::End(_) => {
                if let Some(node) = stack.pop() {
                    attach(&mut stack, &mut top, node);
                }
            }
            other => attach(
                &mut stack,
                &mut top,
                Node {
                    event: other,
                    span,
                    children: Vec::new(),
                },
            ),
        }
    }
    while let Some(node) = stack.pop() {
        attach(&mut stack, &mut top, node);
    }
    Ok(top)
}

/// Whether a node is block-level (as opposed to inline content).
fn is_block(event: &Event<'_>) -> bool {
    match event {
        Event::Start(tag) => matches!(
            tag,
            Tag::Paragraph
                | Tag::Heading { .. }
                | Tag::BlockQuote(_)
                | Tag::CodeBlock(_)
                | Tag::HtmlBlock
                | Tag::List(_)
                | Tag::Item
                | Tag::FootnoteDefinition(_)
                | Tag::Table(_)
                | Tag::TableHead
                | Tag::TableRow
                | Tag::TableCell
                | Tag::MetadataBlock(_)
                | Tag::DefinitionList
                | Tag::DefinitionListTitle
                | Tag::DefinitionListDefinition
        ),
        Event::Rule => true,
        _ => false,
    }
}

fn is_task_marker(node: &Node<'_>) -> bool {
    matches!(node.event, Event::TaskListMarker(_))
}

/// The span from the first to the last of `nodes`.
fn run_span(nodes: &[Node<'_>]) -> Option<Range<usize>> {
    let start = nodes.iter().map(|n| n.span.start).min()?;
    let end = nodes.iter().map(|n| n.span.end).max()?;
    Some(start..end.max(start))
}

/// The length of the leading run of inline nodes in `nodes`.
fn inline_run_len(nodes: &[Node<'_>]) -> usize {
    nodes.iter().take_while(|n| !is_block(&n.event)).count()
}

/// `span` without leading and trailing whitespace.
fn trim_span(source: &str, span: &Range<usize>) -> Range<usize> {
    let span = clamp_span(source, span);
    let text = slice(source, &span);
    let start = span.start + (text.len() - text.trim_start().len());
    let end = start + text.trim().len();
    start..end
}

/// `span` without trailing whitespace.
fn trim_end_span(source: &str, span: &Range<usize>) -> Range<usize> {
    let span = clamp_span(source, span);
    let text = slice(source, &span);
    span.start..span.start + text.trim_end().len()
}

/// Plain text of inline nodes: text and code, without markup.
fn plain_text(nodes: &[Node<'_>], out: &mut String) {
    for node in nodes {
        match &node.event {
            Event::Text(t) | Event::Code(t) => out.push_str(t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            _ => plain_text(&node.children, out),
        }
    }
}

struct Builder<'s> {
    source: &'s str,
    lines: &'s LineIndex<'s>,
    defaults: &'s BTreeMap<String, String>,
    sections: Vec<Section>,
    /// The number of the last top-level step.
    next_step: u32,
    /// Plain text of the first heading that has some.
    first_heading: Option<String>,
}

impl Builder<'_> {
    fn document(&mut self, nodes: &[Node<'_>], body_start: usize) -> Result<(), RunbookError> {
        let mut cursor = body_start;
        let mut rest = nodes;
        while let Some(node) = rest.first() {
            if !is_block(&node.event) {
                // Inline content at the top level: not produced by pulldown-cmark for
                // well-formed input, but kept as a paragraph if it ever is.
                let len = inline_run_len(rest).max(1);
                let (run, after) = rest.split_at(len.min(rest.len()));
                if let Some(span) = run_span(run) {
                    self.gap(cursor, span.start);
                    let block = self.simple_block(BlockKind::Paragraph, &span);
                    self.attach(block);
                    cursor = cursor.max(span.end);
                }
                rest = after;
                continue;
            }
            self.gap(cursor, node.span.start);
            cursor = cursor.max(node.span.start);
            match &node.event {
                Event::Start(Tag::Heading { level, .. }) => {
                    self.heading(node, *level as u8);
                }
                Event::Start(Tag::List(_)) => {
                    for child in &node.children {
                        self.gap(cursor, child.span.start);
                        if matches!(child.event, Event::Start(Tag::Item)) {
                            self.next_step = self.next_step.saturating_add(1);
                            let step = self.step(child, StepPath(vec![self.next_step]))?;
                            self.section_for(step.span.start).steps.push(step);
                        } else {
                            let block = self.block(child)?;
                            self.attach(block);
                        }
                        cursor = cursor.max(child.span.end);
                    }
                    self.gap(cursor, node.span.end);
                }
                _ => {
                    let block = self.block(node)?;
                    self.attach(block);
                }
            }
            cursor = cursor.max(node.span.end);
            rest = rest.get(1..).unwrap_or(&[]);
        }
        self.gap(cursor, self.source.len());
        Ok(())
    }

    /// Starts a section at a heading.
    fn heading(&mut self, node: &Node<'_>, level: u8) {
        let title = run_span(&node.children)
            .map(|span| slice(self.source, &trim_span(self.source, &span)).to_string())
            .unwrap_or_default();
        if self.first_heading.is_none() {
            let mut plain = String::new();
            plain_text(&node.children, &mut plain);
            let plain = plain.split_whitespace().collect::<Vec<_>>().join(" ");
            if !plain.is_empty() {
                self.first_heading = Some(plain);
            }
        }
        let heading_span = trim_end_span(self.source, &node.span);
        self.sections.push(Section {
            title,
            level,
            line: self.lines.line(heading_span.start),
            heading_span,
            blocks: Vec::new(),
            steps: Vec::new(),
        });
    }

    /// The current section, opening the level-0 preamble section (at `at`) if no
    /// heading came yet.
    fn section_for(&mut self, at: usize) -> &mut Section {
        if self.sections.is_empty() {
            self.sections.push(Section {
                title: String::new(),
                level: 0,
                line: self.lines.line(at),
                heading_span: at..at,
                blocks: Vec::new(),
                steps: Vec::new(),
            });
        }
        let last = self.sections.len() - 1;
        &mut self.sections[last]
    }

    /// Attaches a section-level block: to the section's last step if it has one, else
    /// to the section.
    fn attach(&mut self, block: Block) {
        let section = self.section_for(block.span.start);
        match section.steps.last_mut() {
            Some(step) => step.blocks.push(block),
            None => section.blocks.push(block),
        }
    }

    /// Attaches the text between two nodes, if there is any.
    fn gap(&mut self, from: usize, to: usize) {
        for block in self.gap_blocks(from, to) {
            self.attach(block);
        }
    }

    /// `Other` blocks for the non-blank text in `from..to`, one per run of non-blank
    /// lines.
    fn gap_blocks(&self, from: usize, to: usize) -> Vec<Block> {
        let mut out = Vec::new();
        if to <= from {
            return out;
        }
        let span = clamp_span(self.source, &(from..to));
        let text = slice(self.source, &span);
        if text.trim().is_empty() {
            return out;
        }
        let mut chunk: Option<Range<usize>> = None;
        for (start, end, _) in super::error::line_ranges(text, 0) {
            let line = slice(text, &(start..end));
            let abs = span.start + start..span.start + end;
            if line.trim().is_empty() {
                if let Some(c) = chunk.take() {
                    out.push(self.simple_block(BlockKind::Other, &trim_span(self.source, &c)));
                }
            } else {
                chunk = Some(match chunk {
                    Some(c) => c.start..abs.end,
                    None => abs,
                });
            }
        }
        if let Some(c) = chunk {
            out.push(self.simple_block(BlockKind::Other, &trim_span(self.source, &c)));
        }
        out
    }

    fn simple_block(&self, kind: BlockKind, span: &Range<usize>) -> Block {
        let span = clamp_span(self.source, span);
        Block {
            kind,
            source: slice(self.source, &span).to_string(),
            line: self.lines.line(span.start),
            span,
        }
    }

    /// A block for a block-level node (not a list item).
    fn block(&self, node: &Node<'_>) -> Result<Block, RunbookError> {
        let span = trim_end_span(self.source, &node.span);
        let kind = match &node.event {
            // A heading inside a list item is content of the step, not a section.
            Event::Start(Tag::Paragraph | Tag::Heading { .. }) => BlockKind::Paragraph,
            Event::Start(Tag::BlockQuote(_)) => BlockKind::Quote,
            Event::Start(Tag::HtmlBlock) => BlockKind::Html,
            Event::Start(Tag::Table(_)) => BlockKind::Table,
            Event::Rule => BlockKind::Rule,
            Event::Start(Tag::CodeBlock(kind)) => self.code_block(node, kind, &span)?,
            _ => BlockKind::Other,
        };
        Ok(self.simple_block(kind, &span))
    }

    fn code_block(
        &self,
        node: &Node<'_>,
        kind: &CodeBlockKind<'_>,
        span: &Range<usize>,
    ) -> Result<BlockKind, RunbookError> {
        let mut code = String::new();
        for child in &node.children {
            if let Event::Text(t) = &child.event {
                code.push_str(t);
            }
        }
        let lang = match kind {
            CodeBlockKind::Fenced(info) => info.split_whitespace().next().map(str::to_string),
            CodeBlockKind::Indented => None,
        };
        if lang
            .as_deref()
            .is_some_and(|l| l.eq_ignore_ascii_case("probe"))
        {
            let spec = ProbeSpec::from_toml(&code, self.defaults)
                .map_err(|e| self.probe_error(span.start, &code, e))?;
            return Ok(BlockKind::Probe { spec });
        }
        Ok(BlockKind::Command { lang, code })
    }

    /// A probe error at its place in the file: the fence's line + 1 + the line within
    /// the TOML, and the column plus the indentation the code block removed.
    fn probe_error(
        &self,
        fence: usize,
        code: &str,
        e: super::probe_spec::ProbeSpecError,
    ) -> RunbookError {
        let (fence_line, fence_column) = self.lines.line_col(fence);
        let Some(span) = e.span else {
            return RunbookError::new(fence_line, fence_column, e.expected);
        };
        let offset = floor_boundary(code, span.start);
        let before = code.get(..offset).unwrap_or("");
        let line_in_code = before.matches('\n').count();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column_in_code = before.get(line_start..).map_or(0, |s| s.chars().count());
        let line = fence_line
            .saturating_add(1)
            .saturating_add(to_u32(line_in_code));
        let code_line = code
            .get(line_start..)
            .and_then(|rest| rest.split('\n').next())
            .unwrap_or("")
            .trim_end_matches('\r');
        let file_line = self.lines.line_text(line);
        let indent = if !code_line.is_empty() && file_line.ends_with(code_line) {
            file_line.chars().count() - code_line.chars().count()
        } else {
            file_line
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .count()
        };
        RunbookError::new(line, to_u32(column_in_code + indent + 1), e.expected)
    }

    /// A step for a list item, and its sub-steps.
    fn step(&mut self, item: &Node<'_>, path: StepPath) -> Result<Step, RunbookError> {
        let source = self.source;
        let item_span = clamp_span(source, &item.span);
        let children = item.children.as_slice();

        // The task marker is the item's first child (tight list) or the first child of
        // its first paragraph (loose list).
        let task_node = match children.first() {
            Some(first) if is_task_marker(first) => Some(first),
            Some(first) if matches!(first.event, Event::Start(Tag::Paragraph)) => {
                first.children.first().filter(|n| is_task_marker(n))
            }
            _ => None,
        };
        let task = task_node.and_then(|n| match n.event {
            Event::TaskListMarker(checked) => Some(checked),
            _ => None,
        });

        let mut marker_end = item_span.start + list_marker_len(slice(source, &item_span));
        if let Some(n) = task_node {
            marker_end = marker_end.max(n.span.end);
        }
        let bytes = source.as_bytes();
        while marker_end < item_span.end && matches!(bytes.get(marker_end), Some(b' ' | b'\t')) {
            marker_end += 1;
        }
        let marker_end = floor_boundary(source, marker_end.min(item_span.end));
        let marker_span = item_span.start..marker_end;

        // The step's own text: the first paragraph, or the first run of inline nodes.
        let skip = usize::from(children.first().is_some_and(is_task_marker));
        let content = children.get(skip..).unwrap_or(&[]);
        let (text_raw, rest) = match content.first() {
            Some(first) if !is_block(&first.event) => {
                let len = inline_run_len(content).max(1).min(content.len());
                let (run, rest) = content.split_at(len);
                (run_span(run), rest)
            }
            Some(first) if matches!(first.event, Event::Start(Tag::Paragraph)) => {
                (Some(first.span.clone()), content.get(1..).unwrap_or(&[]))
            }
            _ => (None, content),
        };

        let mut blocks = Vec::new();
        let mut cursor = marker_end;
        let text_span = match text_raw {
            Some(raw) => {
                let raw = raw.start.max(marker_end)..raw.end.max(marker_end);
                let trimmed = trim_span(source, &raw);
                blocks.extend(self.gap_blocks(cursor, trimmed.start));
                cursor = cursor.max(raw.end);
                if trimmed.is_empty() {
                    marker_end..marker_end
                } else {
                    trimmed
                }
            }
            None => marker_end..marker_end,
        };
        let text = slice(source, &text_span).to_string();

        let mut substeps = Vec::new();
        let mut rest = rest;
        while let Some(node) = rest.first() {
            if !is_block(&node.event) {
                let len = inline_run_len(rest).max(1).min(rest.len());
                let (run, after) = rest.split_at(len);
                let run: Vec<&Node<'_>> = run.iter().filter(|n| !is_task_marker(n)).collect();
                let start = run.iter().map(|n| n.span.start).min();
                let end = run.iter().map(|n| n.span.end).max();
                if let (Some(start), Some(end)) = (start, end) {
                    let span = trim_span(source, &(start.max(cursor)..end.max(cursor)));
                    blocks.extend(self.gap_blocks(cursor, span.start));
                    if !span.is_empty() {
                        blocks.push(self.simple_block(BlockKind::Paragraph, &span));
                    }
                    cursor = cursor.max(end);
                }
                rest = after;
                continue;
            }
            blocks.extend(self.gap_blocks(cursor, node.span.start));
            cursor = cursor.max(node.span.start);
            if matches!(node.event, Event::Start(Tag::List(_))) {
                for child in &node.children {
                    blocks.extend(self.gap_blocks(cursor, child.span.start));
                    if matches!(child.event, Event::Start(Tag::Item)) {
                        let n = to_u32(substeps.len() + 1);
                        substeps.push(self.step(child, path.child(n))?);
                    } else {
                        blocks.push(self.block(child)?);
                    }
                    cursor = cursor.max(child.span.end);
                }
                blocks.extend(self.gap_blocks(cursor, node.span.end));
            } else {
                blocks.push(self.block(node)?);
            }
            cursor = cursor.max(node.span.end);
            rest = rest.get(1..).unwrap_or(&[]);
        }
        blocks.extend(self.gap_blocks(cursor, item_span.end));

        Ok(Step {
            path,
            text,
            task,
            line: self.lines.line(item_span.start),
            span: trim_end_span(source, &item_span),
            marker_span,
            text_span,
            blocks,
            substeps,
        })
    }
}

/// The length of the list marker (`-`, `*`, `+`, `1.`, `1)`) at the start of `text`.
fn list_marker_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    match bytes.first() {
        Some(b'-' | b'*' | b'+') => 1,
        Some(b'0'..=b'9') => {
            let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            match bytes.get(digits) {
                Some(b'.' | b')') => digits + 1,
                _ => 0,
            }
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_sha256_hex() {
        assert_eq!(
            content_hash(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            content_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Production Outage.md"), "production-outage");
        assert_eq!(slugify("runbooks/DB -- failover!.markdown"), "db-failover");
        assert_eq!(slugify("--x__y--"), "x-y");
        assert_eq!(slugify("日本"), "runbook");
        assert_eq!(slugify(""), "runbook");
    }

    #[test]
    fn marker_lengths() {
        assert_eq!(list_marker_len("- x"), 1);
        assert_eq!(list_marker_len("12. x"), 3);
        assert_eq!(list_marker_len("3) x"), 2);
        assert_eq!(list_marker_len("x"), 0);
        assert_eq!(list_marker_len("12 x"), 0);
    }

    #[test]
    fn tight_task_item() {
        let rb = parse("- [x] done\n- [ ] open\n- plain\n", "t").expect("parse");
        let steps: Vec<_> = rb.steps().into_iter().map(|(_, s)| s).collect();
        assert_eq!(steps.len(), 3);
        let first = steps.first().expect("first");
        assert_eq!(first.task, Some(true));
        assert_eq!(first.text, "done");
        assert_eq!(&rb.source[first.marker_span.clone()], "- [x] ");
        assert_eq!(steps.get(2).map(|s| s.task), Some(None));
        assert!(uncovered_text(&rb).is_empty());
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = "- ".repeat(MAX_NESTING) + "x\n";
        let e = parse(&deep, "t").expect_err("too deep");
        assert!(e.expected.contains("nested more than"), "{e}");
        let quotes = ">".repeat(10_000) + " x\n";
        assert!(parse(&quotes, "t").is_err());
    }
}
