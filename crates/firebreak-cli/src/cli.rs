//! The command line, as clap sees it.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Firebreak: runbooks, probes and a findings log for the on-call engineer, offline.
#[derive(Debug, Parser)]
#[command(name = "firebreak", version, about, max_term_width = 100)]
pub struct Cli {
    /// The store's directory [default: $FIREBREAK_HOME, else the platform's data dir]
    #[arg(long, global = true, value_name = "DIR")]
    pub home: Option<PathBuf>,

    /// Record events as NAME [default: $FIREBREAK_AUTHOR, else `config set author`, else $USER]
    #[arg(long = "as", global = true, value_name = "NAME")]
    pub author: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import, list, show and search runbooks
    #[command(subcommand)]
    Runbook(RunbookCommand),
    /// Start, list, show and steer incidents
    #[command(subcommand)]
    Incident(IncidentCommand),
    /// Check, skip or reopen a checklist step
    #[command(subcommand)]
    Step(StepCommand),
    /// Record a finding: a note, observation, hypothesis, decision or action
    Note(NoteArgs),
    /// Correct a finding (a new event; the original is kept)
    Amend(AmendArgs),
    /// Withdraw a finding (a new event; the original is kept)
    Retract(RetractArgs),
    /// Show an incident's timeline
    Log(LogArgs),
    /// Search findings across incidents
    Search(SearchArgs),
    /// Export an incident as a document
    Export(ExportArgs),
    /// Read or change settings of this store
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct IncidentFlag {
    /// The incident (id, or a unique prefix or suffix) [default: the most recent open one]
    #[arg(long, value_name = "ID")]
    pub incident: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum RunbookCommand {
    /// Import Markdown runbooks from files and directories (recursively)
    Import {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// List the runbooks in the library
    List {
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Show a runbook's checklist
    Show {
        id: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Full-text search over runbooks
    Search {
        query: String,
        #[command(flatten)]
        json: JsonFlag,
    },
}

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Start an incident, optionally running runbooks
    Start {
        title: String,
        /// A runbook to run (repeatable)
        #[arg(long = "runbook", value_name = "ID")]
        runbooks: Vec<String>,
        /// SEV1 (worst) to SEV4
        #[arg(long, value_name = "SEV")]
        severity: Option<String>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// List incidents, open ones first
    List {
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Show an incident: state, roles, checklists
    Show {
        /// [default: the most recent open incident]
        id: Option<String>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Run another runbook in the incident
    Run {
        runbook: String,
        #[command(flatten)]
        incident: IncidentFlag,
    },
    /// Set the status: investigating, identified, mitigated, resolved
    Status {
        status: String,
        #[command(flatten)]
        incident: IncidentFlag,
    },
    /// Set the severity: SEV1 (worst) to SEV4
    Severity {
        severity: String,
        #[command(flatten)]
        incident: IncidentFlag,
    },
    /// Name the incident's leader
    Lead {
        person: String,
        #[command(flatten)]
        incident: IncidentFlag,
    },
    /// Give someone a role: leader, comms or scribe
    Assign {
        role: String,
        person: String,
        #[command(flatten)]
        incident: IncidentFlag,
    },
}

#[derive(Debug, Args)]
pub struct StepArgs {
    /// The step: `3.2`, or `RUNBOOK:3.2` when several runbooks run
    #[arg(value_name = "STEP_REF")]
    pub step: String,
    /// Why (shown beside the step and in the log)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    #[command(flatten)]
    pub incident: IncidentFlag,
}

#[derive(Debug, Subcommand)]
pub enum StepCommand {
    /// Mark a step done
    Check(StepArgs),
    /// Mark a step skipped (say why with --reason)
    Skip(StepArgs),
    /// Open a checked or skipped step again
    Reopen(StepArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Note,
    Observation,
    Hypothesis,
    Decision,
    Action,
}

#[derive(Debug, Args)]
pub struct NoteArgs {
    pub text: String,
    #[arg(long, value_enum, default_value = "note")]
    pub kind: KindArg,
    /// When it happened: 13:30, "10m ago", 2026-11-21T13:30:00Z …
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Keep it on this device (never synced, left out of exports)
    #[arg(long)]
    pub private: bool,
    #[command(flatten)]
    pub incident: IncidentFlag,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct AmendArgs {
    /// The finding's id (or a unique prefix or suffix of it)
    #[arg(value_name = "EVENT_ID")]
    pub event: String,
    /// The corrected text
    pub text: String,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct RetractArgs {
    /// The finding's id (or a unique prefix or suffix of it)
    #[arg(value_name = "EVENT_ID")]
    pub event: String,
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    #[command(flatten)]
    pub incident: IncidentFlag,
    /// Only events of this kind (note, observation, step_checked, …)
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Only events by this author
    #[arg(long, value_name = "NAME")]
    pub author: Option<String>,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    pub query: String,
    /// Only this incident
    #[arg(long, value_name = "ID")]
    pub incident: Option<String>,
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Markdown,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// [default: the most recent open incident]
    pub id: Option<String>,
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: ExportFormat,
    /// Write to this file instead of standard output
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Include private findings
    #[arg(long)]
    pub include_private: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a setting (author)
    Get { key: String },
    /// Change a setting (author)
    Set { key: String, value: String },
}
