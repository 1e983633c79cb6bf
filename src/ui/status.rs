//! The status line (what just happened, or the search being typed) and the footer of keys.
//! A long status message wraps at spaces onto up to three lines instead of being cut.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Theme, text};
use crate::app::{Mode, State};

/// Lines a status message may take before the rest is cut with `…`.
fn max_lines(height: u16) -> usize {
    if height >= 20 { 3 } else { 2 }
}

fn spans(state: &State, theme: &Theme) -> Vec<Span<'static>> {
    if matches!(state.mode, Mode::Search) {
        vec![
            Span::styled("/", theme.fg(Color::Yellow)),
            Span::raw(state.filter.query().to_string()),
            Span::raw("█"),
        ]
    } else if let Some((text, error)) = &state.status {
        vec![Span::styled(text.clone(), if *error { theme.fg(Color::Red) } else { theme.fg(Color::Green) })]
    } else if !state.filter.query().is_empty() {
        vec![Span::styled("filter: ", theme.fg(Color::DarkGray)), Span::raw(state.filter.query().to_string())]
    } else {
        Vec::new()
    }
}

/// The status's lines at this width: at least one (an empty line keeps the layout still).
pub fn lines(state: &State, theme: &Theme, width: u16, height: u16) -> Vec<Line<'static>> {
    text::wrap(&spans(state, theme), usize::from(width), max_lines(height))
}

pub fn render(lines: Vec<Line<'static>>, frame: &mut Frame, area: Rect) {
    frame.render_widget(Paragraph::new(lines), area);
}

pub fn render_footer(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let enter = if state.print_mode { "⏎ use here" } else { "⏎ shell" };
    let keys: &[&str] = if area.width >= 80 {
        &[enter, "/ search", "c copy", "e .envrc", "r refresh", "s sort", "? help", "q quit"]
    } else {
        &[enter, "/ find", "? help", "q quit"]
    };
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(keys.join("  "), theme.fg(Color::DarkGray)))),
        area,
    );
}
