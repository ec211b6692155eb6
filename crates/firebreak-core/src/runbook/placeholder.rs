//! `{{ name }}` placeholders and their filling.
//!
//! A name starts with a letter or `_` and goes on with letters, digits, `_`, `-` and `.`;
//! spaces or tabs inside the braces are optional. Anything else between double braces
//! (`{{ .metadata.name }}` in a Go template, `{{}}`) is not a placeholder and is left
//! exactly as it was.

use std::ops::Range;

/// One placeholder found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    pub name: String,
    /// The byte span of the whole `{{ name }}`, braces included.
    pub span: Range<usize>,
}

/// A text with its placeholders filled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filled {
    pub text: String,
    /// Names the lookup did not know, distinct, in order of first use. Their
    /// placeholders are left in `text` as they were.
    pub missing: Vec<String>,
}

impl Filled {
    /// True when every placeholder was filled.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty()
    }
}

/// Whether `name` is a valid placeholder name.
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if is_name_start(c) => chars.all(is_name_char),
        _ => false,
    }
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Every placeholder in `text`, in order.
pub fn find(text: &str) -> Vec<Placeholder> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = text.get(from..).and_then(|rest| rest.find("{{")) {
        let start = from + rel;
        match placeholder_at(text, start + 2) {
            Some((name, end)) => {
                out.push(Placeholder {
                    name: name.to_string(),
                    span: start..end,
                });
                from = end;
            }
            // `{` is one byte, so `start + 1` is a char boundary.
            None => from = start + 1,
        }
    }
    out
}

/// Parses ` name }}` starting at `pos` (just after `{{`): the name and the end offset.
fn placeholder_at(text: &str, pos: usize) -> Option<(&str, usize)> {
    let rest = text.get(pos..)?;
    let inner = rest.trim_start_matches([' ', '\t']);
    let name_start = pos + (rest.len() - inner.len());
    let mut chars = inner.char_indices();
    match chars.next() {
        Some((_, c)) if is_name_start(c) => {}
        _ => return None,
    }
    let name_len = inner
        .char_indices()
        .find(|&(i, c)| i > 0 && !is_name_char(c))
        .map_or(inner.len(), |(i, _)| i);
    let name = inner.get(..name_len)?;
    let after = inner.get(name_len..)?;
    let after_spaces = after.trim_start_matches([' ', '\t']);
    let close = after_spaces.strip_prefix("}}")?;
    let end = name_start + (inner.len() - close.len());
    Some((name, end))
}

/// The distinct placeholder names in `text`, in order of first use.
pub fn names(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in find(text) {
        if !out.contains(&p.name) {
            out.push(p.name);
        }
    }
    out
}

/// Replaces each placeholder whose name `lookup` knows; leaves the others as they were
/// and lists them in `missing`.
pub fn fill(text: &str, lookup: impl Fn(&str) -> Option<String>) -> Filled {
    let mut out = String::with_capacity(text.len());
    let mut missing: Vec<String> = Vec::new();
    let mut last = 0;
    for p in find(text) {
        out.push_str(text.get(last..p.span.start).unwrap_or(""));
        match lookup(&p.name) {
            Some(value) => out.push_str(&value),
            None => {
                out.push_str(text.get(p.span.clone()).unwrap_or(""));
                if !missing.contains(&p.name) {
                    missing.push(p.name);
                }
            }
        }
        last = p.span.end;
    }
    out.push_str(text.get(last..).unwrap_or(""));
    Filled { text: out, missing }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn vars() -> BTreeMap<String, String> {
        [("api_base", "https://api.example.com"), ("host", "db")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn finds_names_with_or_without_spaces() {
        assert_eq!(
            names("{{api_base}}/x {{ host }} {{\thost\t}} {{ a.b-c_1 }} {{ _x }}"),
            vec!["api_base", "host", "a.b-c_1", "_x"]
        );
        let found = find("ab {{ x }}");
        assert_eq!(found.len(), 1);
        assert_eq!(found.first().map(|p| p.span.clone()), Some(3..10));
    }

    #[test]
    fn leaves_non_placeholders_alone() {
        for text in [
            "{{ .metadata.name }}",
            "{{}}",
            "{{ }}",
            "{{ 1abc }}",
            "{{ a b }}",
            "{{ a }",
            "{ a }}",
            "{{ a",
            "{{",
            "}}",
            "{{ -a }}",
        ] {
            assert!(names(text).is_empty(), "{text:?}");
            let filled = fill(text, |_| Some("X".into()));
            assert_eq!(filled.text, text);
            assert!(filled.missing.is_empty());
        }
    }

    #[test]
    fn fills_known_and_keeps_unknown() {
        let v = vars();
        let filled = fill(
            "{{ api_base }}/health?h={{host}}&z={{ zone }}&y={{zone}}",
            |n| v.get(n).cloned(),
        );
        assert_eq!(
            filled.text,
            "https://api.example.com/health?h=db&z={{ zone }}&y={{zone}}"
        );
        assert_eq!(filled.missing, vec!["zone"]);
        assert!(!filled.is_complete());
    }

    #[test]
    fn unicode_and_triple_braces_do_not_panic() {
        assert_eq!(names("{{ naïve }} {{ é }}"), vec!["naïve", "é"]);
        let filled = fill("{{{ x }}}", |_| Some("1".into()));
        assert_eq!(filled.text, "{1}");
        assert_eq!(fill("日本{{ 語 }}", |_| None).text, "日本{{ 語 }}");
    }

    #[test]
    fn validates_names() {
        assert!(is_valid_name("api_base"));
        assert!(is_valid_name("_x.y-z"));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name(".metadata"));
        assert!(!is_valid_name("a b"));
    }
}
