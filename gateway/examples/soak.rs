//! The soak: the example gateway under a steady load for a bounded time,
//! its keys file changed every second and every tenth version a bad one, every response
//! checked. `scripts/soak.py` builds the gateway and this, runs it and keeps its result.
//!
//! ```text
//! cargo run --release -p model-alias-gateway --example soak -- GATEWAY_BINARY
//!     [--seconds S] [--warmup W] [--rate R] [--concurrency C] [--ttl T]
//! ```
//!
//! It writes version 1 of a keys file (50 keys, each with aliases whose targets name the
//! version), starts the gateway on it (`--keys FILE --ttl T`, its built-in echo upstream),
//! then for `S` seconds:
//! - sends `R` chat requests a second (a fixed schedule, at most `C` in flight), each for a
//!   random key and one of four models: an exact alias, a prefix alias, a name that is an
//!   exact alias in odd versions and falls to the prefix in even ones, and a passthrough;
//! - every second writes the next version (write, then rename, as a deploy would); every
//!   tenth is bad, in turn not JSON, an alias set with a problem, a key over the alias limit
//!   and an unknown field, which the gateway must refuse and keep serving the last good one;
//! - checks every response: a 200, and the answer (rule, alias, resolved model, and the model
//!   the upstream was asked for) exactly what one good version gives for that key and model,
//!   one published before the response ended and no older than the one in force `LAG` before
//!   the request started, never a bad one and never parts of two;
//! - samples the gateway's resident memory at the end of the warm-up (`W` seconds) and at the
//!   end, and the CPU time both processes used.
//!
//! It prints one JSON line and exits non-zero if a request failed, an answer was wrong, the
//! gateway did not log a refusal for each bad version, or its memory at the end is more than
//! 10% above its memory after warm-up.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Keys in every version.
const KEYS: u64 = 50;
/// How far behind the newest published version a response may be: the gateway reads the
/// file every `--ttl`, and a request that started just before a reload may finish after it.
const LAG: Duration = Duration::from_secs(2);
/// The end-of-run memory may exceed the warm-up memory by at most this share.
const MEMORY_SLACK: f64 = 0.10;

/// The soak: the gateway under a steady load while its keys file changes.
#[derive(clap::Parser)]
#[command(name = "soak")]
struct Args {
    /// The gateway binary to run.
    gateway: PathBuf,
    /// How long the load runs, in seconds.
    #[arg(long, default_value_t = 30.0)]
    seconds: f64,
    /// Seconds of warm-up before the first memory sample.
    #[arg(long, default_value_t = 5.0)]
    warmup: f64,
    /// Requests a second.
    #[arg(long, default_value_t = 2_000.0)]
    rate: f64,
    /// Requests in flight at most.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..))]
    concurrency: u16,
    /// The gateway's --ttl, in seconds.
    #[arg(long, default_value_t = 0.25)]
    ttl: f64,
}

impl Args {
    fn check(self) -> Result<Args, String> {
        if !(self.rate > 0.0 && self.seconds > self.warmup && self.warmup >= 0.0) {
            return Err("--rate must be positive and --seconds longer than --warmup".into());
        }
        Ok(self)
    }
}

/// The models a request asks for.
const QUERIES: [&str; 4] = ["chat", "pre-abc", "pre-x", "gpt-none"];

/// The answer version `v` gives key `k` for `model`: (rule, alias, resolved model).
fn expected(v: u64, k: u64, model: &str) -> (&'static str, &'static str, String) {
    match model {
        "chat" => ("exact", "chat", format!("up/chat-v{v}-k{k}")),
        "pre-x" if v % 2 == 1 => ("exact", "pre-x", format!("up/prex-v{v}-k{k}")),
        "pre-abc" | "pre-x" => ("prefix", "pre-", format!("up/pre-v{v}-k{k}")),
        _ => ("passthrough", "", model.to_owned()),
    }
}

/// The version a resolved model names (`up/<name>-v<version>-k<key>`).
fn version_of(resolved: &str) -> Option<u64> {
    let rest = resolved.strip_prefix("up/")?;
    let (_, rest) = rest.split_once("-v")?;
    let (version, _) = rest.split_once("-k")?;
    version.parse().ok()
}

