//! The command line, as clap sees it.

use clap::builder::RangedU64ValueParser;
use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use firebreak_core::event::Outcome;
use firebreak_core::runbook::probe_spec::{format_duration, parse_duration};
use std::path::PathBuf;
use std::time::Duration;

/// Firebreak: runbooks, probes and a findings log for the on-call engineer, offline.
#[derive(Debug, Parser)]
#[command(name = "firebreak", version, about, max_term_width = 100)]
pub struct Cli {
    /// The store's directory [default: $FIREBREAK_HOME, else the platform's data dir]
    #[arg(long, global = true, value_name = "DIR")]
    pub home: Option<PathBuf>,

    /// Record events as NAME [default: $FIREBREAK_AUTHOR, else `config set author`, else $USER]
    // Its own id: clap names an argument after its field, and `log --author` has a
    // field of the same name, so without it `--as alice` also filtered the log.
    #[arg(long = "as", id = "record_as", global = true, value_name = "NAME")]
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
    /// Record a finding: a note, observation, hypothesis, decision, action or customer update
    Note(NoteArgs),
    /// Correct a finding (a new event; the original is kept)
    Amend(AmendArgs),
    /// Withdraw a finding (a new event; the original is kept)
    Retract(RetractArgs),
    /// Say how a hypothesis or an action ended: confirmed or ruled-out, done or abandoned
    Conclude(ConcludeArgs),
    /// Show an incident's timeline
    Log(LogArgs),
    /// Search findings across incidents
    Search(SearchArgs),
    /// Export an incident as a document
    Export(ExportArgs),
    /// Read or change settings of this store
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Probe HTTP, TCP, TLS and DNS targets from this machine, as evidence in the log
    #[command(subcommand, after_help = PROBE_EXIT_CODES)]
    Probe(ProbeCommand),
    /// Connect this store to the team's hub, or show or forget the connection
    #[command(subcommand)]
    Hub(HubCommand),
    /// Push this device's events to the hub and pull everyone else's
    #[command(after_help = SYNC_EXIT_CODES)]
    Sync(SyncArgs),
    /// Hand the incident to the next responder, by file or through the hub, or take one
    /// over
    #[command(subcommand, after_help = HANDOFF_EXIT_CODES)]
    Handoff(HandoffCommand),
    /// Write the incident's post-mortem: sections, timeline, actions, tollgates, times
    #[command(subcommand)]
    Postmortem(PostmortemCommand),
}

/// Shown under `handoff --help` and `handoff send --help`: scripts branch on these.
pub const HANDOFF_EXIT_CODES: &str = "\
Exit codes: 0 done; 1 an error, nothing was recorded (no such incident or handoff, a bundle \
refused, a file that cannot be written, `send` with no hub connected); 4 `send` recorded the \
handoff but the hub is unreachable or failing (it goes at the next sync; `handoff export` \
writes it to a file meanwhile); 5 `send`: the hub refused the token; 6 `send`: the hub \
refused the events; 2 a command line that cannot be read.";

