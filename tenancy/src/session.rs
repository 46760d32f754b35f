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
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
    Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::context::{Principal, Target, TenantRef};
use crate::db::OrInternal;
use crate::entity::{login_attempt, refresh_token, session, user};
use crate::scoped::TenantOwned;
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

/// The counter key of an account: `account:<tenant code>/<user name>` (lower case).
pub(crate) fn account_key(code: &str, username: &str) -> String {
    let key = format!("account:{code}/{}", username.trim().to_lowercase());
    key.chars().take(160).collect()
}

fn source_key(source: &str) -> String {
    format!("source:{}", source.chars().take(64).collect::<String>())
}

/// Counts one attempt on `key` and returns the count in the current window (a window starts at
/// the first attempt after the previous one ended). One upsert: on PostgreSQL the row is locked
/// by the first of concurrent attempts until its statement ends, on SQLite the database's write
/// lock orders them, so concurrent attempts see 1, 2, 3 … and never the same count twice.
async fn count_attempt<C: ConnectionTrait>(db: &C, key: &str, now: DateTime<Utc>, window_secs: i64) -> Result<i64> {
    use sea_orm::sea_query::{CaseStatement, ExprTrait, OnConflict, Query};
    let table = login_attempt::Entity;
    let window_start = || Expr::col((table, login_attempt::Column::WindowStart));
    let expired = || window_start().lte(Expr::val(now - Duration::seconds(window_secs)));
    let insert = Query::insert()
        .into_table(table)
        .columns([login_attempt::Column::Key, login_attempt::Column::WindowStart, login_attempt::Column::Count])
        .values_panic([key.into(), now.into(), 1i64.into()])
        .on_conflict(
            OnConflict::column(login_attempt::Column::Key)
                .values([
                    (
                        login_attempt::Column::WindowStart,
                        CaseStatement::new().case(expired(), Expr::val(now)).finally(window_start()).into(),
                    ),
                    (
                        login_attempt::Column::Count,
                        CaseStatement::new()
                            .case(expired(), Expr::val(1i64))
                            .finally(Expr::col((table, login_attempt::Column::Count)).add(1i64))
                            .into(),
                    ),
                ])
                .to_owned(),
        )
        .returning_col(login_attempt::Column::Count)
        .to_owned();
    let stmt = db.get_database_backend().build(&insert);
    let row = db.query_one_raw(stmt).await.or_internal()?;
    row.and_then(|r| r.try_get::<i64>("", "count").ok())
        .ok_or_else(|| Error::internal(anyhow::anyhow!("login attempt counter returned no row")))
}

/// Takes back one counted attempt (a successful login from a source is not a failure of it).
async fn uncount_attempt<C: ConnectionTrait>(db: &C, key: &str) -> Result<()> {
    use sea_orm::sea_query::ExprTrait;
    login_attempt::Entity::update_many()
        .col_expr(login_attempt::Column::Count, Expr::col(login_attempt::Column::Count).sub(1i64))
        .filter(login_attempt::Column::Key.eq(key))
        .filter(login_attempt::Column::Count.gt(0))
        .exec(db)
        .await
        .or_internal()?;
    Ok(())
}

/// Lifts the login lockout of an account (an administrator's password reset or unlock, or the
/// user's own successful login or password change).
pub(crate) async fn clear_attempts<C: ConnectionTrait>(db: &C, account: &str) -> Result<()> {
    login_attempt::Entity::delete_many().filter(login_attempt::Column::Key.eq(account)).exec(db).await.or_internal()?;
    Ok(())
}

/// Counts an attempt at the account's password outside the login (a password change) and
/// refuses it, unchecked, when the account is locked.
pub(crate) async fn check_attempt<C: ConnectionTrait>(db: &C, s: &AuthSettings, account: &str) -> Result<()> {
    if count_attempt(db, account, Utc::now(), s.failure_window_secs).await? > s.max_failures_per_account as i64 {
        uncount_attempt(db, account).await?;
        return Err(Error::rate_limited(s.failure_window_secs as u64));
    }
    Ok(())
}

/// Records a login attempt that changes nothing else, in a transaction of its own.
async fn audit_login(
    db: &DatabaseConnection,
    tenant: Option<&crate::entity::tenant::Model>,
    code: TenantCode,
    username: &str,
    found: Option<&user::Model>,
    outcome: LoginOutcome,
    origin: &crate::audit::Origin,
) -> Result<()> {
    let txn = db.begin().await.or_internal()?;
    crate::audit::login_attempt(&txn, tenant, code, username, found, outcome, origin).await?;
    txn.commit().await.or_internal()
}

