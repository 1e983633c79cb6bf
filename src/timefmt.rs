//! Time left until an expiry, the one way awsw writes it: compact in the picker's narrow
//! cells (`42m`, `3h05m`, `2d4h`), hours and minutes in command output (`0h59m`). Pure.

use time::OffsetDateTime;

/// How much room the text has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// `42m`, `3h05m`, `2d4h`, `30s`: the picker's columns.
    Compact,
    /// `0h59m`, `27h05m`: the `shell` banner, `whoami` and `doctor`.
    HoursMinutes,
}

/// The time from `now` until `until` (nothing left reads as zero).
pub(crate) fn time_left(now: OffsetDateTime, until: OffsetDateTime, style: Style) -> String {
    let secs = (until - now).whole_seconds().max(0);
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    match style {
        Style::HoursMinutes => format!("{}h{m:02}m", secs / 3600),
        Style::Compact if d > 0 => format!("{d}d{h}h"),
        Style::Compact if h > 0 => format!("{h}h{m:02}m"),
        Style::Compact if secs >= 60 => format!("{m}m"),
        Style::Compact => format!("{secs}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn both_styles() {
        let now = datetime!(2026-11-23 09:00:00 UTC);
        let at = |secs: i64| now + time::Duration::seconds(secs);
        assert_eq!(time_left(now, at(59 * 60 + 30), Style::HoursMinutes), "0h59m");
        assert_eq!(time_left(now, at(27 * 3600 + 300), Style::HoursMinutes), "27h05m");
        assert_eq!(time_left(now, at(-90), Style::HoursMinutes), "0h00m");
        assert_eq!(time_left(now, at(42 * 60), Style::Compact), "42m");
        assert_eq!(time_left(now, at(3 * 3600 + 300), Style::Compact), "3h05m");
        assert_eq!(time_left(now, at(52 * 3600), Style::Compact), "2d4h");
        assert_eq!(time_left(now, at(30), Style::Compact), "30s");
    }
}
