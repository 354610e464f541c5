//! A small load generator for the example gateway: `C` connections send chat requests for `S`
//! seconds or until `N` requests, whichever comes first, and it prints one JSON line with the
//! throughput and latency percentiles. `scripts/load_check.py` runs it against the gateway with
//! and without alias resolution.
//!
//! ```text
//! cargo run --release -p model-alias-gateway --example load -- URL [--seconds S] [--requests N] [--concurrency C]
//!     [--key KEY] [--model MODEL]
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const USAGE: &str =
    "usage: load URL [--seconds S] [--requests N] [--concurrency C] [--key KEY] [--model MODEL]";

struct Args {
    url: String,
    seconds: f64,
    requests: u64,
    concurrency: usize,
    key: String,
    model: String,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        url: String::new(),
        seconds: 5.0,
        requests: 1_000_000,
        concurrency: 32,
        key: "sk-demo".into(),
        model: "claude-opus-4-9".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--seconds" => {
                args.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?
            }
            "--requests" => {
                args.requests = value()?.parse().map_err(|e| format!("--requests: {e}"))?
            }
            "--concurrency" => {
                args.concurrency = value()?
                    .parse()
                    .map_err(|e| format!("--concurrency: {e}"))?
            }
            "--key" => args.key = value()?,
            "--model" => args.model = value()?,
            url if args.url.is_empty() && !url.starts_with('-') => {
                args.url = url.trim_end_matches('/').into()
            }
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    if args.url.is_empty() {
        return Err(USAGE.into());
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let body = format!(
        r#"{{"model": "{}", "messages": [{{"role": "user", "content": "Say hello in one short sentence."}}], "max_tokens": 16, "temperature": 0.7}}"#,
        args.model
    );
    let url = format!("{}/v1/chat/completions", args.url);
    let deadline = Instant::now() + Duration::from_secs_f64(args.seconds);
    let sent = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..args.concurrency)
        .map(|_| {
            let (client, url, body, key) =
                (client.clone(), url.clone(), body.clone(), args.key.clone());
            let (sent, errors, max) = (sent.clone(), errors.clone(), args.requests);
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline && sent.fetch_add(1, Ordering::Relaxed) < max {
                    let t = Instant::now();
                    let ok = match client
                        .post(&url)
                        .bearer_auth(&key)
                        .body(body.clone())
                        .send()
                        .await
                    {
                        Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                        Err(_) => false,
                    };
                    if ok {
                        latencies.push(t.elapsed());
                    } else {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.unwrap_or_default());
    }
    let elapsed = start.elapsed().as_secs_f64();
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1e6)
    };
    println!(
        r#"{{"requests": {}, "errors": {}, "seconds": {elapsed:.3}, "rps": {:.1}, "p50_us": {:.0}, "p99_us": {:.0}}}"#,
        latencies.len(),
        errors.load(Ordering::Relaxed),
        latencies.len() as f64 / elapsed,
        pct(0.5),
        pct(0.99),
    );
    std::process::ExitCode::SUCCESS
}
