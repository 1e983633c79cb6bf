//! Every key the picker knows, in one table of (mode, keys, action, help): `update` looks
//! keys up here, and the footer, the modals' hints and the `?` help are drawn from it, so a
//! key cannot be documented in one place and bound in another. Keys are awsw's own type:
//! the terminal's events are translated at the edge (`runtime`).

/// A key as the picker sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    /// A printable character, shift already applied (`G` is `Char('G')`).
    Char(char),
    /// A character with the control key held, lower-cased (`ctrl-c` is `Ctrl('c')`).
    Ctrl(char),
    /// The `Enter` (`Return`) key.
    Enter,
    /// The `Escape` key.
    Esc,
    /// The `Backspace` key.
    Backspace,
    /// The up arrow.
    Up,
    /// The down arrow.
    Down,
    /// The `Page Up` key.
    PageUp,
    /// The `Page Down` key.
    PageDown,
    /// The `Home` key.
    Home,
    /// The `End` key.
    End,
    /// In the table only: any character no other row of the mode takes.
    AnyChar,
    /// In the table only: any key no other row of the mode takes.
    AnyKey,
    /// A key the picker has no use for.
    Other,
}

impl Key {
    /// How the help and the footer name the key.
    pub(crate) fn label(self) -> String {
        match self {
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("ctrl-{c}"),
            Key::Enter => "⏎".into(),
            Key::Esc => "esc".into(),
            Key::Backspace => "⌫".into(),
            Key::Up => "↑".into(),
            Key::Down => "↓".into(),
            Key::PageUp => "PgUp".into(),
            Key::PageDown => "PgDn".into(),
            Key::Home => "Home".into(),
            Key::End => "End".into(),
            Key::AnyChar => "a-z 0-9".into(),
            Key::AnyKey => "any key".into(),
            Key::Other => String::new(),
        }
    }
}

/// The modes that bind keys differently; `All` rows apply in every mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMode {
    /// Rows that apply in every mode (`ctrl-c`).
    All,
    /// `Mode::List`.
    List,
    /// `Mode::Search`.
    Search,
    /// `Mode::Mfa`: the code modal.
    Mfa,
    /// `Mode::ConfirmEnvrc`.
    Confirm,
    /// `Mode::Help`.
    Help,
    /// The SSO login modal.
    Login,
}

/// What a key asks for. `update` carries it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// End the picker without a session (`q`, `ctrl-c`).
    Quit,
    /// `Esc` in the list: clears an active filter, else quits.
    Back,
    /// The cursor one row up.
    MoveUp,
    /// The cursor one row down.
    MoveDown,
    /// The cursor one page up (the rows the last frame showed).
    PageUp,
    /// The cursor one page down.
    PageDown,
    /// The cursor to the first row.
    First,
    /// The cursor to the last row.
    Last,
    /// `/`: start typing a filter.
    StartSearch,
    /// `Enter`: the session in a subshell (or printed, with `--print`).
    Choose,
    /// `c`: the session's export lines on the clipboard.
    Copy,
    /// `o`: the AWS console in the browser, signed in as the session.
    OpenConsole,
    /// `e`: ask, then write an `.envrc` block that loads the cached session.
    WriteEnvrc,
    /// `E`: ask, then write an `.envrc` with the temporary credentials themselves.
    WriteEnvrcInline,
    /// `r`: check the profile under the cursor again.
    CheckOne,
    /// `R`: check every profile and the starting terminal again.
    CheckAll,
    /// `s`: by recent use / by name.
    ToggleSort,
    /// `ctrl-d`: scroll the details half a pane down.
    DetailsDown,
    /// `ctrl-u`: scroll the details half a pane up.
    DetailsUp,
    /// `?`: the help overlay.
    ShowHelp,
    /// Any key in the help: back to the list.
    CloseHelp,
    /// `Enter` in the search: back to the list, the filter kept.
    KeepFilter,
    /// `Esc` in the search: back to the list, the filter cleared.
    ClearFilter,
    /// A character typed into the search or the MFA code (`'\0'` in the table).
    Type(char),
    /// `Backspace`: the last character of the search or the code removed.
    DeleteChar,
    /// `Enter` in the MFA modal: try the 6-digit code.
    SubmitCode,
    /// `Esc` in the MFA modal: back to the list, no session.
    CancelCode,
    /// `y` / `Enter` at the `.envrc` question: write it.
    ConfirmEnvrc,
    /// Any other key at the `.envrc` question: write nothing.
    CancelEnvrc,
    /// `L`: log in to every sso-session without a valid token, one after the other.
    LoginAll,
    /// `o` in the login modal: the verification page in the browser.
    OpenLoginPage,
    /// `Esc` in the login modal: stop the login; no token is written.
    CancelLogin,
}

