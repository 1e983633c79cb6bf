//! The status line (what just happened, or the search being typed) and the footer of keys.
//! A long status message wraps at spaces onto up to three lines (two below 20 rows) before
//! the rest is cut with `…`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Theme, text};
use crate::app::keymap::{self, Action, KeyMode};
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
pub(crate) fn lines(state: &State, theme: &Theme, width: u16, height: u16) -> Vec<Line<'static>> {
    text::wrap(&spans(state, theme), usize::from(width), max_lines(height))
}

pub(crate) fn render(lines: Vec<Line<'static>>, frame: &mut Frame, area: Rect) {
    frame.render_widget(Paragraph::new(lines), area);
}

/// Footer keys kept first when not all fit.
const FIRST: [Action; 3] = [Action::Choose, Action::ShowHelp, Action::Quit];

/// The footer: the current mode's main keys from the key table; on a narrow terminal, as
/// many as fit, `FIRST` before the others, in table order.
pub(crate) fn render_footer(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let mode = if matches!(state.mode, Mode::Search) { KeyMode::Search } else { KeyMode::List };
    let items: Vec<(Action, String)> = keymap::footer(mode)
        .into_iter()
        .map(|(action, key, word)| {
            let word = if action == Action::Choose && state.print_mode { "use here" } else { word };
            (action, format!("{key} {word}"))
        })
        .collect();
    let mut room = usize::from(area.width) + 2;
    let mut keep = vec![false; items.len()];
    let first = (0..items.len()).filter(|&i| FIRST.contains(&items[i].0));
    for i in first.chain((0..items.len()).filter(|&i| !FIRST.contains(&items[i].0))) {
        let needs = text::width(&items[i].1) + 2;
        if needs <= room {
            room -= needs;
            keep[i] = true;
        }
    }
    let shown: Vec<&str> =
        items.iter().zip(keep).filter(|(_, k)| *k).map(|((_, text), _)| text.as_str()).collect();
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(shown.join("  "), theme.fg(Color::DarkGray)))),
        area,
    );
}
