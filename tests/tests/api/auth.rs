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
