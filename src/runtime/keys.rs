//! The terminal's key events in the picker's own terms (`app::Key`), so the model never
//! sees a terminal type.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::Key;

/// The picker's key for a terminal key event; `Key::Other` for keys it has no use for.
pub(crate) fn key_from(event: KeyEvent) -> Key {
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    match event.code {
        KeyCode::Char(c) if ctrl => Key::Ctrl(c.to_ascii_lowercase()),
        // Alt is ignored: an `Esc` followed at once by a letter arrives as Alt+letter.
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        _ => Key::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifted_letters_stay_letters_and_control_keys_are_named() {
        let key = |code, modifiers| key_from(KeyEvent::new(code, modifiers));
        assert_eq!(key(KeyCode::Char('G'), KeyModifiers::SHIFT), Key::Char('G'));
        assert_eq!(key(KeyCode::Char('c'), KeyModifiers::CONTROL), Key::Ctrl('c'));
        assert_eq!(key(KeyCode::Char('q'), KeyModifiers::ALT), Key::Char('q'));
        assert_eq!(key(KeyCode::F(1), KeyModifiers::NONE), Key::Other);
    }
}
