//! The list of profiles: one row each, the selected one highlighted and always on screen,
//! matched letters of a search underlined. Columns are as wide as their content; when the
//! terminal is too narrow, a long name is first cut with `…` (down to 20 columns), then
//! columns give way in the order of `GIVE_WAY`, then the name is cut further.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};
use time::OffsetDateTime;

use super::{Theme, text};
use crate::app::columns::{ColumnWidths, mfa_of, role_of};
use crate::app::{SessionState, Sort, State};
use crate::config::Profile;

/// What an empty list says: with an `[sso-session]` and nothing else (the set-up IAM
/// Identity Center users start from), how to get its accounts; else where profiles come from.
fn empty_text(state: &State) -> String {
    match state.inventory.sso_sessions.as_slice() {
        [] => "No profiles found.\n\nawsw reads ~/.aws/config and ~/.aws/credentials\n(or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE).\nRun `aws configure` or `aws configure sso` to add one.".into(),
        sessions => {
            let names: Vec<&str> = sessions.iter().map(|s| s.name.as_str()).collect();
            format!(
                "No profiles yet.\n\nPress L to log in to sso-session {}: every account and role\nyou may use there appears here.",
                names.join(", ")
            )
        }
    }
}

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
        SessionState::SsoReady => ("SSO ready".into(), theme.fg(Color::Cyan)),
        SessionState::Error(_) => ("error".into(), theme.fg(Color::Red)),
        SessionState::Invalid(_) => ("invalid".into(), theme.fg(Color::Red)),
    }
}

/// The session column's width: `needs code` is the longest word, a date (`✓ 2030-01-01`)
/// is longer. Counted without building any text, as it runs over every profile per frame.
fn session_width(state: &State) -> usize {
    let dated = |s: &SessionState| matches!(s, SessionState::Valid { expires: Some(t) } if text::shows_date(state.now, *t));
    if state.sessions.iter().any(dated) { 12 } else { 10 }
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    /// `+` on rows SSO discovery added (not in the config files); only when there are some.
    Found,
    Name,
    Account,
    Kind,
    Role,
    Region,
    Mfa,
    Session,
}

/// The optional columns in the order they give way as the terminal narrows (the README
/// states it): NAME and SESSION always stay.
const GIVE_WAY: [Column; 5] = [Column::Account, Column::Kind, Column::Region, Column::Role, Column::Mfa];
/// A long name is cut down to this many columns before any column gives way.
const NAME_FLOOR: usize = 20;
/// Longer role names (SSO permission sets can be long) are cut with `…`.
const ROLE_MAX: usize = 24;

impl Column {
    fn header(self) -> &'static str {
        match self {
            Column::Name => "NAME",
            Column::Account => "ACCOUNT",
            Column::Kind => "KIND",
            Column::Role => "ROLE",
            Column::Region => "REGION",
            Column::Mfa => "MFA",
            Column::Session => "SESSION",
            Column::Found => "",
        }
    }

    /// The width the column's content wants (at least its header's); 0: nothing to show.
    fn wanted(self, widths: &ColumnWidths, session: usize) -> usize {
        let content = match self {
            Column::Name => return widths.name.max(4),
            Column::Found => return 1,
            Column::Session => return session.max(7),
            Column::Account => widths.account,
            Column::Kind => widths.kind,
            Column::Role => widths.role.min(ROLE_MAX),
            Column::Region => widths.region,
            Column::Mfa => widths.mfa,
        };
        if content == 0 { 0 } else { content.max(self.header().len()) }
    }

    fn cell(self, p: &Profile, width: usize) -> Cell<'static> {
        let text = match self {
            Column::Account => p.account_id.clone().unwrap_or_default(),
            Column::Kind => p.kind.label().to_string(),
            Column::Role => text::truncate(role_of(p).unwrap_or_default(), width),
            Column::Region => p.region.clone().unwrap_or_default(),
            Column::Mfa => mfa_of(p).to_string(),
            Column::Name | Column::Session | Column::Found => String::new(),
        };
        Cell::from(text)
    }
}