/// A good version of the keys file: every key's aliases name the version, and their number
/// varies with it (3 to 17) so that the table's size changes from one version to the next.
fn good_version(v: u64) -> String {
    let mut keys = Vec::new();
    for k in 0..KEYS {
        let mut aliases = vec![
            format!(r#"{{"name": "chat", "target": "up/chat-v{v}-k{k}"}}"#),
            format!(r#"{{"name": "pre-", "target": "up/pre-v{v}-k{k}", "match": "prefix"}}"#),
        ];
        if v % 2 == 1 {
            aliases.push(format!(
                r#"{{"name": "pre-x", "target": "up/prex-v{v}-k{k}"}}"#
            ));
        }
        for f in 0..(v + k) % 15 {
            aliases.push(format!(
                r#"{{"name": "filler-{f}", "target": "up/filler-v{v}-k{k}"}}"#
            ));
        }
        keys.push(format!(
            r#""sk-soak-{k}": {{"key_id": "key-{k}", "aliases": [{}]}}"#,
            aliases.join(", ")
        ));
    }
    format!("{{{}}}\n", keys.join(",\n"))
}

/// A bad version: each must be refused whole, the last good version kept serving.
fn bad_version(v: u64) -> String {
    let good = good_version(v);
    match (v / 10) % 4 {
        // Cut short: not JSON.
        0 => good.get(..good.len() / 2).unwrap_or_default().to_owned(),
        // One key's aliases fail validation (a name twice).
        1 => good.replacen(
            r#"{"name": "chat""#,
            r#"{"name": "chat", "target": "up/other"}, {"name": "chat""#,
            1,
        ),
        // One key over the default limit of 20 aliases.
        2 => {
            let many: Vec<String> = (0..21)
                .map(|i| format!(r#"{{"name": "many-{i}", "target": "up/many"}}"#))
                .collect();
            good.replacen(
                r#""aliases": ["#,
                &format!(r#""aliases": [{}, "#, many.join(", ")),
                1,
            )
        }
        // A field the file does not have.
        _ => good.replacen(r#""key_id""#, r#""owner": "x", "key_id""#, 1),
    }
}

/// Writes a version as a deploy would: a new file renamed over the old, so that the gateway
/// reads one version or the other, never a file half written.
fn publish(path: &Path, text: &str) -> std::io::Result<()> {
    let next = path.with_extension("next");
    std::fs::write(&next, text)?;
    std::fs::rename(&next, path)
}

/// Resident memory of a process in KiB (`VmRSS`).
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU seconds (user and system) a process has used, from `/proc/<pid>/stat` in clock ticks
/// of 1/100 s (Linux's `USER_HZ`).
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces: count fields from after its ')'.
    let (_, rest) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

/// The published good versions, oldest first, with when each was renamed into place.
type Published = Arc<Mutex<Vec<(Instant, u64)>>>;

/// What the checks found; every count but the requests must end at zero.
#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    failed: AtomicU64,
    wrong: AtomicU64,
    latencies_us: Mutex<Vec<u64>>,
    seen: Mutex<HashSet<u64>>,
    problems: Mutex<Vec<String>>,
}

impl Tally {
    fn problem(&self, counter: &AtomicU64, what: String) {
        counter.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut problems) = self.problems.lock()
            && problems.len() < 10
        {
            problems.push(what);
        }
    }
}

/// Checks one answer against the versions published around it: the version it comes from
/// (`None` for a passthrough, which names none), or what is wrong with it.
fn check(
    published: &[(Instant, u64)],
    started: Instant,
    k: u64,
    model: &str,
    answer: (&str, &str, &str, &str),
) -> Result<Option<u64>, String> {
    let (rule, alias, resolved, upstream_model) = answer;
    if resolved != upstream_model {
        return Err(format!(
            "{model} for key {k}: resolved {resolved} but the upstream was asked for {upstream_model}"
        ));
    }
    if rule == "passthrough" {
        let want = expected(0, k, model);
        return if (rule, alias, resolved) == (want.0, want.1, want.2.as_str()) {
            Ok(None)
        } else {
            Err(format!(
                "{model} for key {k}: {rule} {alias:?} -> {resolved}"
            ))
        };
    }
    let v = version_of(resolved).ok_or(format!("{model} for key {k}: resolved {resolved}"))?;
    let want = expected(v, k, model);
    if (rule, alias, resolved) != (want.0, want.1, want.2.as_str()) {
        return Err(format!(
            "{model} for key {k}: {rule} {alias:?} -> {resolved}, but version {v} says {want:?}"
        ));
    }
    if !published.iter().any(|&(_, p)| p == v) {
        return Err(format!(
            "{model} for key {k}: version {v}, which was never published good"
        ));
    }
    // The version in force LAG before the request started (the last one published by then).
    let floor = started.checked_sub(LAG).and_then(|cutoff| {
        published
            .iter()
            .rev()
            .find(|(at, _)| *at <= cutoff)
            .map(|&(_, p)| p)
    });
    if let Some(floor) = floor.filter(|&floor| v < floor) {
        return Err(format!(
            "{model} for key {k}: version {v}, though {floor} was published {LAG:?} before the request"
        ));
    }
    Ok(Some(v))
}

struct Gateway {
    child: Child,
    url: String,
    reloads: Arc<AtomicU64>,
    refusals: Arc<AtomicU64>,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the gateway on the keys file and learns its address from its first line.
fn start_gateway(binary: &Path, keys: &Path, ttl: f64) -> Result<Gateway, String> {
    let mut child = Command::new(binary)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--ttl",
            &ttl.to_string(),
            "--keys",
        ])
        .arg(keys)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", binary.display()))?;
    let (reloads, refusals) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    if let Some(stderr) = child.stderr.take() {
        let (reloads, refusals) = (reloads.clone(), refusals.clone());
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains(" reloaded ") {
                    reloads.fetch_add(1, Ordering::Relaxed);
                } else if line.contains(" keeping the last keys ") {
                    refusals.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    let mut first = String::new();
    if let Some(stdout) = child.stdout.take() {
        let mut stdout = BufReader::new(stdout);
        let _ = stdout.read_line(&mut first);
        // Keep reading (and dropping) the rest so that the gateway never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    }
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .map(str::to_owned);
    let Some(url) = url else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(format!(
            "the gateway did not say where it listens: {first:?}"
        ));
    };
    Ok(Gateway {
        child,
        url,
        reloads,
        refusals,
    })
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = match <Args as clap::Parser>::parse().check() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::FAILURE,
        Err(e) => {
            eprintln!("soak: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

async fn run(args: Args) -> Result<bool, String> {
    let dir = std::env::temp_dir().join(format!("model-alias-soak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let keys = dir.join("keys.json");
    publish(&keys, &good_version(1)).map_err(|e| format!("{}: {e}", keys.display()))?;
    let published: Published = Arc::new(Mutex::new(vec![(Instant::now(), 1)]));
    let gateway = start_gateway(&args.gateway, &keys, args.ttl)?;
    let pid = gateway.child.id();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let url = format!("{}/v1/chat/completions", gateway.url);

    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(args.seconds);
    let cpu_start = (cpu_seconds(&pid.to_string()), cpu_seconds("self"));

    // A new version every second; every tenth is bad.
    let writer = {
        let (published, keys) = (published.clone(), keys.clone());
        tokio::spawn(async move {
            let (mut good, mut bad) = (0u64, 0u64);
            let mut tick = tokio::time::interval_at(
                tokio::time::Instant::now() + Duration::from_secs(1),
                Duration::from_secs(1),
            );
            for v in 2.. {
                tick.tick().await;
                if Instant::now() >= deadline {
                    break;
                }
                let text = if v % 10 == 0 {
                    bad_version(v)
                } else {
                    good_version(v)
                };
                // Recorded before the rename: the gateway may read the file, and a response
                // come back with the new version, before `publish` returns.
                if v % 10 == 0 {
                    bad += 1;
                } else {
                    good += 1;
                    if let Ok(mut published) = published.lock() {
                        published.push((Instant::now(), v));
                    }
                }
                if let Err(e) = publish(&keys, &text) {
                    return Err(format!("{}: {e}", keys.display()));
                }
            }
            Ok((good, bad))
        })
    };

    // The schedule: one permit every 1/rate seconds; a worker takes one per request.
    let permits = Arc::new(tokio::sync::Semaphore::new(0));
    let scheduled = Arc::new(AtomicU64::new(0));
    let ticker = {
        let (permits, scheduled) = (permits.clone(), scheduled.clone());
        let per_ms = args.rate / 1000.0;
        tokio::spawn(async move {
            // Tokio's timer counts milliseconds: release the permits due each millisecond.
            let mut tick = tokio::time::interval(Duration::from_millis(1));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            while Instant::now() < deadline {
                tick.tick().await;
                let due = (start.elapsed().as_secs_f64() * 1000.0 * per_ms) as u64;
                let now = scheduled.load(Ordering::Relaxed);
                if due > now {
                    scheduled.store(due, Ordering::Relaxed);
                    permits.add_permits((due - now) as usize);
                }
            }
            permits.close();
        })
    };

    let tally = Arc::new(Tally::default());
    let workers: Vec<_> = (0..usize::from(args.concurrency))
        .map(|w| {
            let (client, url, permits, tally, published) = (
                client.clone(),
                url.clone(),
                permits.clone(),
                tally.clone(),
                published.clone(),
            );
            tokio::spawn(async move {
                let mut n = w as u64;
                while let Ok(permit) = permits.acquire().await {
                    permit.forget();
                    // A cheap spread over keys and models (Weyl sequence).
                    n = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
                    let k = (n >> 32) % KEYS;
                    let model = QUERIES[((n >> 16) % QUERIES.len() as u64) as usize];
                    let body = format!(
                        r#"{{"model": "{model}", "messages": [{{"role": "user", "content": "soak"}}], "max_tokens": 4}}"#
                    );
                    let started = Instant::now();
                    let response = client
                        .post(&url)
                        .bearer_auth(format!("sk-soak-{k}"))
                        .body(body)
                        .send()
                        .await;
                    let response = match response {
                        Ok(r) if r.status().is_success() => r,
                        Ok(r) => {
                            let status = r.status();
                            let text = r.text().await.unwrap_or_default();
                            tally.problem(&tally.failed, format!("{model} for key {k}: {status} {text}"));
                            continue;
                        }
                        Err(e) => {
                            tally.problem(&tally.failed, format!("{model} for key {k}: {e}"));
                            continue;
                        }
                    };
                    let header = |name: &str| {
                        response
                            .headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned()
                    };
                    let (rule, alias, resolved) = (
                        header("x-model-alias-rule"),
                        header("x-model-alias"),
                        header("x-model-resolved"),
                    );
                    let body = match response.json::<serde_json::Value>().await {
                        Ok(body) => body,
                        Err(e) => {
                            tally.problem(&tally.failed, format!("{model} for key {k}: the body: {e}"));
                            continue;
                        }
                    };
                    let latency = started.elapsed();
                    let upstream_model = body["model"].as_str().unwrap_or_default();
                    let verdict = match published.lock() {
                        Ok(published) => check(
                            &published,
                            started,
                            k,
                            model,
                            (&rule, &alias, &resolved, upstream_model),
                        ),
                        Err(_) => Err("the published list's lock was poisoned".into()),
                    };
                    match verdict {
                        Ok(version) => {
                            tally.ok.fetch_add(1, Ordering::Relaxed);
                            if let Ok(mut l) = tally.latencies_us.lock() {
                                l.push(latency.as_micros() as u64);
                            }
                            if let (Some(v), Ok(mut seen)) = (version, tally.seen.lock()) {
                                seen.insert(v);
                            }
                        }
                        Err(what) => tally.problem(&tally.wrong, what),
                    }
                }
            })
        })
        .collect();

    // Memory once warm, then at the end.
    tokio::time::sleep(Duration::from_secs_f64(args.warmup)).await;
    let rss_warm = rss_kib(pid).ok_or("the gateway's memory could not be read")?;
    let _ = ticker.await;
    for worker in workers {
        let _ = worker.await;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let rss_end = rss_kib(pid).ok_or("the gateway's memory could not be read")?;
    let cpu_gateway = cpu_seconds(&pid.to_string())
        .zip(cpu_start.0)
        .map_or(0.0, |(end, start)| end - start);
    let cpu_soak = cpu_seconds("self")
        .zip(cpu_start.1)
        .map_or(0.0, |(end, start)| end - start);
    let (good, bad) = writer.await.map_err(|e| e.to_string())??;
    // Let the gateway log its last reload before counting.
    tokio::time::sleep(Duration::from_secs_f64(args.ttl * 2.0)).await;

    let ok = tally.ok.load(Ordering::Relaxed);
    let failed = tally.failed.load(Ordering::Relaxed);
    let wrong = tally.wrong.load(Ordering::Relaxed);
    let mut latencies = tally
        .latencies_us
        .lock()
        .map(|l| l.clone())
        .unwrap_or_default();
    latencies.sort_unstable();
    let pct = |p: f64| {
        let i = ((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1));
        latencies.get(i).copied().unwrap_or(0)
    };
    let seen = tally.seen.lock().map(|s| s.len()).unwrap_or(0);
    let growth = rss_end as f64 / rss_warm as f64 - 1.0;
    let problems = tally.problems.lock().map(|p| p.clone()).unwrap_or_default();
    let (reloads, refusals) = (
        gateway.reloads.load(Ordering::Relaxed),
        gateway.refusals.load(Ordering::Relaxed),
    );
    // The gateway reads the file several times a version, so it sees every bad one.
    let passed = failed == 0 && wrong == 0 && ok > 0 && growth <= MEMORY_SLACK && refusals == bad;
    let result = serde_json::json!({
        "passed": passed,
        "seconds": elapsed,
        "rate_target": args.rate,
        "requests": ok + failed + wrong,
        "rps": (ok + failed + wrong) as f64 / elapsed,
        "failed": failed,
        "wrong": wrong,
        "p50_us": pct(0.5),
        "p99_us": pct(0.99),
        "versions_good": good + 1,
        "versions_bad": bad,
        "versions_seen": seen,
        "gateway_reloads": reloads,
        "gateway_refusals": refusals,
        "rss_warm_kib": rss_warm,
        "rss_end_kib": rss_end,
        "rss_growth": growth,
        "cpu_gateway_cores": cpu_gateway / elapsed,
        "cpu_soak_cores": cpu_soak / elapsed,
        "problems": problems,
    });
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{result}");
    drop(gateway);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(passed)
}
