//! A string that must never be shown: secret access keys, session tokens, SSO tokens,
//! client secrets and authorization codes, PKCE verifiers, console sign-in URLs, endpoint
//! tokens. `Debug` and `Display` redact it, it has no `Serialize`, and the only way to the
//! text is `expose`, which the few places that really need it (a request, a child's
//! environment or export lines, a file that holds secrets, the browser) call by name, so a
//! reviewer can find every one with grep.

use std::fmt;

/// A secret's text; shown only as `****`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value` as it is (nothing trimmed or checked).
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret text itself. Call only where the text must go: a request to AWS or to an
    /// awsw endpoint, a child's environment or export lines for `eval`, a file that holds
    /// secrets (awsw's 0600 caches and agent state, the AWS CLI's caches, the credentials
    /// file on rotate, an explicit `--inline` `.envrc`), the browser (or stdout with
    /// `console --print-url`), and the endpoint's constant-time token check.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

/// Shortens an access key id for display: `AKIA****WXYZ`. Key ids are not secret, but
/// there is no reason to print them whole either.
pub(crate) fn mask_key_id(key_id: &str) -> String {
    let chars: Vec<char> = key_id.chars().collect();
    if chars.len() <= 8 {
        return "****".into();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact() {
        let secret = Secret::new("wJalrXUtnFEMI/K7MDENG");
        assert_eq!(format!("{secret:?}"), "Secret(****)");
        assert_eq!(format!("{secret}"), "****");
        assert_eq!(format!("{:?}", Some(secret.clone())), "Some(Secret(****))");
        assert_eq!(secret.expose(), "wJalrXUtnFEMI/K7MDENG");
    }

    #[test]
    fn key_ids_are_masked() {
        assert_eq!(mask_key_id("AKIAIOSFODNN7EXAMPLE"), "AKIA****MPLE");
        assert_eq!(mask_key_id("short"), "****");
    }
}
