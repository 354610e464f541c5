//! The admin API on SQLite and Postgres (`.ci/run` runs it against a throwaway server): keys
//! created, read, revoked and rotated; aliases replaced whole, concurrently, and whole after a
//! kill; secrets stored only as hashes; failed authentications limited.

use std::time::Duration;

use serde_json::{Value, json};

mod common;
use common::client;
use common::store::{ADMIN, call, chat, database, gateway};

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
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["aliases"].as_array().map(Vec::len),
        Some(3),
        "{answer}"
    );
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
    for asset in [
        "console.js",
        "editor.js",
        "tools.js",
        "access.js",
        "console.css",
    ] {
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
        .header("content-type", "application/json")
        .body("[{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let big = client()
        .put(&aliases)
        .bearer_auth(ADMIN)
        .header("content-type", "application/json")
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
        let mut bytes = std::fs::read(path).unwrap();
        for journal in ["-wal", "-shm"] {
            bytes.extend(std::fs::read(format!("{path}{journal}")).unwrap_or_default());
        }
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

/// Keys can be read, revoked and rotated; ids are random, never a part of the secret; a
/// revoked or rotated secret fails at once on the replica that took the call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_revoked_and_rotated_at_once_and_their_ids_are_random() {
    use reqwest::Method;
    let db = database("lifecycle");
    let gw = gateway(&db, "60");
    let url = &gw.url;
    let create = |name: &'static str| {
        call(
            Method::POST,
            format!("{url}/admin/keys"),
            ADMIN,
            Some(json!({"name": name})),
        )
    };
    let (status, a) = create("a").await;
    assert_eq!(status, 201, "{a}");
    let (_, b) = create("b").await;
    let (id, secret) = (a["id"].as_str().unwrap(), a["secret"].as_str().unwrap());
    assert_ne!(id, b["id"].as_str().unwrap());
    let hex = |s: &str| {
        s.trim_start_matches("key_")
            .trim_start_matches("sk-")
            .to_owned()
    };
    assert!(
        !hex(secret).contains(&hex(id)),
        "the id {id} is part of the secret"
    );
    assert_eq!(chat(url, secret, "gpt-4o").await.0, 200);

    let (status, key) = call(Method::GET, format!("{url}/admin/keys/{id}"), ADMIN, None).await;
    assert_eq!(
        (status, &key["name"], &key["aliases"]),
        (200, &json!("a"), &json!(0)),
        "{key}"
    );
    assert!(
        key.get("secret").is_none() && key.get("secret_sha256").is_none(),
        "{key}"
    );

    // Rotate: the new secret works, the old one fails at once.
    let (status, rotated) = call(
        Method::POST,
        format!("{url}/admin/keys/{id}/rotate"),
        ADMIN,
        None,
    )
    .await;
    assert_eq!(status, 200, "{rotated}");
    let new = rotated["secret"].as_str().unwrap();
    assert_eq!(rotated["id"], id);
    assert_ne!(new, secret);
    assert_eq!(
        chat(url, secret, "gpt-4o").await.0,
        401,
        "the old secret is revoked"
    );
    assert_eq!(chat(url, new, "gpt-4o").await.0, 200);

    // Delete: the secret fails at once, the key and its aliases are gone.
    let (status, _) = call(
        Method::DELETE,
        format!("{url}/admin/keys/{id}"),
        ADMIN,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        chat(url, new, "gpt-4o").await.0,
        401,
        "a deleted key's secret fails"
    );
    for (method, path) in [
        (Method::GET, format!("{url}/admin/keys/{id}")),
        (Method::DELETE, format!("{url}/admin/keys/{id}")),
        (Method::POST, format!("{url}/admin/keys/{id}/rotate")),
        (Method::GET, format!("{url}/admin/keys/{id}/aliases")),
    ] {
        let (status, body) = call(method, path, ADMIN, None).await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (404, &json!("key_not_found")),
            "{body}"
        );
    }
    let (_, keys) = call(Method::GET, format!("{url}/admin/keys"), ADMIN, None).await;
    let ids: Vec<&str> = keys["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap())
        .collect();
    assert!(
        !ids.contains(&id) && ids.contains(&b["id"].as_str().unwrap()),
        "{ids:?}"
    );
}

