//! `line:col: what was expected`: the one-line error a runbook that cannot be imported
//! gets. The import layer prefixes the file path.

use std::ops::Range;

/// Why a runbook could not be parsed, and where in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {expected}")]
pub struct RunbookError {
    /// 1-based line in the file.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// What was found and what was expected instead.
    pub expected: String,
}

impl RunbookError {
    pub fn new(line: u32, column: u32, expected: impl Into<String>) -> Self {
        RunbookError {
            line: line.max(1),
            column: column.max(1),
            expected: expected.into(),
        }
    }
}

/// Converts `usize` counts to the `u32` the model uses, saturating.
pub(super) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The largest char boundary of `s` at or before `i` (clamped to `s.len()`).
pub(super) fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `r` clamped to `s` and to char boundaries, never reversed.
pub(super) fn clamp_span(s: &str, r: &Range<usize>) -> Range<usize> {
    let start = floor_boundary(s, r.start);
    let end = floor_boundary(s, r.end).max(start);
    start..end
}

/// The source text of `r`, clamped; never panics.
pub(super) fn slice<'a>(s: &'a str, r: &Range<usize>) -> &'a str {
    let r = clamp_span(s, r);
    s.get(r).unwrap_or("")
}

/// Lines of `s` as `(start, end without the terminator, end with it)`; `\n`, `\r\n`
/// and a lone `\r` all end a line.
pub(super) fn line_ranges(s: &str, from: usize) -> Vec<(usize, usize, usize)> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut start = floor_boundary(s, from);
    let mut i = start;
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b'\n') => {
                out.push((start, i, i + 1));
                i += 1;
                start = i;
            }
            Some(b'\r') => {
                let next = if bytes.get(i + 1) == Some(&b'\n') {
                    i + 2
                } else {
                    i + 1
                };
                out.push((start, i, next));
                i = next;
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < bytes.len() {
        out.push((start, bytes.len(), bytes.len()));
    }
    out
}

/// Byte offsets to 1-based line and column (in characters).
#[derive(Debug, Clone)]
pub(super) struct LineIndex<'a> {
    source: &'a str,
    /// Byte offset where each line starts; `starts[0] == 0`.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(super) fn new(source: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            line_ranges(source, 0)
                .into_iter()
                .filter(|&(_, end, next)| next > end)
                .map(|(_, _, next)| next),
        );
        LineIndex { source, starts }
    }

    /// 1-based (line, column) of the byte `offset`.
    pub(super) fn line_col(&self, offset: usize) -> (u32, u32) {
        let offset = floor_boundary(self.source, offset);
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0).min(offset);
        let column = self
            .source
            .get(start..offset)
            .map_or(0, |text| text.chars().count());
        (to_u32(line), to_u32(column + 1))
    }

    pub(super) fn line(&self, offset: usize) -> u32 {
        self.line_col(offset).0
    }

    /// The text of the 1-based `line`, without its terminator.
    pub(super) fn line_text(&self, line: u32) -> &'a str {
        let index = (line as usize).saturating_sub(1);
        let Some(&start) = self.starts.get(index) else {
            return "";
        };
        let end = self
            .starts
            .get(index + 1)
            .copied()
            .unwrap_or(self.source.len());
        let text = slice(self.source, &(start..end));
        text.trim_end_matches(['\n', '\r'])
    }

    /// An error at the byte `offset`.
    pub(super) fn error(&self, offset: usize, expected: impl Into<String>) -> RunbookError {
        let (line, column) = self.line_col(offset);
        RunbookError::new(line, column, expected)
    }
}

/// Collapses a multi-line message from another parser into one line.
pub(super) fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_line_col_and_expectation() {
        let e = RunbookError::new(14, 1, "unknown probe kind \"htp\"");
        assert_eq!(e.to_string(), "14:1: unknown probe kind \"htp\"");
    }

    #[test]
    fn maps_offsets_to_lines_and_char_columns() {
        let src = "ab\ncé d\r\nx\ry";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(2), (1, 3));
        assert_eq!(idx.line_col(3), (2, 1));
        // 'd' comes after the two-byte 'é' and a space: column 4.
        let d = src.find('d').expect("d");
        assert_eq!(idx.line_col(d), (2, 4));
        assert_eq!(idx.line_col(src.find('x').expect("x")), (3, 1));
        assert_eq!(idx.line_col(src.find('y').expect("y")), (4, 1));
        // Out of range and inside a char: clamped, no panic.
        assert_eq!(idx.line_col(1000).0, 4);
        let inside = src.find('é').expect("é") + 1;
        assert_eq!(idx.line_col(inside), (2, 2));
        assert_eq!(idx.line_text(2), "cé d");
        assert_eq!(idx.line_text(9), "");
    }

    #[test]
    fn slices_are_clamped() {
        assert_eq!(slice("héllo", &(2..100)), "éllo");
        let (start, end) = (5, 1);
        assert_eq!(slice("héllo", &(start..end)), "");
        assert_eq!(clamp_span("abc", &(7..9)), 3..3);
    }
}