/// One row of the table. Rows that share a help text are one line of the `?` help.
pub(crate) struct Binding {
    pub(crate) mode: KeyMode,
    pub(crate) keys: &'static [Key],
    pub(crate) action: Action,
    pub(crate) help: &'static str,
    /// The word in the footer (or the modal's hint), if the key is shown there.
    pub(crate) footer: Option<&'static str>,
}

const fn bind(mode: KeyMode, keys: &'static [Key], action: Action, help: &'static str) -> Binding {
    Binding { mode, keys, action, help, footer: None }
}

const fn shown(
    mode: KeyMode,
    keys: &'static [Key],
    action: Action,
    help: &'static str,
    footer: &'static str,
) -> Binding {
    Binding { mode, keys, action, help, footer: Some(footer) }
}

use Action as A;
use Key as K;
use KeyMode as M;

pub(crate) const BINDINGS: &[Binding] = &[
    bind(M::All, &[K::Ctrl('c')], A::Quit, "quit"),
    bind(M::List, &[K::Up, K::Char('k')], A::MoveUp, "move"),
    bind(M::List, &[K::Down, K::Char('j')], A::MoveDown, "move"),
    bind(M::List, &[K::PageUp], A::PageUp, "move a page"),
    bind(M::List, &[K::PageDown], A::PageDown, "move a page"),
    bind(M::List, &[K::Home, K::Char('g')], A::First, "first / last"),
    bind(M::List, &[K::End, K::Char('G')], A::Last, "first / last"),
    shown(M::List, &[K::Enter], A::Choose, "start a shell in the session (--print: print exports)", "shell"),
    shown(
        M::List,
        &[K::Char('/')],
        A::StartSearch,
        "search name, account, role, region, description",
        "search",
    ),
    shown(M::List, &[K::Char('c')], A::Copy, "copy export lines for your shell", "copy"),
    bind(M::List, &[K::Char('o')], A::OpenConsole, "open the AWS console signed in as this profile"),
    shown(
        M::List,
        &[K::Char('e')],
        A::WriteEnvrc,
        "write .envrc (envrc_mode / inline credentials)",
        ".envrc",
    ),
    bind(M::List, &[K::Char('E')], A::WriteEnvrcInline, "write .envrc (envrc_mode / inline credentials)"),
    shown(M::List, &[K::Char('r')], A::CheckOne, "check this profile / all again", "refresh"),
    bind(M::List, &[K::Char('R')], A::CheckAll, "check this profile / all again"),
    bind(M::List, &[K::Char('L')], A::LoginAll, "log in to every sso-session without a valid token"),
    shown(M::List, &[K::Char('s')], A::ToggleSort, "sort by recent use / by name", "sort"),
    bind(M::List, &[K::Ctrl('d')], A::DetailsDown, "scroll the details down / up"),
    bind(M::List, &[K::Ctrl('u')], A::DetailsUp, "scroll the details down / up"),
    shown(M::List, &[K::Char('?')], A::ShowHelp, "this help", "help"),
    shown(M::List, &[K::Char('q')], A::Quit, "quit", "quit"),
    bind(M::List, &[K::Esc], A::Back, "clear the filter, else quit"),
    shown(M::Search, &[K::Enter], A::KeepFilter, "in search: keep the filter", "keep"),
    shown(M::Search, &[K::Esc], A::ClearFilter, "in search: clear it", "clear"),
    bind(M::Search, &[K::Up], A::MoveUp, "move"),
    bind(M::Search, &[K::Down], A::MoveDown, "move"),
    bind(M::Search, &[K::Backspace], A::DeleteChar, "in search: delete a letter"),
    bind(M::Search, &[K::AnyChar], A::Type('\0'), "in search: type to filter"),
    shown(M::Mfa, &[K::Enter], A::SubmitCode, "submit the code", "submit"),
    shown(M::Mfa, &[K::Esc], A::CancelCode, "cancel", "cancel"),
    bind(M::Mfa, &[K::Backspace], A::DeleteChar, "delete a digit"),
    bind(M::Mfa, &[K::AnyChar], A::Type('\0'), "the code's digits"),
    shown(M::Confirm, &[K::Char('y'), K::Char('Y'), K::Enter], A::ConfirmEnvrc, "write the .envrc", "write"),
    shown(M::Confirm, &[K::AnyKey], A::CancelEnvrc, "cancel", "cancels"),
    bind(M::Help, &[K::AnyKey], A::CloseHelp, "close the help"),
    shown(
        M::Login,
        &[K::Char('o')],
        A::OpenLoginPage,
        "open the login page in the browser",
        "open the browser",
    ),
    shown(M::Login, &[K::Esc], A::CancelLogin, "cancel the login (no token is written)", "cancel"),
];