/// Concurrent saves wait their turn: none fails because another is in flight.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_admin_saves_all_succeed() {
    let db = database("concurrent");
    let gw = gateway(&db, "60");
    let put = format!("{}/admin/keys/team-demo/aliases", gw.url);
    let mut tasks = Vec::new();
    for writer in 0..8 {
        let put = put.clone();
        tasks.push(tokio::spawn(async move {
            let mut failed = Vec::new();
            for n in 0..25 {
                let rows = json!([{"name": format!("w{writer}-n{n}"), "target": "openai/gpt-4o"},
                                  {"name": "claude-opus", "target": "anthropic/claude-opus-4-8", "match": "prefix"}]);
                let (status, body) = call(reqwest::Method::PUT, put.clone(), ADMIN, Some(rows)).await;
                if status != 200 {
                    failed.push(format!("{status} {body}"));
                }
            }
            failed
        }));
    }
    let mut failed = Vec::new();
    for task in tasks {
        failed.extend(task.await.unwrap());
    }
    assert!(
        failed.is_empty(),
        "{} of 200 saves failed: {:?}",
        failed.len(),
        &failed[..failed.len().min(3)]
    );
    let (_, stored) = call(reqwest::Method::GET, put, ADMIN, None).await;
    assert_eq!(
        stored["aliases"].as_array().unwrap().len(),
        2,
        "one save, whole: {stored}"
    );
}

/// Wrong admin tokens are limited per address (429 with Retry-After, even for the right token
/// then) and logged; the bearer scheme is matched in any case.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_admin_authentications_are_limited_and_logged() {
    let gw = gateway(&database("guessing"), "60");
    let keys = format!("{}/admin/keys", gw.url);
    let lower = client()
        .get(&keys)
        .header("authorization", format!("bearer {ADMIN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(lower.status(), 200, "a lowercase scheme");
    let mut statuses = Vec::new();
    for n in 0..12 {
        let (status, _) = call(
            reqwest::Method::GET,
            keys.clone(),
            &format!("guess-{n}"),
            None,
        )
        .await;
        statuses.push(status);
    }
    assert_eq!(&statuses[..10], &[401; 10]);
    assert_eq!(&statuses[10..], &[429, 429]);
    let limited = client().get(&keys).bearer_auth(ADMIN).send().await.unwrap();
    assert_eq!(limited.status(), 429, "the right token waits too");
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limit_exceeded");
    let log = gw.log();
    assert!(
        log.matches("admin authentication failed").count() >= 10,
        "{log}"
    );
    assert!(!log.contains("guess-"), "a token in the log");
}

/// A gateway killed (SIGKILL) in the middle of many saves leaves every key's aliases whole:
/// after a restart on the same store, each key has one save's rows, all of them, or its rows
/// from before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_during_saves_leaves_whole_sets() {
    let db = database("killed");
    let gw = gateway(&db, "60");
    let url = gw.url.clone();
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let put = format!("{url}/admin/keys/team-demo/aliases");
            tokio::spawn(async move {
                let mut version = 0;
                loop {
                    let rows: Vec<Value> = (0..12)
                        .map(|n| json!({"name": format!("w{writer}-v{version}-{n}"), "target": "openai/gpt-4o"}))
                        .collect();
                    let sent = client().put(&put).bearer_auth(ADMIN).json(&rows).send().await;
                    if sent.is_err() {
                        return version;
                    }
                    version += 1;
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(700)).await;
    gw.signal("KILL");
    let mut saves = 0;
    for writer in writers {
        saves += writer.await.unwrap();
    }
    assert!(saves > 4, "the kill came before the saves ({saves})");
    drop(gw);

    let again = gateway(&db, "60");
    let (status, stored) = call(
        reqwest::Method::GET,
        format!("{}/admin/keys/team-demo/aliases", again.url),
        ADMIN,
        None,
    )
    .await;
    assert_eq!(status, 200, "{stored}");
    let names: Vec<&str> = stored["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    let save = |name: &str| name.rsplit_once('-').map(|(save, _)| save.to_owned());
    assert_eq!(names.len(), 12, "{names:?}");
    assert!(
        names.iter().all(|n| save(n) == save(names[0])),
        "rows of two saves: {names:?}"
    );
}
