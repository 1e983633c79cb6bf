//! The SSO login modal: the page to open, the user code in large type (and once more as
//! text, spaced out), the countdown to its expiry, the logins queued after it, and the keys.
//! Never a token: the modal only ever holds what the user must see.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use tui_big_text::{BigText, PixelSize};

use super::overlay::hint;
use super::{Theme, centered, text};
use crate::app::keymap::KeyMode;
use crate::app::{LoginModal, Mode, State};
use crate::sso::device::DevicePrompt;

/// The modal's width, where the terminal is that wide.
const WIDTH: u16 = 72;
/// Rows of the large code: an 8x8 font at a quarter of a cell per pixel.
const BIG_ROWS: u16 = 4;

/// `4:05` until `expires`, or `expired`.
fn countdown(state: &State, expires: time::OffsetDateTime) -> String {
    let left = (expires - state.now).whole_seconds();
    if left <= 0 { "expired".into() } else { format!("{}:{:02}", left / 60, left % 60) }
}

/// What goes under the large code: the code as text, the countdown, the direct link, notes
/// and the keys.
fn lower_lines(state: &State, modal: &LoginModal, theme: &Theme) -> Vec<Line<'static>> {
    let dim = theme.fg(Color::DarkGray);
    let mut lines = Vec::new();
    if let Some(prompt) = &modal.prompt {
        let code: String = prompt.user_code.chars().map(|c| format!("{c} ")).collect();
        let bold = Style::default().add_modifier(Modifier::BOLD);
        lines.push(Line::from(vec![Span::raw("code   "), Span::styled(code.trim_end().to_string(), bold)]));
        lines.push(Line::from(vec![
            Span::raw("expires in "),
            Span::styled(countdown(state, prompt.expires_at), theme.fg(Color::Yellow)),
            Span::styled(" · waiting for your approval", dim),
        ]));
        lines.push(Line::from(Span::styled(format!("or open {}", prompt.verification_uri_complete), dim)));
    }
    if let Some(note) = &modal.note {
        lines.push(Line::from(Span::styled(note.clone(), theme.fg(Color::Red))));
    }
    if !modal.queue.is_empty() {
        let next: Vec<&str> = modal.queue.iter().map(|(_, label)| label.as_str()).collect();
        lines.push(Line::from(Span::styled(format!("then {}", next.join(", ")), dim)));
    }
    lines.push(Line::from(Span::styled(hint(KeyMode::Login), dim)));
    lines
}

fn upper_line(prompt: Option<&DevicePrompt>, theme: &Theme) -> Line<'static> {
    match prompt {
        Some(prompt) => Line::from(vec![Span::raw("open   "), Span::raw(prompt.verification_uri.clone())]),
        None => Line::from(Span::styled("asking IAM Identity Center for a code…", theme.fg(Color::DarkGray))),
    }
}

pub(crate) fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Mode::Login(modal) = &state.mode else { return };
    let width = WIDTH.min(area.width);
    let inner = usize::from(width.saturating_sub(2));
    // Wrapped first, so the box is as tall as its lines (a long URL takes two).
    let upper = text::wrap_all(&[upper_line(modal.prompt.as_ref(), theme)], inner);
    let lower = text::wrap_all(&lower_lines(state, modal, theme), inner);
    let code = modal.prompt.as_ref().map(|p| p.user_code.clone());
    // The large code where there is room for it: four columns a character.
    let big = match &code {
        Some(code) if code.chars().count() * 4 <= inner && area.height >= 20 => BIG_ROWS + 1,
        _ => 0,
    };
    let height = upper.len() as u16 + big + lower.len() as u16 + 2;
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let block = Block::default().borders(Borders::ALL).title(format!(" log in to {} ", modal.label));
    let inside = block.inner(rect);
    frame.render_widget(block, rect);
    let [top, middle, bottom] = Layout::vertical([
        Constraint::Length(upper.len() as u16),
        Constraint::Length(big),
        Constraint::Min(0),
    ])
    .areas(inside);
    frame.render_widget(Paragraph::new(upper), top);
    if let (Some(code), true) = (code, big > 0) {
        let large = BigText::builder()
            .pixel_size(PixelSize::Quadrant)
            .style(Style::default().add_modifier(Modifier::BOLD))
            .alignment(Alignment::Center)
            .lines(vec![Line::from(code)])
            .build();
        frame.render_widget(large, Rect { y: middle.y + 1, height: BIG_ROWS, ..middle });
    }
    frame.render_widget(Paragraph::new(lower), bottom);
}
