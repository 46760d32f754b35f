//! Login, token refresh, logout, and the per-request authentication of access tokens.
//!
//! * A login opens a *session* (a family of refresh tokens) and returns an access token naming
//!   it. Refresh tokens rotate: each is good once; presenting a used one again means it was
//!   stolen, so the whole session is revoked.
//! * Every request re-checks the session, the user and the tenant chain, so a logout, a
//!   deactivation or a suspension takes effect at the next request, not when tokens expire. The
//!   [`Authenticator`] remembers those checks until anything they depend on changes (a version
//!   counter; other replicas' changes are seen within [`crate::Versions::POLL_INTERVAL`]).
//! * Login failures are counted in the database per account and per source address, so the
//!   limit holds across server replicas and restarts.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use kernel::{
    Error, ErrorCode, Result, TenantCode, Validator,
    ids::{SessionId, TenantId, UserId},
};
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::context::{Principal, Target};
use crate::db::OrInternal;
use crate::entity::{login_failure, refresh_token, session, user};
use crate::tenant;
use crate::token::TokenKeys;
use crate::versions::{Cached, Versions};

/// Lifetimes and limits of authentication.
#[derive(Debug)]
pub struct AuthSettings {
    pub keys: TokenKeys,
    /// How long a refresh token stays usable.
    pub refresh_ttl_secs: i64,
    /// The absolute lifetime of a session, however often it is refreshed.
    pub session_ttl_secs: i64,
    /// Failed logins allowed per account within the window.
    pub max_failures_per_account: u64,
    /// Failed logins allowed per source address within the window.
    pub max_failures_per_source: u64,
    pub failure_window_secs: i64,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct LoginRequest {
    #[schema(example = "320115")]
    pub tenant_code: String,
    #[schema(example = "admin")]
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenPair {
    /// A JWT for the `Authorization: Bearer` header.
    pub access_token: String,
    /// Single-use; exchange at `/api/v1/auth/refresh` for a new pair.
    pub refresh_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    hex::encode(digest)
}

fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("ugr_{}", URL_SAFE_NO_PAD.encode(bytes))
}

fn invalid_refresh() -> Error {
    Error::new(ErrorCode::InvalidToken, "the refresh token is invalid, used or expired")
}

/// The tenant and all its ancestors must be active.
async fn check_tenant_active<C: ConnectionTrait>(db: &C, tenant: TenantId) -> Result<()> {
    let chain = tenant::chain(db, tenant).await?;
    if chain.is_empty() {
        return Err(Error::new(ErrorCode::InvalidToken, "the tenant no longer exists"));
    }
    if let Some(suspended) = chain.iter().find(|t| !t.active) {
        return Err(Error::new(ErrorCode::TenantSuspended, format!("tenant {} is suspended", suspended.code)));
    }
    Ok(())
}

fn check_user_active(u: &user::Model) -> Result<()> {
    if u.status != crate::user::UserStatus::Active.as_str() {
        return Err(Error::new(ErrorCode::AccountDisabled, "the account is deactivated"));
    }
    Ok(())
}

async fn open_session<C: ConnectionTrait>(
    db: &C,
    s: &AuthSettings,
    u: &user::Model,
    code: TenantCode,
) -> Result<TokenPair> {
    let now = Utc::now();
    let sid = SessionId::new();
    session::ActiveModel {
        id: Set(sid.0),
        tenant_id: Set(u.tenant_id),
        user_id: Set(u.id),
        created_at: Set(now),
        expires_at: Set(now + Duration::seconds(s.session_ttl_secs)),
        revoked_at: Set(None),
    }
    .insert(db)
    .await
    .or_internal()?;
    issue_pair(db, s, u, code, sid, now + Duration::seconds(s.session_ttl_secs)).await
}

async fn issue_pair<C: ConnectionTrait>(
    db: &C,
    s: &AuthSettings,
    u: &user::Model,
    code: TenantCode,
    sid: SessionId,
    session_expires: chrono::DateTime<Utc>,
) -> Result<TokenPair> {
    let now = Utc::now();
    let refresh = new_refresh_token();
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        session_id: Set(sid.0),
        token_hash: Set(hash_token(&refresh)),
        created_at: Set(now),
        expires_at: Set((now + Duration::seconds(s.refresh_ttl_secs)).min(session_expires)),
        used_at: Set(None),
    }
    .insert(db)
    .await
    .or_internal()?;
    let (access, expires_in) = s.keys.issue(UserId(u.id), code, sid)?;
    Ok(TokenPair { access_token: access, refresh_token: refresh, token_type: "Bearer".into(), expires_in })
}

async fn failures_since<C: ConnectionTrait>(
    db: &C,
    column: login_failure::Column,
    key: &str,
    since: chrono::DateTime<Utc>,
) -> Result<u64> {
    login_failure::Entity::find()
        .filter(column.eq(key))
        .filter(login_failure::Column::At.gt(since))
        .count(db)
        .await
        .or_internal()
}