/// What a login attempt came to, for the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginOutcome {
    Succeeded,
    /// Wrong tenant, user name or password.
    Failed,
    /// Refused without checking the password: too many attempts.
    Throttled,
    /// The password was right but the account or tenant is not active.
    Refused,
}

/// Checks the password login of `tenant_code/username` from `origin` (the client address).
///
/// Every attempt is counted, per account and per source address, *before* the password is
/// checked; an attempt beyond either limit is refused with 429 unchecked (and gives its counts
/// back). So of 40 simultaneous guesses at one account only the allowed 5 are evaluated. A
/// successful login resets the account's count and takes back its own count at the source; a
/// failed one stays counted for the window.
pub async fn login(
    db: &DatabaseConnection,
    s: &AuthSettings,
    req: LoginRequest,
    origin: &crate::audit::Origin,
) -> Result<TokenPair> {
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
    let account = account_key(code.as_str(), &username);
    let source = source_key(&origin.source);

    let now = Utc::now();
    let by_account = count_attempt(db, &account, now, s.failure_window_secs).await?;
    let by_source = count_attempt(db, &source, now, s.failure_window_secs).await?;
    let tenant = tenant::find_by_code(db, code.as_str()).await?;
    if by_account > s.max_failures_per_account as i64 || by_source > s.max_failures_per_source as i64 {
        // A refused attempt is not a failure: it gives its counts back (the count only ever
        // exceeds the evaluated attempts, so no more than the limit are ever evaluated).
        uncount_attempt(db, &account).await?;
        uncount_attempt(db, &source).await?;
        tracing::warn!(account = %account, source = %source, "login refused: too many attempts");
        audit_login(db, tenant.as_ref(), code, &username, None, LoginOutcome::Throttled, origin).await?;
        return Err(Error::rate_limited(s.failure_window_secs as u64));
    }

    let found = match &tenant {
        Some(t) => user::Entity::find_in(&TenantRef::of(t))
            .filter(user::Column::Username.eq(&username))
            .one(db)
            .await
            .or_internal()?,
        None => None,
    };
    let ok = crate::password::verify(req.password, found.as_ref().map(|u| u.password_hash.clone())).await?;
    let (Some(t), Some(u), true) = (tenant.as_ref(), found.as_ref(), ok) else {
        // The attempt stays counted.
        audit_login(db, tenant.as_ref(), code, &username, None, LoginOutcome::Failed, origin).await?;
        return Err(Error::new(ErrorCode::InvalidCredentials, ErrorCode::InvalidCredentials.title()));
    };
    // Status is revealed only to someone who knows the password.
    let status = match check_tenant_active(db, TenantId(t.id)).await {
        Ok(()) => check_user_active(u),
        Err(e) => Err(e),
    };
    if let Err(e) = status {
        audit_login(db, tenant.as_ref(), code, &username, Some(u), LoginOutcome::Refused, origin).await?;
        return Err(e);
    }

    let txn = db.begin().await.or_internal()?;
    clear_attempts(&txn, &account).await?;
    uncount_attempt(&txn, &source).await?;
    let pair = open_session(&txn, s, u, code).await?;
    crate::audit::login_attempt(&txn, tenant.as_ref(), code, &username, Some(u), LoginOutcome::Succeeded, origin)
        .await?;
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
        let txn = db.begin().await.or_internal()?;
        revoke_session(&txn, SessionId(sess.id)).await?;
        txn.commit().await.or_internal()?;
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
pub async fn logout(db: &DatabaseConnection, req: RefreshRequest, origin: &crate::audit::Origin) -> Result<()> {
    let hash = hash_token(req.refresh_token.trim());
    let Some(t) =
        refresh_token::Entity::find().filter(refresh_token::Column::TokenHash.eq(hash)).one(db).await.or_internal()?
    else {
        return Ok(());
    };
    let txn = db.begin().await.or_internal()?;
    if let Some(sess) = revoke_session(&txn, SessionId(t.session_id)).await? {
        let u = user::Entity::find_by_id(sess.user_id).one(&txn).await.or_internal()?;
        // A session's tenant is never deleted (tenants are suspended, not removed).
        if let Some(t) = tenant::find_by_id(&txn, TenantId(sess.tenant_id)).await? {
            let name = format!("{}/{}", t.code, u.map(|u| u.username).unwrap_or_default());
            let actor = crate::audit::Actor { id: Some(UserId(sess.user_id)), name };
            let entry = crate::audit::Entry::new("auth.logout", format!("session:{}", sess.id));
            crate::audit::record(&txn, &TenantRef::of(&t), &actor, origin, entry).await?;
        }
    }
    txn.commit().await.or_internal()?;
    Ok(())
}

/// The version counter of the principals of one tenant: bumped by anything that ends or changes
/// a session or user of that tenant, so that revoking one session invalidates only the cached
/// principals of its tenant, not every principal of every replica.
pub fn auth_version_key(tenant_code: &str) -> String {
    format!("{}:{tenant_code}", crate::versions::AUTH)
}

/// Bumps the principal version of the tenant with this id (inside the caller's transaction).
async fn bump_tenant_auth(txn: &DatabaseTransaction, tenant: TenantId) -> Result<()> {
    let code = tenant::find_by_id(txn, tenant).await?.map(|t| t.code).unwrap_or_default();
    crate::db::bump_version(txn, &auth_version_key(&code)).await
}

/// Revokes a session, announcing it (the tenant's principal version) in the same transaction:
/// a replica that sees the new version also sees the revocation. Returns the session if it was
/// live until now.
async fn revoke_session(txn: &DatabaseTransaction, sid: SessionId) -> Result<Option<session::Model>> {
    let Some(sess) = session::Entity::find_by_id(sid.0).one(txn).await.or_internal()? else { return Ok(None) };
    let revoked = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(session::Column::Id.eq(sid.0))
        .filter(session::Column::RevokedAt.is_null())
        .exec(txn)
        .await
        .or_internal()?;
    if revoked.rows_affected == 0 {
        return Ok(None);
    }
    bump_tenant_auth(txn, TenantId(sess.tenant_id)).await?;
    Ok(Some(sess))
}

/// Ends every session of a user (password reset, deactivation) except `keep` (the session
/// changing its own password), inside the caller's transaction, which also carries the bump of
/// the tenant's principal version.
pub(crate) async fn revoke_all_for_user(
    txn: &DatabaseTransaction,
    user: UserId,
    tenant_code: &str,
    keep: Option<SessionId>,
) -> Result<()> {
    crate::db::bump_version(txn, &auth_version_key(tenant_code)).await?;
    let mut q = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(session::Column::UserId.eq(user.0))
        .filter(session::Column::RevokedAt.is_null());
    if let Some(keep) = keep {
        q = q.filter(session::Column::Id.ne(keep.0));
    }
    q.exec(txn).await.or_internal()?;
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
/// until the principal version of the token's tenant moves ([`auth_version_key`]: a logout,
/// revocation or user change in that tenant), the tenant tree's [`crate::versions::AUTH`]
/// counter moves (a suspension or re-activation anywhere), or the session's lifetime ends.
#[derive(Debug)]
pub struct Authenticator {
    versions: Versions,
    sessions: Cached<Uuid, (Principal, DateTime<Utc>)>,
    targets: Cached<(TenantId, String), Target>,
    loads: std::sync::atomic::AtomicU64,
}

impl Authenticator {
    pub fn new(versions: Versions) -> Self {
        Self {
            versions,
            sessions: Cached::new(100_000),
            targets: Cached::new(100_000),
            loads: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// How many principals were loaded from the database (cache misses) so far.
    pub fn loads(&self) -> u64 {
        self.loads.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The version a cached principal of tenant `code` is valid at. Both counters only grow, so
    /// their sum changes exactly when either does.
    fn principal_version(&self, code: &str) -> i64 {
        self.versions.get(crate::versions::AUTH) + self.versions.get(&auth_version_key(code))
    }

    /// The principal of a bearer token.
    pub async fn principal(&self, db: &DatabaseConnection, s: &AuthSettings, bearer: &str) -> Result<Principal> {
        let claims = s.keys.verify(bearer)?;
        self.principal_of(db, &claims).await
    }

    /// The principal of verified claims (cached, see the type's docs).
    pub async fn principal_of(&self, db: &DatabaseConnection, claims: &crate::token::Claims) -> Result<Principal> {
        let version = self.principal_version(&claims.tid);
        if let Some((p, ends)) = self.sessions.get(&claims.sid, version)
            && p.user_id.0 == claims.sub
            && p.tenant_code.as_str() == claims.tid
            && ends > Utc::now()
        {
            return Ok(p);
        }
        self.loads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (p, ends) = load_principal(db, claims).await?;
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

/// Deletes login-attempt counters whose window has ended and sessions past their lifetime.
pub async fn purge_expired(db: &DatabaseConnection, s: &AuthSettings) -> Result<()> {
    let now = Utc::now();
    login_attempt::Entity::delete_many()
        .filter(login_attempt::Column::WindowStart.lt(now - Duration::seconds(s.failure_window_secs)))
        .exec(db)
        .await
        .or_internal()?;
    session::Entity::delete_many().filter(session::Column::ExpiresAt.lt(now)).exec(db).await.or_internal()?;
    Ok(())
}
