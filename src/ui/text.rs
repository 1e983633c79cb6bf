//! Text that must fit: word wrapping of styled lines, cutting with `…` by display width
//! (double-width names count as two columns), and the picker's time wording.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use time::OffsetDateTime;
use unicode_width::UnicodeWidthChar;

fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// Display width of `text` in terminal columns.
pub(crate) fn width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

/// `text` cut to at most `max` columns, ending in `…` when anything was cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = char_width(c);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    if max > 0 {
        out.push('…');
    }
    out
}

/// One word or run of spaces with the style of the span it came from.
struct Piece {
    text: String,
    style: Style,
    space: bool,
}

fn pieces(spans: &[Span]) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    for span in spans {
        for c in span.content.chars() {
            let space = c == ' ';
            match out.last_mut() {
                Some(last) if last.space == space && last.style == span.style => last.text.push(c),
                _ => out.push(Piece { text: c.to_string(), style: span.style, space }),
            }
        }
    }
    out
}

/// Fills lines word by word; `cut` once a word found no line left.
struct Wrapper {
    width: usize,
    max_lines: usize,
    lines: Vec<Vec<Span<'static>>>,
    used: usize,
    cut: bool,
}

impl Wrapper {
    fn append(&mut self, text: String, style: Style) {
        self.used += width(&text);
        let line = self.lines.last_mut().expect("a line");
        match line.last_mut() {
            Some(last) if last.style == style => last.content.to_mut().push_str(&text),
            _ => line.push(Span::styled(text, style)),
        }
    }

    /// Starts a new line, dropping the full one's trailing spaces; false when none is left.
    fn newline(&mut self) -> bool {
        if self.lines.len() >= self.max_lines {
            self.cut = true;
            return false;
        }
        if let Some(last) = self.lines.last_mut().and_then(|l| l.last_mut()) {
            let trimmed = last.content.trim_end().to_string();
            last.content = trimmed.into();
        }
        self.lines.push(Vec::new());
        self.used = 0;
        true
    }

    fn space(&mut self, text: String, style: Style) {
        // Spaces that open the text are kept; those that would open a wrapped line are not.
        if (self.used > 0 || self.lines.len() == 1) && self.used + width(&text) < self.width {
            self.append(text, style);
        }
    }

    fn word(&mut self, text: String, style: Style) {
        let w = width(&text);
        if self.used > 0 && self.used + w > self.width && !self.newline() {
            return;
        }
        if self.used + w <= self.width {
            return self.append(text, style);
        }
        // Wider than a whole line (an ARN in a narrow pane): broken where the line ends.
        for c in text.chars() {
            if self.used + char_width(c) > self.width && !self.newline() {
                return;
            }
            self.append(c.to_string(), style);
        }
    }

    /// The lines, the last ending in `…` after the last whole word that fits, if cut.
    fn finish(mut self) -> Vec<Line<'static>> {
        if self.cut
            && let Some(line) = self.lines.last_mut()
        {
            let mut chars: Vec<(char, Style)> =
                line.iter().flat_map(|span| span.content.chars().map(move |c| (c, span.style))).collect();
            let mut used: usize = chars.iter().map(|(c, _)| char_width(*c)).sum();
            let mut in_word = false;
            while used + 1 > self.width {
                let Some((c, _)) = chars.pop() else { break };
                used -= char_width(c);
                in_word = c != ' ';
            }
            // Back to a word boundary when one is on this line.
            if in_word && chars.iter().any(|(c, _)| *c == ' ') {
                while chars.last().is_some_and(|(c, _)| *c != ' ') {
                    chars.pop();
                }
            }
            while chars.last().is_some_and(|(c, _)| *c == ' ') && chars.len() > 1 {
                chars.pop();
            }
            let style = chars.last().map(|(_, style)| *style).unwrap_or_default();
            chars.push(('…', style));
            line.clear();
            for (c, style) in chars {
                match line.last_mut() {
                    Some(last) if last.style == style => last.content.to_mut().push(c),
                    _ => line.push(Span::styled(c.to_string(), style)),
                }
            }
        }
        self.lines.into_iter().map(Line::from).collect()
    }
}

