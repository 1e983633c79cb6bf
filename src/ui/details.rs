//! The details of the selected profile: chain, verified identity, expiry, region, MFA
//! device, description, problems and hygiene warnings. The pane is as tall as its wrapped
//! content where there is room; what still does not fit scrolls (`ctrl-d` / `ctrl-u`), and
//! the title says so.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use time::OffsetDateTime;

use super::{Theme, text};
use crate::app::{SessionState, State};
use crate::creds::keyfacts::KeyFacts;

pub(crate) struct Details {
    lines: Vec<Line<'static>>,
}

impl Details {
    pub(crate) fn new(state: &State, theme: &Theme) -> Details {
        let lines = match state.current() {
            Some(idx) => profile_lines(state, idx, theme),
            None => vec![Line::from("no profile matches")],
        };
        Details { lines }
    }

    /// Rows the pane needs at this width: its top border and every wrapped line.
    pub(crate) fn height(&self, width: u16) -> u16 {
        let lines = text::wrap_all(&self.lines, usize::from(width.saturating_sub(1))).len();
        u16::try_from(lines + 1).unwrap_or(u16::MAX)
    }

    /// Draws the pane scrolled as the state asks (within bounds) and returns how many
    /// lines do not fit.
    pub(crate) fn render(&self, state: &State, frame: &mut Frame, area: Rect) -> usize {
        let wrapped = text::wrap_all(&self.lines, usize::from(area.width.saturating_sub(1)));
        let shown = usize::from(area.height.saturating_sub(1));
        let overflow = wrapped.len().saturating_sub(shown);
        let offset = match state.detail_scroll {
            (profile, offset) if Some(profile) == state.current() => offset.min(overflow),
            _ => 0,
        };
        let title = if overflow > 0 {
            format!(" details {}-{} of {} · ctrl-d ctrl-u ", offset + 1, offset + shown, wrapped.len())
        } else {
            " details ".to_string()
        };
        let block = Block::default().borders(Borders::TOP | Borders::LEFT).title(title);
        let visible: Vec<Line> = wrapped.into_iter().skip(offset).take(shown).collect();
        frame.render_widget(Paragraph::new(visible).block(block), area);
        overflow
    }
}

fn profile_lines(state: &State, idx: usize, theme: &Theme) -> Vec<Line<'static>> {
    let p = state.profile(idx);
    let label = |k: &str| Span::styled(format!("{k:<9}"), theme.fg(Color::DarkGray));
    let field = |k: &str, v: String| Line::from(vec![label(k), Span::raw(v)]);
    let mut lines = vec![Line::from(vec![
        Span::styled(p.name.clone(), Style::default().add_modifier(Modifier::BOLD)),
        Span::raw(format!("  {}", p.kind.as_str())),
    ])];
    let found = state.discovered.row(idx);
    if let Some(row) = found {
        let text = format!("+ discovered in sso-session {}: not in your config files", row.session);
        lines.push(Line::from(Span::styled(text, theme.fg(Color::Cyan))));
        lines.push(field("name", format!("{} · {}", row.account_name, row.email)));
        lines.push(field("role", p.sso_role_name.clone().unwrap_or_default()));
    } else if p.kind == crate::config::Kind::DefaultChain {
        // "chain  default" alone would not say where its credentials come from.
        lines.push(field("from", "the environment, container or instance metadata, when chosen".into()));
    } else if !p.chain.is_empty() {
        lines.push(field("chain", p.chain.join(" → ")));
    }
    match &state.identities[idx] {
        Some(report) => {
            lines.push(Line::from(vec![
                label("arn"),
                Span::styled(report.identity.arn.clone(), theme.fg(Color::Green)),
            ]));
            lines.push(field("account", report.identity.account.clone()));
            lines.push(field("user id", report.identity.user_id.clone()));
            if let Some(facts) = &report.keys {
                lines.extend(key_facts(facts, state.now, theme));
            }
            if let Some(name) = &report.session_name {
                lines.push(field("session", name.clone()));
            }
            if let Some(t) = report.expiration {
                lines.push(field("expires", text::expiry(state.now, t)));
            }
        }
        None => {
            if let Some(account) = &p.account_id {
                lines.push(field("account", account.clone()));
            }
            if let Some(role) = p.role_arn.as_ref() {
                lines.push(field("role", role.clone()));
            }
        }
    }
    if let Some(region) = &p.region {
        lines.push(field("region", region.clone()));
    }
    if let Some(serial) = &p.mfa_serial {
        lines.push(field("MFA", serial.clone()));
    }
    match &state.sessions[idx] {
        SessionState::NeedsSso { command } => {
            let text = format!("SSO: not logged in: Enter logs in here (or run `{command}`)");
            lines.push(Line::from(Span::styled(text, theme.fg(Color::Yellow))))
        }
        SessionState::Error(reason) => {
            lines.push(Line::from(Span::styled(reason.clone(), theme.fg(Color::Red))))
        }
        _ => {}
    }
    if let Some(note) = p.description.as_ref().filter(|_| found.is_none()) {
        lines.push(field("note", note.clone()));
    }
    for problem in &p.problems {
        lines.push(Line::from(Span::styled(format!("✗ {}", problem.message), theme.fg(Color::Red))));
    }
    for warning in &p.warnings {
        lines.push(Line::from(Span::styled(format!("! {}", warning.message), theme.fg(Color::Yellow))));
    }
    lines
}

/// The key-age line and the `root-keys` (red) and `old-key` (yellow) findings.
fn key_facts(facts: &KeyFacts, now: OffsetDateTime, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines: Vec<Line> = facts
        .describe(now)
        .map(|text| Line::from(vec![Span::styled("key      ", theme.fg(Color::DarkGray)), Span::raw(text)]))
        .into_iter()
        .collect();
    for finding in facts.findings(now) {
        let color = if finding.code == "root-keys" { Color::Red } else { Color::Yellow };
        lines.push(Line::from(Span::styled(format!("! {}", finding.message), theme.fg(color))));
    }
    lines
}
