//! Front matter: YAML between `---` lines, or TOML between `+++` lines, at the very top
//! of the file. `title`, `id`, `tags`, `services` and `variables` are typed; every
//! other key is kept in `extra` as a JSON value.

use super::error::{LineIndex, RunbookError, line_ranges, one_line, slice, to_u32};
use super::model::{FrontMatter, FrontMatterFormat};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use toml::de::{DeTable, DeValue};

/// The front matter and where the Markdown body starts.
#[derive(Debug)]
pub(super) struct Parsed {
    pub front_matter: FrontMatter,
    pub body_start: usize,
}

/// A top-level key with its value and position (1-based line, column), and the
/// positions of its own keys when it is a map.
struct Entry {
    key: String,
    value: Json,
    pos: (u32, u32),
    children: BTreeMap<String, (u32, u32)>,
}

const BOM: char = '\u{feff}';

/// Reads the front matter, if any, at the top of `source`.
pub(super) fn parse(source: &str, lines: &LineIndex<'_>) -> Result<Parsed, RunbookError> {
    let start = if source.starts_with(BOM) {
        BOM.len_utf8()
    } else {
        0
    };
    let none = Parsed {
        front_matter: FrontMatter::default(),
        body_start: start,
    };
    let all = line_ranges(source, start);
    let Some(&(first_start, first_end, content_start)) = all.first() else {
        return Ok(none);
    };
    let first = slice(source, &(first_start..first_end)).trim_end_matches([' ', '\t']);
    let (format, closers): (FrontMatterFormat, &[&str]) = match first {
        "---" => (FrontMatterFormat::Yaml, &["---", "..."]),
        "+++" => (FrontMatterFormat::Toml, &["+++"]),
        _ => return Ok(none),
    };
    for &(line_start, line_end, next) in all.iter().skip(1) {
        let text = slice(source, &(line_start..line_end)).trim_end_matches([' ', '\t']);
        if !closers.contains(&text) {
            continue;
        }
        let content = slice(source, &(content_start..line_start));
        let entries = match format {
            FrontMatterFormat::Yaml => yaml(content)?,
            FrontMatterFormat::Toml => toml_entries(content, content_start, lines)?,
        };
        let mut front_matter = known(entries)?;
        front_matter.format = Some(format);
        front_matter.span = Some(0..line_end);
        return Ok(Parsed {
            front_matter,
            body_start: next,
        });
    }
    let opener = closers.first().copied().unwrap_or("---");
    Err(RunbookError::new(
        1,
        1,
        format!(
            "unterminated front matter: expected a line \"{opener}\" closing the front matter opened here"
        ),
    ))
}

/// The YAML content starts on line 2 of the file.
const CONTENT_LINE: u32 = 2;

fn yaml(content: &str) -> Result<Vec<Entry>, RunbookError> {
    if content.trim().is_empty() {
        return Ok(Vec::new());
    }
    let value: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(content).map_err(|e| yaml_error(&e))?;
    let map = match untag(value) {
        serde_yaml_ng::Value::Null => return Ok(Vec::new()),
        serde_yaml_ng::Value::Mapping(map) => map,
        other => {
            return Err(RunbookError::new(
                CONTENT_LINE,
                1,
                format!(
                    "expected front matter as `key: value` lines (title, id, tags, services, variables), found {}",
                    json_type(&yaml_to_json(other))
                ),
            ));
        }
    };
    let mut entries = Vec::new();
    for (key, value) in map {
        let key = yaml_key(&key);
        let (pos, line_index) = yaml_key_pos(content, &key);
        let value = yaml_to_json(untag(value));
        let mut children = BTreeMap::new();
        if let (Json::Object(map), Some(index)) = (&value, line_index) {
            for child in map.keys() {
                if let Some(child_pos) = yaml_child_pos(content, index, child) {
                    children.insert(child.clone(), child_pos);
                }
            }
        }
        entries.push(Entry {
            key,
            value,
            pos,
            children,
        });
    }
    Ok(entries)
}

fn untag(value: serde_yaml_ng::Value) -> serde_yaml_ng::Value {
    match value {
        serde_yaml_ng::Value::Tagged(tagged) => untag(tagged.value),
        other => other,
    }
}

