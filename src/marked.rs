//! A block of lines awsw owns inside a user's text file, between a start and an end marker
//! line: found, replaced or appended, with every byte outside it kept (a CRLF file gets
//! the block in CRLF). Pure text in, text out; the `.envrc` block and the `sso populate`
//! block of the config file both use it, and the callers do the writing.

/// The block's markers: each must be a whole line to count.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Markers<'a> {
    pub(crate) start: &'a str,
    pub(crate) end: &'a str,
}

/// A start marker with no end marker after it: the caller names the file and the fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unclosed;

impl Markers<'_> {
    /// Byte range of the block in `text`, from the start of the start line through the
    /// end line's newline; `None` when there is no block.
    pub(crate) fn find(&self, text: &str) -> Result<Option<std::ops::Range<usize>>, Unclosed> {
        let Some(start) = find_line(text, self.start, 0) else { return Ok(None) };
        let end = find_line(text, self.end, start).ok_or(Unclosed)?;
        let after = text[end..].find('\n').map_or(text.len(), |n| end + n + 1);
        Ok(Some(start..after))
    }

    /// `text` with its block replaced by `block` (text ending in `\n`), or `block` appended.
    pub(crate) fn splice(&self, text: &str, block: &str) -> Result<String, Unclosed> {
        let crlf = text.contains("\r\n");
        let block = if crlf { block.replace('\n', "\r\n") } else { block.to_string() };
        match self.find(text)? {
            Some(range) => Ok(format!("{}{}{}", &text[..range.start], block, &text[range.end..])),
            None => {
                let mut out = text.to_string();
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push_str(if crlf { "\r\n" } else { "\n" });
                }
                out.push_str(&block);
                Ok(out)
            }
        }
    }

    /// `text` without its block (unchanged when it has none).
    pub(crate) fn remove(&self, text: &str) -> Result<String, Unclosed> {
        Ok(match self.find(text)? {
            Some(range) => format!("{}{}", &text[..range.start], &text[range.end..]),
            None => text.to_string(),
        })
    }
}

/// Where `marker` begins a line of `text`, at or after `from`; a line must be the marker
/// itself (trailing blanks and `\r` allowed), so a marker quoted inside another line does not count.
fn find_line(text: &str, marker: &str, from: usize) -> Option<usize> {
    let mut search = from;
    while let Some(pos) = text[search..].find(marker) {
        let idx = search + pos;
        let line_start = idx == 0 || text.as_bytes()[idx - 1] == b'\n';
        let rest = &text[idx + marker.len()..];
        let line_end = rest.split('\n').next().unwrap_or("").trim_end().is_empty();
        if line_start && line_end {
            return Some(idx);
        }
        search = idx + marker.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: Markers = Markers { start: "# >>> m >>>", end: "# <<< m <<<" };

    #[test]
    fn appends_replaces_and_removes_keeping_every_other_byte() {
        let block = "# >>> m >>>\nnew\n# <<< m <<<\n";
        assert_eq!(M.splice("", block).unwrap(), block);
        assert_eq!(M.splice("a\nb", block).unwrap(), format!("a\nb\n{block}"));
        let text = "top\n# >>> m >>>\nold\n# <<< m <<<\nbottom  \n";
        assert_eq!(M.splice(text, block).unwrap(), format!("top\n{block}bottom  \n"));
        assert_eq!(M.remove(text).unwrap(), "top\nbottom  \n");
        assert_eq!(M.remove("no block\n").unwrap(), "no block\n");
    }

    #[test]
    fn crlf_files_stay_crlf_and_quoted_markers_do_not_count() {
        let text = "a\r\n# >>> m >>>\r\nold\r\n# <<< m <<<\r\nz\r\n";
        assert_eq!(M.splice(text, "# >>> m >>>\nx\n# <<< m <<<\n").unwrap(), text.replace("old", "x"));
        let quoted = "say # >>> m >>>\n# >>> m >>> and more\n";
        assert_eq!(M.find(quoted), Ok(None));
        assert_eq!(M.find("# >>> m >>>\nno end\n"), Err(Unclosed));
    }
}