#[derive(Debug, Subcommand)]
pub enum HandoffCommand {
    /// Print the drafted handoff note (Markdown) for the incident; records nothing
    Draft {
        /// Who takes over, named in the note
        #[arg(long, value_name = "NAME")]
        to: Option<String>,
        #[command(flatten)]
        incident: IncidentFlag,
    },
    /// Record the handoff and write it, with the incident's events and runbooks, to a
    /// bundle file the next responder imports (no hub needed)
    Export(HandoffExportArgs),
    /// Import a handoff bundle; when the handoff is addressed to you, take the incident
    /// over at once
    Import {
        /// The bundle file; `-` reads it from stdin (a bundle pasted from chat)
        #[arg(value_name = "PATH")]
        path: PathBuf,
        /// Import only; take it over later with `handoff accept`
        #[arg(long)]
        no_accept: bool,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Record the handoff and push it to the hub at once
    #[command(after_help = HANDOFF_EXIT_CODES)]
    Send(HandoffSendArgs),
    /// The handoffs addressed to you that nobody has taken over yet (syncs first when a
    /// hub is connected)
    Inbox {
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Take over the incident of a handoff: the takeover is recorded and the outgoing
    /// responder's roles move to you
    Accept {
        /// The handoff's id (or a unique prefix or suffix of it), as `handoff inbox` prints
        #[arg(value_name = "ID")]
        id: String,
        /// Take it over even though it is addressed to someone else
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// The incident's handoffs: who handed it to whom, when, and who took it over
    List {
        #[command(flatten)]
        incident: IncidentFlag,
        #[command(flatten)]
        json: JsonFlag,
    },
}

#[derive(Debug, Args)]
pub struct HandoffExportArgs {
    /// Who takes over
    #[arg(long, value_name = "NAME", required_unless_present = "handoff")]
    pub to: Option<String>,
    /// The bundle file to write; `-` prints it (to paste into a chat)
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// The note, edited from `handoff draft` (`-` reads stdin) [default: the draft]
    #[arg(long, value_name = "FILE")]
    pub note_file: Option<PathBuf>,
    /// Write the bundle of a handoff already recorded (by `handoff send` or an earlier
    /// export) instead of recording a new one
    #[arg(long, value_name = "ID", conflicts_with_all = ["to", "note_file", "incident"])]
    pub handoff: Option<String>,
    /// Replace PATH if it exists
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub incident: IncidentFlag,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct HandoffSendArgs {
    /// Who takes over
    #[arg(long, value_name = "NAME")]
    pub to: String,
    /// The note, edited from `handoff draft` (`-` reads stdin) [default: the draft]
    #[arg(long, value_name = "FILE")]
    pub note_file: Option<PathBuf>,
    #[command(flatten)]
    pub incident: IncidentFlag,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Subcommand)]
pub enum PostmortemCommand {
    /// Print the draft (Markdown unless --format says otherwise); `show ENTRY` instead
    /// puts a hidden timeline entry back into the document
    Show(PostmortemShowArgs),
    /// Replace a section's text: every version standing now, so this also settles a
    /// conflict
    Set {
        /// summary, impact, issue-reported, detection, root-causes, contributing-factors,
        /// mitigation, went-well, went-wrong, got-lucky, supporting-data
        #[arg(value_name = "SECTION")]
        section: String,
        /// The new text; `-` reads it from stdin; empty clears the section
        #[arg(value_name = "TEXT", allow_hyphen_values = true)]
        text: String,
        #[command(flatten)]
        incident: IncidentFlag,
    },
    /// Edit a section in $VISUAL, else $EDITOR, else vi; a conflict opens with every
    /// version between marker lines, for you to merge
    Edit {
        /// summary, impact, issue-reported, detection, root-causes, contributing-factors,
        /// mitigation, went-well, went-wrong, got-lucky, supporting-data
        #[arg(value_name = "SECTION")]
        section: String,
        #[command(flatten)]
        incident: IncidentFlag,
    },
    /// The timeline's entries with their ids (for star, hide, annotate), times in UTC
    Timeline {
        #[command(flatten)]
        incident: IncidentFlag,
        /// Every entry, not only those the document shows
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Star a timeline entry: the document shows it, marked ★
    Star(EntryArgs),
    /// Take the star off a timeline entry
    Unstar(EntryArgs),
    /// Leave a timeline entry out of the document (it stays in the log)
    Hide(EntryArgs),
    /// Put a hidden timeline entry back into the document (the same as `show ENTRY`)
    Unhide(EntryArgs),
    /// Annotate a timeline entry; empty TEXT removes the annotation
    Annotate {
        /// The entry's id (or a unique prefix or suffix), as `postmortem timeline` prints it
        #[arg(value_name = "ENTRY")]
        entry: String,
        #[arg(value_name = "TEXT", allow_hyphen_values = true)]
        text: String,
        #[command(flatten)]
        incident: IncidentFlag,
    },
    /// Corrective and preventive actions: add, done, set, list
    #[command(subcommand)]
    Action(PostmortemActionCommand),
    /// Tollgates: why each check that should have stopped the fault let it through
    #[command(subcommand)]
    Tollgate(TollgateCommand),
    /// Set when the impact began, or when it was detected, mitigated or resolved
    /// [default: read off the log]
    Time(PostmortemTimeArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PostmortemFormat {
    /// The canonical document
    Markdown,
    /// One self-contained page, for a wiki or a ticket
    Html,
    /// The short email: issue, root cause, mitigation, prevention
    Email,
    /// The whole draft as data
    Json,
}

#[derive(Debug, Args)]
pub struct PostmortemShowArgs {
    /// Instead of printing the draft, put this hidden timeline entry back into the document
    #[arg(value_name = "ENTRY", conflicts_with_all = ["format", "out", "force"])]
    pub entry: Option<String>,
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: PostmortemFormat,
    /// Write the draft to this file instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace FILE if it exists
    #[arg(long, requires = "out")]
    pub force: bool,
    #[command(flatten)]
    pub incident: IncidentFlag,
}

#[derive(Debug, Args)]
pub struct EntryArgs {
    /// The entry's id (or a unique prefix or suffix), as `postmortem timeline` prints it
    #[arg(value_name = "ENTRY")]
    pub entry: String,
    #[command(flatten)]
    pub incident: IncidentFlag,
}

#[derive(Debug, Subcommand)]
pub enum PostmortemActionCommand {
    /// Add an action (corrective unless --preventive); prints its id
    Add {
        #[arg(value_name = "TEXT")]
        text: String,
        /// It stops this kind of incident, rather than fixing this one's cause
        #[arg(long)]
        preventive: bool,
        /// Who does it
        #[arg(long, value_name = "NAME")]
        owner: Option<String>,
        /// The ticket that tracks it
        #[arg(long, value_name = "REF")]
        ticket: Option<String>,
        #[command(flatten)]
        incident: IncidentFlag,
    },
    /// Mark an action done
    Done {
        /// The action's id (or a unique prefix or suffix), as `postmortem action list` prints it
        #[arg(value_name = "ID")]
        id: String,
    },
    /// Change an action's status, owner, ticket or text (an empty owner or ticket clears it)
    #[command(group(ArgGroup::new("change").args(["status", "owner", "ticket", "text"]).required(true).multiple(true)))]
    Set {
        /// The action's id (or a unique prefix or suffix), as `postmortem action list` prints it
        #[arg(value_name = "ID")]
        id: String,
        /// open, in-progress, done or wont-do
        #[arg(long, value_name = "STATUS")]
        status: Option<String>,
        #[arg(long, value_name = "NAME")]
        owner: Option<String>,
        #[arg(long, value_name = "REF")]
        ticket: Option<String>,
        #[arg(long, value_name = "TEXT")]
        text: Option<String>,
    },
    /// The incident's actions with their ids, owners, tickets and statuses
    List {
        #[command(flatten)]
        incident: IncidentFlag,
        #[command(flatten)]
        json: JsonFlag,
    },
}

#[derive(Debug, Subcommand)]
pub enum TollgateCommand {
    /// Say why a tollgate let the fault through (replaces what its row says now)
    Add {
        /// The gate: "unit tests", "integration / uat", "post-release checkouts" or any other
        #[arg(value_name = "GATE")]
        gate: String,
        /// Why it missed the fault
        #[arg(long, value_name = "TEXT")]
        why: String,
        /// The follow-up ticket
        #[arg(long, value_name = "REF")]
        ticket: Option<String>,
        #[command(flatten)]
        incident: IncidentFlag,
    },
    /// Every tollgate's row, the default gates included
    List {
        #[command(flatten)]
        incident: IncidentFlag,
        #[command(flatten)]
        json: JsonFlag,
    },
}

#[derive(Debug, Args)]
pub struct PostmortemTimeArgs {
    /// began, detected, mitigated or resolved
    #[arg(value_name = "MILESTONE")]
    pub milestone: String,
    /// When: 13:30, "10m ago", 2026-11-21T13:30:00Z … (as `note --at` takes it)
    #[arg(
        value_name = "TIME",
        required_unless_present = "clear",
        allow_hyphen_values = true
    )]
    pub time: Option<String>,
    /// Go back to the time read off the log
    #[arg(long, conflicts_with = "time")]
    pub clear: bool,
    #[command(flatten)]
    pub incident: IncidentFlag,
}

/// Shown under `sync --help`: scripts branch on these.
pub const SYNC_EXIT_CODES: &str = "\
Exit codes: 0 everything is pushed and pulled; 4 the hub is unreachable or failing (try \
again later: nothing is lost); 5 the hub refused the token; 6 the hub refused the events \
(someone must look); 1 any other error (no hub connected, the store failed); 2 a command \
line that cannot be read.";

#[derive(Debug, Subcommand)]
pub enum HubCommand {
    /// Keep the hub's URL and a token for this store; checks both when the hub answers
    Connect {
        /// The hub's base URL: http://HOST:PORT or https://HOST:PORT
        url: String,
        /// The token `firebreak-hub user add NAME` printed; `-` reads it from stdin
        #[arg(long, env = "FIREBREAK_HUB_TOKEN", hide_env_values = true)]
        token: String,
        /// Save without asking the hub (it is down, or you are offline)
        #[arg(long)]
        offline: bool,
    },
    /// Show the hub this store syncs with and how far sync has got
    Status {
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Forget the hub and its token (the events stay)
    Disconnect,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Keep syncing: at once after new events, every few seconds for others' events,
    /// backing off while the hub is unreachable; Ctrl-C stops
    #[arg(long, conflicts_with = "status")]
    pub watch: bool,
    /// Show how far sync has got, without syncing
    #[arg(long)]
    pub status: bool,
    #[command(flatten)]
    pub json: JsonFlag,
}

/// Shown under every probe command's help: scripts branch on these.
pub const PROBE_EXIT_CODES: &str = "\
Exit codes: 0 every probe ran and passed; 3 a probe failed or was skipped (a placeholder \
without a value); 1 an error, nothing usable ran (bad target, unknown incident or step, \
sensitive host not allowed); 2 a command line that cannot be read.";

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
        /// Set an incident variable right after the start (repeatable); see `incident var`
        #[arg(long = "var", value_name = "NAME=VALUE")]
        vars: Vec<String>,
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
    /// List, print, set or remove the incident's variables, which fill runbook
    /// placeholders (`{{ name }}`) before the profile and the runbook's defaults
    Var(VarArgs),
}

#[derive(Debug, Args)]
pub struct VarArgs {
    /// The variable [default: list every variable]
    pub name: Option<String>,
    /// Its new value [default: print the current one]
    pub value: Option<String>,
    /// Remove the variable
    #[arg(long, requires = "name", conflicts_with = "value")]
    pub unset: bool,
    #[command(flatten)]
    pub incident: IncidentFlag,
    #[command(flatten)]
    pub json: JsonFlag,
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
    /// Anything worth keeping
    Note,
    /// What you saw
    Observation,
    /// What might be wrong (end it with `conclude ID confirmed|ruled-out`)
    Hypothesis,
    /// What was decided, and by whom
    Decision,
    /// What someone is doing (end it with `conclude ID done|abandoned`)
    Action,
    /// What customers were told (a status-page message, the maintenance page)
    #[value(alias = "customer-update")]
    Update,
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
pub struct ConcludeArgs {
    /// The hypothesis or action (its id, or a unique prefix or suffix of it)
    #[arg(value_name = "EVENT_ID")]
    pub event: String,
    /// confirmed or ruled-out (a hypothesis); done or abandoned (an action)
    #[arg(value_name = "OUTCOME", value_parser = outcome_arg)]
    pub outcome: Outcome,
    /// What settled it
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    #[command(flatten)]
    pub json: JsonFlag,
}

fn outcome_arg(text: &str) -> Result<Outcome, String> {
    text.parse::<Outcome>().map_err(|_| {
        "expected confirmed or ruled-out (for a hypothesis), done or abandoned (for an action)"
            .to_string()
    })
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

#[derive(Debug, Subcommand)]
pub enum ProbeCommand {
    /// Probe targets you type: http(s)://…, tcp://host:port, tls://host:port,
    /// dns://[server:port]/name?type=A; results go into the open incident's log
    #[command(after_help = PROBE_EXIT_CODES)]
    Check(CheckArgs),
    /// Run the probes of a runbook step (or of every step), placeholders filled from the
    /// incident's variables, then the profile, then the runbook's defaults
    #[command(after_help = PROBE_EXIT_CODES)]
    Run(RunArgs),
    /// Re-run a probe every few seconds, print every run, and log only its changes of
    /// state (passing ↔ failing); Ctrl-C stops it. Exit 0 when every watched probe ends
    /// passing.
    #[command(after_help = PROBE_EXIT_CODES)]
    Watch(WatchArgs),
    /// Each probe's results in the incident: runs, passes, last state and reason
    History {
        #[command(flatten)]
        incident: IncidentFlag,
        #[command(flatten)]
        json: JsonFlag,
    },
}

/// How many probes run at once unless `--concurrency` says otherwise: the engine's.
pub const DEFAULT_PROBE_CONCURRENCY: usize = firebreak_probe::DEFAULT_CONCURRENCY;

fn concurrency_parser() -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::<usize>::new().range(1..=1024)
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// What to probe (several at once are fine)
    #[arg(required = true, value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Also trust this CA certificate (PEM) for http(s) and tls targets
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// Give up on each probe after this long: 300ms, 5s, 1m [default: 10s]
    #[arg(long, value_name = "DUR", value_parser = timeout_arg)]
    pub timeout: Option<Duration>,
    /// How many probes run at once
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PROBE_CONCURRENCY, value_parser = concurrency_parser())]
    pub concurrency: usize,
    /// Record in this incident [default: the most recent open one, if there is one]
    #[arg(long, value_name = "ID", conflicts_with = "no_record")]
    pub incident: Option<String>,
    /// Do not record the results anywhere
    #[arg(long)]
    pub no_record: bool,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub incident: IncidentFlag,
    /// Only the probes of this step and its sub-steps: `3`, or `RUNBOOK:3` when several
    /// runbooks run
    #[arg(long, value_name = "REF", conflicts_with = "all")]
    pub step: Option<String>,
    /// Every probe of every runbook the incident runs (the default)
    #[arg(long)]
    pub all: bool,
    /// Fill placeholders from profiles/NAME.toml beside the store [default: the
    /// incident's `profile` variable]
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Print what would run, with every placeholder's value and source; run nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Let the runbook's probes reach loopback, link-local or cloud-metadata hosts
    /// (remembered per runbook and host)
    #[arg(long)]
    pub allow_sensitive: bool,
    /// How many probes run at once
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PROBE_CONCURRENCY, value_parser = concurrency_parser())]
    pub concurrency: usize,
    #[command(flatten)]
    pub json: JsonFlag,
}

/// The shortest `--every` a watch takes: a watch is for a person, not a load test.
pub const MIN_WATCH_EVERY: Duration = Duration::from_secs(1);

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("what").args(["target", "step"]).required(true)))]
pub struct WatchArgs {
    /// What to watch, as for `probe check`
    #[arg(value_name = "TARGET")]
    pub target: Option<String>,
    /// Watch every probe of this runbook step instead
    #[arg(long, value_name = "REF")]
    pub step: Option<String>,
    /// Time from the start of one run to the start of the next (at least 1s)
    #[arg(long, value_name = "DUR", default_value = "10s", value_parser = every_arg)]
    pub every: Duration,
    /// Stop after this many runs [default: until Ctrl-C]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,
    /// The incident to record changes in [default: the most recent open one; with
    /// TARGET, nothing is recorded when there is none]
    #[arg(long, value_name = "ID")]
    pub incident: Option<String>,
    /// Fill placeholders from profiles/NAME.toml (with --step)
    #[arg(long, value_name = "NAME", requires = "step")]
    pub profile: Option<String>,
    /// Let the step's probes reach loopback, link-local or cloud-metadata hosts
    /// (with --step; remembered per runbook and host)
    #[arg(long, requires = "step")]
    pub allow_sensitive: bool,
    /// Give up on each run after this long (with TARGET) [default: 10s]
    #[arg(long, value_name = "DUR", value_parser = timeout_arg, conflicts_with = "step")]
    pub timeout: Option<Duration>,
    /// Also trust this CA certificate (PEM) (with an http(s) or tls TARGET)
    #[arg(long, value_name = "FILE", conflicts_with = "step")]
    pub ca: Option<PathBuf>,
    /// Do not record the changes anywhere (with TARGET)
    #[arg(long, conflicts_with_all = ["step", "incident"])]
    pub no_record: bool,
    /// One JSON object per run, one per line
    #[arg(long)]
    pub json: bool,
}

fn duration_arg(text: &str) -> Result<Duration, String> {
    parse_duration(text)
        .ok_or_else(|| "expected a whole number and a unit: 300ms, 5s, 1m, 1h".to_string())
}

fn timeout_arg(text: &str) -> Result<Duration, String> {
    let d = duration_arg(text)?;
    if d.is_zero() {
        return Err("a timeout must be longer than 0ms".to_string());
    }
    Ok(d)
}

fn every_arg(text: &str) -> Result<Duration, String> {
    let d = duration_arg(text)?;
    if d < MIN_WATCH_EVERY {
        return Err(format!(
            "the minimum is {}: a watch checks on a service, it must not load it",
            format_duration(MIN_WATCH_EVERY)
        ));
    }
    Ok(d)
}
