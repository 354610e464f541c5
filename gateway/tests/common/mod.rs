//! What the gateway's tests share: starting the gateway binary on a fresh store, and a client.
#![allow(dead_code)] // Each test file uses its own part.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

/// The gateway process; killed when dropped.
pub struct Gateway {
    child: Child,
    pub url: String,
    /// Kept open, so that the gateway's later output has a reader.
    _stdout: BufReader<std::process::ChildStdout>,
    /// Everything it has logged so far (also copied to the test's own standard error).
    log: Arc<Mutex<String>>,
}

impl Gateway {
    /// What the gateway has logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The first log line containing `needle`, waiting up to 5 s for it to be written.
    pub fn log_line(&self, needle: &str) -> String {
        let start = std::time::Instant::now();
        loop {
            if let Some(line) = self.log().lines().find(|l| l.contains(needle)) {
                return line.to_owned();
            }
            assert!(
                start.elapsed() < std::time::Duration::from_secs(5),
                "no log line with {needle:?}: {}",
                self.log()
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Sends the process `signal` (`"TERM"`, `"INT"`).
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits up to `limit` for the process to exit; its exit code, or `None` if it did not.
    pub fn wait_exit(&mut self, limit: std::time::Duration) -> Option<i32> {
        let start = std::time::Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_gateway"))
}

/// A fresh SQLite file for one gateway, so that tests never share or leave a store behind
/// in the source tree.
pub fn fresh_database() -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("model-alias-gateway-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    format!("sqlite://{}", dir.join("gateway.db").display())
}

/// The demo keys (`sk-demo`, `sk-plain`) as a keys file of its own.
pub fn demo_keys_file() -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!(
        "model-alias-demo-keys-{}-{n}.json",
        std::process::id()
    ));
    std::fs::write(&path, include_str!("../../src/keys.json")).unwrap();
    path
}

/// Starts the gateway with `args`; with neither `--keys` nor `--database`, on the demo keys:
/// a fresh database seeded with them (`--demo`), or, with `--upstream` (which `--demo` is
/// refused with), a keys file holding them.
pub fn start_gateway(args: &[&str]) -> Gateway {
    start_gateway_with(args, &[])
}

pub fn start_gateway_with(args: &[&str], env: &[(&str, &str)]) -> Gateway {
    let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    if !args.iter().any(|a| a == "--keys" || a == "--database") {
        if args.iter().any(|a| a == "--upstream") {
            args.extend(["--keys".to_owned(), demo_keys_file().display().to_string()]);
        } else {
            args.extend([
                "--database".to_owned(),
                fresh_database(),
                "--demo".to_owned(),
            ]);
        }
    }
    let mut child = Command::new(binary())
        .args(["--listen", "127.0.0.1:0"])
        .args(&args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the gateway example is built by cargo test");
    let log = Arc::new(Mutex::new(String::new()));
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let kept = log.clone();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            eprintln!("{line}");
            let mut log = kept.lock().unwrap();
            log.push_str(&line);
            log.push('\n');
        }
    });
    let mut first = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {first:?}: {}", log.lock().unwrap()))
        .to_owned();
    Gateway {
        child,
        url,
        _stdout: stdout,
        log,
    }
}

/// A client; reqwest is built with rustls and no default crypto provider (see Cargo.toml).
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// Runs the gateway with `args` and `env` to its exit (a start that is refused): its exit
/// code and what it wrote to standard error.
pub fn refused_start(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut child = Command::new(binary())
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > std::time::Duration::from_secs(20) {
            let _ = child.kill();
            panic!("the gateway started with {args:?}: it should have refused");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A stub upstream that records every request's path and query (`(path, query, body)`)
/// and answers `{"ok": true}`.
pub type Seen = Arc<Mutex<Vec<(String, Option<String>, Vec<u8>)>>>;

pub async fn recording_upstream() -> (String, Seen) {
    use axum::extract::{Request, State};
    let seen: Seen = Arc::default();
    async fn record(State(seen): State<Seen>, request: Request) -> axum::Json<serde_json::Value> {
        let (path, query) = (
            request.uri().path().to_owned(),
            request.uri().query().map(str::to_owned),
        );
        let body = axum::body::to_bytes(request.into_body(), usize::MAX)
            .await
            .unwrap();
        seen.lock().unwrap().push((path, query, body.to_vec()));
        axum::Json(serde_json::json!({"ok": true}))
    }
    let app = axum::Router::new()
        .fallback(record)
        .with_state(seen.clone());
    (serve(app).await, seen)
}

/// Serves `app` on an ephemeral loopback port; its base URL. Accepted sockets send small
/// writes at once (`TCP_NODELAY`), as providers' servers do, so that only the gateway's own
/// sockets can delay an answer.
pub async fn serve(app: axum::Router) -> String {
    use axum::serve::ListenerExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// An answer of `content_type` whose body is `parts`, each sent `gap` after the one before.
pub fn paced(
    parts: Vec<String>,
    gap: std::time::Duration,
    content_type: &'static str,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    use futures_util::StreamExt;
    let body = futures_util::stream::iter(parts).then(move |part| async move {
        tokio::time::sleep(gap).await;
        Ok::<_, std::convert::Infallible>(part)
    });
    (
        [(axum::http::header::CONTENT_TYPE, content_type)],
        axum::body::Body::from_stream(body),
    )
        .into_response()
}

pub mod store;