/// Wraps `spans` at spaces into lines of at most `width` columns, at most `max_lines` of
/// them; when the text needs more, the last line ends with `…`. A word longer than a line
/// is broken where the line ends.
pub(crate) fn wrap(spans: &[Span<'static>], width: usize, max_lines: usize) -> Vec<Line<'static>> {
    let mut wrapper = Wrapper {
        width: width.max(1),
        max_lines: max_lines.max(1),
        lines: vec![Vec::new()],
        used: 0,
        cut: false,
    };
    for piece in pieces(spans) {
        if wrapper.cut {
            break;
        }
        if piece.space {
            wrapper.space(piece.text, piece.style);
        } else {
            wrapper.word(piece.text, piece.style);
        }
    }
    wrapper.finish()
}

/// Lines `lines` takes when wrapped at `width` (for sizing a pane to its content).
pub(crate) fn wrap_all(lines: &[Line<'static>], width: usize) -> Vec<Line<'static>> {
    lines.iter().flat_map(|line| wrap(&line.spans, width, usize::MAX)).collect()
}

/// From this many days on, a session's end is shown as a date, not a countdown.
const DATE_FROM_DAYS: i64 = 100;

/// Whether a session ending at `until` is shown by its date rather than a countdown.
pub(crate) fn shows_date(now: OffsetDateTime, until: OffsetDateTime) -> bool {
    (until - now).whole_days() >= DATE_FROM_DAYS
}

/// Time left until `until`, short, for the list: `42m`, `3h05m`, `2d4h`, or from 100 days
/// on the date, `2030-01-01` (a credential_process may hand out sessions for years).
pub(crate) fn remaining(now: OffsetDateTime, until: OffsetDateTime) -> String {
    if shows_date(now, until) {
        date(until)
    } else {
        crate::timefmt::time_left(now, until, crate::timefmt::Style::Compact)
    }
}

fn date(t: OffsetDateTime) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

fn clock(t: OffsetDateTime) -> String {
    format!("{:02}:{:02} UTC", t.hour(), t.minute())
}

/// When a session ends, for a sentence: `09:37 UTC (in 37m)` today or tomorrow,
/// `2026-11-30 09:37 UTC (in 6d23h)` later, and from 100 days on the date alone.
pub(crate) fn expiry(now: OffsetDateTime, until: OffsetDateTime) -> String {
    if shows_date(now, until) {
        format!("{} {}", date(until), clock(until))
    } else if (until - now).whole_hours() < 24 {
        format!("{} (in {})", clock(until), remaining(now, until))
    } else {
        format!("{} {} (in {})", date(until), clock(until), remaining(now, until))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-23 09:00:00 UTC);

    #[test]
    fn long_lived_sessions_show_a_date_not_hundreds_of_thousands_of_hours() {
        let far = datetime!(2030-01-01 00:00:00 UTC);
        assert_eq!(remaining(NOW, far), "2030-01-01");
        assert_eq!(expiry(NOW, far), "2030-01-01 00:00 UTC");
        let soon = NOW + time::Duration::minutes(37);
        assert_eq!((remaining(NOW, soon), expiry(NOW, soon)), ("37m".into(), "09:37 UTC (in 37m)".into()));
        let days = NOW + time::Duration::hours(30);
        assert_eq!(expiry(NOW, days), "2026-11-24 15:00 UTC (in 1d6h)");
        assert_eq!(remaining(NOW, NOW - time::Duration::minutes(1)), "0s");
    }

    fn text(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect()).collect()
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_marks_a_cut_with_an_ellipsis() {
        let spans =
            vec![Span::raw("copied to the clipboard "), Span::raw("(the terminal must support OSC 52)")];
        assert_eq!(
            text(&wrap(&spans, 24, 3)),
            ["copied to the clipboard", "(the terminal must", "support OSC 52)"]
        );
        assert_eq!(text(&wrap(&spans, 24, 2)), ["copied to the clipboard", "(the terminal must…"]);
        assert_eq!(text(&wrap(&[Span::raw("abcdefghij")], 4, 1)), ["abc…"]);
        assert_eq!(
            text(&wrap(&[Span::raw("arn:aws:iam::1:role/x")], 8, 9)),
            ["arn:aws:", "iam::1:r", "ole/x"]
        );
    }

    #[test]
    fn cutting_counts_double_width_characters_as_two_columns() {
        assert_eq!(truncate("本番-readonly", 13), "本番-readonly");
        assert_eq!(truncate("本番-readonly", 6), "本番-…");
        assert_eq!(truncate("本番-readonly", 4), "本…");
        assert_eq!(width(&truncate("team-production-administrators", 20)), 20);
    }
}