/// The error at its place in the file; positions the YAML parser mentions in the
/// message are moved to file lines too.
fn yaml_error(e: &serde_yaml_ng::Error) -> RunbookError {
    let (line, column) = e
        .location()
        .map_or((1, 1), |l| (to_u32(l.line()), to_u32(l.column())));
    let line = line.max(1);
    let column = column.max(1);
    let message = e.to_string();
    let message = match regex::Regex::new(r" at line (\d+) column (\d+)") {
        Ok(re) => re
            .replace_all(&message, |caps: &regex::Captures<'_>| {
                let l: u32 = caps
                    .get(1)
                    .and_then(|m| m.as_str().parse().ok())
                    .unwrap_or(0);
                let c: u32 = caps
                    .get(2)
                    .and_then(|m| m.as_str().parse().ok())
                    .unwrap_or(0);
                if (l, c) == (line, column) {
                    String::new()
                } else {
                    format!(" at line {} column {c}", l.saturating_add(CONTENT_LINE - 1))
                }
            })
            .into_owned(),
        Err(_) => message,
    };
    RunbookError::new(
        line.saturating_add(CONTENT_LINE - 1),
        column,
        format!("bad YAML front matter: {}", one_line(&message)),
    )
}

fn yaml_key(key: &serde_yaml_ng::Value) -> String {
    match key {
        serde_yaml_ng::Value::String(s) => s.clone(),
        serde_yaml_ng::Value::Number(n) => n.to_string(),
        serde_yaml_ng::Value::Bool(b) => b.to_string(),
        serde_yaml_ng::Value::Null => "null".to_string(),
        other => serde_yaml_ng::to_string(other)
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
    }
}

fn yaml_to_json(value: serde_yaml_ng::Value) -> Json {
    use serde_yaml_ng::Value as Y;
    match value {
        Y::Null => Json::Null,
        Y::Bool(b) => Json::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Json::from(i)
            } else if let Some(u) = n.as_u64() {
                Json::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or_else(|| Json::String(n.to_string()), Json::Number)
            }
        }
        Y::String(s) => Json::String(s),
        Y::Sequence(items) => Json::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(map) => Json::Object(
            map.into_iter()
                .map(|(k, v)| (yaml_key(&k), yaml_to_json(v)))
                .collect(),
        ),
        Y::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

/// Whether `line` (without indentation) starts with `key` followed by `:`.
fn starts_with_key(line: &str, key: &str) -> bool {
    let quoted = [format!("\"{key}\""), format!("'{key}'"), key.to_string()];
    quoted.iter().any(|k| {
        line.strip_prefix(k.as_str())
            .is_some_and(|rest| rest.trim_start_matches([' ', '\t']).starts_with(':'))
    })
}

/// The file position of a top-level YAML key (found by scanning the lines; the YAML
/// parser keeps no positions), and its line's index in the content.
fn yaml_key_pos(content: &str, key: &str) -> ((u32, u32), Option<usize>) {
    for (index, (start, end, _)) in line_ranges(content, 0).into_iter().enumerate() {
        let line = slice(content, &(start..end));
        if starts_with_key(line, key) {
            return ((CONTENT_LINE.saturating_add(to_u32(index)), 1), Some(index));
        }
    }
    ((CONTENT_LINE, 1), None)
}

/// The file position of `child` in the block map under the key on line `parent`.
fn yaml_child_pos(content: &str, parent: usize, child: &str) -> Option<(u32, u32)> {
    for (index, (start, end, _)) in line_ranges(content, 0)
        .into_iter()
        .enumerate()
        .skip(parent + 1)
    {
        let line = slice(content, &(start..end));
        let body = line.trim_start_matches([' ', '\t']);
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = line.len() - body.len();
        if indent == 0 {
            return None;
        }
        if starts_with_key(body, child) {
            return Some((
                CONTENT_LINE.saturating_add(to_u32(index)),
                to_u32(indent + 1),
            ));
        }
    }
    None
}

