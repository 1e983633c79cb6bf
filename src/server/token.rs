//! The endpoint's bearer token: 256 bits from the operating system's random source, and the
//! one comparison that may look at it, in constant time. A served child gets the token only
//! through its environment; the agent's is also kept in its 0600 state file and printed by
//! `awsw agent env` into the directory's environment. Never on a command line or in a log.

use std::io::Read;

use crate::secret::Secret;

/// Bytes of randomness in a token: 32 bytes, 256 bits.
pub(crate) const TOKEN_BYTES: usize = 32;

/// A fresh token, 64 hex characters, read from `/dev/urandom` (the kernel's CSPRNG, the
/// same source `getrandom(2)` draws from once seeded).
pub(crate) fn fresh() -> std::io::Result<Secret> {
    let mut bytes = [0u8; TOKEN_BYTES];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(Secret::new(hex::encode(bytes)))
}

/// Whether `offered` is exactly `expected`, taking the same time wherever the first
/// difference is: every byte is looked at, and the length (not secret: always 64) only
/// decides the answer at the end.
pub(crate) fn matches(expected: &Secret, offered: &[u8]) -> bool {
    let expected = expected.expose().as_bytes();
    let mut difference = (expected.len() ^ offered.len()) as u64;
    for (i, byte) in expected.iter().enumerate() {
        let other = offered.get(i).copied().unwrap_or(!byte);
        difference |= u64::from(byte ^ other);
    }
    std::hint::black_box(difference) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_of_hex_and_differ() {
        let a = fresh().unwrap();
        let b = fresh().unwrap();
        assert_eq!(a.expose().len(), 2 * TOKEN_BYTES);
        assert!(a.expose().bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn only_the_exact_token_matches() {
        let token = fresh().unwrap();
        let text = token.expose().to_string();
        assert!(matches(&token, text.as_bytes()));
        assert!(!matches(&token, b""));
        assert!(!matches(&token, &text.as_bytes()[..63]));
        assert!(!matches(&token, format!("{text}0").as_bytes()));
        let mut same_length = text.clone().into_bytes();
        same_length[40] = if same_length[40] == b'a' { b'b' } else { b'a' };
        assert!(!matches(&token, &same_length));
        assert!(!matches(&token, format!("Bearer {text}").as_bytes()));
    }
}
