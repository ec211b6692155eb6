//! Start-up reporting. The UI emits `app-ready` once its first screen is interactive;
//! the shell prints `FIREBREAK_READY <ms>` (milliseconds since `main` began) on stdout,
//! which the start-up benchmark and the end-to-end tests wait for.

use std::io::Write;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;
use tauri::{AppHandle, Listener};

static LAUNCH: OnceLock<Instant> = OnceLock::new();
static REPORTED: AtomicBool = AtomicBool::new(false);

pub fn mark_launch() {
    let _ = LAUNCH.set(Instant::now());
}

pub fn report_ready(app: &AppHandle) {
    app.listen_any("app-ready", |_| {
        if REPORTED.swap(true, Ordering::SeqCst) {
            return;
        }
        let ms = LAUNCH.get().map_or(0, |t| t.elapsed().as_millis());
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "FIREBREAK_READY {ms}");
        let _ = out.flush();
    });
}
