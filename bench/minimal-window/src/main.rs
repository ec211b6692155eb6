//! The smallest Tauri window: one static page that tells the shell when it is
//! interactive, exactly as firebreak-desktop does (`FIREBREAK_READY <ms>` on stdout), so
//! the benchmark compares like with like.

use std::io::Write;
use std::time::Instant;
use tauri::Listener;

fn main() {
    let launched = Instant::now();
    let result = tauri::Builder::default()
        .setup(move |app| {
            app.listen_any("app-ready", move |_| {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "FIREBREAK_READY {}", launched.elapsed().as_millis());
                let _ = out.flush();
            });
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(error) = result {
        eprintln!("minimal-window: {error}");
        std::process::exit(1);
    }
}