/// Checks the password login of `tenant_code/username` from `source` (the client address).
pub async fn login(db: &DatabaseConnection, s: &AuthSettings, req: LoginRequest, source: &str) -> Result<TokenPair> {
    let mut v = Validator::new();
    let code = v.check("tenant_code", TenantCode::parse(req.tenant_code.trim()));
    if req.username.trim().is_empty() {
        v.add("username", "must not be empty");
    }
    if req.password.is_empty() {
        v.add("password", "must not be empty");
    }
    v.finish()?;
    let Some(code) = code else { return Err(Error::invalid("tenant_code", "invalid")) };
    let username = req.username.trim().to_lowercase();
    let account = format!("{code}/{username}");
    let account_key: String = account.chars().take(80).collect();
    let source_key: String = source.chars().take(64).collect();

    let since = Utc::now() - Duration::seconds(s.failure_window_secs);
    let by_account = failures_since(db, login_failure::Column::Account, &account_key, since).await?;
    let by_source = failures_since(db, login_failure::Column::Source, &source_key, since).await?;
    if by_account >= s.max_failures_per_account || by_source >= s.max_failures_per_source {
        tracing::warn!(account = %account_key, source = %source_key, "login refused: too many failures");
        return Err(Error::rate_limited(s.failure_window_secs as u64));
    }

    let tenant = tenant::find_by_code(db, code.as_str()).await?;
    let found = match &tenant {
        Some(t) => user::Entity::find()
            .filter(user::Column::TenantId.eq(t.id))
            .filter(user::Column::Username.eq(&username))
            .one(db)
            .await
            .or_internal()?,
        None => None,
    };
    let ok = crate::password::verify(req.password, found.as_ref().map(|u| u.password_hash.clone())).await?;
    let (Some(t), Some(u), true) = (tenant, found, ok) else {
        login_failure::ActiveModel {
            account: Set(account_key),
            source: Set(source_key),
            at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(db)
        .await
        .or_internal()?;
        return Err(Error::new(ErrorCode::InvalidCredentials, ErrorCode::InvalidCredentials.title()));
    };
    // Status is revealed only to someone who knows the password.
    check_tenant_active(db, TenantId(t.id)).await?;
    check_user_active(&u)?;

    let txn = db.begin().await.or_internal()?;
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Account.eq(&account_key))
        .exec(&txn)
        .await
        .or_internal()?;
    let pair = open_session(&txn, s, &u, code).await?;
    txn.commit().await.or_internal()?;
    tracing::info!(tenant = %code, user = %u.id, "login");
    Ok(pair)
}

/// Exchanges a refresh token for a new pair; the presented token is used up.
pub async fn refresh(db: &DatabaseConnection, s: &AuthSettings, req: RefreshRequest) -> Result<TokenPair> {
    let now = Utc::now();
    let hash = hash_token(req.refresh_token.trim());
    let token = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash))
        .one(db)
        .await
        .or_internal()?
        .ok_or_else(invalid_refresh)?;
    let sess =
        session::Entity::find_by_id(token.session_id).one(db).await.or_internal()?.ok_or_else(invalid_refresh)?;
    if sess.revoked_at.is_some() || sess.expires_at <= now || token.expires_at <= now {
        return Err(invalid_refresh());
    }
    let txn = db.begin().await.or_internal()?;
    // Use the token up; only one of two concurrent refreshes can win this update.
    let used = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(token.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await
        .or_internal()?;
    if used.rows_affected != 1 {
        // A used token presented again: assume theft and end the whole session.
        txn.rollback().await.or_internal()?;
        revoke_session(db, SessionId(sess.id)).await?;
        tracing::warn!(session = %sess.id, "refresh token reused; session revoked");
        return Err(invalid_refresh());
    }
    let u = user::Entity::find_by_id(sess.user_id).one(&txn).await.or_internal()?.ok_or_else(invalid_refresh)?;
    check_user_active(&u)?;
    check_tenant_active(&txn, TenantId(u.tenant_id)).await?;
    let t = tenant::find_by_id(&txn, TenantId(u.tenant_id)).await?.ok_or_else(invalid_refresh)?;
    let code = TenantCode::parse(&t.code).map_err(|e| Error::internal(anyhow::anyhow!(e)))?;
    let pair = issue_pair(&txn, s, &u, code, SessionId(sess.id), sess.expires_at).await?;
    txn.commit().await.or_internal()?;
    Ok(pair)
}

