//! Times people type: `--at 13:30`, `--at "10m ago"`, `--at 2026-11-21T13:30:00Z`.
//!
//! Pure: the caller passes `now` and the local UTC offset, so the rules are tested
//! without a clock or a time zone database.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// How far in the future a typed time may be before it is refused: a little slack for
/// clocks and typing, no more. A finding cannot have happened tomorrow.
const FUTURE_SLACK: Duration = Duration::seconds(60);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeInputError {
    #[error(
        "cannot read time {0:?}: expected HH:MM, HH:MM:SS, YYYY-MM-DD HH:MM, an RFC 3339 time such as 2026-11-21T13:30:00Z, or a relative time such as \"10m ago\""
    )]
    Unreadable(String),
    #[error("time {input:?} is {ahead} in the future; a finding can only be backdated")]
    InFuture { input: String, ahead: String },
}

/// Reads a time a responder typed.
///
/// - `HH:MM[:SS]` is local time, on the most recent day when that time has passed
///   (so at 00:10, "23:50" is yesterday). A trailing `Z` or ` UTC` means UTC.
/// - `YYYY-MM-DD HH:MM[:SS]` (or with `T`) is local time on that day.
/// - RFC 3339 carries its own offset.
/// - `10m ago`, `-10m`, `1h30m ago`, `90s ago` count back from now.
pub fn parse_time(
    input: &str,
    now: DateTime<Utc>,
    local: FixedOffset,
) -> Result<DateTime<Utc>, TimeInputError> {
    let text = input.trim();
    let unreadable = || TimeInputError::Unreadable(input.to_string());
    if text.is_empty() {
        return Err(unreadable());
    }
    let parsed = parse_relative(text)
        .map(|ago| now - ago)
        .or_else(|| DateTime::parse_from_rfc3339(text).ok().map(|t| t.to_utc()))
        .or_else(|| parse_local_datetime(text, local))
        .or_else(|| parse_time_of_day(text, now, local))
        .ok_or_else(unreadable)?;
    if parsed > now + FUTURE_SLACK {
        return Err(TimeInputError::InFuture {
            input: input.to_string(),
            ahead: describe(parsed - now),
        });
    }
    Ok(parsed)
}

fn describe(d: Duration) -> String {
    let mins = d.num_minutes();
    if mins >= 120 {
        format!("{}h {}m", mins / 60, mins % 60)
    } else if mins >= 1 {
        format!("{mins}m")
    } else {
        format!("{}s", d.num_seconds())
    }
}

/// `10m ago`, `-10m`, `1h30m ago`, `45s ago`.
fn parse_relative(text: &str) -> Option<Duration> {
    let body = if let Some(rest) = text.strip_prefix('-') {
        rest.trim()
    } else {
        text.strip_suffix("ago")?.trim()
    };
    if body.is_empty() {
        return None;
    }
    let mut total = Duration::zero();
    let mut digits = String::new();
    for c in body.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if c == ' ' {
            continue;
        }
        let n: i64 = digits.parse().ok()?;
        digits.clear();
        total += match c {
            'h' => Duration::hours(n),
            'm' => Duration::minutes(n),
            's' => Duration::seconds(n),
            'd' => Duration::days(n),
            _ => return None,
        };
    }
    if !digits.is_empty() {
        return None;
    }
    Some(total)
}

fn parse_clock(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M"))
        .ok()
}

fn parse_local_datetime(text: &str, local: FixedOffset) -> Option<DateTime<Utc>> {
    let normalized = text.replacen('T', " ", 1);
    let (date, clock) = normalized.split_once(' ')?;
    let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    let clock = parse_clock(clock.trim())?;
    local
        .from_local_datetime(&NaiveDateTime::new(date, clock))
        .single()
        .map(|t| t.to_utc())
}

fn parse_time_of_day(text: &str, now: DateTime<Utc>, local: FixedOffset) -> Option<DateTime<Utc>> {
    let (clock_text, offset) = match text
        .strip_suffix('Z')
        .or_else(|| text.strip_suffix("UTC"))
        .or_else(|| text.strip_suffix("utc"))
    {
        Some(rest) => (rest.trim(), FixedOffset::east_opt(0)?),
        None => (text, local),
    };
    let clock = parse_clock(clock_text)?;
    let today = now.with_timezone(&offset).date_naive();
    let candidate = offset
        .from_local_datetime(&NaiveDateTime::new(today, clock))
        .single()?
        .to_utc();
    if candidate > now + FUTURE_SLACK {
        // "23:50" typed at 00:10 means last night.
        Some(candidate - Duration::days(1))
    } else {
        Some(candidate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-21T14:00:00Z")
            .expect("fixed")
            .to_utc()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("fixed").to_utc()
    }

    fn plus(hours: i32) -> FixedOffset {
        FixedOffset::east_opt(hours * 3600).expect("offset")
    }

    #[test]
    fn clock_time_is_local_and_today() {
        assert_eq!(
            parse_time("13:30", now(), plus(0)),
            Ok(utc("2026-11-21T13:30:00Z"))
        );
        // 13:30 in UTC+1 is 12:30Z.
        assert_eq!(
            parse_time("13:30", now(), plus(1)),
            Ok(utc("2026-11-21T12:30:00Z"))
        );
        assert_eq!(
            parse_time("13:30:15", now(), plus(0)),
            Ok(utc("2026-11-21T13:30:15Z"))
        );
    }

    #[test]
    fn clock_time_later_than_now_means_yesterday() {
        assert_eq!(
            parse_time("23:50", now(), plus(0)),
            Ok(utc("2026-11-20T23:50:00Z"))
        );
    }

    #[test]
    fn utc_suffix_overrides_local_offset() {
        assert_eq!(
            parse_time("13:30Z", now(), plus(5)),
            Ok(utc("2026-11-21T13:30:00Z"))
        );
        assert_eq!(
            parse_time("13:30 UTC", now(), plus(5)),
            Ok(utc("2026-11-21T13:30:00Z"))
        );
    }

    #[test]
    fn full_forms() {
        assert_eq!(
            parse_time("2026-11-21T09:00:00+02:00", now(), plus(0)),
            Ok(utc("2026-11-21T07:00:00Z"))
        );
        assert_eq!(
            parse_time("2026-11-20 22:15", now(), plus(-5)),
            Ok(utc("2026-11-21T03:15:00Z"))
        );
    }

    #[test]
    fn relative_forms() {
        assert_eq!(
            parse_time("10m ago", now(), plus(0)),
            Ok(utc("2026-11-21T13:50:00Z"))
        );
        assert_eq!(
            parse_time("-1h30m", now(), plus(0)),
            Ok(utc("2026-11-21T12:30:00Z"))
        );
        assert_eq!(
            parse_time("90s ago", now(), plus(0)),
            Ok(utc("2026-11-21T13:58:30Z"))
        );
    }

    #[test]
    fn future_times_are_refused() {
        let err = parse_time("2026-11-22T00:00:00Z", now(), plus(0)).expect_err("future");
        assert!(matches!(err, TimeInputError::InFuture { .. }));
        assert!(err.to_string().contains("in the future"), "{err}");
    }

    #[test]
    fn garbage_is_refused_with_the_accepted_forms() {
        for bad in [
            "",
            "yesterday",
            "25:00",
            "13:30:99",
            "10x ago",
            "ago",
            "2026-13-01 10:00",
        ] {
            let err = parse_time(bad, now(), plus(0)).expect_err(bad);
            assert!(err.to_string().contains("expected HH:MM"), "{bad:?}: {err}");
        }
    }
}
