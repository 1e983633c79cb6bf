//! The SSO login modal: the page to open, the user code spaced out in bold so it can be
//! read across a room, the countdown to its expiry, and the keys. Never a token: the modal
//! only ever holds what the user must see.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::overlay::hint;
use super::{Theme, centered, text};

/// The modal's width, where the terminal is that wide.
const WIDTH: u16 = 72;
use crate::app::keymap::KeyMode;
use crate::app::{Mode, State};

/// `4:05` until `expires`, or `expired`.
fn countdown(state: &State, expires: time::OffsetDateTime) -> String {
    let left = (expires - state.now).whole_seconds();
    if left <= 0 { "expired".into() } else { format!("{}:{:02}", left / 60, left % 60) }
}

pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Mode::Login(modal) = &state.mode else { return };
    let dim = theme.fg(Color::DarkGray);
    let mut lines = Vec::new();
    match &modal.prompt {
        None => lines.push(Line::from(Span::styled("asking IAM Identity Center for a code…", dim))),
        Some(prompt) => {
            let code: String = prompt.user_code.chars().map(|c| format!("{c} ")).collect();
            lines.push(Line::from(vec![Span::raw("open   "), Span::raw(prompt.verification_uri.clone())]));
            lines.push(Line::from(""));
            lines.push(Line::from(vec![
                Span::raw("code   "),
                Span::styled(
                    code.trim_end().to_string(),
                    Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED),
                ),
            ]));
            lines.push(Line::from(""));
            lines.push(Line::from(vec![
                Span::raw("expires in "),
                Span::styled(countdown(state, prompt.expires_at), theme.fg(Color::Yellow)),
                Span::styled(" · waiting for your approval", dim),
            ]));
            let direct = format!("or open {}", prompt.verification_uri_complete);
            lines.push(Line::from(Span::styled(direct, dim)));
        }
    }
    if let Some(note) = &modal.note {
        lines.push(Line::from(Span::styled(note.clone(), theme.fg(Color::Red))));
    }
    if !modal.queue.is_empty() {
        let next: Vec<&str> = modal.queue.iter().map(|(_, label)| label.as_str()).collect();
        lines.push(Line::from(Span::styled(format!("then {}", next.join(", ")), dim)));
    }
    lines.push(Line::from(Span::styled(hint(KeyMode::Login), dim)));
    // Wrapped first, so the box is as tall as its lines (a long URL takes two).
    let width = WIDTH.min(area.width);
    let lines = text::wrap_all(&lines, usize::from(width.saturating_sub(2)));
    let rect = centered(area, width, u16::try_from(lines.len() + 2).unwrap_or(u16::MAX));
    frame.render_widget(Clear, rect);
    let block = Block::default().borders(Borders::ALL).title(format!(" log in to {} ", modal.label));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
