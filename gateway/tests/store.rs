//! The gateway's store when it changes, fails or hangs: two replicas on one store agree within
//! the TTL; a failing, hanging or hand-edited store keeps loaded keys serving, answers without
//! waiting past `--store-timeout` and says nothing internal. The same tests run against
//! Postgres when `MODEL_ALIAS_POSTGRES` names a server (`.ci/run` starts one).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;
use common::store::{ADMIN, call, chat, database, gateway};
use common::{client, fresh_database, start_gateway_with};

/// A change made through one replica is served by another on the same store within the TTL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_one_store_agree_within_the_ttl() {
    let db = database("replicas");
    let a = gateway(&db, "1");
    let b = gateway(&db, "1");
    // B has the demo key cached before the change.
    assert_eq!(
        chat(&b.url, "sk-demo", "cross-model-basic").await.1["model"],
        "deepseek/deepseek-chat"
    );
    let changed = json!([{"name": "cross-model-basic", "target": "openai/gpt-4o-mini"}]);
    let put = format!("{}/admin/keys/team-demo/aliases", a.url);
    assert_eq!(
        call(reqwest::Method::PUT, put, ADMIN, Some(changed))
            .await
            .0,
        200
    );
    assert_eq!(
        chat(&a.url, "sk-demo", "cross-model-basic").await.1["model"],
        "openai/gpt-4o-mini",
        "at once on A"
    );
    let start = Instant::now();
    loop {
        let model = chat(&b.url, "sk-demo", "cross-model-basic").await.1["model"].clone();
        if model == "openai/gpt-4o-mini" {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "B still serves {model} after 10 s (TTL 1 s)"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A connection of the test's own to the gateway's store.
async fn connect(db: &str) -> sqlx::AnyConnection {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(db).await.unwrap()
}

async fn execute(connection: &mut sqlx::AnyConnection, sql: &str) {
    sqlx::query(sql)
        .execute(&mut *connection)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A key created through the admin API, and a demo key loaded into the gateway's cache.
async fn late_key_and_loaded_demo(url: &str) -> String {
    let (_, key) = call(
        reqwest::Method::POST,
        format!("{url}/admin/keys"),
        ADMIN,
        Some(json!({"name": "late"})),
    )
    .await;
    assert_eq!(
        chat(url, "sk-demo", "cross-model-basic").await.1["model"],
        "deepseek/deepseek-chat"
    );
    key["secret"].as_str().unwrap().to_owned()
}

/// Waits until `secret` is served again (within 15 s).
async fn served_again(url: &str, secret: &str) {
    let start = Instant::now();
    loop {
        let (status, body) = chat(url, secret, "cross-model-basic").await;
        if status == 200 {
            assert_eq!(
                body["model"], "cross-model-basic",
                "a key without aliases passes through"
            );
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "still {status} after 15 s: {body}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Asserts a 503 that says nothing internal.
fn assert_store_unavailable(status: u16, body: &Value) {
    assert_eq!(
        (status, &body["error"]["code"]),
        (503, &json!("store_unavailable")),
        "{body}"
    );
    assert_eq!(body["error"]["type"], "api_error");
    let message = body["error"]["message"].as_str().unwrap().to_lowercase();
    for internal in [
        "database", "sqlite", "postgres", "pool", "table", "api_keys", "lock",
    ] {
        assert!(!message.contains(internal), "{message}");
    }
}

/// A store that fails (its keys table renamed away): keys already loaded keep serving their
/// last aliases, a key never loaded gets a 503 that says nothing internal, and once the store
/// is back the gateway serves every key again, without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_store_keeps_loaded_keys_serving_and_recovers() {
    let db = database("failing");
    let gw = gateway(&db, "0.5");
    let url = &gw.url;
    let late = late_key_and_loaded_demo(url).await;

    let mut own = connect(&db).await;
    execute(&mut own, "ALTER TABLE api_keys RENAME TO api_keys_away").await;
    tokio::time::sleep(Duration::from_millis(800)).await; // past the TTL: sk-demo must reload

    let (status, body) = chat(url, "sk-demo", "cross-model-basic").await;
    assert_eq!(
        (status, &body["model"]),
        (200, &json!("deepseek/deepseek-chat")),
        "served stale: {body}"
    );
    let (status, body) = chat(url, &late, "cross-model-basic").await;
    assert_store_unavailable(status, &body);
    assert!(
        gw.log_line("store_unavailable").contains("api_keys"),
        "the log has the detail"
    );
    // Metrics live in memory: a scrape answers while the store is out. The usage of the
    // requests served meanwhile waits for the store.
    let metrics = common::client()
        .get(format!("{url}/metrics"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200);
    assert!(
        metrics
            .text()
            .await
            .unwrap()
            .contains("model_alias_requests_total")
    );
    gw.log_line("usage not written yet");

    execute(&mut own, "ALTER TABLE api_keys_away RENAME TO api_keys").await;
    served_again(url, &late).await;
    let (status, usage) = call(
        reqwest::Method::GET,
        format!("{url}/admin/keys/team-demo/usage"),
        ADMIN,
        None,
    )
    .await;
    assert_eq!(status, 200, "{usage}");
    assert_eq!(
        usage["models"][0]["requests"], 2,
        "the request served during the outage is counted once the store is back: {usage}"
    );
}

/// A store held by another connection: no request waits on it longer than `--store-timeout`,
/// not even behind many unknown keys queued on the pool. On Postgres the lock stops reads: a
/// cached key is served stale, a key never loaded gets a 503, and once the lock is gone all
/// are served. On SQLite (WAL) a writer holding its lock stops no reader: all are served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_store_answers_within_the_store_timeout() {
    let db = database("hanging");
    let gw = start_gateway_with(
        &[
            "--database",
            &db,
            "--ttl",
            "0.5",
            "--store-timeout",
            "1",
            "--demo",
        ],
        &[("MODEL_ALIAS_ADMIN_TOKEN", ADMIN)],
    );
    let url = &gw.url;
    let late = late_key_and_loaded_demo(url).await;

    let mut own = connect(&db).await;
    let sqlite = db.starts_with("sqlite:");
    if sqlite {
        execute(&mut own, "BEGIN IMMEDIATE").await;
        execute(&mut own, "UPDATE api_keys SET name = name").await;
    } else {
        execute(&mut own, "BEGIN").await;
        execute(&mut own, "LOCK TABLE api_keys IN ACCESS EXCLUSIVE MODE").await;
    }
    tokio::time::sleep(Duration::from_millis(800)).await; // past the TTL: sk-demo must reload

    let unknown: Vec<_> = (0..20)
        .map(|n| {
            let url = url.clone();
            tokio::spawn(async move { chat(&url, &format!("sk-unknown-{n}"), "x").await.0 })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let start = Instant::now();
    let (status, body) = chat(url, "sk-demo", "cross-model-basic").await;
    let waited = start.elapsed();
    assert_eq!(
        (status, &body["model"]),
        (200, &json!("deepseek/deepseek-chat")),
        "{body}"
    );
    assert!(
        waited < Duration::from_millis(2_500),
        "a cached key waited {waited:?}"
    );
    let start = Instant::now();
    let (status, body) = chat(url, &late, "cross-model-basic").await;
    assert!(
        start.elapsed() < Duration::from_millis(2_500),
        "waited {:?}",
        start.elapsed()
    );
    match sqlite {
        true => assert_eq!(status, 200, "{body}"),
        false => assert_store_unavailable(status, &body),
    }
    for task in unknown {
        let status = task.await.unwrap();
        assert!(status == 503 || status == 401, "{status}");
    }

    execute(&mut own, "COMMIT").await;
    drop(own);
    served_again(url, &late).await;
}

/// A row edited by hand into something the crate refuses fails its key's load, and the key is
/// not half-loaded; the answer is a plain 503, and the log names the key and the row under
/// the answer's request id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_stored_row_is_logged_with_its_key_and_not_answered() {
    let db = fresh_database();
    let gw = gateway(&db, "60");
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db).await.unwrap();
    sqlx::query(
        "UPDATE aliases SET name = 'Not A Name' WHERE key_id = 'team-demo' AND position = 0",
    )
    .execute(&pool)
    .await
    .unwrap();
    let response = client()
        .post(format!("{}/v1/chat/completions", gw.url))
        .bearer_auth("sk-demo")
        .json(&json!({"model": "cross-model-basic", "messages": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        !message.contains("Not A Name") && !message.contains("team-demo"),
        "{message}"
    );
    let line = gw.log_line(&id);
    assert!(
        line.contains("key team-demo") && line.contains("Not A Name"),
        "{line}"
    );
}

/// The admin test box resolves as the gateway does: with `--ignore-case`, folded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_box_resolves_as_the_gateway_serves() {
    let database = database("folded");
    let gw = start_gateway_with(
        &["--database", &database, "--ignore-case", "--demo"],
        &[("MODEL_ALIAS_ADMIN_TOKEN", ADMIN)],
    );
    let (status, resolved) = call(
        reqwest::Method::GET,
        format!(
            "{}/admin/keys/team-demo/resolve?model=Claude-Opus-4-9",
            gw.url
        ),
        ADMIN,
        None,
    )
    .await;
    assert_eq!(
        (status, &resolved["resolved"]),
        (200, &json!("anthropic/claude-opus-4-8")),
        "{resolved}"
    );
    let served = chat(&gw.url, "sk-demo", "Claude-Opus-4-9").await.1;
    assert_eq!(served["model"], resolved["resolved"]);
}
