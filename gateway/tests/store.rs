//! Keys and aliases in the database (issue 14): the admin API on SQLite, secrets stored only as
//! hashes, nothing half-written, and two gateway processes sharing one store. The same tests
//! run against Postgres when `MODEL_ALIAS_POSTGRES` names a server (`.ci/run` starts one).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;
use common::{Gateway, client, fresh_database, start_gateway_with};

const ADMIN: &str = "admin-test-token";

/// The store the tests run on: `MODEL_ALIAS_POSTGRES` (a server URL, each test on a database
/// of its own) or a fresh SQLite file.
fn database(name: &str) -> String {
    match std::env::var("MODEL_ALIAS_POSTGRES") {
        Ok(server) if !server.is_empty() => fresh_postgres(&server, name),
        _ => fresh_database(),
    }
}

/// A new, empty Postgres database named after the test, on the server at `server`.
fn fresh_postgres(server: &str, name: &str) -> String {
    let db = format!("model_alias_{name}_{}", std::process::id());
    let psql = |sql: &str| {
        let out = std::process::Command::new("psql")
            .args([server, "-v", "ON_ERROR_STOP=1", "-qc", sql])
            .output()
            .expect("psql is installed where MODEL_ALIAS_POSTGRES is set");
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    psql(&format!("DROP DATABASE IF EXISTS {db}"));
    psql(&format!("CREATE DATABASE {db}"));
    let base = server.rsplit_once('/').map_or(server, |(base, _)| base);
    format!("{base}/{db}")
}

fn gateway(database: &str, ttl: &str) -> Gateway {
    start_gateway_with(
        &["--database", database, "--ttl", ttl],
        &[("MODEL_ALIAS_ADMIN_TOKEN", ADMIN)],
    )
}

async fn call(
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = client().request(method, url).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn chat(url: &str, secret: &str, model: &str) -> (u16, Value) {
    let body = json!({"model": model, "messages": [{"role": "user", "content": "Hi"}]});
    call(
        reqwest::Method::POST,
        format!("{url}/v1/chat/completions"),
        secret,
        Some(body),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_api_creates_keys_and_replaces_aliases_whole() {
    use reqwest::Method;
    let db = database("admin");
    let gw = gateway(&db, "60");
    let url = &gw.url;

    // The admin token is required, and a wrong one gets the same answer as none.
    for token in ["", "admin-test-tokem", "sk-demo"] {
        let (status, body) = call(Method::GET, format!("{url}/admin/keys"), token, None).await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (401, &json!("invalid_admin_token")),
            "{token:?}"
        );
    }

    // First run: the demo key was seeded, and answers.
    let (status, keys) = call(Method::GET, format!("{url}/admin/keys"), ADMIN, None).await;
    assert_eq!(status, 200);
    assert!(
        keys["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["id"] == "team-demo" && k["aliases"] == 3),
        "{keys}"
    );
    assert_eq!(
        chat(url, "sk-demo", "claude-opus-4-9").await.1["model"],
        "anthropic/claude-opus-4-8"
    );

    // A new key: its secret once, then it works (with no aliases yet: passthrough).
    let (status, key) = call(
        Method::POST,
        format!("{url}/admin/keys"),
        ADMIN,
        Some(json!({"name": "team-x"})),
    )
    .await;
    assert_eq!(status, 201, "{key}");
    let (id, secret) = (
        key["id"].as_str().unwrap().to_owned(),
        key["secret"].as_str().unwrap().to_owned(),
    );
    assert!(secret.starts_with("sk-") && secret.len() > 40);
    assert_eq!(chat(url, &secret, "fast").await.1["model"], "fast");
    let (status, bad) = call(
        Method::POST,
        format!("{url}/admin/keys"),
        ADMIN,
        Some(json!({"nom": "x"})),
    )
    .await;
    assert_eq!(
        (status, &bad["error"]["code"]),
        (422, &json!("invalid_body")),
        "{bad}"
    );

    // An invalid set: every problem with its row, and nothing stored.
    let aliases = format!("{url}/admin/keys/{id}/aliases");
    let invalid = json!([
        {"name": "Fast", "target": "deepseek/deepseek-chat"},
        {"name": "ok", "target": ""},
    ]);
    let (status, answer) = call(Method::PUT, aliases.clone(), ADMIN, Some(invalid)).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["error"]["code"], "invalid_aliases");
    let problems = answer["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2);
    assert_eq!(
        (&problems[0]["row"], &problems[0]["field"]),
        (&json!(1), &json!("name"))
    );
    assert_eq!(
        (
            &problems[1]["row"],
            &problems[1]["name"],
            &problems[1]["field"]
        ),
        (&json!(2), &json!("ok"), &json!("target"))
    );
    let (_, stored) = call(Method::GET, aliases.clone(), ADMIN, None).await;
    assert_eq!(stored["aliases"], json!([]), "nothing half-written");

    // A valid one: stored whole, its warnings returned, served at once by this replica.
    let valid = json!([
        {"name": "fast", "target": "deepseek/deepseek-chat"},
        {"name": "claude-opus", "target": "anthropic/claude-opus-4-8", "match": "prefix"},
        {"name": "typo", "target": "openai/gpt-4o-mimi", "hidden": true},
    ]);
    let (status, answer) = call(Method::PUT, aliases.clone(), ADMIN, Some(valid)).await;
    assert_eq!((status, &answer["aliases"]), (200, &json!(3)), "{answer}");
    let warnings = answer["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w["kind"] == "unknown_target" && w["row"] == 3),
        "{answer}"
    );
    assert_eq!(
        chat(url, &secret, "fast").await.1["model"],
        "deepseek/deepseek-chat"
    );
    let (_, stored) = call(Method::GET, aliases.clone(), ADMIN, None).await;
    assert_eq!(
        stored["aliases"][2],
        json!({"name": "typo", "target": "openai/gpt-4o-mimi", "match": "exact", "hidden": true})
    );

    // The test box and the catalog search.
    let (status, resolved) = call(
        Method::GET,
        format!("{url}/admin/keys/{id}/resolve?model=claude-opus-4-9"),
        ADMIN,
        None,
    )
    .await;
    assert_eq!(
        (status, &resolved["resolved"], &resolved["rule"]),
        (200, &json!("anthropic/claude-opus-4-8"), &json!("prefix"))
    );
    let (_, found) = call(
        Method::GET,
        format!("{url}/admin/catalog?q=CLAUDE"),
        ADMIN,
        None,
    )
    .await;
    assert_eq!(
        found["data"][0]["id"], "anthropic/claude-opus-4-8",
        "{found}"
    );
    let (_, all) = call(Method::GET, format!("{url}/admin/catalog?q="), ADMIN, None).await;
    assert!(all["data"].as_array().unwrap().len() <= 20);

    // The preview: what /v1/models lists for the key, the hidden alias left out.
    let (status, preview) = call(
        Method::GET,
        format!("{url}/admin/keys/{id}/models"),
        ADMIN,
        None,
    )
    .await;
    let (_, listed) = call(Method::GET, format!("{url}/v1/models"), &secret, None).await;
    let ids = |list: &Value| -> Vec<String> {
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(status, 200, "{preview}");
    assert_eq!(ids(&preview), ids(&listed));
    assert_eq!(&ids(&preview)[..2], ["fast", "claude-opus"]);
    assert!(!ids(&preview).contains(&"typo".to_owned()));

    // The console page, with its policy: only its own script and style run.
    let page = client().get(format!("{url}/console")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(page.text().await.unwrap().contains("/console/console.js"));
    for asset in ["console.js", "console.css"] {
        let response = client()
            .get(format!("{url}/console/{asset}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{asset}");
    }

    // Bad input: an unknown key, a body that is not JSON, one that is too large.
    let (status, missing) = call(
        Method::PUT,
        format!("{url}/admin/keys/key_nope/aliases"),
        ADMIN,
        Some(json!([])),
    )
    .await;
    assert_eq!(
        (status, &missing["error"]["code"]),
        (404, &json!("key_not_found"))
    );
    let (status, _) = call(
        Method::GET,
        format!("{url}/admin/keys/key_nope/aliases"),
        ADMIN,
        None,
    )
    .await;
    assert_eq!(status, 404);
    let response = client()
        .put(&aliases)
        .bearer_auth(ADMIN)
        .body("[{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let big = client()
        .put(&aliases)
        .bearer_auth(ADMIN)
        .body(vec![b' '; 2 << 20])
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 413);
    let big: Value = big.json().await.unwrap();
    assert_eq!(big["error"]["code"], "invalid_body", "{big}");
    let (_, stored) = call(Method::GET, aliases.clone(), ADMIN, None).await;
    assert_eq!(
        stored["aliases"].as_array().unwrap().len(),
        3,
        "the failed writes changed nothing"
    );

    // Secrets are stored as SHA-256 hashes only (SQLite: the file itself is read).
    if let Some(path) = db.strip_prefix("sqlite://") {
        drop(gw);
        let bytes = std::fs::read(path).unwrap();
        let contains = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
        assert!(!contains(&secret), "the secret is not in the store");
        assert!(!contains("sk-demo"), "nor the demo key's");
        use sha2::Digest;
        let hash: String = sha2::Sha256::digest(secret.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(contains(&hash), "its hash is");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_admin_token_there_is_no_admin_api() {
    let gw = common::start_gateway(&[]);
    let response = client()
        .get(format!("{}/admin/keys", gw.url))
        .bearer_auth("anything")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unknown_url");
    let console = client()
        .get(format!("{}/console", gw.url))
        .send()
        .await
        .unwrap();
    assert_eq!(console.status(), 404, "no console without the admin API");
}

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

/// A store that fails (here a SQLite file whose header is overwritten): keys already loaded
/// keep serving their last aliases, a key never loaded gets a 503 in OpenAI's shape, and once
/// the store is back the gateway serves every key again, without a restart (issue 14).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_store_keeps_loaded_keys_serving_and_recovers() {
    use reqwest::Method;
    let db = fresh_database();
    let path = db.strip_prefix("sqlite://").unwrap().to_owned();
    let gw = gateway(&db, "0.5");
    let url = &gw.url;
    let (_, key) = call(
        Method::POST,
        format!("{url}/admin/keys"),
        ADMIN,
        Some(json!({"name": "late"})),
    )
    .await;
    let late = key["secret"].as_str().unwrap().to_owned();
    assert_eq!(
        chat(url, "sk-demo", "cross-model-basic").await.1["model"],
        "deepseek/deepseek-chat"
    );

    let good = std::fs::read(&path).unwrap();
    let mut broken = good.clone();
    broken[..100].fill(0xA5);
    std::fs::write(&path, &broken).unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await; // past the TTL: sk-demo must reload

    let (status, body) = chat(url, "sk-demo", "cross-model-basic").await;
    assert_eq!(
        (status, &body["model"]),
        (200, &json!("deepseek/deepseek-chat")),
        "served stale: {body}"
    );
    let (status, body) = chat(url, &late, "cross-model-basic").await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (503, &json!("aliases_unavailable")),
        "{body}"
    );
    assert_eq!(body["error"]["type"], "api_error");

    std::fs::write(&path, &good).unwrap();
    let start = Instant::now();
    loop {
        let (status, body) = chat(url, &late, "cross-model-basic").await;
        if status == 200 {
            assert_eq!(
                body["model"], "cross-model-basic",
                "a key without aliases passes through"
            );
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "still {status} after 15 s: {body}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// A row edited by hand into something the crate refuses fails its key's load with an error
/// that names the key, and the key is not half-loaded (issue 14).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_stored_row_names_its_key() {
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
    let (status, body) = chat(&gw.url, "sk-demo", "cross-model-basic").await;
    assert_eq!(status, 503, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("key team-demo") && message.contains("Not A Name"),
        "{message}"
    );
}

/// The admin test box resolves as the gateway does: with `--ignore-case`, folded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_box_resolves_as_the_gateway_serves() {
    let database = database("folded");
    let gw = start_gateway_with(
        &["--database", &database, "--ignore-case"],
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
