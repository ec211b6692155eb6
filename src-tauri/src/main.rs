//! `firebreak-desktop`: the Tauri shell. It holds no logic of its own: every command is
//! generated from `firebreak_api::with_commands!` and forwards to `firebreak_api::Api`.
//!
//! Layout:
//! - `commands`: the generated `#[tauri::command]` functions.
//! - `live`: watches the store for writes by other processes (the CLI, the sync
//!   worker's pulls) and tells the UI (`store-changed`); also probe activity and the
//!   sync status (`sync-changed`).
//! - `rendering`: WebKit's compositing mode, chosen before any thread starts.
//! - `startup`: reports when the UI became interactive (for the start-up benchmark).

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod live;
mod rendering;
mod startup;

use firebreak_api::Api;
use std::sync::Mutex;
use tauri::Manager;

fn main() {
    startup::mark_launch();
    rendering::choose_compositing();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            // A store that cannot be opened (a newer Firebreak's, someone else's file)
            // still gets a window: every command answers with the reason, so the UI
            // shows it instead of the app vanishing with a line on stderr.
            let api = Api::open(None);
            if let Ok(api) = &api {
                live::watch(
                    app.handle().clone(),
                    api.store().path().to_path_buf(),
                    live::Counters {
                        probes: api.probe_activity(),
                        sync: api.sync_activity(),
                    },
                )?;
            }
            app.manage(Mutex::new(api));
            startup::report_ready(app.handle());
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(error) = result {
        eprintln!("firebreak-desktop: {error}");
        std::process::exit(1);
    }
}
