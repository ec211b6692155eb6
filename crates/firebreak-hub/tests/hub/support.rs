//! A real hub process on 127.0.0.1 port 0 with a temporary data directory, tokens from
//! its own `user add`, and a real HTTP client (ureq). Nothing here talks to any
//! address but loopback.

#![allow(dead_code)]

use chrono::{DateTime, Duration, Utc};
use firebreak_core::event::{Event, EventBody, FindingKind};
use firebreak_core::ids::{DeviceId, EventId, IncidentId};
use firebreak_core::sync::{HubEvent, PullResponse, PushBatch, PushLimits, PushRequest, plan_push};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_firebreak-hub");

/// Runs `firebreak-hub --data DIR ARGS…` to completion.
pub fn hub_cmd(data: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("run firebreak-hub")
}

/// `user add NAME`: the token is the last line printed.
pub fn add_user(data: &Path, name: &str) -> String {
    let out = hub_cmd(data, &["user", "add", name]);
    assert!(
        out.status.success(),
        "user add {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .expect("a token line")
        .trim()
        .to_string()
}

/// A running hub process. Dropping it kills it.
pub struct Hub {
    pub url: String,
    pub data: PathBuf,
    pub log: PathBuf,
    child: Child,
    _stdout: BufReader<ChildStdout>,
}

impl Hub {
    /// Starts `serve --listen 127.0.0.1:0 EXTRA…` on `data` and waits for its
    /// `listening on` line. Its log goes to `DATA.log`.
    pub fn start(data: &Path, extra: &[&str]) -> Hub {
        let log = data.with_extension("log");
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("hub log");
        let mut child = Command::new(BIN)
            .arg("--data")
            .arg(data)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .env("FIREBREAK_HUB_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .spawn()
            .expect("start the hub");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .expect("read the hub's first line");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "the hub did not start: {line:?}\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            })
            .to_string();
        assert!(
            url.starts_with("http://127.0.0.1:") || url.starts_with("https://127.0.0.1:"),
            "{url}"
        );
        Hub {
            url,
            data: data.to_path_buf(),
            log,
            child,
            _stdout: stdout,
        }
    }

    /// SIGKILL, no goodbye.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn client(&self, token: &str) -> Client {
        Client::new(&self.url, token)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An HTTP answer: status and body (JSON when it parses, else `Value::String`).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub retry_after: Option<String>,
    pub content_type: String,
}

impl Answer {
    /// The refusal's `error.code`.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or("")
    }

    pub fn text(&self) -> &str {
        self.body.as_str().unwrap_or("")
    }
}

/// A client with a bearer token.
#[derive(Debug, Clone)]
pub struct Client {
    pub base: String,
    pub token: String,
    agent: ureq::Agent,
}

pub fn agent_config() -> ureq::config::ConfigBuilder<ureq::typestate::AgentScope> {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(30)))
}

impl Client {
    pub fn new(base: &str, token: &str) -> Client {
        Client::with_agent(
            base,
            token,
            ureq::Agent::new_with_config(agent_config().build()),
        )
    }

    pub fn with_agent(base: &str, token: &str, agent: ureq::Agent) -> Client {
        Client {
            base: base.to_string(),
            token: token.to_string(),
            agent,
        }
    }

    fn answer(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
        Self::try_answer(result).expect("the hub answers")
    }

