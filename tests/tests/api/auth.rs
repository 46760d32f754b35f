//! Login, refresh, logout, throttling, and every way a token must be refused.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tenancy::token::{AUDIENCE, Claims, ISSUER, TokenKeys};
use tests::{COUNTY_A, COUNTY_B, DEMO_PASSWORD, JWT_SECRET, TestApp, spawn_app, spawn_with};

fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

async fn me_status(app: &TestApp, token: &str) -> (StatusCode, String) {
    let r = app.get("/api/v1/me", token).await;
    (r.status, r.code().to_owned())
}

#[tokio::test]
async fn login_returns_a_short_lived_access_token_and_a_refresh_token() {
    let app = spawn_app().await;
    let r = app.login_raw(COUNTY_A, "acceptor", DEMO_PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["expires_in"], 900);
    assert!(r.body["refresh_token"].as_str().unwrap().starts_with("ugr_"));
    let claims = payload(r.body["access_token"].as_str().unwrap());
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(claims["aud"], AUDIENCE);
    assert_eq!(claims["tid"], COUNTY_A);
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 900);
    assert!(claims["jti"].is_string() && claims["sid"].is_string() && claims["sub"].is_string());

    // User names are case-insensitive; the password is not.
    assert_eq!(app.login_raw(COUNTY_A, "Acceptor", DEMO_PASSWORD).await.status, StatusCode::OK);
    let r = app.login_raw(COUNTY_A, "acceptor", &DEMO_PASSWORD.to_lowercase()).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "invalid_credentials"));
    // The same user name in another tenant is another account with the same demo password;
    // a wrong tenant is simply wrong credentials.
    assert_eq!(app.login_raw("320200", "acceptor", DEMO_PASSWORD).await.code(), "invalid_credentials");
    let r = app.login_raw("3201", "acceptor", DEMO_PASSWORD).await;
    assert_eq!(r.fields(), ["tenant_code"]);
}

