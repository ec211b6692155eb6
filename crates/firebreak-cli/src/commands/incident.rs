//! `firebreak incident …`.

use crate::cli::IncidentCommand;
use crate::commands::variables;
use crate::context::Context;
use crate::output::{IncidentSummaryJson, RunJson, ago, clock, date_time, one_line, print_json};
use anyhow::Result;
use firebreak_core::event::{EventBody, NewEvent, Role, Severity, Status};
use firebreak_core::views::{IncidentState, StepState};
use serde::Serialize;

pub fn run(ctx: &mut Context, cmd: IncidentCommand) -> Result<()> {
    match cmd {
        IncidentCommand::Start {
            title,
            runbooks,
            severity,
            vars,
            json,
        } => start(ctx, title, runbooks, severity, &vars, json.json),
        IncidentCommand::List { json } => list(ctx, json.json),
        IncidentCommand::Show { id, json } => show(ctx, id.as_deref(), json.json),
        IncidentCommand::Run { runbook, incident } => {
            let state = ctx.store.resolve_incident(incident.incident.as_deref())?;
            let author = ctx.author()?;
            ctx.store.start_run(&author, &state, &runbook)?;
            println!("Running {runbook} in {}", state.title);
            Ok(())
        }
        IncidentCommand::Status { status, incident } => {
            let status: Status = status.parse()?;
            let state = record(
                ctx,
                incident.incident.as_deref(),
                EventBody::StatusChanged { status },
            )?;
            println!("{}: {status}", state.title);
            Ok(())
        }
        IncidentCommand::Severity { severity, incident } => {
            let severity: Severity = severity.parse()?;
            let state = record(
                ctx,
                incident.incident.as_deref(),
                EventBody::SeverityChanged { severity },
            )?;
            println!("{}: {severity}", state.title);
            Ok(())
        }
        IncidentCommand::Lead { person, incident } => {
            assign(ctx, incident.incident.as_deref(), Role::Leader, person)
        }
        IncidentCommand::Assign {
            role,
            person,
            incident,
        } => assign(ctx, incident.incident.as_deref(), role.parse()?, person),
        IncidentCommand::Var(args) => variables::run(ctx, args),
    }
}

fn assign(ctx: &mut Context, selector: Option<&str>, role: Role, person: String) -> Result<()> {
    let person = person.trim().to_string();
    let state = record(
        ctx,
        selector,
        EventBody::RoleAssigned {
            role,
            person: person.clone(),
        },
    )?;
    println!("{}: {person} is {}", state.title, role.as_str());
    Ok(())
}

/// Appends one event to the incident a command means.
fn record(ctx: &mut Context, selector: Option<&str>, body: EventBody) -> Result<IncidentState> {
    let state = ctx.store.resolve_incident(selector)?;
    let author = ctx.author()?;
    ctx.store.append(&author, NewEvent::new(state.id, body))?;
    Ok(state)
}

#[derive(Serialize)]
struct StartedJson {
    id: String,
    title: String,
    runbooks: Vec<String>,
    variables: std::collections::BTreeMap<String, String>,
}

fn start(
    ctx: &mut Context,
    title: String,
    runbooks: Vec<String>,
    severity: Option<String>,
    vars: &[String],
    json: bool,
) -> Result<()> {
    let severity: Option<Severity> = severity.map(|s| s.parse()).transpose()?;
    // Every --var is read before the start, so a bad one leaves no incident behind.
    let vars = variables::parse_assignments(vars)?;
    let author = ctx.author()?;
    let state = ctx
        .store
        .start_incident(&author, &title, severity, &runbooks)?;
    variables::set_all(ctx, &author, &state, &vars)?;
    let (incident, title) = (state.id, state.title.clone());
    if json {
        print_json(&StartedJson {
            id: incident.to_string(),
            title,
            runbooks,
            variables: vars.into_iter().collect(),
        })?;
    } else {
        println!("Started {title}  [{}]", incident.short());
        for run in &state.runs {
            println!("  running {} ({})", run.title, run.runbook_id);
        }
        for (name, value) in &vars {
            println!("  {name} = {value}");
        }
    }
    Ok(())
}

