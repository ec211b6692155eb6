//! The command list: the one place a desktop command is declared. The Tauri shell
//! expands it into `#[tauri::command]` functions and the invoke handler, its build
//! script into one capability permission per command, and `firebreak-api` into the
//! TypeScript functions the UI calls. A command takes no argument or one struct (`args`
//! on the wire), and returns `Result<T, ApiError>`; the type names are resolved where
//! the macro is expanded (`firebreak_api::types`).
//!
//! This crate has no dependencies on purpose: build scripts compile their
//! dependencies again, and this one is read by `src-tauri/build.rs`.

/// Calls `$callback! { name(Args) -> Ret; … }` with every command.
#[macro_export]
macro_rules! with_commands {
    ($callback:ident) => {
        $callback! {
            app_info() -> AppInfo;
            set_author(SetAuthor) -> AppInfo;
            list_incidents() -> Vec<IncidentSummary>;
            incident_view(IncidentRef) -> IncidentView;
            start_incident(StartIncident) -> IncidentSummary;
            run_runbook(RunRunbook) -> IncidentSummary;
            set_status(SetStatus) -> IncidentSummary;
            set_severity(SetSeverity) -> IncidentSummary;
            assign_role(AssignRole) -> IncidentSummary;
            change_step(ChangeStep) -> StepChanged;
            add_note(AddNote) -> TimelineEntry;
            amend(Amend) -> TimelineEntry;
            retract(Retract) -> TimelineEntry;
            list_runbooks() -> Vec<RunbookSummary>;
            search_runbooks(Query) -> Vec<RunbookHit>;
            runbook_preview(RunbookRef) -> RunbookPreview;
            import_runbooks(ImportPaths) -> ImportReport;
            export_markdown(IncidentRef) -> String;
            export_incident(ExportIncident) -> String;
            run_probes(RunProbes) -> ProbesStarted;
            check_target(CheckTarget) -> ProbesStarted;
            start_watch(StartWatch) -> WatchView;
            stop_watch(WatchRef) -> Vec<WatchView>;
            set_variable(SetVariable) -> IncidentSummary;
            sync_status() -> SyncStatusView;
            connect_hub(ConnectHub) -> SyncStatusView;
            disconnect_hub() -> SyncStatusView;
            sync_now() -> SyncStatusView;
            conclude_finding(ConcludeFinding) -> TimelineEntry;
            draft_handoff(DraftHandoff) -> HandoffDraft;
            render_markdown(MarkdownText) -> String;
            send_handoff(SendHandoff) -> HandoffSent;
            export_handoff(ExportHandoff) -> HandoffExported;
            import_handoff(ImportHandoff) -> HandoffImported;
            handoff_inbox() -> Vec<HandoffView>;
            accept_handoff(AcceptHandoff) -> HandoffTaken;
            incident_handoffs(IncidentRef) -> Vec<HandoffView>;
            postmortem_view(IncidentRef) -> PostmortemView;
            postmortem_edit_section(EditPostmortemSection) -> PostmortemView;
            postmortem_mark(MarkEntry) -> PostmortemView;
            postmortem_annotate(AnnotateEntry) -> PostmortemView;
            postmortem_add_action(AddPostmortemAction) -> PostmortemView;
            postmortem_change_action(ChangePostmortemAction) -> PostmortemView;
            postmortem_record_tollgate(RecordTollgate) -> PostmortemView;
            postmortem_set_milestone(SetMilestone) -> PostmortemView;
            export_postmortem(ExportPostmortem) -> String;
        }
    };
}

macro_rules! command_names {
    ($($name:ident($($arg:ty)?) -> $ret:ty;)*) => {
        /// Every command's name, as the shell registers it and capabilities allow it.
        pub const COMMAND_NAMES: &[&str] = &[$(stringify!($name)),*];
    };
}

with_commands!(command_names);
