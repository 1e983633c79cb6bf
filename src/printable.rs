//! Text for a human's terminal. Values from the config files, STS messages and child
//! processes can hold control characters: `ESC ] 0 ;` retitles the terminal, `ESC ] 52`
//! writes the clipboard, a C1 `CSI` (U+009B) moves the cursor. Everything awsw prints for a
//! human passes through `escape`, which shows each C0, C1 and DEL character as a visible
//! escape instead. JSON output keeps its own escaping; the picker strips them when drawing.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` would be interpreted by a terminal: C0 (U+0000–U+001F), DEL, C1 (U+0080–U+009F).
fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// `text` with every control character shown as `\n`, `\r`, `\t`, `\x1b` or `\u{9b}`; the
/// text itself when it has none (the usual case, with no copy).
pub(crate) fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 && is_control(c) => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_control(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `escape` of anything displayable, for `format!` arguments.
pub(crate) fn escaped(value: impl std::fmt::Display) -> String {
    escape(&value.to_string()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible_and_nothing_else_changes() {
        assert!(matches!(escape("plain 本番 text"), Cow::Borrowed(_)));
        assert_eq!(escape("a\u{1b}]0;title\u{7}b"), "a\\x1b]0;title\\x07b");
        assert_eq!(escape("x\u{9b}2Jy\u{7f}\u{85}"), "x\\u{9b}2Jy\\x7f\\u{85}");
        assert_eq!(escape("one\ntwo\r\tthree\0"), "one\\ntwo\\r\\tthree\\x00");
        assert_eq!(escape("\u{a0}é\u{200b}"), "\u{a0}é\u{200b}", "printable non-ASCII is kept");
    }

    #[test]
    fn no_control_character_survives_any_input() {
        for c in (0u32..0x110000).filter_map(char::from_u32) {
            let out = escape(&c.to_string()).into_owned();
            assert!(!out.chars().any(is_control), "{c:?} came through as {out:?}");
        }
    }
}
