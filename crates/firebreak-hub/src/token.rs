//! Bearer tokens: 32 bytes from the operating system's random generator, shown once,
//! kept only as their SHA-256. A stolen database gives no usable token, and a token is
//! looked up by its hash, so no comparison ever runs over the secret itself.

use rand::TryRngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use std::fmt;

/// Every token starts with this, so that a leaked one is recognisable in logs and
/// secret scanners.
pub const TOKEN_PREFIX: &str = "fbk_";

/// The SHA-256 of a token: what the hub stores and rate-limits by.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash(pub [u8; 32]);

impl TokenHash {
    /// Lower-case hex, as stored.
    pub fn hex(&self) -> String {
        hex(&self.0)
    }
}

/// Deliberately short: a hash in a debug log should not invite copying it around.
impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenHash({}…)", &self.hex()[..8])
    }
}

fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// A new token: `fbk_` and 64 hex digits (256 random bits).
pub fn new_token() -> Result<String, rand::rand_core::OsError> {
    let mut bytes = [0u8; 32];
    OsRng.try_fill_bytes(&mut bytes)?;
    Ok(format!("{TOKEN_PREFIX}{}", hex(&bytes)))
}

/// The hash a token is stored and looked up by.
pub fn hash_token(token: &str) -> TokenHash {
    TokenHash(Sha256::digest(token.as_bytes()).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_fresh_prefixed_and_hashed_stably() {
        let a = new_token().expect("rng");
        let b = new_token().expect("rng");
        assert_ne!(a, b);
        assert!(
            a.starts_with(TOKEN_PREFIX) && a.len() == TOKEN_PREFIX.len() + 64,
            "{a}"
        );
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), hash_token(&b));
        // SHA-256("abc"), the FIPS 180-2 test vector.
        assert_eq!(
            hash_token("abc").hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(!format!("{:?}", hash_token(&a)).contains(&hash_token(&a).hex()));
    }
}
