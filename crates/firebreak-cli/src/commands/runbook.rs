//! `firebreak runbook import|list|show|search`.

use crate::cli::RunbookCommand;
use crate::context::Context;
use crate::output::{one_line, print_json};
use anyhow::Result;
use firebreak_core::runbook::{BlockKind, Runbook, Step};
use firebreak_store::{FileOutcome, PutOutcome};
use serde::Serialize;
use std::process::ExitCode;

pub fn run(ctx: &mut Context, cmd: RunbookCommand) -> Result<ExitCode> {
    match cmd {
        RunbookCommand::Import { paths, json } => {
            let report = ctx.store.import_paths(&paths)?;
            if json.json {
                print_json(&report)?;
            } else {
                for file in &report.files {
                    match file {
                        FileOutcome::Imported {
                            path,
                            id,
                            steps,
                            change,
                            ..
                        } => {
                            let what = match change {
                                PutOutcome::Added => "imported",
                                PutOutcome::NewVersion => "new version",
                                PutOutcome::Restored => "restored earlier version",
                                PutOutcome::Unchanged => "unchanged",
                            };
                            println!("{what:>24}  {id} ({steps} steps)  {}", path.display());
                        }
                        FileOutcome::Failed { error, .. } => eprintln!("{error}"),
                    }
                }
                let failed = report.failed();
                let total = report.files.len();
                println!(
                    "{} of {total} files imported{}",
                    total - failed,
                    if failed > 0 {
                        format!(", {failed} failed")
                    } else {
                        String::new()
                    }
                );
            }
            if report.files.is_empty() {
                eprintln!("firebreak: no runbook files found (looked for *.md and *.markdown)");
                return Ok(ExitCode::FAILURE);
            }
            Ok(if report.failed() > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        RunbookCommand::List { json } => {
            let list = ctx.store.runbooks()?;
            if json.json {
                print_json(&list)?;
            } else if list.is_empty() {
                println!("No runbooks. Import some with `firebreak runbook import PATH`.");
            } else {
                let width = list.iter().map(|r| r.id.len()).max().unwrap_or(0);
                for r in &list {
                    println!("{:width$}  {:>3} steps  {}", r.id, r.steps, r.title);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        RunbookCommand::Show { id, json } => {
            let runbook = ctx.store.runbook(&id)?;
            if json.json {
                print_json(&RunbookJson::new(&runbook))?;
            } else {
                print_runbook(&runbook);
            }
            Ok(ExitCode::SUCCESS)
        }
        RunbookCommand::Search { query, json } => {
            let hits = ctx.store.search_runbooks(&query, 20)?;
            if json.json {
                print_json(&hits)?;
            } else if hits.is_empty() {
                println!("No runbook matches {query:?}.");
            } else {
                for hit in &hits {
                    println!(
                        "{}  {}\n    {}",
                        hit.id,
                        hit.title,
                        one_line(&hit.snippet, 100)
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `runbook show --json`: the summary fields lists have, then the whole model.
#[derive(Serialize)]
struct RunbookJson<'a> {
    id: &'a str,
    title: &'a str,
    content_hash: &'a str,
    steps: usize,
    runbook: &'a Runbook,
}

impl<'a> RunbookJson<'a> {
    fn new(runbook: &'a Runbook) -> Self {
        RunbookJson {
            id: &runbook.id,
            title: &runbook.title,
            content_hash: &runbook.content_hash,
            steps: runbook.step_count(),
            runbook,
        }
    }
}

fn print_runbook(runbook: &Runbook) {
    println!(
        "{}  ({}, version {})",
        runbook.title,
        runbook.id,
        short_hash(&runbook.content_hash)
    );
    for section in &runbook.sections {
        if section.level > 0 {
            println!("\n{} {}", "#".repeat(section.level as usize), section.title);
        }
        for step in &section.steps {
            print_step(step);
        }
    }
}

fn print_step(step: &Step) {
    let indent = "  ".repeat(step.path.depth());
    println!(
        "{indent}{:<6} {}",
        step.path.to_string(),
        one_line(&step.text, 90)
    );
    for block in &step.blocks {
        match &block.kind {
            BlockKind::Probe { .. } => println!(
                "{indent}       probe: {}",
                one_line(&block.source.replace("```probe", ""), 70)
            ),
            BlockKind::Command { code, .. } => println!("{indent}       $ {}", one_line(code, 80)),
            _ => {}
        }
    }
    for sub in &step.substeps {
        print_step(sub);
    }
}

pub fn short_hash(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}
