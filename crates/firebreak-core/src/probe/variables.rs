//! Where a `{{ placeholder }}` gets its value when a probe runs, and environment
//! profile files.
//!
//! Three layers, the first that knows a name wins:
//! 1. the incident's own variables (`firebreak incident var NAME VALUE`), because what a
//!    responder set during this incident is the most specific thing there is;
//! 2. the environment profile (`prod`, `staging`): a TOML file of `name = "value"` lines
//!    the user keeps beside the store, chosen per command (`--profile`) or by the
//!    incident's `profile` variable;
//! 3. the runbook's front-matter defaults.

use serde::Serialize;
use std::collections::BTreeMap;

/// The incident variable that names the profile to use.
pub const PROFILE_VARIABLE: &str = "profile";

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "from", content = "name", rename_all = "snake_case")]
pub enum VariableSource {
    Incident,
    Profile(String),
    Runbook(String),
}

/// The layers of values, most specific first.
#[derive(Debug, Clone, Default)]
pub struct Variables {
    layers: Vec<(VariableSource, BTreeMap<String, String>)>,
}

impl Variables {
    pub fn new() -> Variables {
        Variables::default()
    }

    /// Adds a layer below the ones already there.
    pub fn with(mut self, source: VariableSource, values: BTreeMap<String, String>) -> Variables {
        self.layers.push((source, values));
        self
    }

    /// The value of `name` and where it came from.
    pub fn lookup(&self, name: &str) -> Option<(&str, &VariableSource)> {
        self.layers
            .iter()
            .find_map(|(source, values)| values.get(name).map(|v| (v.as_str(), source)))
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<String> {
        self.lookup(name).map(|(v, _)| v.to_string())
    }
}

/// A profile file that cannot be used: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}: {message}")]
pub struct ProfileError {
    pub path: String,
    pub line: usize,
    pub message: String,
}

/// Whether `name` can name a profile: letters, digits, `-` and `_`, so it is always a
/// plain file name beside the store and never a path.
pub fn is_valid_profile_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Parses a profile file: a TOML table of names to strings (numbers and booleans are
/// taken as their text). `path` is only used in errors.
pub fn parse_profile(path: &str, text: &str) -> Result<BTreeMap<String, String>, ProfileError> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| ProfileError {
        path: path.to_string(),
        line: e.span().map_or(1, |s| line_of(text, s.start)),
        message: e.message().to_string(),
    })?;
    let mut values = BTreeMap::new();
    for (name, value) in table {
        let text_value = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => {
                return Err(ProfileError {
                    path: path.to_string(),
                    line: find_key_line(text, &name),
                    message: format!(
                        "`{name}` is a {}; a profile holds `name = \"value\"` lines only",
                        other.type_str()
                    ),
                });
            }
        };
        if !crate::runbook::placeholder::is_valid_name(&name) {
            return Err(ProfileError {
                path: path.to_string(),
                line: find_key_line(text, &name),
                message: format!("`{name}` cannot be used as a {{{{ placeholder }}}} name"),
            });
        }
        values.insert(name, text_value);
    }
    Ok(values)
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |before| before.matches('\n').count() + 1)
}

fn find_key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim_start().trim_start_matches(['[', '"', '\'']);
            l.starts_with(key)
        })
        .map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_most_specific_layer_wins() {
        let vars = Variables::new()
            .with(
                VariableSource::Incident,
                map(&[("api", "http://127.0.0.1:1")]),
            )
            .with(
                VariableSource::Profile("prod".into()),
                map(&[("api", "https://prod"), ("db", "db:5432")]),
            )
            .with(
                VariableSource::Runbook("outage".into()),
                map(&[("db", "x"), ("site", "https://site")]),
            );
        assert_eq!(
            vars.lookup("api"),
            Some(("http://127.0.0.1:1", &VariableSource::Incident))
        );
        assert_eq!(
            vars.lookup("db"),
            Some(("db:5432", &VariableSource::Profile("prod".into())))
        );
        assert_eq!(vars.get("site").as_deref(), Some("https://site"));
        assert_eq!(vars.get("nothing"), None);
    }

    #[test]
    fn a_profile_is_a_flat_table_of_values() {
        let text = "api_base = \"http://127.0.0.1:8080\"\nport = 5432\n";
        let values = parse_profile("prod.toml", text).expect("parses");
        assert_eq!(values["api_base"], "http://127.0.0.1:8080");
        assert_eq!(values["port"], "5432");
    }

    #[test]
    fn a_bad_profile_says_where() {
        let err = parse_profile("prod.toml", "a = \"x\"\nb = \n").expect_err("bad toml");
        assert_eq!(err.path, "prod.toml");
        assert_eq!(err.line, 2, "{err}");
        let err = parse_profile("prod.toml", "a = \"x\"\n[nested]\nc = 1\n").expect_err("table");
        assert_eq!(err.line, 2, "{err}");
        assert!(err.message.contains("name = \"value\""), "{err}");
    }

    #[test]
    fn profile_names_are_plain_file_names() {
        assert!(is_valid_profile_name("prod"));
        assert!(is_valid_profile_name("eu-west_1"));
        for bad in ["", "../prod", "a/b", "prod.toml", "a b"] {
            assert!(!is_valid_profile_name(bad), "{bad}");
        }
    }
}