/// The columns shown at `width` and how wide each is, in display order, and the spacing
/// between them (wider where there is room to spare, up to 3); `found`: the marker column
/// of discovered rows first.
fn plan(widths: &ColumnWidths, session: usize, width: usize, found: bool) -> (Vec<(Column, usize)>, u16) {
    if found {
        let (mut plan, spacing) = plan(widths, session, width.saturating_sub(2), false);
        plan.insert(0, (Column::Found, 1));
        return (plan, spacing);
    }
    let all = [Column::Account, Column::Kind, Column::Role, Column::Region, Column::Mfa];
    let mut shown: Vec<Column> = all.into_iter().filter(|c| c.wanted(widths, session) > 0).collect();
    let name = Column::Name.wanted(widths, session);
    let fixed = |shown: &[Column]| {
        shown.iter().map(|c| c.wanted(widths, session) + 1).sum::<usize>()
            + Column::Session.wanted(widths, session)
            + 1
    };
    for column in GIVE_WAY {
        if name.min(NAME_FLOOR) + fixed(&shown) <= width {
            break;
        }
        shown.retain(|c| *c != column);
    }
    let name = name.min(width.saturating_sub(fixed(&shown))).max(1);
    let mut plan = vec![(Column::Name, name)];
    plan.extend(shown.iter().map(|c| (*c, c.wanted(widths, session))));
    plan.push((Column::Session, Column::Session.wanted(widths, session)));
    let spare = width.saturating_sub(name + fixed(&shown));
    let gaps = plan.len() - 1;
    (plan, 1 + (spare / gaps).min(2) as u16)
}

/// The name cut to `max` columns (with `…`), its search matches underlined.
fn name_cell(state: &State, profile: usize, max: usize, theme: &Theme) -> Cell<'static> {
    let name = &state.profile(profile).name;
    let marks = state.filter.highlights(profile, name);
    let shown = text::truncate(name, max);
    let cut = shown.ends_with('…') && !name.ends_with('…');
    let spans: Vec<Span> = shown
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let is_ellipsis = cut && i == shown.chars().count() - 1;
            if marks.contains(&i) && !is_ellipsis {
                Span::styled(c.to_string(), theme.matched())
            } else {
                Span::raw(c.to_string())
            }
        })
        .collect();
    Cell::from(Line::from(spans))
}

/// Draws the list and returns how many profile rows it had room for.
pub(crate) fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) -> usize {
    let sort = match state.sort {
        Sort::Frecency => "recent",
        Sort::Name => "name",
    };
    let found = state.discovered.count();
    let discovered = if found > 0 { format!(" · +{found} discovered") } else { String::new() };
    let title = format!(
        " profiles {}/{}{discovered} · sorted by {sort} ",
        state.filter.visible().len(),
        state.order.len()
    );
    let block = Block::default().borders(Borders::TOP).title(title);
    // Below the block's top border and the column header.
    let rows_fit = usize::from(area.height.saturating_sub(2)).max(1);
    if state.inventory.profiles.is_empty() {
        frame.render_widget(Paragraph::new(empty_text(state)).block(block).wrap(Wrap { trim: false }), area);
        return rows_fit;
    }
    let session = session_width(state);
    let (plan, spacing) = plan(&state.columns, session, usize::from(area.width), found > 0);
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
            let cells = plan.iter().map(|&(column, width)| match column {
                Column::Name => name_cell(state, m.profile, width, theme),
                Column::Found if state.discovered.row(m.profile).is_some() => {
                    Cell::from("+").style(theme.fg(Color::Cyan))
                }
                Column::Session => {
                    let (text, style) = session_cell(&state.sessions[m.profile], state.now, theme);
                    Cell::from(text).style(style)
                }
                other => other.cell(p, width),
            });
            // A profile holding the account's root keys is red in the list, selected or not.
            let root_keys =
                state.identities[m.profile].as_ref().and_then(|r| r.keys.as_ref()).is_some_and(|k| k.root);
            let style = if pos == state.selected { theme.selected() } else { Style::default() };
            Row::new(cells).style(if root_keys { style.patch(theme.fg(Color::Red)) } else { style })
        })
        .collect();
    let header =
        Row::new(plan.iter().map(|(c, _)| c.header())).style(Style::default().add_modifier(Modifier::BOLD));
    let widths = plan.iter().map(|&(_, w)| Constraint::Length(u16::try_from(w).unwrap_or(u16::MAX)));
    let table = Table::new(rows, widths).header(header).column_spacing(spacing).block(block);
    frame.render_widget(table, area);
    rows_fit
}
