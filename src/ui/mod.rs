//! Drawing the picker: a pure function of the state (it never reads the clock or the
//! disk), so snapshot tests are stable. All of the picker's visible strings are here.

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, Wrap};
use time::OffsetDateTime;

use crate::app::{Mode, SessionState, Sort, State};
use crate::creds::keyfacts::KeyFacts;

/// From this width on, the details stand beside the list instead of under it.
const SIDE_BY_SIDE: u16 = 150;

/// Colours, or none at all under `NO_COLOR`.
struct Theme {
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

/// `42m`, `3h05m`, `2d4h`: time left until `until`.
pub fn remaining(now: OffsetDateTime, until: OffsetDateTime) -> String {
    let secs = (until - now).whole_seconds().max(0);
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    if d > 0 {
        format!("{d}d{h}h")
    } else if h > 0 {
        format!("{h}h{m:02}m")
    } else if secs >= 60 {
        format!("{m}m")
    } else {
        format!("{secs}s")
    }
}

fn clock(t: OffsetDateTime) -> String {
    format!("{:02}:{:02} UTC", t.hour(), t.minute())
}

fn session_cell(state: &SessionState, now: OffsetDateTime, theme: &Theme) -> (String, Style) {
    match state {
        SessionState::Unknown => ("".into(), Style::default()),
        SessionState::Loading => ("…".into(), theme.fg(Color::DarkGray)),
        SessionState::Valid { expires: Some(t) } => {
            (format!("✓ {}", remaining(now, *t)), theme.fg(Color::Green))
        }
        SessionState::Valid { expires: None } => ("✓ keys".into(), theme.fg(Color::Green)),
        SessionState::Expired => ("expired".into(), theme.fg(Color::Red)),
        SessionState::NeedsMfa { .. } => ("MFA".into(), theme.fg(Color::Yellow)),
        SessionState::NeedsSso { .. } => ("SSO login".into(), theme.fg(Color::Yellow)),
        SessionState::OnDemand => ("on demand".into(), theme.fg(Color::Cyan)),
        SessionState::Error(_) => ("error".into(), theme.fg(Color::Red)),
        SessionState::Invalid(_) => ("invalid".into(), theme.fg(Color::Red)),
    }
}

pub fn render(state: &State, frame: &mut Frame) {
    let theme = Theme { no_color: state.no_color };
    let area = frame.area();
    let bottom_lines = 2;
    let [header, body, status, footer] = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(bottom_lines - 1),
            Constraint::Length(1),
        ])
        .areas(area);
    render_header(state, frame, header, &theme);
    let (list_area, detail_area) = if area.width >= SIDE_BY_SIDE {
        let [l, d] = Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(body);
        (l, Some(d))
    } else if area.height >= 20 {
        let [l, d] = Layout::vertical([Constraint::Min(5), Constraint::Length(9)]).areas(body);
        (l, Some(d))
    } else {
        (body, None)
    };
    render_list(state, frame, list_area, &theme);
    if let Some(d) = detail_area {
        render_detail(state, frame, d, &theme);
    }
    render_status(state, frame, status, &theme);
    render_footer(state, frame, footer, &theme);
    match &state.mode {
        Mode::Mfa(_) => render_mfa(state, frame, area, &theme),
        Mode::Help => render_help(frame, area),
        Mode::ConfirmEnvrc { profile, inline } => render_confirm(state, frame, area, *profile, *inline),
        _ => {}
    }
}

/// Rows of profiles the list area shows at this terminal size (for paging).
pub fn list_rows(width: u16, height: u16) -> usize {
    let body = height.saturating_sub(3);
    let list = if width < SIDE_BY_SIDE && height >= 20 { body.saturating_sub(9) } else { body };
    // Minus the block's top border and the table's header row.
    usize::from(list.saturating_sub(2)).max(1)
}

/// `assumed-role/admin/alice` from `arn:aws:sts::123456789012:assumed-role/admin/alice`: the
/// account is shown beside it.
fn arn_resource(arn: &str) -> &str {
    arn.splitn(6, ':').nth(5).unwrap_or(arn)
}

