//! Access tokens: short-lived HS256 JWTs naming the user, the tenant and the login session.
//!
//! Only HS256 is accepted when verifying (so `alg: none` and algorithm confusion are refused),
//! and issuer, audience, expiry and not-before are all checked.

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use kernel::{
    Error, ErrorCode, Result, TenantCode,
    ids::{SessionId, UserId},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const ISSUER: &str = "urbangrid";
pub const AUDIENCE: &str = "urbangrid-api";
pub const MIN_SECRET_BYTES: usize = 32;

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The user id.
    pub sub: Uuid,
    /// The user's tenant code.
    pub tid: String,
    /// The login session (refresh-token family); revoking it ends the token at once.
    pub sid: Uuid,
    /// Unique token id.
    pub jti: Uuid,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

/// Signing and verification keys with the token lifetime.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    access_ttl_secs: i64,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys").field("access_ttl_secs", &self.access_ttl_secs).finish_non_exhaustive()
    }
}

impl TokenKeys {
    /// Keys from a shared secret of at least 32 bytes.
    pub fn hs256(secret: &[u8], access_ttl_secs: i64) -> Result<Self, String> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(format!("the JWT secret must be at least {MIN_SECRET_BYTES} bytes"));
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 5;
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_ttl_secs,
        })
    }

    pub fn access_ttl_secs(&self) -> i64 {
        self.access_ttl_secs
    }

    /// Signs an access token; returns it with its lifetime in seconds.
    pub fn issue(&self, user: UserId, tenant: TenantCode, session: SessionId) -> Result<(String, i64)> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: user.0,
            tid: tenant.to_string(),
            sid: session.0,
            jti: Uuid::new_v4(),
            iat: now,
            nbf: now,
            exp: now + self.access_ttl_secs,
        };
        self.sign(&claims).map(|t| (t, self.access_ttl_secs))
    }

    /// Signs arbitrary claims (tests use this to forge expired or foreign tokens).
    pub fn sign(&self, claims: &Claims) -> Result<String> {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding).map_err(Error::internal)
    }

    /// Verifies signature, algorithm, issuer, audience and lifetime.
    pub fn verify(&self, token: &str) -> Result<Claims> {
        decode::<Claims>(token, &self.decoding, &self.validation).map(|d| d.claims).map_err(|e| {
            tracing::debug!(error = %e, "access token refused");
            Error::new(ErrorCode::InvalidToken, "the access token is invalid or has expired")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn keys() -> TokenKeys {
        TokenKeys::hs256(&[7u8; 32], 900).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn short_secret_is_refused() {
        assert!(TokenKeys::hs256(b"short", 900).is_err());
    }

    #[test]
    fn round_trip() {
        let k = keys();
        let tenant = TenantCode::parse("320115").unwrap_or(TenantCode::PLATFORM);
        let (t, ttl) = k.issue(UserId::new(), tenant, SessionId::new()).unwrap_or_default();
        assert_eq!(ttl, 900);
        let claims = k.verify(&t).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(claims.tid, "320115");
    }

    #[test]
    fn alg_none_and_other_secret_are_refused() {
        let k = keys();
        let (t, _) = k.issue(UserId::new(), TenantCode::PLATFORM, SessionId::new()).unwrap_or_default();
        let payload = t.split('.').nth(1).unwrap_or_default();
        let none = format!("{}.{}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#), payload);
        assert!(k.verify(&none).is_err());
        let other = TokenKeys::hs256(&[8u8; 32], 900).unwrap_or_else(|e| panic!("{e}"));
        assert!(other.verify(&t).is_err());
    }
}