fn list(ctx: &Context, json: bool) -> Result<()> {
    let incidents = ctx.store.incidents()?;
    if json {
        let out: Vec<_> = incidents.iter().map(IncidentSummaryJson::new).collect();
        return print_json(&out);
    }
    if incidents.is_empty() {
        println!(
            "No incidents. Start one with `firebreak incident start TITLE --runbook production-outage`."
        );
        return Ok(());
    }
    let now = ctx.now();
    for s in &incidents {
        println!(
            "{}  {:<13} {:<8} {}  (started {} by {}, lead {})",
            s.id.short(),
            s.status.as_str(),
            s.severity.map_or("-", |v| v.as_str()),
            one_line(&s.title, 60),
            ago(s.started_at, now),
            s.started_by,
            s.leader().unwrap_or("none")
        );
    }
    Ok(())
}

#[derive(Serialize)]
struct ShowJson {
    #[serde(flatten)]
    summary: IncidentSummaryJson,
    roles: std::collections::BTreeMap<String, String>,
    status_reached: std::collections::BTreeMap<String, chrono::DateTime<chrono::Utc>>,
    runs: Vec<RunJson>,
}

fn show(ctx: &Context, selector: Option<&str>, json: bool) -> Result<()> {
    let state = ctx.store.resolve_incident(selector)?;
    let runs = ctx.store.checklists(&state)?;
    if json {
        return print_json(&ShowJson {
            summary: IncidentSummaryJson::new(&state),
            roles: state
                .roles
                .iter()
                .map(|(r, p)| (r.as_str().to_string(), p.clone()))
                .collect(),
            status_reached: state
                .status_reached
                .iter()
                .map(|(s, t)| (s.as_str().to_string(), *t))
                .collect(),
            runs: runs
                .iter()
                .map(|(run, _, checklist)| RunJson::new(run, checklist))
                .collect(),
        });
    }
    let now = ctx.now();
    println!("{}  [{}]", state.title, state.id);
    println!(
        "  status {}   severity {}   started {} ({}) by {}",
        state.status,
        state.severity.map_or("not set", |s| s.as_str()),
        date_time(state.started_at),
        ago(state.started_at, now),
        state.started_by
    );
    let roles: Vec<String> = state
        .roles
        .iter()
        .map(|(role, person)| format!("{} {person}", role.as_str()))
        .collect();
    println!(
        "  {}",
        if roles.is_empty() {
            "no leader yet: `firebreak incident lead NAME`".to_string()
        } else {
            roles.join("   ")
        }
    );
    let qualify = runs.len() > 1;
    for (run, _, checklist) in &runs {
        println!(
            "\n{} ({})  {}/{} done, {} skipped",
            run.title,
            run.runbook_id,
            checklist.count(StepState::Checked),
            checklist.steps.len(),
            checklist.count(StepState::Skipped)
        );
        let mut section = None;
        for step in &checklist.steps {
            if section != Some(&step.section) {
                section = Some(&step.section);
                if !step.section.is_empty() {
                    println!("  {}", step.section);
                }
            }
            let mark = match step.state {
                StepState::Checked => "[x]",
                StepState::Skipped => "[-]",
                StepState::Open => "[ ]",
            };
            let reference = if qualify {
                format!("{}:{}", run.runbook_id, step.path)
            } else {
                step.path.to_string()
            };
            let who = match (&step.by, step.at, step.state) {
                (Some(by), Some(at), StepState::Checked | StepState::Skipped) => {
                    let reason = step
                        .reason
                        .as_deref()
                        .map(|r| format!(": {}", one_line(r, 40)))
                        .unwrap_or_default();
                    format!("  ({by} {}{reason})", clock(at))
                }
                _ => String::new(),
            };
            let indent = "  ".repeat(step.depth);
            println!(
                "  {indent}{mark} {reference:<6} {}{who}",
                one_line(&step.text, 80)
            );
        }
    }
    Ok(())
}