/// Ends the session the refresh token belongs to. Unknown tokens are ignored, so the answer
/// says nothing about which tokens exist.
pub async fn logout(db: &DatabaseConnection, req: RefreshRequest) -> Result<()> {
    let hash = hash_token(req.refresh_token.trim());
    if let Some(t) =
        refresh_token::Entity::find().filter(refresh_token::Column::TokenHash.eq(hash)).one(db).await.or_internal()?
    {
        revoke_session(db, SessionId(t.session_id)).await?;
    }
    Ok(())
}

async fn revoke_session<C: ConnectionTrait>(db: &C, sid: SessionId) -> Result<()> {
    crate::db::bump_version(db, crate::versions::AUTH).await?;
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(session::Column::Id.eq(sid.0))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await
        .or_internal()?;
    Ok(())
}

/// Ends every session of a user (password reset, deactivation).
pub(crate) async fn revoke_all_for_user<C: ConnectionTrait>(db: &C, user: UserId) -> Result<()> {
    crate::db::bump_version(db, crate::versions::AUTH).await?;
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(session::Column::UserId.eq(user.0))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await
        .or_internal()?;
    Ok(())
}

fn refused() -> Error {
    Error::new(ErrorCode::InvalidToken, "the access token is no longer valid")
}

/// The principal of verified claims (session, user and tenant chain re-checked), and when its
/// session ends.
async fn load_principal(db: &DatabaseConnection, claims: &crate::token::Claims) -> Result<(Principal, DateTime<Utc>)> {
    let sess = session::Entity::find_by_id(claims.sid).one(db).await.or_internal()?.ok_or_else(refused)?;
    if sess.user_id != claims.sub || sess.revoked_at.is_some() || sess.expires_at <= Utc::now() {
        return Err(refused());
    }
    let u = user::Entity::find_by_id(claims.sub).one(db).await.or_internal()?.ok_or_else(refused)?;
    let t = tenant::find_by_id(db, TenantId(u.tenant_id)).await?.ok_or_else(refused)?;
    if t.code != claims.tid {
        return Err(refused());
    }
    check_user_active(&u)?;
    check_tenant_active(db, TenantId(t.id)).await?;
    let principal = Principal {
        user_id: UserId(u.id),
        username: u.username,
        tenant_id: TenantId(t.id),
        tenant_code: TenantCode::parse(&t.code).map_err(|e| Error::internal(anyhow::anyhow!(e)))?,
        session_id: SessionId(sess.id),
        department_id: u.department_id.map(kernel::ids::DepartmentId),
    };
    Ok((principal, sess.expires_at))
}

/// Authentication for every request: the token is verified each time (signature, expiry,
/// audience); the session, user and tenant-chain checks behind it are remembered per session
/// until the [`crate::versions::AUTH`] counter moves (any logout, revocation, user change or
/// tenant suspension bumps it) or the session's lifetime ends.
#[derive(Debug)]
pub struct Authenticator {
    versions: Versions,
    sessions: Cached<Uuid, (Principal, DateTime<Utc>)>,
    targets: Cached<(TenantId, String), Target>,
}

impl Authenticator {
    pub fn new(versions: Versions) -> Self {
        Self { versions, sessions: Cached::new(100_000), targets: Cached::new(100_000) }
    }

    /// The principal of a bearer token.
    pub async fn principal(&self, db: &DatabaseConnection, s: &AuthSettings, bearer: &str) -> Result<Principal> {
        let claims = s.keys.verify(bearer)?;
        let version = self.versions.get(crate::versions::AUTH);
        if let Some((p, ends)) = self.sessions.get(&claims.sid, version)
            && p.user_id.0 == claims.sub
            && p.tenant_code.as_str() == claims.tid
            && ends > Utc::now()
        {
            return Ok(p);
        }
        let (p, ends) = load_principal(db, &claims).await?;
        self.sessions.put(claims.sid, version, (p.clone(), ends));
        Ok(p)
    }

    /// The tenant a path names, as seen from the principal (see [`crate::tenant::resolve_target`]).
    pub async fn target(&self, db: &DatabaseConnection, principal: &Principal, code: &str) -> Result<Target> {
        let key = (principal.tenant_id, code.to_owned());
        let version = self.versions.get(crate::versions::AUTH);
        if let Some(t) = self.targets.get(&key, version) {
            return Ok(t);
        }
        let t = crate::tenant::resolve_target(db, principal, code).await?;
        self.targets.put(key, version, t.clone());
        Ok(t)
    }
}

/// Deletes login failures older than the window and sessions past their lifetime.
pub async fn purge_expired(db: &DatabaseConnection, s: &AuthSettings) -> Result<()> {
    let now = Utc::now();
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::At.lt(now - Duration::seconds(s.failure_window_secs)))
        .exec(db)
        .await
        .or_internal()?;
    session::Entity::delete_many().filter(session::Column::ExpiresAt.lt(now)).exec(db).await.or_internal()?;
    Ok(())
}
