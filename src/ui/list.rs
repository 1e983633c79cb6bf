//! The list of profiles: one row each, the selected one highlighted and always on screen,
//! matched letters of a search underlined.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};
use time::OffsetDateTime;

use super::{Theme, text};
use crate::app::{SessionState, Sort, State};

/// The session column: the state in a word, the time left when there is a session.
fn session_cell(state: &SessionState, now: OffsetDateTime, theme: &Theme) -> (String, Style) {
    match state {
        SessionState::Unknown => ("".into(), Style::default()),
        SessionState::Loading => ("…".into(), theme.fg(Color::DarkGray)),
        SessionState::Valid { expires: Some(t) } => {
            (format!("✓ {}", text::remaining(now, *t)), theme.fg(Color::Green))
        }
        SessionState::Valid { expires: None } => ("✓ keys".into(), theme.fg(Color::Green)),
        SessionState::Expired => ("expired".into(), theme.fg(Color::Red)),
        // The MFA column already says the profile uses a device: this says a code is due.
        SessionState::NeedsMfa { .. } => ("needs code".into(), theme.fg(Color::Yellow)),
        SessionState::NeedsSso { .. } => ("SSO login".into(), theme.fg(Color::Yellow)),
        SessionState::OnDemand => ("on demand".into(), theme.fg(Color::Cyan)),
        SessionState::Error(_) => ("error".into(), theme.fg(Color::Red)),
        SessionState::Invalid(_) => ("invalid".into(), theme.fg(Color::Red)),
    }
}

/// The session column's width for `state`, without building its text.
fn session_width(state: &SessionState, now: OffsetDateTime) -> u16 {
    match state {
        SessionState::Valid { expires: Some(t) } => 2 + text::remaining(now, *t).len() as u16,
        SessionState::NeedsMfa { .. } => 10,
        _ => 9,
    }
}

/// The first row to draw so that the selection is on screen, starting from the state's
/// scroll position (the page may have changed size since the state last heard of it).
fn first_row(state: &State, rows: usize) -> usize {
    let (selected, scroll) = (state.selected, state.scroll);
    if selected < scroll {
        selected
    } else if selected >= scroll + rows {
        selected + 1 - rows
    } else {
        scroll
    }
}

/// Draws the list and returns how many profile rows it had room for.
pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) -> usize {
    let wide = area.width >= 96;
    let medium = area.width >= 60;
    let sort = match state.sort {
        Sort::Frecency => "recent",
        Sort::Name => "name",
    };
    let title = format!(
        " profiles {}/{} · sorted by {sort} ",
        state.filter.visible().len(),
        state.inventory.profiles.len()
    );
    let block = Block::default().borders(Borders::TOP).title(title);
    // Below the block's top border and the column header.
    let rows_fit = usize::from(area.height.saturating_sub(2)).max(1);
    if state.inventory.profiles.is_empty() {
        let text = "No profiles found.\n\nawsw reads ~/.aws/config and ~/.aws/credentials\n(or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE).\nRun `aws configure` or `aws configure sso` to add one.";
        frame.render_widget(Paragraph::new(text).block(block).wrap(Wrap { trim: false }), area);
        return rows_fit;
    }
    let start = first_row(state, rows_fit);
    let rows: Vec<Row> = state
        .filter
        .visible()
        .iter()
        .enumerate()
        .skip(start)
        .take(rows_fit)
        .map(|(pos, m)| {
            let p = state.profile(m.profile);
            let marks = state.filter.highlights(m.profile, &p.name);
            let name: Vec<Span> = p
                .name
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if marks.contains(&i) {
                        Span::styled(c.to_string(), theme.matched())
                    } else {
                        Span::raw(c.to_string())
                    }
                })
                .collect();
            let (session, session_style) = session_cell(&state.sessions[m.profile], state.now, theme);
            let mut cells = vec![Cell::from(Line::from(name))];
            if medium {
                cells.push(Cell::from(p.account_id.clone().unwrap_or_default()));
            }
            if wide {
                cells.push(Cell::from(p.kind.label()));
                cells.push(Cell::from(
                    p.role_name.clone().or_else(|| p.sso_role_name.clone()).unwrap_or_default(),
                ));
                cells.push(Cell::from(p.region.clone().unwrap_or_default()));
                cells.push(Cell::from(if p.needs_mfa() { "MFA" } else { "" }));
            }
            cells.push(Cell::from(session).style(session_style));
            let row = Row::new(cells);
            if pos == state.selected { row.style(theme.selected()) } else { row }
        })
        .collect();
    let mut widths = vec![Constraint::Min(12)];
    let mut header = vec!["NAME"];
    if medium {
        widths.push(Constraint::Length(12));
        header.push("ACCOUNT");
    }
    if wide {
        widths.extend([
            Constraint::Length(12),
            Constraint::Length(14),
            Constraint::Length(14),
            Constraint::Length(3),
        ]);
        header.extend(["KIND", "ROLE", "REGION", "MFA"]);
    }
    let session_width = state.sessions.iter().map(|s| session_width(s, state.now)).max().unwrap_or(0);
    widths.push(Constraint::Length(session_width.max(7)));
    header.push("SESSION");
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(Style::default().add_modifier(Modifier::BOLD)))
        .column_spacing(1)
        .block(block);
    frame.render_widget(table, area);
    rows_fit
}
