//! The database going away and coming back, seen from outside: requests fail fast with 503
//! `unavailable`, `/readyz` answers within a second, and service resumes by itself. PostgreSQL
//! only (the embedded database cannot be out of reach): the server reaches its database through
//! a TCP relay the test cuts and restores.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Relays TCP connections to `target` while up; when cut, drops every open connection and
/// refuses new ones, as a database host that died would.
struct Relay {
    addr: SocketAddr,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Relay {
    async fn start(target: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let open: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (flag, conns) = (up.clone(), open.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !flag.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let target = target.clone();
                let relay = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                conns.lock().unwrap().push(relay);
            }
        });
        Relay { addr, up, open }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for c in self.open.lock().unwrap().drain(..) {
            c.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// `host:port` of a PostgreSQL URL.
fn host_port(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap_or(rest).to_owned()
}

#[tokio::test]
async fn a_database_out_of_reach_is_503_within_seconds_and_service_resumes() {
    let Some(server) = tests::postgres_url() else {
        eprintln!("skipped: needs PostgreSQL (URBANGRID_TEST_DATABASE_URL)");
        return;
    };
    let relay = Relay::start(host_port(&server)).await;
    let via = relay.addr.to_string();
    let app = tests::spawn_with(|s| {
        let url = s.database_url.as_ref().unwrap().expose().to_owned();
        s.database_url = Some(api::config::Secret(url.replacen(&host_port(&url), &via, 1)));
        s.db_acquire_timeout_secs = 2;
    })
    .await;
    let token = app.demo(tests::COUNTY_A, "admin").await;
    let departments = format!("/api/v1/tenants/{}/departments", tests::COUNTY_A);
    assert_eq!(app.get("/api/v1/me", &token).await.status, StatusCode::OK);

    relay.cut();
    let started = Instant::now();
    let r = app.get(&departments, &token).await;
    let took = started.elapsed();
    assert_eq!((r.status, r.code()), (StatusCode::SERVICE_UNAVAILABLE, "unavailable"), "{}", r.text);
    assert!(r.headers.contains_key("retry-after"), "{:?}", r.headers);
    assert!(took < Duration::from_secs(8), "503 after {took:?}");
    let started = Instant::now();
    let ready = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE, "{}", ready.text);
    assert!(started.elapsed() < Duration::from_millis(1800), "/readyz took {:?}", started.elapsed());

    relay.restore();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = app.get(&departments, &token).await;
        if r.status == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "service did not resume: {} {}", r.status, r.text);
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(app.call(Method::GET, "/readyz", None, None).await.status, StatusCode::OK);
}