fn toml_entries(
    content: &str,
    content_start: usize,
    lines: &LineIndex<'_>,
) -> Result<Vec<Entry>, RunbookError> {
    let doc = DeTable::parse(content).map_err(|e| {
        let message = format!("bad TOML front matter: {}", one_line(e.message()));
        match e.span() {
            Some(span) => lines.error(content_start + span.start, message),
            None => RunbookError::new(CONTENT_LINE, 1, message),
        }
    })?;
    let mut items: Vec<_> = doc.get_ref().iter().collect();
    items.sort_by_key(|(k, _)| k.span().start);
    let mut entries = Vec::new();
    for (key, value) in items {
        let mut children = BTreeMap::new();
        if let DeValue::Table(table) = value.get_ref() {
            for (child, _) in table.iter() {
                children.insert(
                    child.get_ref().to_string(),
                    lines.line_col(content_start + child.span().start),
                );
            }
        }
        entries.push(Entry {
            key: key.get_ref().to_string(),
            value: toml_to_json(value.get_ref()),
            pos: lines.line_col(content_start + key.span().start),
            children,
        });
    }
    Ok(entries)
}

fn toml_to_json(value: &DeValue<'_>) -> Json {
    match value {
        DeValue::String(s) => Json::String(s.to_string()),
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .map(Json::from)
            .or_else(|_| u64::from_str_radix(i.as_str(), i.radix()).map(Json::from))
            .unwrap_or_else(|_| Json::String(i.to_string())),
        DeValue::Float(f) => f
            .as_str()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Json::String(f.to_string()), Json::Number),
        DeValue::Boolean(b) => Json::Bool(*b),
        DeValue::Datetime(d) => Json::String(d.to_string()),
        DeValue::Array(items) => {
            Json::Array(items.iter().map(|v| toml_to_json(v.get_ref())).collect())
        }
        DeValue::Table(table) => Json::Object(
            table
                .iter()
                .map(|(k, v)| (k.get_ref().to_string(), toml_to_json(v.get_ref())))
                .collect(),
        ),
    }
}

fn json_type(value: &Json) -> &'static str {
    match value {
        Json::Null => "nothing",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "a map",
    }
}

/// A string, or a number or boolean written without quotes; `None` for null.
fn scalar(value: &Json) -> Result<Option<String>, &'static str> {
    match value {
        Json::Null => Ok(None),
        Json::String(s) => Ok(Some(s.clone())),
        Json::Number(n) => Ok(Some(n.to_string())),
        Json::Bool(b) => Ok(Some(b.to_string())),
        other => Err(json_type(other)),
    }
}

fn known(entries: Vec<Entry>) -> Result<FrontMatter, RunbookError> {
    let mut fm = FrontMatter::default();
    for entry in entries {
        let at = |expected: String| RunbookError::new(entry.pos.0, entry.pos.1, expected);
        match entry.key.as_str() {
            "title" | "id" => {
                let value = scalar(&entry.value).map_err(|found| {
                    at(format!(
                        "expected a string for \"{}\", found {found}",
                        entry.key
                    ))
                })?;
                if entry.key == "title" {
                    fm.title = value;
                } else {
                    fm.id = value;
                }
            }
            "tags" | "services" => {
                let list = string_list(&entry.value).map_err(|found| {
                    at(format!(
                        "expected a list of strings for \"{}\", such as [web, api], found {found}",
                        entry.key
                    ))
                })?;
                if entry.key == "tags" {
                    fm.tags = list;
                } else {
                    fm.services = list;
                }
            }
            "variables" => {
                let map = match &entry.value {
                    Json::Null => serde_json::Map::new(),
                    Json::Object(map) => map.clone(),
                    other => {
                        return Err(at(format!(
                            "expected a map of placeholder names to default values for \"variables\", found {}",
                            json_type(other)
                        )));
                    }
                };
                for (name, value) in map {
                    let value = scalar(&value).map_err(|found| {
                        let (line, column) =
                            entry.children.get(&name).copied().unwrap_or(entry.pos);
                        RunbookError::new(
                            line,
                            column,
                            format!(
                                "expected a string or number for variable {name:?}, found {found}"
                            ),
                        )
                    })?;
                    fm.variables.insert(name, value.unwrap_or_default());
                }
            }
            _ => {
                fm.extra.insert(entry.key, entry.value);
            }
        }
    }
    Ok(fm)
}

