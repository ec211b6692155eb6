//! A small W3C WebDriver client over plain HTTP (ureq + JSON): enough to drive the
//! real app through tauri-driver and WebKitWebDriver, with no browser-automation
//! framework in between.

use serde_json::{Value, json};
use std::time::{Duration, Instant};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Special keys, as WebDriver spells them.
pub const ENTER: &str = "\u{E007}";
pub const TAB: &str = "\u{E004}";

pub struct Session {
    base: String,
    id: String,
}

#[derive(Clone)]
pub struct Element {
    pub id: String,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(60)))
        .http_status_as_error(false)
        .build()
        .into()
}

fn call(method: &str, url: &str, body: Option<Value>) -> Result<Value, String> {
    let agent = agent();
    let response = match (method, body) {
        ("GET", _) => agent.get(url).call(),
        ("DELETE", _) => agent.delete(url).call(),
        (_, Some(body)) => agent.post(url).send_json(body),
        (_, None) => agent.post(url).send_json(json!({})),
    }
    .map_err(|e| format!("{method} {url}: {e}"))?;
    let status = response.status();
    let value: Value = response
        .into_body()
        .read_json()
        .map_err(|e| format!("{method} {url}: bad JSON: {e}"))?;
    if !status.is_success() {
        return Err(format!("{method} {url}: {status}: {}", value["value"]));
    }
    Ok(value["value"].clone())
}

