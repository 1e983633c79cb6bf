//! The overlays: the MFA code modal, the `.envrc` confirmation and the help.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::{Theme, centered, text};
use crate::app::keymap::{self, KeyMode};
use crate::app::{Mode, State};

pub(crate) fn render_mfa(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Mode::Mfa(modal) = &state.mode else { return };
    let rect = centered(area, 60, 8);
    frame.render_widget(Clear, rect);
    let name = &state.profile(modal.profile).name;
    let boxes: String =
        (0..6).map(|i| modal.code.chars().nth(i).map_or('_', |c| c)).map(|c| format!("{c} ")).collect();
    let mut lines = vec![
        Line::from(vec![
            Span::raw("device "),
            Span::styled(modal.serial.clone(), Style::default().add_modifier(Modifier::BOLD)),
        ]),
        Line::from(vec![
            Span::raw("code   "),
            Span::styled(boxes, Style::default().add_modifier(Modifier::BOLD)),
        ]),
    ];
    if modal.busy {
        lines.push(Line::from(Span::styled("checking with STS…", theme.fg(Color::DarkGray))));
    }
    if let Some(error) = &modal.error {
        lines.push(Line::from(Span::styled(error.clone(), theme.fg(Color::Red))));
    }
    lines.push(Line::from(Span::styled(hint(KeyMode::Mfa), theme.fg(Color::DarkGray))));
    let block = Block::default().borders(Borders::ALL).title(format!(" MFA code for {name} "));
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: true }), rect);
}

pub(crate) fn render_confirm(state: &State, frame: &mut Frame, area: Rect, profile: usize, inline: bool) {
    let rect = centered(area, 70, 7);
    frame.render_widget(Clear, rect);
    let mode = state.envrc_mode_for(inline).describe();
    let path = if state.cwd.is_empty() { ".envrc".to_string() } else { format!("{}/.envrc", state.cwd) };
    let lines = vec![
        Line::from(format!("write the awsw block for {}", state.profile(profile).name)),
        Line::from(format!("to   {path}")),
        Line::from(format!("mode {mode}")),
        Line::from(hint(KeyMode::Confirm)),
    ];
    let block = Block::default().borders(Borders::ALL).title(" .envrc ");
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: true }), rect);
}

/// The keys a modal takes, from the key table: `⏎ submit  esc cancel`.
pub(super) fn hint(mode: KeyMode) -> String {
    keymap::footer(mode).iter().map(|(_, key, word)| format!("{key} {word}")).collect::<Vec<_>>().join("  ")
}

/// The `?` help, drawn from the key table: every key of the list and the search.
pub(crate) fn render_help(frame: &mut Frame, area: Rect) {
    let help = keymap::help_lines();
    let key_width = help.iter().map(|(keys, _)| text::width(keys)).max().unwrap_or(0) + 2;
    let text_width = help.iter().map(|(_, text)| text::width(text)).max().unwrap_or(0);
    let rect = centered(area, (key_width + text_width + 2) as u16, (help.len() + 2) as u16);
    frame.render_widget(Clear, rect);
    let lines: Vec<Line> = help
        .into_iter()
        .map(|(keys, text)| {
            let pad = key_width - text::width(&keys);
            Line::from(vec![
                Span::styled(
                    format!("{keys}{}", " ".repeat(pad)),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                Span::raw(text),
            ])
        })
        .collect();
    let block = Block::default().borders(Borders::ALL).title(" keys · any key closes ");
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
