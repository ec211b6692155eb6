//! Managing who may use the hub (`firebreak-hub user add|list|revoke`). Works while the
//! server runs: both open the same database, and every request checks its token there.

use crate::error::UserError;
use crate::storage::{AddUser, HubStorage, UserSummary};
use crate::token::{hash_token, new_token};
use chrono::{DateTime, Utc};

/// A user name is what the hub serves as the author of the user's events: short, one
/// word, no markup.
pub fn check_name(name: &str) -> Result<(), UserError> {
    let ok = (1..=64).contains(&name.len())
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(UserError::InvalidName(name.to_string()))
    }
}

/// A token issued by `add_user`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub name: String,
    /// The token itself: shown once, never stored.
    pub token: String,
    /// The user existed with every token revoked; their devices stay theirs.
    pub reissued: bool,
}

/// Adds `name` with a new token, or gives a user whose tokens were all revoked a new
/// one. A user who still holds a live token is refused: revoke it first, so that an
/// old token never stays valid by mistake.
pub fn add_user(
    storage: &dyn HubStorage,
    name: &str,
    now: DateTime<Utc>,
) -> Result<IssuedToken, UserError> {
    check_name(name)?;
    let token = new_token().map_err(|e| UserError::Random(e.to_string()))?;
    match storage.add_user(name, &hash_token(&token), now)? {
        AddUser::HasToken => Err(UserError::HasToken(name.to_string())),
        outcome => Ok(IssuedToken {
            name: name.to_string(),
            token,
            reissued: outcome == AddUser::Reissued,
        }),
    }
}

/// Revokes every live token of `name`; how many.
pub fn revoke_user(
    storage: &dyn HubStorage,
    name: &str,
    now: DateTime<Utc>,
) -> Result<usize, UserError> {
    storage
        .revoke_user(name, now)?
        .ok_or_else(|| UserError::Unknown(name.to_string()))
}

pub fn list_users(storage: &dyn HubStorage) -> Result<Vec<UserSummary>, UserError> {
    Ok(storage.users()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_plain_word() {
        for ok in ["alice", "bob.smith", "c_d-e", "ops@example", "7of9"] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        let long = "x".repeat(65);
        for bad in [
            "",
            "-alice",
            "al ice",
            "a|b",
            "ällo",
            "**bold**",
            long.as_str(),
        ] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
