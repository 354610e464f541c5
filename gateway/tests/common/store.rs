//! What the store and admin tests share: the store they run on (SQLite, or Postgres when
//! `MODEL_ALIAS_POSTGRES` names a server), a gateway on it with an admin token, and calls.

use serde_json::{Value, json};

use super::{Gateway, client, fresh_database, start_gateway_with};

pub const ADMIN: &str = "admin-test-token";

/// The store the tests run on: `MODEL_ALIAS_POSTGRES` (a server URL, each test on a database
/// of its own) or a fresh SQLite file.
pub fn database(name: &str) -> String {
    match std::env::var("MODEL_ALIAS_POSTGRES") {
        Ok(server) if !server.is_empty() => fresh_postgres(&server, name),
        _ => fresh_database(),
    }
}

/// A new, empty Postgres database named after the test, on the server at `server`.
pub fn fresh_postgres(server: &str, name: &str) -> String {
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

pub fn gateway(database: &str, ttl: &str) -> Gateway {
    start_gateway_with(
        &["--database", database, "--ttl", ttl, "--demo"],
        &[("MODEL_ALIAS_ADMIN_TOKEN", ADMIN)],
    )
}

pub async fn call(
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

pub async fn chat(url: &str, secret: &str, model: &str) -> (u16, Value) {
    let body = json!({"model": model, "messages": [{"role": "user", "content": "Hi"}]});
    call(
        reqwest::Method::POST,
        format!("{url}/v1/chat/completions"),
        secret,
        Some(body),
    )
    .await
}
