//! Durations as people read them on an incident: "47m", "2h 05m", "3d 4h".

use chrono::Duration;

pub fn human_duration(d: Duration) -> String {
    let secs = d.num_seconds().max(0);
    let (days, hours, mins) = (secs / 86_400, (secs % 86_400) / 3600, (secs % 3600) / 60);
    if days > 0 {
        format!("{days}d {hours}h")
    } else if hours > 0 {
        format!("{hours}h {mins:02}m")
    } else if mins > 0 {
        format!("{mins}m")
    } else {
        format!("{secs}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(human_duration(Duration::seconds(42)), "42s");
        assert_eq!(human_duration(Duration::minutes(47)), "47m");
        assert_eq!(human_duration(Duration::minutes(125)), "2h 05m");
        assert_eq!(human_duration(Duration::hours(76)), "3d 4h");
        assert_eq!(human_duration(Duration::seconds(-5)), "0s");
    }
}