fn string_list(value: &Json) -> Result<Vec<String>, &'static str> {
    match value {
        Json::Null => Ok(Vec::new()),
        Json::Array(items) => items
            .iter()
            .map(|item| match scalar(item) {
                Ok(Some(s)) => Ok(s),
                Ok(None) => Err("an empty item"),
                Err(found) => Err(found),
            })
            .collect(),
        other => scalar(other).map(|s| s.into_iter().collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fm(source: &str) -> Result<Parsed, RunbookError> {
        parse(source, &LineIndex::new(source))
    }

    #[test]
    fn no_front_matter() {
        let p = fm("# Title\n").expect("ok");
        assert_eq!(p.body_start, 0);
        assert_eq!(p.front_matter, FrontMatter::default());
        assert_eq!(fm("").expect("ok").body_start, 0);
        assert_eq!(fm("\u{feff}# T").expect("ok").body_start, 3);
        // Four dashes is a rule, not front matter.
        assert_eq!(fm("----\nx\n----\n").expect("ok").body_start, 0);
    }

    #[test]
    fn yaml_known_and_extra_keys() {
        let src = "---\ntitle: Outage\nid: outage\ntags: [a, 2]\nservices: web\nweight: 10\naliases: [/x]\nvariables:\n  port: 8080\n  host: db\n  empty:\n---\n# Body\n";
        let p = fm(src).expect("ok");
        let f = &p.front_matter;
        assert_eq!(f.format, Some(FrontMatterFormat::Yaml));
        assert_eq!(f.title.as_deref(), Some("Outage"));
        assert_eq!(f.id.as_deref(), Some("outage"));
        assert_eq!(f.tags, vec!["a", "2"]);
        assert_eq!(f.services, vec!["web"]);
        assert_eq!(f.variables.get("port").map(String::as_str), Some("8080"));
        assert_eq!(f.variables.get("empty").map(String::as_str), Some(""));
        assert_eq!(f.extra.get("weight"), Some(&Json::from(10)));
        assert_eq!(f.extra.get("aliases"), Some(&serde_json::json!(["/x"])));
        assert_eq!(&src[p.body_start..], "# Body\n");
        assert_eq!(f.span.clone().map(|s| &src[s]), Some(&src[..src.len() - 8]));
    }

    #[test]
    fn toml_front_matter() {
        let src = "+++\ntitle = \"T\"\nweight = 3\ndate = 2024-01-02T03:04:05Z\n[variables]\nport = 8080\n+++\nbody";
        let p = fm(src).expect("ok");
        let f = &p.front_matter;
        assert_eq!(f.format, Some(FrontMatterFormat::Toml));
        assert_eq!(f.title.as_deref(), Some("T"));
        assert_eq!(f.variables.get("port").map(String::as_str), Some("8080"));
        assert_eq!(f.extra.get("weight"), Some(&Json::from(3)));
        assert_eq!(
            f.extra.get("date"),
            Some(&Json::String("2024-01-02T03:04:05Z".into()))
        );
        assert_eq!(&src[p.body_start..], "body");
    }

    #[test]
    fn errors_have_file_positions() {
        let e = fm("---\ntitle: a\nfoo: [1, 2\n---\n").expect_err("bad yaml");
        assert_eq!((e.line, e.column), (4, 1), "{e}");
        assert!(e.expected.starts_with("bad YAML front matter: "), "{e}");
        assert!(e.expected.contains("at line 3 column 6"), "{e}");
        let e = fm("---\ntitle: a\n").expect_err("unterminated");
        assert_eq!(
            e.to_string(),
            "1:1: unterminated front matter: expected a line \"---\" closing the front matter opened here"
        );
        let e = fm("+++\ntitle = \"a\"\nx = \n+++\n").expect_err("bad toml");
        assert_eq!(e.line, 3, "{e}");
        assert!(e.expected.starts_with("bad TOML front matter: "), "{e}");
        let e = fm("---\ntitle: a\ntags:\n  a: b\n---\n").expect_err("tags map");
        assert_eq!(
            e.to_string(),
            "3:1: expected a list of strings for \"tags\", such as [web, api], found a map"
        );
        let e = fm("---\nvariables:\n  ok: 1\n  bad: [1]\n---\n").expect_err("var list");
        assert_eq!(
            e.to_string(),
            "4:3: expected a string or number for variable \"bad\", found a list"
        );
        let e = fm("+++\n[variables]\nbad = [1]\n+++\n").expect_err("toml var list");
        assert_eq!((e.line, e.column), (3, 1));
        let e = fm("---\n- a\n---\n").expect_err("list");
        assert_eq!((e.line, e.column), (2, 1));
    }
}
