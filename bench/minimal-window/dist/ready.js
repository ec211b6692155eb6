// Tell the shell the page is interactive and painted, the way Firebreak's UI does: on
// the frame after the page's DOM exists.
requestAnimationFrame(() => setTimeout(() => window.__TAURI__.event.emit("app-ready"), 0));