#[tokio::test]
async fn forged_expired_and_tampered_tokens_are_refused() {
    let app = spawn_app().await;
    let good = app.demo(COUNTY_A, "admin").await;
    assert_eq!(me_status(&app, &good).await.0, StatusCode::OK);
    let claims: Claims = serde_json::from_value(payload(&good)).unwrap();
    let keys = TokenKeys::hs256(JWT_SECRET.as_bytes(), 900).unwrap();
    let now = chrono::Utc::now().timestamp();

    let expired = keys.sign(&Claims { iat: now - 7200, nbf: now - 7200, exp: now - 3600, ..claims.clone() }).unwrap();
    let not_yet = keys.sign(&Claims { nbf: now + 3600, exp: now + 7200, ..claims.clone() }).unwrap();
    let wrong_aud = keys.sign(&Claims { aud: "someone-else".into(), ..claims.clone() }).unwrap();
    let wrong_iss = keys.sign(&Claims { iss: "someone-else".into(), ..claims.clone() }).unwrap();
    let other_key = TokenKeys::hs256(b"another-secret-another-secret-0123456789", 900).unwrap();
    let wrong_sig = other_key.sign(&claims).unwrap();

    // Header `alg: none` with no signature.
    let parts: Vec<&str> = good.split('.').collect();
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let alg_none = format!("{none_header}.{}.", parts[1]);

    // The tenant claim changed to another county, keeping the original signature.
    let mut tampered = payload(&good);
    tampered["tid"] = json!(COUNTY_B);
    let tampered = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(tampered.to_string()), parts[2]);

    // Properly signed, but the tenant claim disagrees with the user's tenant (a forged claim
    // with a leaked key must still not cross tenants).
    let cross = keys.sign(&Claims { tid: COUNTY_B.into(), ..claims.clone() }).unwrap();

    for (name, token) in [
        ("expired", expired),
        ("not yet valid", not_yet),
        ("wrong audience", wrong_aud),
        ("wrong issuer", wrong_iss),
        ("wrong signature", wrong_sig),
        ("alg none", alg_none),
        ("tampered tenant", tampered),
        ("tenant claim of another tenant", cross),
        ("garbage", "not-a-jwt".into()),
    ] {
        let (status, code) = me_status(&app, &token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{name}");
        assert_eq!(code, "invalid_token", "{name}");
    }

    // No header, or another scheme.
    let r = app.call(Method::GET, "/api/v1/me", None, None).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "unauthenticated"));
    assert_eq!(r.headers["www-authenticate"], "Bearer");
    let r = app
        .client
        .get(format!("{}/api/v1/me", app.base))
        .header("authorization", format!("Basic {good}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_refresh_token_ends_the_session() {
    let app = spawn_app().await;
    let first = app.login_raw(COUNTY_A, "collector", DEMO_PASSWORD).await.body;
    let r1 = first["refresh_token"].as_str().unwrap();

    let second = app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refresh_token": r1}))).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.text);
    let r2 = second.body["refresh_token"].as_str().unwrap();
    let a2 = second.body["access_token"].as_str().unwrap();
    assert_ne!(r1, r2);
    assert_eq!(me_status(&app, a2).await.0, StatusCode::OK);

    // r1 again: refused, and the whole session (a2, r2) is revoked.
    let reuse = app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refresh_token": r1}))).await;
    assert_eq!((reuse.status, reuse.code()), (StatusCode::UNAUTHORIZED, "invalid_token"));
    assert_eq!(me_status(&app, a2).await.0, StatusCode::UNAUTHORIZED);
    let r = app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refresh_token": r2}))).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_revokes_the_refresh_token_and_the_access_token_at_once() {
    let app = spawn_app().await;
    let pair = app.login_raw(COUNTY_A, "dispatcher", DEMO_PASSWORD).await.body;
    let access = pair["access_token"].as_str().unwrap();
    let refresh = pair["refresh_token"].as_str().unwrap();
    // Another session of the same user is unaffected.
    let other = app.demo(COUNTY_A, "dispatcher").await;

    let r = app.call(Method::POST, "/api/v1/auth/logout", None, Some(json!({"refresh_token": refresh}))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(me_status(&app, access).await.0, StatusCode::UNAUTHORIZED);
    let r = app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refresh_token": refresh}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "invalid_token"));
    assert_eq!(me_status(&app, &other).await.0, StatusCode::OK);
    // Unknown tokens log out "successfully" (nothing is revealed).
    let r = app.call(Method::POST, "/api/v1/auth/logout", None, Some(json!({"refresh_token": "ugr_unknown"}))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn failed_logins_are_throttled_per_account_and_per_source() {
    let app = spawn_with(|s| {
        s.login_max_failures_per_account = 3;
        s.login_max_failures_per_source = 5;
    })
    .await;
    for _ in 0..3 {
        assert_eq!(app.login_raw(COUNTY_A, "auditor", "Wrong-Password-1").await.status, StatusCode::UNAUTHORIZED);
    }
    // The account is locked, even for the right password, with a Retry-After.
    let r = app.login_raw(COUNTY_A, "auditor", DEMO_PASSWORD).await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    assert!(r.headers["retry-after"].to_str().unwrap().parse::<u64>().unwrap() > 0);
    // Another account from the same source still works until the source limit.
    assert_eq!(app.login_raw(COUNTY_A, "collector", DEMO_PASSWORD).await.status, StatusCode::OK);
    for _ in 0..2 {
        assert_eq!(app.login_raw(COUNTY_B, "nobody", "Wrong-Password-1").await.status, StatusCode::UNAUTHORIZED);
    }
    let r = app.login_raw(COUNTY_B, "collector", DEMO_PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "the source has used up its failures");
}

#[tokio::test]
async fn deactivated_users_and_reset_passwords_end_sessions_at_the_next_request() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let collector = app.demo(COUNTY_A, "collector").await;
    let id = app.user_id(COUNTY_A, "collector", &admin).await;

    let r =
        app.patch(&format!("/api/v1/tenants/{COUNTY_A}/users/{id}"), &admin, json!({"status": "deactivated"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let (status, _) = me_status(&app, &collector).await;
    assert!(status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN, "{status}");
    let r = app.login_raw(COUNTY_A, "collector", DEMO_PASSWORD).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "account_disabled"));

    // Re-activated, then the password reset: the old password stops working, old tokens too.
    app.patch(&format!("/api/v1/tenants/{COUNTY_A}/users/{id}"), &admin, json!({"status": "active"})).await;
    let token = app.demo(COUNTY_A, "collector").await;
    let r = app.patch(&format!("/api/v1/tenants/{COUNTY_A}/users/{id}"), &admin, json!({"password": "short"})).await;
    assert_eq!(r.fields(), ["password"]);
    let r = app
        .patch(&format!("/api/v1/tenants/{COUNTY_A}/users/{id}"), &admin, json!({"password": "Brand-New-Pass-9"}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(me_status(&app, &token).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login_raw(COUNTY_A, "collector", DEMO_PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    app.login(COUNTY_A, "collector", "Brand-New-Pass-9").await;
}

#[tokio::test]
async fn another_replica_refuses_a_logged_out_or_suspended_token_within_its_poll_interval() {
    let app = spawn_app().await;
    let replica = app.replica().await;
    let pair = app.login_raw(COUNTY_A, "dispatcher", DEMO_PASSWORD).await.body;
    let access = pair["access_token"].as_str().unwrap();
    // The replica has checked (and remembers) the session.
    assert_eq!(me_status(&replica, access).await.0, StatusCode::OK);
    assert_eq!(replica.get(&format!("/api/v1/tenants/{COUNTY_A}/cases"), access).await.status, StatusCode::OK);

    let r = app
        .call(Method::POST, "/api/v1/auth/logout", None, Some(json!({"refresh_token": pair["refresh_token"]})))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    // Seen by the replica's next snapshot of the version counters (every 100 ms).
    let refused_within = async {
        for _ in 0..20 {
            if replica.get(&format!("/api/v1/tenants/{COUNTY_A}/cases"), access).await.status
                == StatusCode::UNAUTHORIZED
            {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        false
    };
    assert!(refused_within.await, "the replica still accepts a logged-out token after 1 s");

    // A suspended county: the replica refuses its users' live tokens too.
    let collector = replica.demo(COUNTY_B, "collector").await;
    assert_eq!(me_status(&replica, &collector).await.0, StatusCode::OK);
    let city_admin = app.demo(tests::CITY, "admin").await;
    let r = app.post(&format!("/api/v1/tenants/{COUNTY_B}/suspend"), &city_admin, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let mut refused = false;
    for _ in 0..20 {
        if me_status(&replica, &collector).await.0 != StatusCode::OK {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(refused, "the replica still accepts a suspended county's token after 1 s");
}

#[tokio::test]
async fn forty_simultaneous_guesses_at_one_account_are_five_evaluated() {
    // The source limit out of the way: this is about the account's count.
    let app = spawn_with(|s| s.login_max_failures_per_source = 1000).await;
    let passwords: Vec<String> = (0..40).map(|i| format!("Wrong-Password-{i}")).collect();
    let guesses = passwords.iter().map(|p| app.login_raw(COUNTY_A, "auditor", p));
    let results = futures_util::future::join_all(guesses).await;
    let evaluated = results.iter().filter(|r| r.status == StatusCode::UNAUTHORIZED).count();
    let refused = results.iter().filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((evaluated, refused), (5, 35), "{:?}", results.iter().map(|r| r.status).collect::<Vec<_>>());
    // Locked, even for the right password.
    assert_eq!(app.login_raw(COUNTY_A, "auditor", DEMO_PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn an_unlock_or_a_password_reset_lifts_the_lockout() {
    let app = spawn_with(|s| {
        s.login_max_failures_per_account = 3;
        s.login_max_failures_per_source = 1000;
    })
    .await;
    let admin = app.demo(COUNTY_A, "admin").await;
    let id = app.user_id(COUNTY_A, "collector", &admin).await;
    let lock = || async {
        for _ in 0..3 {
            assert_eq!(app.login_raw(COUNTY_A, "collector", "Wrong-Password-1").await.status, StatusCode::UNAUTHORIZED);
        }
        assert_eq!(app.login_raw(COUNTY_A, "collector", DEMO_PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
    };

    lock().await;
    // Only an administrator unlocks.
    let auditor = app.demo(COUNTY_A, "auditor").await;
    let path = format!("/api/v1/tenants/{COUNTY_A}/users/{id}/unlock");
    assert_eq!(app.post(&path, &auditor, json!({})).await.status, StatusCode::FORBIDDEN);
    let r = app.call(Method::POST, &path, Some(&admin), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    app.login(COUNTY_A, "collector", DEMO_PASSWORD).await;

    lock().await;
    let r = app
        .patch(&format!("/api/v1/tenants/{COUNTY_A}/users/{id}"), &admin, json!({"password": "Brand-New-Pass-9"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.login(COUNTY_A, "collector", "Brand-New-Pass-9").await;
    // Another user's lockout is untouched by this user's unlock.
    for _ in 0..3 {
        app.login_raw(COUNTY_A, "dispatcher", "Wrong-Password-1").await;
    }
    app.call(Method::POST, &path, Some(&admin), None).await;
    assert_eq!(app.login_raw(COUNTY_A, "dispatcher", DEMO_PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn users_change_their_own_password_with_the_current_one() {
    let app = spawn_with(|s| {
        s.login_max_failures_per_account = 3;
        s.login_max_failures_per_source = 1000;
    })
    .await;
    let pair = app.login_raw(COUNTY_A, "collector", DEMO_PASSWORD).await.body;
    let token = pair["access_token"].as_str().unwrap().to_owned();
    let other = app.demo(COUNTY_A, "collector").await;
    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});

    let r = app.post("/api/v1/me/password", &token, change(DEMO_PASSWORD, "short")).await;
    assert_eq!((r.status, r.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["new_password".to_owned()]));
    let r = app.post("/api/v1/me/password", &token, change(DEMO_PASSWORD, DEMO_PASSWORD)).await;
    assert_eq!(r.fields(), ["new_password"]);
    let r = app.post("/api/v1/me/password", &token, change("Not-The-Password-1", "Brand-New-Pass-9")).await;
    assert_eq!((r.status, r.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["current_password".to_owned()]));
    // Without a token: 401.
    let r = app.call(Method::POST, "/api/v1/me/password", None, Some(change(DEMO_PASSWORD, "Brand-New-Pass-9"))).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    let r = app.post("/api/v1/me/password", &token, change(DEMO_PASSWORD, "Brand-New-Pass-9")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    // This session goes on; the user's other sessions end; the new password works, the old not.
    assert_eq!(me_status(&app, &token).await.0, StatusCode::OK);
    assert_eq!(me_status(&app, &other).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login_raw(COUNTY_A, "collector", DEMO_PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    app.login(COUNTY_A, "collector", "Brand-New-Pass-9").await;

    // Guessing the current password through a stolen token is throttled like logins.
    for _ in 0..3 {
        let r = app.post("/api/v1/me/password", &token, change("Guess-Password-1", "Other-New-Pass-9")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = app.post("/api/v1/me/password", &token, change("Brand-New-Pass-9", "Other-New-Pass-9")).await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
}

#[tokio::test]
async fn revoking_one_session_keeps_the_other_tenants_cached_principals() {
    let app = spawn_app().await;
    let db = app.db().await;
    let keys = TokenKeys::hs256(JWT_SECRET.as_bytes(), 900).unwrap();
    let settings = tenancy::session::AuthSettings {
        keys,
        refresh_ttl_secs: 3600,
        session_ttl_secs: 7200,
        max_failures_per_account: 5,
        max_failures_per_source: 50,
        failure_window_secs: 900,
    };
    // A replica's authenticator, with its own snapshot of the counters.
    let versions = tenancy::Versions::load(&db).await.unwrap();
    let authn = tenancy::session::Authenticator::new(versions.clone());

    let leaving = app.login_raw(COUNTY_A, "dispatcher", DEMO_PASSWORD).await.body;
    let staying_here = app.demo(COUNTY_A, "collector").await;
    let staying_there = app.demo(COUNTY_B, "collector").await;
    for t in [leaving["access_token"].as_str().unwrap(), &staying_here, &staying_there] {
        authn.principal(&db, &settings, t).await.unwrap();
    }
    assert_eq!(authn.loads(), 3);

    let r = app
        .call(Method::POST, "/api/v1/auth/logout", None, Some(json!({"refresh_token": leaving["refresh_token"]})))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    versions.refresh(&db).await.unwrap();
    // The logged-out session is refused; another county's principal is still served from memory.
    assert!(authn.principal(&db, &settings, leaving["access_token"].as_str().unwrap()).await.is_err());
    let loads = authn.loads();
    authn.principal(&db, &settings, &staying_there).await.unwrap();
    assert_eq!(authn.loads(), loads, "a logout in {COUNTY_A} emptied {COUNTY_B}'s cached principals");
    // The same county's principals are re-checked (the version is per tenant) and still valid.
    authn.principal(&db, &settings, &staying_here).await.unwrap();
}

/// Opens the live feed and reads its first chunk.
async fn open_feed(
    app: &TestApp,
    token: &str,
) -> impl futures_util::Stream<Item = reqwest::Result<impl AsRef<[u8]> + use<>>> + Unpin + use<> {
    use futures_util::StreamExt;
    let resp = app.get_raw(&format!("/api/v1/tenants/{COUNTY_A}/case-events"), token).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let mut s = Box::pin(resp.bytes_stream());
    let first = s.next().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(first.as_ref()).starts_with(": connected"));
    s
}

/// Whether the stream ends within `secs`; the text it sent until then.
async fn ends_within<B: AsRef<[u8]>>(
    s: &mut (impl futures_util::Stream<Item = reqwest::Result<B>> + Unpin),
    secs: u64,
) -> (bool, String) {
    use futures_util::StreamExt;
    let mut text = String::new();
    let read = async {
        while let Some(Ok(chunk)) = s.next().await {
            text.push_str(&String::from_utf8_lossy(chunk.as_ref()));
        }
    };
    let ended = tokio::time::timeout(std::time::Duration::from_secs(secs), read).await.is_ok();
    (ended, text)
}

#[tokio::test]
async fn the_live_feed_ends_when_its_session_ends() {
    let app = spawn_app().await;
    let admin = app.demo(COUNTY_A, "admin").await;

    // Logout.
    let pair = app.login_raw(COUNTY_A, "dispatcher", DEMO_PASSWORD).await.body;
    let mut feed = open_feed(&app, pair["access_token"].as_str().unwrap()).await;
    let mut bystander = open_feed(&app, &app.demo(COUNTY_A, "acceptor").await).await;
    app.call(Method::POST, "/api/v1/auth/logout", None, Some(json!({"refresh_token": pair["refresh_token"]}))).await;
    let (ended, text) = ends_within(&mut feed, 4).await;
    assert!(ended, "the feed outlived its logout");
    assert!(text.contains("event: end"), "{text}");
    assert!(!ends_within(&mut bystander, 2).await.0, "another session's feed ended too");

    // Deactivation.
    let mut feed = open_feed(&app, &app.demo(COUNTY_A, "dispatcher").await).await;
    let id = app.user_id(COUNTY_A, "dispatcher", &admin).await;
    let r =
        app.patch(&format!("/api/v1/tenants/{COUNTY_A}/users/{id}"), &admin, json!({"status": "deactivated"})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(ends_within(&mut feed, 4).await.0, "the feed outlived the user's deactivation");

    // Expiry of the access token (a token of a live session that expires in 3 s).
    let claims: Claims = serde_json::from_value(payload(&app.demo(COUNTY_A, "acceptor").await)).unwrap();
    let keys = TokenKeys::hs256(JWT_SECRET.as_bytes(), 900).unwrap();
    let now = chrono::Utc::now().timestamp();
    let short = keys.sign(&Claims { exp: now + 3, ..claims }).unwrap();
    let mut feed = open_feed(&app, &short).await;
    assert!(ends_within(&mut feed, 7).await.0, "the feed outlived its access token");

    // Suspension of the county (by the city).
    let mut feed = open_feed(&app, &app.demo(COUNTY_A, "acceptor").await).await;
    let city_admin = app.demo(tests::CITY, "admin").await;
    let r = app.post(&format!("/api/v1/tenants/{COUNTY_A}/suspend"), &city_admin, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(ends_within(&mut feed, 4).await.0, "the feed outlived the county's suspension");
    assert!(ends_within(&mut bystander, 4).await.0);
}

fn codes(r: &tests::Resp) -> Vec<String> {
    r.body["items"].as_array().unwrap().iter().map(|t| t["code"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_login_picker_lists_active_tenants_without_a_token_and_searches_them() {
    let app = spawn_app().await;
    async fn list_at(app: &TestApp, q: String) -> tests::Resp {
        app.call(Method::GET, &format!("/api/v1/auth/tenants{q}"), None, None).await
    }
    let list = |q: String| list_at(&app, q);
    let r = list("".to_owned()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(codes(&r), ["000000", "320100", "320102", "320115"].map(String::from).to_vec());
    let jiangning = r.body["items"].as_array().unwrap().iter().find(|t| t["code"] == COUNTY_A).unwrap();
    assert_eq!(jiangning["name"], "江宁区");
    assert_eq!(jiangning["level"], "county");
    assert_eq!(jiangning["parent_code"], "320100");
    // Only what a picker needs.
    let mut keys: Vec<&String> = jiangning.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["code", "level", "name", "parent_code"]);

    // A code prefix or a part of the name.
    assert_eq!(codes(&list("?q=江宁".to_owned()).await), [COUNTY_A]);
    assert_eq!(codes(&list("?q=3201".to_owned()).await), ["320100", COUNTY_B, COUNTY_A]);
    assert_eq!(codes(&list("?q=%25".to_owned()).await).len(), 4, "a typed wildcard is no wildcard filter");
    assert!(codes(&list("?q=0115".to_owned()).await).is_empty(), "codes match by prefix only");
    let r = list(format!("?q={}", "江".repeat(51))).await;
    assert_eq!((r.status, r.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["q".to_owned()]), "{}", r.text);

    // Paged like the other lists.
    let first = list("?limit=3".to_owned()).await;
    assert_eq!(codes(&first).len(), 3);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let rest = list(format!("?limit=3&cursor={cursor}")).await;
    assert_eq!(codes(&rest), [COUNTY_A]);
    assert!(rest.body["next_cursor"].is_null());

    // A suspended county is not listed; a suspended city hides its counties too.
    let city = app.demo(tests::CITY, "admin").await;
    let r = app.post(&format!("/api/v1/tenants/{COUNTY_B}/suspend"), &city, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(codes(&list("".to_owned()).await), ["000000", "320100", COUNTY_A]);
    let root = app.platform_admin().await;
    let r = app.post("/api/v1/tenants/320100/suspend", &root, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(codes(&list("".to_owned()).await), ["000000"]);
}

#[tokio::test]
async fn me_lists_the_permissions_of_the_callers_roles() {
    let app = spawn_app().await;
    let perms = |r: &tests::Resp| -> Vec<String> {
        r.body["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_owned()).collect()
    };
    let collector = app.get("/api/v1/me", &app.demo(COUNTY_A, "collector").await).await;
    assert_eq!(collector.status, StatusCode::OK, "{}", collector.text);
    let collector = perms(&collector);
    for held in ["tenant:read", "grid:read", "case:read", "case:write", "evaluation:read"] {
        assert!(collector.contains(&held.to_owned()), "collector lacks {held}: {collector:?}");
    }
    for lacking in ["user:read", "user:write", "grid:write", "department:write", "audit:read", "case:supervise"] {
        assert!(!collector.contains(&lacking.to_owned()), "collector holds {lacking}: {collector:?}");
    }
    assert!(collector.iter().all(|p| !p.starts_with("descendant/")), "{collector:?}");

    let admin = perms(&app.get("/api/v1/me", &app.demo(tests::CITY, "admin").await).await);
    // A city sets its counties up (区县接入) — their users and grids — but never works their cases.
    for held in [
        "user:write",
        "role_assignment:write",
        "grid:write",
        "descendant/user:read",
        "descendant/tenant:write",
        "descendant/user:write",
        "descendant/grid:write",
    ] {
        assert!(admin.contains(&held.to_owned()), "city admin lacks {held}: {admin:?}");
    }
    for lacking in ["case:write", "audit:read", "descendant/case:write", "descendant/case:supervise"] {
        assert!(!admin.contains(&lacking.to_owned()), "city admin holds {lacking}: {admin:?}");
    }
    // What the list says is what the server does.
    let collector = app.demo(COUNTY_A, "collector").await;
    let r = app.get(&format!("/api/v1/tenants/{COUNTY_A}/users"), &collector).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_login_picker_is_limited_per_client_address() {
    let app = spawn_app().await;
    let limit = api::routes::auth::TENANT_SEARCHES_PER_MINUTE.get();
    // A burst of `limit` passes; the quota refills at `limit` per minute, so a burst of twice
    // that is refused before it ends.
    let mut refused = None;
    for i in 0..2 * limit {
        let r = app.call(Method::GET, "/api/v1/auth/tenants?q=32", None, None).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some((i, r));
            break;
        }
        assert_eq!(r.status, StatusCode::OK, "search {i}: {}", r.text);
    }
    let (i, r) = refused.expect("a burst of searches is limited");
    assert!(i >= limit, "refused after {i} searches");
    assert_eq!(r.code(), "rate_limited", "{}", r.text);
    assert!(r.headers.contains_key("retry-after"));
    // Logging in is counted apart.
    app.demo(COUNTY_A, "admin").await;
}