impl Session {
    /// Starts the application through tauri-driver listening on `port`. tauri-driver
    /// listens before the WebKitWebDriver it starts does, so on a busy machine the first
    /// attempts can fail in transport; those are retried for a while.
    pub fn start(port: u16, application: &str) -> Result<Session, String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match Self::try_start(port, application) {
                Ok(session) => return Ok(session),
                Err(e) if e.contains(": io:") && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(250));
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn try_start(port: u16, application: &str) -> Result<Session, String> {
        let base = format!("http://127.0.0.1:{port}");
        let value = call(
            "POST",
            &format!("{base}/session"),
            Some(json!({
                "capabilities": {
                    "alwaysMatch": {
                        "browserName": "wry",
                        "tauri:options": { "application": application }
                    }
                }
            })),
        )?;
        let id = value["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session id in {value}"))?
            .to_string();
        Ok(Session { base, id })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{path}", self.base, self.id)
    }

    pub fn quit(self) -> Result<(), String> {
        call("DELETE", &self.url(""), None).map(|_| ())
    }

    pub fn find(&self, css: &str) -> Result<Element, String> {
        let value = call(
            "POST",
            &self.url("/element"),
            Some(json!({"using": "css selector", "value": css})),
        )?;
        element(&value)
    }

    pub fn find_all(&self, css: &str) -> Result<Vec<Element>, String> {
        let value = call(
            "POST",
            &self.url("/elements"),
            Some(json!({"using": "css selector", "value": css})),
        )?;
        value
            .as_array()
            .ok_or_else(|| format!("not a list: {value}"))?
            .iter()
            .map(element)
            .collect()
    }

    /// Waits until `css` matches at least one element.
    pub fn wait_for(&self, css: &str, timeout: Duration) -> Result<Element, String> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.find(css) {
                Ok(e) => return Ok(e),
                Err(err) if Instant::now() > deadline => {
                    return Err(format!(
                        "waited {timeout:?} for {css}: {err}\n--- the window shows ---\n{}",
                        self.page_text()
                    ));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    /// Waits until `probe` returns `Some`, polling every 50 ms.
    pub fn wait_until<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut probe: impl FnMut(&Session) -> Option<T>,
    ) -> Result<T, String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(v) = probe(self) {
                return Ok(v);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "waited {timeout:?} for {what}\n--- the window shows ---\n{}",
                    self.page_text()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the element matching `css` (found afresh on every poll, since the
    /// UI re-renders) has text containing `want`; returns that text. Reads the DOM's
    /// `innerText`: WebKit's visibility atom calls a heading that clips its overflow
    /// with an ellipsis hidden, though it is on screen (the screenshots show it).
    pub fn wait_text(&self, css: &str, want: &str, timeout: Duration) -> Result<String, String> {
        let script = format!(
            "const e = document.querySelector({}); return e ? e.innerText : null;",
            serde_json::Value::String(css.to_string())
        );
        self.wait_until(&format!("{css} to contain {want:?}"), timeout, |s| {
            s.execute(&script)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .filter(|t| t.contains(want))
        })
    }

    /// The visible text of the page (for failure messages).
    pub fn page_text(&self) -> String {
        self.execute("return document.body ? document.body.innerText : '';")
            .ok()
            .and_then(|v| v.as_str().map(|t| t.chars().take(3000).collect()))
            .unwrap_or_else(|| "(unavailable)".into())
    }

    pub fn click(&self, e: &Element) -> Result<(), String> {
        call("POST", &self.url(&format!("/element/{}/click", e.id)), None).map(|_| ())
    }

    pub fn type_into(&self, e: &Element, text: &str) -> Result<(), String> {
        call(
            "POST",
            &self.url(&format!("/element/{}/value", e.id)),
            Some(json!({ "text": text })),
        )
        .map(|_| ())
    }

    pub fn clear(&self, e: &Element) -> Result<(), String> {
        call("POST", &self.url(&format!("/element/{}/clear", e.id)), None).map(|_| ())
    }

    pub fn text(&self, e: &Element) -> Result<String, String> {
        let v = call("GET", &self.url(&format!("/element/{}/text", e.id)), None)?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    pub fn attribute(&self, e: &Element, name: &str) -> Result<Option<String>, String> {
        let v = call(
            "GET",
            &self.url(&format!("/element/{}/attribute/{name}", e.id)),
            None,
        )?;
        Ok(v.as_str().map(str::to_string))
    }

    /// Presses keys on whatever has focus (the Actions API), e.g. `press("j")`.
    pub fn press(&self, keys: &str) -> Result<(), String> {
        let mut actions = Vec::new();
        for key in keys.chars() {
            actions.push(json!({"type": "keyDown", "value": key.to_string()}));
            actions.push(json!({"type": "keyUp", "value": key.to_string()}));
        }
        self.key_actions(actions)
    }

    /// Presses a chord such as Control+J.
    pub fn chord(&self, modifier: &str, key: &str) -> Result<(), String> {
        self.key_actions(vec![
            json!({"type": "keyDown", "value": modifier}),
            json!({"type": "keyDown", "value": key}),
            json!({"type": "keyUp", "value": key}),
            json!({"type": "keyUp", "value": modifier}),
        ])
    }

    fn key_actions(&self, actions: Vec<Value>) -> Result<(), String> {
        call(
            "POST",
            &self.url("/actions"),
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        )?;
        call("DELETE", &self.url("/actions"), None).map(|_| ())
    }

    pub fn execute(&self, script: &str) -> Result<Value, String> {
        call(
            "POST",
            &self.url("/execute/sync"),
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Runs a script that calls its last argument when done.
    pub fn execute_async(&self, script: &str) -> Result<Value, String> {
        call(
            "POST",
            &self.url("/execute/async"),
            Some(json!({"script": script, "args": []})),
        )
    }

    /// The window as PNG bytes.
    pub fn screenshot(&self) -> Result<Vec<u8>, String> {
        use base64::Engine;
        let v = call("GET", &self.url("/screenshot"), None)?;
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .map_err(|e| format!("screenshot is not base64: {e}"))
    }
}

fn element(value: &Value) -> Result<Element, String> {
    value[ELEMENT_KEY]
        .as_str()
        .map(|id| Element { id: id.to_string() })
        .ok_or_else(|| format!("not an element: {value}"))
}
