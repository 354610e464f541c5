//! What the gateway's tests share: starting the gateway binary on a fresh store, and a client.
#![allow(dead_code)] // Each test file uses its own part.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// The gateway process; killed when dropped.
pub struct Gateway {
    child: Child,
    pub url: String,
    /// Kept open, so that the gateway's later output has a reader.
    _stdout: BufReader<std::process::ChildStdout>,
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

/// Starts the gateway with `args`; with neither `--keys` nor `--database`, on a fresh
/// database seeded with the built-in demo keys.
pub fn start_gateway(args: &[&str]) -> Gateway {
    start_gateway_with(args, &[])
}

pub fn start_gateway_with(args: &[&str], env: &[(&str, &str)]) -> Gateway {
    let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    if !args.iter().any(|a| a == "--keys" || a == "--database") {
        args.extend(["--database".to_owned(), fresh_database()]);
    }
    let mut child = Command::new(binary())
        .args(["--listen", "127.0.0.1:0"])
        .args(&args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the gateway example is built by cargo test");
    let mut first = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_owned();
    Gateway {
        child,
        url,
        _stdout: stdout,
    }
}

/// A client; reqwest is built with rustls and no default crypto provider (see Cargo.toml).
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}
