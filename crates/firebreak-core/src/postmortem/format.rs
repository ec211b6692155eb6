//! Times and durations as the post-mortem writes them. Always UTC: a post-mortem is
//! read in many time zones, and its times must match the hub's and the graphs'.

use crate::render::human_duration;
use chrono::{DateTime, Duration, Utc};

/// `on 2026-11-21 at 14:02 UTC`.
pub fn utc_minute(at: DateTime<Utc>) -> String {
    at.format("on %Y-%m-%d at %H:%M UTC").to_string()
}

/// `2026-11-21 14:02 UTC`.
pub fn utc_stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

pub fn human_secs(secs: i64) -> String {
    human_duration(Duration::seconds(secs))
}

/// Text fit for one table cell: one line, pipes escaped.
pub fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}