    fn try_answer(
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Answer, ureq::Error> {
        let mut response = result?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let retry_after = header("retry-after");
        let content_type = header("content-type").unwrap_or_default();
        let text = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()?;
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok(Answer {
            status,
            body,
            retry_after,
            content_type,
        })
    }

    /// POSTs raw bytes to `path` with extra headers.
    pub fn post_raw(&self, path: &str, body: &[u8], headers: &[(&str, &str)]) -> Answer {
        Self::answer(self.send_post(path, body, headers))
    }

    /// As `post_raw`, `None` when the connection fails (the hub was killed).
    pub fn try_post_raw(&self, path: &str, body: &[u8]) -> Option<Answer> {
        Self::try_answer(self.send_post(path, body, &[])).ok()
    }

    fn send_post(
        &self,
        path: &str,
        body: &[u8],
        headers: &[(&str, &str)],
    ) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
        let mut request = self
            .agent
            .post(format!("{}{path}", self.base))
            .content_type("application/json");
        if !self.token.is_empty() {
            request = request.header("Authorization", &format!("Bearer {}", self.token));
        }
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        request.send(body)
    }

    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        if !self.token.is_empty() {
            request = request.header("Authorization", &format!("Bearer {}", self.token));
        }
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        Self::answer(request.call())
    }

    pub fn get(&self, path: &str) -> Answer {
        self.get_with(path, &[])
    }

    pub fn push(&self, request: &PushRequest) -> Answer {
        let body = serde_json::to_vec(request).expect("serialize");
        self.post_raw("/v1/events", &body, &[])
    }

    /// Pushes and insists on 200; returns the answer's body.
    pub fn push_ok(&self, request: &PushRequest) -> Value {
        let answer = self.push(request);
        assert_eq!(answer.status, 200, "push refused: {:?}", answer.body);
        answer.body
    }

    /// Every event on the hub, page by page.
    pub fn pull_all(&self) -> Vec<HubEvent> {
        let mut after = 0;
        let mut all = Vec::new();
        loop {
            let answer = self.get(&format!("/v1/events?after={after}&limit=1000"));
            assert_eq!(answer.status, 200, "pull refused: {:?}", answer.body);
            let page: PullResponse = serde_json::from_value(answer.body).expect("a pull page");
            all.extend(page.events);
            after = page.cursor;
            if !page.more {
                return all;
            }
        }
    }

    /// What the hub holds, as comparable values: every event as served, and each
    /// given device's status.
    pub fn snapshot(&self, devices: &[DeviceId]) -> (Vec<Value>, Vec<Value>) {
        let events = self
            .pull_all()
            .iter()
            .map(|e| serde_json::to_value(e).expect("json"))
            .collect();
        let statuses = devices
            .iter()
            .map(|d| {
                let answer = self.get(&format!("/v1/devices/{d}"));
                assert_eq!(answer.status, 200, "{:?}", answer.body);
                answer.body
            })
            .collect();
        (events, statuses)
    }
}

/// A responder's laptop: its own device id and log, with a clock that advances a
/// minute per event.
#[derive(Debug, Clone)]
pub struct Laptop {
    pub device: DeviceId,
    pub author: String,
    pub incident: IncidentId,
    pub clock: DateTime<Utc>,
    pub events: Vec<Event>,
}

impl Laptop {
    pub fn new(author: &str) -> Laptop {
        Laptop {
            device: DeviceId::new_v7(),
            author: author.to_string(),
            incident: IncidentId::new_v7(),
            clock: DateTime::parse_from_rfc3339("2026-11-21T13:00:00Z")
                .expect("time")
                .to_utc(),
            events: Vec::new(),
        }
    }

    pub fn record(&mut self, body: EventBody, private: bool) -> Event {
        self.clock += Duration::minutes(1);
        let event = Event {
            id: EventId::new_v7(),
            incident: self.incident,
            author: self.author.clone(),
            device: self.device,
            seq: self.events.len() as u64 + 1,
            recorded_at: self.clock,
            occurred_at: None,
            amends: None,
            private,
            body,
        };
        self.events.push(event.clone());
        event
    }

    pub fn start(&mut self, title: &str) -> Event {
        self.record(
            EventBody::IncidentStarted {
                title: title.into(),
                severity: None,
            },
            false,
        )
    }

    pub fn note(&mut self, text: &str) -> Event {
        self.record(note(text), false)
    }

    pub fn private_note(&mut self, text: &str) -> Event {
        self.record(note(text), true)
    }

    pub fn last_seq(&self) -> u64 {
        self.events.len() as u64
    }

    /// Everything above `acknowledged`, planned as the client will.
    pub fn plan(&self, acknowledged: u64, max_entries: usize) -> Vec<PushBatch<'_>> {
        plan_push(
            self.device,
            self.last_seq(),
            acknowledged,
            &self.events,
            PushLimits {
                max_entries,
                ..PushLimits::default()
            },
        )
        .expect("plan")
    }

    /// One request for everything above `acknowledged`.
    pub fn request(&self, acknowledged: u64) -> PushRequest {
        let batches = self.plan(acknowledged, 1000);
        assert_eq!(batches.len(), 1);
        batches[0].request(self.device, None)
    }

    /// A request with exactly these events (however wrong), no private numbers.
    pub fn raw_request(&self, events: Vec<Event>) -> PushRequest {
        PushRequest {
            device: self.device,
            events,
            private_seqs: vec![],
            clock: None,
        }
    }
}

pub fn note(text: &str) -> EventBody {
    EventBody::Finding {
        finding: FindingKind::Note,
        text: text.into(),
    }
}
