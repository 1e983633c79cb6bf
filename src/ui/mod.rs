//! Drawing the picker: a pure function of the state (it never reads the clock or the
//! disk), so snapshot tests are stable. One file per panel; the panels' own wording is under
//! `ui/`, while the key help comes from `app::keymap` and the status line's messages from
//! `update` and the effect runner. `render` returns what it laid out, so paging and
//! scrolling use the sizes actually drawn.

mod details;
mod header;
mod list;
mod login;
mod overlay;
mod status;
pub(crate) mod text;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};

use crate::app::{Mode, State, Viewport};

pub(crate) use text::expiry;

/// From this width on, the details stand beside the list instead of under it.
const SIDE_BY_SIDE: u16 = 150;
/// Below this body height there is no room for details under the list.
const DETAILS_FROM_HEIGHT: u16 = 14;

/// Colours, or none at all under `NO_COLOR`.
pub(crate) struct Theme {
    no_color: bool,
}

impl Theme {
    fn fg(&self, color: Color) -> Style {
        if self.no_color { Style::default() } else { Style::default().fg(color) }
    }
    fn selected(&self) -> Style {
        if self.no_color {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default().bg(Color::DarkGray).add_modifier(Modifier::BOLD)
        }
    }
    fn matched(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
}

/// Draws the whole picker and returns what it laid out.
pub fn render(state: &State, frame: &mut Frame) -> Viewport {
    let theme = Theme { no_color: state.no_color };
    let area = frame.area();
    let header_lines = header::lines(state, &theme, area.width, area.height);
    let status_lines = status::lines(state, &theme, area.width, area.height);
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(header_lines.len() as u16),
        Constraint::Min(1),
        Constraint::Length(status_lines.len() as u16),
        Constraint::Length(1),
    ])
    .areas(area);
    header::render(header_lines, frame, header);
    let details = details::Details::new(state, &theme);
    let (list_area, detail_area) = split_body(state, body, &details);
    let list_rows = list::render(state, frame, list_area, &theme);
    let detail_overflow = detail_area.map_or(0, |d| details.render(state, frame, d));
    let detail_rows = detail_area.map_or(0, |d| usize::from(d.height.saturating_sub(1)));
    status::render(status_lines, frame, status);
    status::render_footer(state, frame, footer, &theme);
    match &state.mode {
        Mode::Mfa(_) => overlay::render_mfa(state, frame, area, &theme),
        Mode::Help => overlay::render_help(frame, area),
        Mode::Login(_) => login::render(state, frame, area, &theme),
        Mode::ConfirmEnvrc { profile, inline } => {
            overlay::render_confirm(state, frame, area, *profile, *inline)
        }
        _ => {}
    }
    Viewport { list_rows, detail_rows, detail_overflow }
}

/// The list and, where there is room, the details: beside it on wide terminals, else
/// under it, as tall as their content (wrapped) while the list keeps at least half the
/// body or all its rows.
fn split_body(state: &State, body: Rect, details: &details::Details) -> (Rect, Option<Rect>) {
    if body.width >= SIDE_BY_SIDE {
        let [l, d] = Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(body);
        return (l, Some(d));
    }
    if body.height < DETAILS_FROM_HEIGHT {
        return (body, None);
    }
    // The list's top border and column header, then its rows.
    let list_floor = (state.filter.visible().len() as u16 + 2).min((body.height / 2).max(5));
    let wanted = details.height(body.width);
    let height = wanted.min(body.height - list_floor);
    let [l, d] = Layout::vertical([Constraint::Min(list_floor), Constraint::Length(height)]).areas(body);
    (l, Some(d))
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}
