//! The header: where the terminal awsw started from points, the identity STS confirms for
//! it, and the progress of the background identity checks and SSO discoveries. Wrapped at
//! spaces onto a second line when the terminal is narrow (one line only below 20 rows);
//! what still does not fit ends in `…` after the last whole word.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Theme, text};
use crate::app::State;

/// Lines the header may take before the rest is cut with `…`: a second one only where
/// the list keeps enough rows.
fn max_lines(height: u16) -> usize {
    if height >= 20 { 2 } else { 1 }
}

/// `assumed-role/admin/alice` from `arn:aws:sts::123456789012:assumed-role/admin/alice`: the
/// account is shown beside it.
fn arn_resource(arn: &str) -> &str {
    crate::config::Arn::parse(arn).map_or(arn, |parsed| parsed.resource)
}

fn spans(state: &State, theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = vec![
        Span::styled(" awsw ", theme.fg(Color::Black).add_modifier(Modifier::BOLD | Modifier::REVERSED)),
        Span::raw(" here: "),
        Span::styled(state.origin.label.clone(), Style::default().add_modifier(Modifier::BOLD)),
    ];
    if let Some(t) = state.origin.expires {
        let text = if t > state.now {
            format!(" (expires in {})", text::remaining(state.now, t))
        } else {
            " (expired)".into()
        };
        spans.push(Span::styled(text, theme.fg(Color::Yellow)));
    }
    let profile = state.origin.profile.as_deref();
    if let Some(name) = profile.filter(|name| state.inventory.position(name).is_none()) {
        let text = format!(" · no profile {name} in the config files");
        spans.push(Span::styled(text, theme.fg(Color::Red)));
    }
    // The verified identity: STS's answer for credentials in the environment, or the list's
    // for the profile AWS_PROFILE names.
    let profile_identity = profile.and_then(|name| {
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
    if let Some((done, total)) = state.discovered.progress() {
        spans.push(Span::styled(format!("  accounts {done}/{total}"), theme.fg(Color::DarkGray)));
    }
    spans
}

/// The header's lines at this size: one, or two when it does not fit in one.
pub(crate) fn lines(state: &State, theme: &Theme, width: u16, height: u16) -> Vec<Line<'static>> {
    text::wrap(&spans(state, theme), usize::from(width), max_lines(height))
}

pub(crate) fn render(lines: Vec<Line<'static>>, frame: &mut Frame, area: Rect) {
    frame.render_widget(Paragraph::new(lines), area);
}
