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

/// A small load generator for the example gateway.
#[derive(clap::Parser)]
#[command(name = "load")]
struct Args {
    /// The gateway's base URL, e.g. http://127.0.0.1:8080.
    url: String,
    /// Stop after this many seconds.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Stop after this many requests.
    #[arg(long, default_value_t = 1_000_000)]
    requests: u64,
    /// Connections sending at once.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..))]
    concurrency: u16,
    /// The API key to send.
    #[arg(long, default_value = "sk-demo")]
    key: String,
    /// The model each request asks for.
    #[arg(long, default_value = "claude-opus-4-9")]
    model: String,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = <Args as clap::Parser>::parse();
    let base = args.url.trim_end_matches('/');
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let body = format!(
        r#"{{"model": "{}", "messages": [{{"role": "user", "content": "Say hello in one short sentence."}}], "max_tokens": 16, "temperature": 0.7}}"#,
        args.model
    );
    let url = format!("{base}/v1/chat/completions");
    let deadline = Instant::now() + Duration::from_secs_f64(args.seconds);
    let sent = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..usize::from(args.concurrency))
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