fn render_header(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let mut spans = vec![
        Span::styled(" awsw ", theme.fg(Color::Black).add_modifier(Modifier::BOLD | Modifier::REVERSED)),
        Span::raw(" here: "),
        Span::styled(state.origin.label.clone(), Style::default().add_modifier(Modifier::BOLD)),
    ];
    if let Some(t) = state.origin.expires {
        let text = if t > state.now {
            format!(" (expires in {})", remaining(state.now, t))
        } else {
            " (expired)".into()
        };
        spans.push(Span::styled(text, theme.fg(Color::Yellow)));
    }
    // The verified identity: STS's answer for credentials in the environment, or the list's
    // for the profile AWS_PROFILE names.
    let profile_identity = state.origin.profile.as_deref().and_then(|name| {
        state.identities[state.inventory.position(name)?].as_ref().map(|report| &report.identity)
    });
    match (&state.origin.identity, profile_identity) {
        (Some(Ok(identity)), _) | (None, Some(identity)) => spans.push(Span::styled(
            format!(" · {} {}", identity.account, arn_resource(&identity.arn)),
            theme.fg(Color::Cyan),
        )),
        (Some(Err(reason)), _) => spans.push(Span::styled(format!(" · {reason}"), theme.fg(Color::Red))),
        (None, None) => {}
    }
    let (done, total) = state.progress;
    if total > 0 && done < total {
        spans.push(Span::styled(format!("  identities {done}/{total}"), theme.fg(Color::DarkGray)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_list(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
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
    if state.inventory.profiles.is_empty() {
        let text = "No profiles found.\n\nawsw reads ~/.aws/config and ~/.aws/credentials\n(or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE).\nRun `aws configure` or `aws configure sso` to add one.";
        frame.render_widget(Paragraph::new(text).block(block).wrap(Wrap { trim: false }), area);
        return;
    }
    let rows_fit = usize::from(area.height.saturating_sub(2)).max(1);
    let start = state.scroll.min(state.filter.visible().len().saturating_sub(1));
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
            let root_keys =
                state.identities[m.profile].as_ref().and_then(|r| r.keys.as_ref()).is_some_and(|k| k.root);
            let style = if pos == state.selected { theme.selected() } else { Style::default() };
            Row::new(cells).style(if root_keys { style.patch(theme.fg(Color::Red)) } else { style })
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
    widths.push(Constraint::Length(10));
    header.push("SESSION");
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(Style::default().add_modifier(Modifier::BOLD)))
        .column_spacing(1)
        .block(block);
    frame.render_widget(table, area);
}

fn render_detail(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let block = Block::default().borders(Borders::TOP | Borders::LEFT).title(" details ");
    let Some(idx) = state.current() else {
        frame.render_widget(Paragraph::new("no profile matches").block(block), area);
        return;
    };
    let p = state.profile(idx);
    let label = |k: &str| Span::styled(format!("{k:<9}"), theme.fg(Color::DarkGray));
    let mut lines = vec![Line::from(vec![
        Span::styled(p.name.clone(), Style::default().add_modifier(Modifier::BOLD)),
        Span::raw(format!("  {}", p.kind.as_str())),
    ])];
    if !p.chain.is_empty() {
        lines.push(Line::from(vec![label("chain"), Span::raw(p.chain.join(" → "))]));
    }
    match &state.identities[idx] {
        Some(report) => {
            lines.push(Line::from(vec![
                label("arn"),
                Span::styled(report.identity.arn.clone(), theme.fg(Color::Green)),
            ]));
            lines.push(Line::from(vec![label("account"), Span::raw(report.identity.account.clone())]));
            lines.push(Line::from(vec![label("user id"), Span::raw(report.identity.user_id.clone())]));
            if let Some(facts) = &report.keys {
                lines.extend(render_key_facts(facts, state.now, theme));
            }
            if let Some(name) = &report.session_name {
                lines.push(Line::from(vec![label("session"), Span::raw(name.clone())]));
            }
            if let Some(t) = report.expiration {
                lines.push(Line::from(vec![
                    label("expires"),
                    Span::raw(format!("{} (in {})", clock(t), remaining(state.now, t))),
                ]));
            }
        }
        None => {
            if let Some(account) = &p.account_id {
                lines.push(Line::from(vec![label("account"), Span::raw(account.clone())]));
            }
            if let Some(role) = p.role_arn.as_ref() {
                lines.push(Line::from(vec![label("role"), Span::raw(role.clone())]));
            }
        }
    }
    if let Some(region) = &p.region {
        lines.push(Line::from(vec![label("region"), Span::raw(region.clone())]));
    }
    if let Some(serial) = &p.mfa_serial {
        lines.push(Line::from(vec![label("MFA"), Span::raw(serial.clone())]));
    }
    match &state.sessions[idx] {
        SessionState::NeedsSso { command } => {
            lines.push(Line::from(Span::styled(format!("SSO: run `{command}`"), theme.fg(Color::Yellow))))
        }
        SessionState::Error(reason) => {
            lines.push(Line::from(Span::styled(reason.clone(), theme.fg(Color::Red))))
        }
        _ => {}
    }
    if let Some(note) = &p.description {
        lines.push(Line::from(vec![label("note"), Span::raw(note.clone())]));
    }
    for problem in &p.problems {
        lines.push(Line::from(Span::styled(format!("✗ {}", problem.message), theme.fg(Color::Red))));
    }
    for warning in &p.warnings {
        lines.push(Line::from(Span::styled(format!("! {}", warning.message), theme.fg(Color::Yellow))));
    }
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), area);
}

/// The key-age line and the `root-keys` (red) and `old-key` (yellow) findings.
fn render_key_facts(facts: &KeyFacts, now: OffsetDateTime, theme: &Theme) -> Vec<Line<'static>> {
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

fn render_status(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let line = if matches!(state.mode, Mode::Search) {
        Line::from(vec![
            Span::styled("/", theme.fg(Color::Yellow)),
            Span::raw(state.filter.query().to_string()),
            Span::raw("█"),
        ])
    } else if let Some((text, error)) = &state.status {
        Line::from(Span::styled(
            text.clone(),
            if *error { theme.fg(Color::Red) } else { theme.fg(Color::Green) },
        ))
    } else if !state.filter.query().is_empty() {
        Line::from(vec![
            Span::styled("filter: ", theme.fg(Color::DarkGray)),
            Span::raw(state.filter.query().to_string()),
        ])
    } else {
        Line::default()
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn render_footer(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
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

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

fn render_mfa(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
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
    lines.push(Line::from(Span::styled("⏎ submit  esc cancel", theme.fg(Color::DarkGray))));
    let block = Block::default().borders(Borders::ALL).title(format!(" MFA code for {name} "));
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: true }), rect);
}

fn render_confirm(state: &State, frame: &mut Frame, area: Rect, profile: usize, inline: bool) {
    let rect = centered(area, 70, 7);
    frame.render_widget(Clear, rect);
    let mode = if inline {
        "inline temporary credentials, file mode 0600"
    } else {
        "cached session, no secrets in the file"
    };
    let path = if state.cwd.is_empty() { ".envrc".to_string() } else { format!("{}/.envrc", state.cwd) };
    let lines = vec![
        Line::from(format!("write the awsw block for {}", state.profile(profile).name)),
        Line::from(format!("to   {path}")),
        Line::from(format!("mode {mode}")),
        Line::from("y / ⏎ write   any other key cancels"),
    ];
    let block = Block::default().borders(Borders::ALL).title(" .envrc ");
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: true }), rect);
}

const HELP: &[(&str, &str)] = &[
    ("↑ ↓  j k", "move"),
    ("PgUp PgDn", "move a page"),
    ("Home End  g G", "first / last"),
    ("/", "search name, account, role, region, description"),
    ("⏎ (in search)", "keep the filter;  esc clears it"),
    ("⏎", "start a shell in the session (--print: print exports)"),
    ("c", "copy export lines for your shell"),
    ("e / E", "write .envrc here (cached / inline credentials)"),
    ("r / R", "check this profile / all again"),
    ("s", "sort by recent use / by name"),
    ("?", "this help"),
    ("q  esc  ctrl-c", "quit"),
];

fn render_help(frame: &mut Frame, area: Rect) {
    let rect = centered(area, 72, (HELP.len() + 2) as u16);
    frame.render_widget(Clear, rect);
    let lines: Vec<Line> = HELP
        .iter()
        .map(|(k, v)| {
            Line::from(vec![
                Span::styled(format!("{k:<16}"), Style::default().add_modifier(Modifier::BOLD)),
                Span::raw(*v),
            ])
        })
        .collect();
    let block = Block::default().borders(Borders::ALL).title(" keys · any key closes ");
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
