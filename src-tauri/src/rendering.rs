//! How WebKitGTK draws the window. Firebreak's UI is text, lists and forms: it gains
//! nothing from GPU-composited layers, and on machines that render GL in software
//! (virtual displays, remote desktops, many laptops without working GPU drivers) the
//! compositor cost it about 400 ms at start-up and 120 MiB of memory in our benchmark
//! (`bench/desktop.py`), and on some drivers it draws a blank window. So compositing is
//! off unless `FIREBREAK_GPU_COMPOSITING=1` asks for it.

/// Set by the user to keep WebKit's accelerated compositing.
pub const OPT_IN: &str = "FIREBREAK_GPU_COMPOSITING";

/// Read by WebKitGTK (and its web process, which inherits it) at start-up.
const WEBKIT_SWITCH: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

pub fn choose_compositing() {
    if !cfg!(target_os = "linux") || wants_gpu() || std::env::var_os(WEBKIT_SWITCH).is_some() {
        return;
    }
    set_env(WEBKIT_SWITCH, "1");
}

fn wants_gpu() -> bool {
    std::env::var(OPT_IN).is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

#[allow(unsafe_code)]
fn set_env(key: &str, value: &str) {
    // SAFETY: called first thing in `main`, before Tauri, GTK or anything else has
    // started a thread, so nothing can be reading the environment concurrently.
    unsafe {
        std::env::set_var(key, value);
    }
}