/// The rows that apply in `mode`: its own, then those of every mode.
pub(crate) fn bindings(mode: KeyMode) -> impl Iterator<Item = &'static Binding> {
    let own = BINDINGS.iter().filter(move |b| b.mode == mode);
    own.chain(BINDINGS.iter().filter(|b| b.mode == KeyMode::All))
}

/// The action for `key` in `mode`: an exact row first, then the mode's row for any other
/// character (typed into the search or the code), then its row for any other key.
pub(crate) fn action_for(mode: KeyMode, key: Key) -> Option<Action> {
    let rows = || bindings(mode);
    if let Some(row) = rows().find(|b| b.keys.contains(&key)) {
        return Some(row.action);
    }
    if let Key::Char(c) = key
        && let Some(row) = rows().find(|b| b.keys.contains(&Key::AnyChar))
    {
        return Some(match row.action {
            Action::Type(_) => Action::Type(c),
            other => other,
        });
    }
    rows().find(|b| b.keys.contains(&Key::AnyKey)).map(|b| b.action)
}

/// The `?` help: one line per help text of the list and the search, with every key for it.
pub(crate) fn help_lines() -> Vec<(String, &'static str)> {
    let mut lines: Vec<(Vec<String>, &'static str)> = Vec::new();
    let rows = bindings(KeyMode::List).chain(bindings(KeyMode::Search).filter(|b| b.mode != KeyMode::All));
    for row in rows {
        let labels = row.keys.iter().map(|k| k.label());
        match lines.iter_mut().find(|(_, help)| *help == row.help) {
            Some((keys, _)) => {
                for label in labels {
                    if !keys.contains(&label) {
                        keys.push(label);
                    }
                }
            }
            None => lines.push((labels.collect(), row.help)),
        }
    }
    lines.into_iter().map(|(keys, help)| (keys.join(" "), help)).collect()
}

/// The footer's entries for `mode`: (action, first key, word), in table order.
pub(crate) fn footer(mode: KeyMode) -> Vec<(Action, String, &'static str)> {
    bindings(mode).filter_map(|b| Some((b.action, b.keys[0].label(), b.footer?))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every action, so the tests below cannot miss one (the match fails to compile when an
    /// action is added without being listed).
    fn all_actions() -> Vec<Action> {
        let all = vec![
            A::Quit,
            A::Back,
            A::MoveUp,
            A::MoveDown,
            A::PageUp,
            A::PageDown,
            A::First,
            A::Last,
            A::StartSearch,
            A::Choose,
            A::Copy,
            A::OpenConsole,
            A::WriteEnvrc,
            A::WriteEnvrcInline,
            A::CheckOne,
            A::CheckAll,
            A::ToggleSort,
            A::DetailsDown,
            A::DetailsUp,
            A::ShowHelp,
            A::CloseHelp,
            A::KeepFilter,
            A::ClearFilter,
            A::Type('\0'),
            A::DeleteChar,
            A::SubmitCode,
            A::CancelCode,
            A::ConfirmEnvrc,
            A::CancelEnvrc,
            A::LoginAll,
            A::OpenLoginPage,
            A::CancelLogin,
        ];
        for action in &all {
            match action {
                A::Quit
                | A::Back
                | A::MoveUp
                | A::MoveDown
                | A::PageUp
                | A::PageDown
                | A::First
                | A::Last => {}
                A::StartSearch | A::Choose | A::Copy | A::WriteEnvrc | A::WriteEnvrcInline => {}
                A::OpenConsole => {}
                A::CheckOne | A::CheckAll | A::ToggleSort | A::DetailsDown | A::DetailsUp => {}
                A::ShowHelp | A::CloseHelp | A::KeepFilter | A::ClearFilter | A::Type(_) => {}
                A::DeleteChar | A::SubmitCode | A::CancelCode | A::ConfirmEnvrc | A::CancelEnvrc => {}
                A::LoginAll | A::OpenLoginPage | A::CancelLogin => {}
            }
        }
        all
    }

    #[test]
    fn every_action_has_a_key_and_help_text() {
        for action in all_actions() {
            let rows: Vec<&Binding> = BINDINGS.iter().filter(|b| b.action == action).collect();
            assert!(!rows.is_empty(), "{action:?} has no key");
            assert!(rows.iter().all(|b| !b.help.trim().is_empty() && !b.keys.is_empty()), "{action:?}");
        }
    }

    #[test]
    fn no_key_is_bound_twice_in_one_mode() {
        for mode in
            [KeyMode::List, KeyMode::Search, KeyMode::Mfa, KeyMode::Confirm, KeyMode::Help, KeyMode::Login]
        {
            let mut seen = Vec::new();
            for key in bindings(mode).flat_map(|b| b.keys.iter()) {
                assert!(!seen.contains(key), "{key:?} bound twice in {mode:?}");
                seen.push(*key);
            }
        }
    }

    #[test]
    fn typing_reaches_the_search_and_the_code_and_help_closes_on_any_key() {
        assert_eq!(action_for(KeyMode::Search, Key::Char('q')), Some(A::Type('q')));
        assert_eq!(action_for(KeyMode::List, Key::Char('q')), Some(A::Quit));
        assert_eq!(action_for(KeyMode::Mfa, Key::Char('7')), Some(A::Type('7')));
        assert_eq!(action_for(KeyMode::Help, Key::Char('x')), Some(A::CloseHelp));
        assert_eq!(action_for(KeyMode::Help, Key::Ctrl('c')), Some(A::Quit));
        assert_eq!(action_for(KeyMode::Confirm, Key::Enter), Some(A::ConfirmEnvrc));
        assert_eq!(action_for(KeyMode::Confirm, Key::Char('n')), Some(A::CancelEnvrc));
        assert_eq!(action_for(KeyMode::List, Key::Char('x')), None);
        assert_eq!(action_for(KeyMode::List, Key::Char('L')), Some(A::LoginAll));
        assert_eq!(action_for(KeyMode::Login, Key::Char('o')), Some(A::OpenLoginPage));
        assert_eq!(action_for(KeyMode::Login, Key::Char('q')), None);
        assert_eq!(action_for(KeyMode::Login, Key::Ctrl('c')), Some(A::Quit));
    }
}
