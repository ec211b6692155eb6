//! Tauri's build step, with the config at the repository root and one generated
//! permission per app command (`allow-<command>`), so that the capability file lists
//! exactly the commands the window may call.

fn main() {
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(firebreak_commands::COMMAND_NAMES));
    if let Err(error) = tauri_build::try_build(attributes) {
        // A build script reports failure by panicking; say why first.
        panic!("tauri build step failed: {error:#}");
    }
}
