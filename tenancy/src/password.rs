//! Password hashing (argon2id, PHC strings) and the minimum-strength rule.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use kernel::{Error, Result};

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 128;

/// The strength rule: 10–128 characters, at least three of lower case, upper case, digits and
/// other characters, and not containing the user name. (Comparable to the 等保 2.0 baseline.)
pub fn check_strength(password: &str, username: &str) -> Result<(), String> {
    let len = password.chars().count();
    if len < MIN_LENGTH {
        return Err(format!("must be at least {MIN_LENGTH} characters"));
    }
    if len > MAX_LENGTH {
        return Err(format!("must be at most {MAX_LENGTH} characters"));
    }
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ];
    if classes.iter().filter(|&&has| has).count() < 3 {
        return Err("must mix at least three of: lower case, upper case, digits, symbols".into());
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err("must not contain the user name".into());
    }
    Ok(())
}

/// Hashes on the blocking pool: argon2 is deliberately slow and must not stall the event loop.
pub async fn hash(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::internal(anyhow::anyhow!("argon2: {e}")))
    })
    .await
    .map_err(Error::internal)?
}

/// Verifies on the blocking pool. With no stored hash, verifies against a fixed dummy hash so
/// that an unknown user name costs as much time as a wrong password (no user enumeration).
pub async fn verify(password: String, stored: Option<String>) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let parsed = PasswordHash::new(&phc).map_err(|e| Error::internal(anyhow::anyhow!("stored hash: {e}")))?;
        let ok = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
        Ok(known && ok)
    })
    .await
    .map_err(Error::internal)?
}

/// argon2id hash of a random string nobody knows, with the default parameters.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2cT1iS0i6XK0Ei3e3JDmVgbFYZr4gqvYxBZr0Jm5p9E";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strength_rule() {
        assert!(check_strength("Short1!", "x").is_err());
        assert!(check_strength("alllowercaseletters", "x").is_err());
        assert!(check_strength("Lower-and-UPPER", "x").is_ok());
        assert!(check_strength("zhangsan-Pass-2026", "zhangsan").is_err());
        assert!(check_strength("Correct-Horse-9", "zhangsan").is_ok());
    }

    #[tokio::test]
    async fn hash_then_verify() {
        let h = hash("Correct-Horse-9".into()).await.unwrap_or_default();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("Correct-Horse-9".into(), Some(h.clone())).await.unwrap_or(false));
        assert!(!verify("correct-horse-9".into(), Some(h)).await.unwrap_or(true));
        assert!(!verify("anything".into(), None).await.unwrap_or(true));
    }
}
