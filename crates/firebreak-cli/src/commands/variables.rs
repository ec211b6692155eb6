//! `firebreak incident var` and `incident start --var`: the incident's variables, which
//! fill runbook placeholders (`{{ api_base }}`) before the environment profile and the
//! runbook's defaults. Each change is a `variable_set` event, so the log says who
//! pointed the probes where, and when.

use crate::cli::VarArgs;
use crate::context::Context;
use crate::output::print_json;
use anyhow::{Result, bail};
use firebreak_core::event::Event;
use firebreak_core::probe::PROFILE_VARIABLE;
use firebreak_core::rules::Rejection;
use firebreak_core::runbook::placeholder::is_valid_name;
use firebreak_core::views::IncidentState;
use serde::Serialize;
use std::collections::BTreeMap;

/// Checks a name and value before anything is written, so that a refused command
/// changes nothing and says why in the same words as the store's rule.
fn check(name: &str, value: Option<&str>) -> Result<()> {
    if !is_valid_name(name) {
        return Err(Rejection::BadVariableName(name.to_string()).into());
    }
    if value.is_some_and(|v| v.trim().is_empty()) {
        bail!("variable {name:?} needs a value; to remove it, pass --unset");
    }
    Ok(())
}

/// Reads `--var NAME=VALUE` arguments; every one is checked before the incident starts.
pub fn parse_assignments(args: &[String]) -> Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    for arg in args {
        let Some((name, value)) = arg.split_once('=') else {
            bail!("--var {arg:?}: expected NAME=VALUE, such as api_base=https://api.example.com");
        };
        let (name, value) = (name.trim(), value.trim());
        check(name, Some(value))?;
        if out.iter().any(|(n, _)| n == name) {
            bail!("--var {name} is given twice");
        }
        out.push((name.to_string(), value.to_string()));
    }
    Ok(out)
}

/// Sets already-checked variables on a just-started incident.
pub fn set_all(
    ctx: &mut Context,
    author: &str,
    incident: &IncidentState,
    vars: &[(String, String)],
) -> Result<()> {
    // `parse_assignments` refused repeated names, so the state read at the start is the
    // right one to compare each value against.
    for (name, value) in vars {
        ctx.store
            .set_variable(author, incident, name, Some(value.as_str()))?;
    }
    Ok(())
}

#[derive(Serialize)]
struct VariableJson {
    name: String,
    value: Option<String>,
    /// The `variable_set` event recorded; `None` when nothing changed or nothing was
    /// asked to change.
    event: Option<String>,
}

pub fn run(ctx: &mut Context, args: VarArgs) -> Result<()> {
    let VarArgs {
        name,
        value,
        unset,
        incident,
        json,
    } = args;
    if let Some(name) = &name {
        check(name.trim(), value.as_deref())?;
    }
    let state = ctx.store.resolve_incident(incident.incident.as_deref())?;
    let Some(name) = name.map(|n| n.trim().to_string()) else {
        return list(&state, json.json);
    };
    if value.is_none() && !unset {
        return show(&state, &name, json.json);
    }
    let author = ctx.author()?;
    let new_value = if unset { None } else { value.as_deref() };
    let event: Option<Event> = ctx.store.set_variable(&author, &state, &name, new_value)?;
    let new_value = new_value.map(|v| v.trim().to_string());
    if json.json {
        return print_json(&VariableJson {
            name,
            value: new_value,
            event: event.map(|e| e.id.to_string()),
        });
    }
    match (&new_value, &event) {
        (Some(v), Some(_)) => println!("{name} = {v}"),
        (Some(v), None) => println!("{name} is already {v}"),
        (None, Some(_)) => println!("{name} removed"),
        (None, None) => println!("{name} was not set"),
    }
    if name == PROFILE_VARIABLE && new_value.is_some() {
        println!("  probes now fill placeholders from the profile it names (profiles/NAME.toml)");
    }
    Ok(())
}

fn list(state: &IncidentState, json: bool) -> Result<()> {
    if json {
        let vars: BTreeMap<&String, &String> = state.variables.iter().collect();
        return print_json(&vars);
    }
    if state.variables.is_empty() {
        println!(
            "No variables in {}. Set one with `firebreak incident var NAME VALUE`; probes fall back on the profile and the runbook's defaults.",
            state.title
        );
        return Ok(());
    }
    let width = state.variables.keys().map(String::len).max().unwrap_or(0);
    for (name, value) in &state.variables {
        println!("{name:<width$} = {value}");
    }
    Ok(())
}

fn show(state: &IncidentState, name: &str, json: bool) -> Result<()> {
    let value = state.variables.get(name);
    if json {
        return print_json(&VariableJson {
            name: name.to_string(),
            value: value.cloned(),
            event: None,
        });
    }
    match value {
        Some(v) => {
            println!("{v}");
            Ok(())
        }
        None => bail!(
            "variable {name:?} is not set in this incident; set it with `firebreak incident var {name} VALUE`"
        ),
    }
}
