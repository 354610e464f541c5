//! Model access per key on SQLite and Postgres (`.ci/run` runs it against a throwaway
//! server): the allow list is checked on the resolved model of every request, so an alias
//! never reaches a model the key may not use; listings show only what the key may use; the
//! admin API refuses lists and rows that break the rules, and takes back what it answers.

use reqwest::Method;
use serde_json::{Value, json};

mod common;
use common::store::{ADMIN, call, chat, database};
use common::{client, recording_upstream, refused_start, start_gateway_with};

/// A gateway on a fresh store in front of a recording upstream, and a new key's id and
/// secret with `aliases`.
async fn gateway_with_key(
    name: &str,
    aliases: Value,
) -> (common::Gateway, common::Seen, String, String) {
    let (upstream, seen) = recording_upstream().await;
    let db = database(name);
    let gw = start_gateway_with(
        &["--database", &db, "--upstream", &upstream],
        &[("MODEL_ALIAS_ADMIN_TOKEN", ADMIN)],
    );
    let keys = format!("{}/admin/keys", gw.url);
    let (status, key) = call(Method::POST, keys, ADMIN, Some(json!({"name": name}))).await;
    assert_eq!(status, 201, "{key}");
    let id = key["id"].as_str().unwrap().to_owned();
    let secret = key["secret"].as_str().unwrap().to_owned();
    let url = format!("{}/admin/keys/{id}/aliases", gw.url);
    let (status, answer) = call(Method::PUT, url, ADMIN, Some(aliases)).await;
    assert_eq!(status, 200, "{answer}");
    (gw, seen, id, secret)
}

/// The models the upstream was asked for.
fn asked(seen: &common::Seen) -> Vec<String> {
    seen.lock()
        .unwrap()
        .iter()
        .map(|(_, _, body)| {
            let body: Value = serde_json::from_slice(body).unwrap();
            body["model"].as_str().unwrap().to_owned()
        })
        .collect()
}

fn ids(list: &Value) -> Vec<&str> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect()
}

/// SECURITY.md's access guarantee.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alias_can_never_reach_a_model_the_key_may_not_use() {
    let aliases = json!([
        {"name": "oa/", "target": "openai/*", "match": "prefix"},
        {"name": "fast", "target": "deepseek/deepseek-chat"},
    ]);
    let (gw, seen, id, secret) = gateway_with_key("access", aliases).await;
    let url = &gw.url;
    let allow_url = format!("{url}/admin/keys/{id}/allow");
    let (status, answer) = call(Method::GET, allow_url.clone(), ADMIN, None).await;
    assert_eq!((status, &answer["allow"]), (200, &Value::Null), "no list");

    let list = json!({"allow": ["openai/gpt-4o", "deepseek/*"]});
    let (status, answer) = call(Method::PUT, allow_url.clone(), ADMIN, Some(list)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["allow"], json!(["openai/gpt-4o", "deepseek/*"]));
    let (_, stored) = call(Method::GET, allow_url.clone(), ADMIN, None).await;
    assert_eq!(stored, answer, "GET answers what PUT took");

    // The carried alias reaches one allowed model and others that are not.
    let aliases_url = format!("{url}/admin/keys/{id}/aliases");
    let (_, stored) = call(Method::GET, aliases_url.clone(), ADMIN, None).await;
    let partly = stored["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["kind"] == "target_partly_allowed")
        .unwrap_or_else(|| panic!("{stored}"));
    assert_eq!(
        (&partly["row"], &partly["name"]),
        (&json!(1), &json!("oa/"))
    );

    // The check is on the resolved model: the alias's own name does not matter.
    for (model, expected) in [
        ("oa/gpt-4o", Some("openai/gpt-4o")),
        ("fast", Some("deepseek/deepseek-chat")),
        (
            "deepseek/deepseek-reasoner",
            Some("deepseek/deepseek-reasoner"),
        ),
        ("oa/o3", None),
        ("oa/gpt-4o-mini", None),
        ("openai/o3", None),
        ("anthropic/claude-opus-4-8", None),
        ("OpenAI/GPT-4o", None),
    ] {
        let before = asked(&seen).len();
        let (status, body) = chat(url, &secret, model).await;
        match expected {
            Some(real) => {
                assert_eq!(status, 200, "{model}: {body}");
                assert_eq!(asked(&seen).last().map(String::as_str), Some(real));
            }
            None => {
                assert_eq!(
                    (status, &body["error"]["code"]),
                    (403, &json!("model_not_allowed")),
                    "{model}: {body}"
                );
                assert_eq!(asked(&seen).len(), before, "{model} was not forwarded");
            }
        }
    }

    // Listings show only what the key may use (the catalog has `openai/gpt-4o-mini`, not
    // `openai/gpt-4o`).
    let (_, listed) = call(Method::GET, format!("{url}/v1/models"), &secret, None).await;
    let listed = ids(&listed);
    for shown in ["oa/", "fast", "deepseek/deepseek-chat"] {
        assert!(listed.contains(&shown), "{shown} in {listed:?}");
    }
    assert!(
        !listed
            .iter()
            .any(|m| m.starts_with("anthropic/") || *m == "openai/gpt-4o-mini"),
        "{listed:?}"
    );
    let (status, _) = call(
        Method::GET,
        format!("{url}/v1/models/anthropic/claude-opus-4-8"),
        &secret,
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (_, preview) = call(
        Method::GET,
        format!("{url}/admin/keys/{id}/models"),
        ADMIN,
        None,
    )
    .await;
    assert_eq!(
        ids(&preview),
        listed,
        "the console's preview is the listing"
    );
    let test_box = format!("{url}/admin/keys/{id}/resolve?model=oa/o3");
    let (_, tried) = call(Method::GET, test_box, ADMIN, None).await;
    assert_eq!(
        (&tried["resolved"], &tried["allowed"]),
        (&json!("openai/o3"), &json!(false))
    );

    // A row whose target the list never allows is refused with its row; nothing is stored.
    let refused = json!([
        {"name": "fast", "target": "deepseek/deepseek-chat"},
        {"name": "opus", "target": "anthropic/claude-opus-4-8"},
    ]);
    let (status, answer) = call(Method::PUT, aliases_url.clone(), ADMIN, Some(refused)).await;
    assert_eq!(status, 422, "{answer}");
    let problem = &answer["problems"][0];
    assert_eq!(
        (
            &problem["row"],
            &problem["name"],
            &problem["field"],
            &problem["kind"]
        ),
        (
            &json!(2),
            &json!("opus"),
            &json!("target"),
            &json!("target_not_allowed")
        )
    );
    let (_, stored) = call(Method::GET, aliases_url.clone(), ADMIN, None).await;
    assert_eq!(stored["aliases"][0]["name"], "oa/", "nothing was saved");

    // A list that would leave a row unreachable is refused the same way.
    let narrower = json!({"allow": ["deepseek/*"]});
    let (status, answer) = call(Method::PUT, allow_url.clone(), ADMIN, Some(narrower)).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["problems"][0]["row"], 1);
    let (_, stored) = call(Method::GET, allow_url.clone(), ADMIN, None).await;
    assert_eq!(stored["allow"], json!(["openai/gpt-4o", "deepseek/*"]));

    // `null` removes the list: every model again.
    let (status, _) = call(
        Method::PUT,
        allow_url.clone(),
        ADMIN,
        Some(json!({"allow": null})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(chat(url, &secret, "anthropic/claude-opus-4-8").await.0, 200);
    drop(gw);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_allow_lists_are_refused_with_the_entry_to_change() {
    let (gw, _seen, id, secret) = gateway_with_key("badallow", json!([])).await;
    let allow_url = format!("{}/admin/keys/{id}/allow", gw.url);
    let thousands: Vec<String> = (0..2_000).map(|i| format!("provider/model-{i}")).collect();
    for (list, message) in [
        (json!(["openai/*", "*"]), "allow entry 2 is only '*'"),
        (
            json!(["a", "b", "a"]),
            r#"allow entry 3 "a" repeats entry 1"#,
        ),
        (json!(["open*ai"]), "has '*' at byte 4"),
        (json!(["gpt 4"]), "has ' ' (U+0020) at byte 3"),
        (json!([""]), "allow entry 1 is empty"),
        (json!(thousands), "more than 1024 entries"),
    ] {
        let (status, answer) = call(
            Method::PUT,
            allow_url.clone(),
            ADMIN,
            Some(json!({"allow": list})),
        )
        .await;
        assert_eq!(
            (status, &answer["error"]["code"], &answer["error"]["param"]),
            (422, &json!("invalid_allow"), &json!("allow")),
            "{answer}"
        );
        let text = answer["error"]["message"].as_str().unwrap();
        assert!(text.contains(message), "{text}");
    }
    for body in [
        json!({"allow": "openai/*"}),
        json!({"allow": [1]}),
        json!(["openai/*"]),
    ] {
        let (status, answer) = call(Method::PUT, allow_url.clone(), ADMIN, Some(body)).await;
        assert_eq!(status, 422, "{answer}");
    }
    let (_, stored) = call(Method::GET, allow_url.clone(), ADMIN, None).await;
    assert_eq!(stored["allow"], Value::Null, "nothing was saved");

    // An empty list allows nothing.
    let (status, _) = call(
        Method::PUT,
        allow_url.clone(),
        ADMIN,
        Some(json!({"allow": []})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = chat(&gw.url, &secret, "deepseek/deepseek-chat").await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (403, &json!("model_not_allowed"))
    );
    let (status, _) = call(
        Method::PUT,
        format!("{}/admin/keys/key_nope/allow", gw.url),
        ADMIN,
        Some(json!({"allow": null})),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keys_file_carries_allow_lists_and_refuses_rows_they_never_allow() {
    let dir = std::env::temp_dir().join(format!("model-alias-allow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("keys.json");
    let keys = json!({"sk-allow-test": {"key_id": "team-a",
        "aliases": [{"name": "fast", "target": "deepseek/deepseek-chat"}],
        "allow": ["deepseek/*"]}});
    std::fs::write(&path, keys.to_string()).unwrap();
    let (upstream, seen) = recording_upstream().await;
    let gw = start_gateway_with(
        &["--keys", path.to_str().unwrap(), "--upstream", &upstream],
        &[],
    );
    assert_eq!(chat(&gw.url, "sk-allow-test", "fast").await.0, 200);
    let (status, body) = chat(&gw.url, "sk-allow-test", "openai/gpt-4o").await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (403, &json!("model_not_allowed"))
    );
    assert_eq!(asked(&seen), ["deepseek/deepseek-chat"]);
    drop(gw);

    // Without alias resolution the check still runs, on the model as sent.
    let gw = start_gateway_with(
        &[
            "--keys",
            path.to_str().unwrap(),
            "--upstream",
            &upstream,
            "--no-aliases",
        ],
        &[],
    );
    assert_eq!(
        chat(&gw.url, "sk-allow-test", "deepseek/deepseek-chat")
            .await
            .0,
        200
    );
    let (status, body) = chat(&gw.url, "sk-allow-test", "openai/gpt-4o").await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (403, &json!("model_not_allowed"))
    );
    let response = client()
        .post(format!("{}/v1/moderations", gw.url))
        .bearer_auth("sk-allow-test")
        .json(&json!({"input": "a request that names no model"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403, "no model is no allowed model");
    assert_eq!(
        asked(&seen),
        ["deepseek/deepseek-chat", "deepseek/deepseek-chat"]
    );
    drop(gw);

    let keys = json!({"sk-allow-test": {"key_id": "team-a",
        "aliases": [{"name": "opus", "target": "anthropic/claude-opus-4-8"}],
        "allow": ["deepseek/*"]}});
    std::fs::write(&path, keys.to_string()).unwrap();
    let (code, log) = refused_start(&["--keys", path.to_str().unwrap()], &[]);
    assert_eq!(code, Some(2), "{log}");
    assert!(
        log.contains(r#"key "team-a": row 1"#) && log.contains("not allowed"),
        "{log}"
    );
    assert!(!log.contains("sk-allow-test"), "the secret is never shown");
}

/// Every admin route takes the same rules, and what `GET` answers `PUT` takes back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_routes_take_one_shape_and_the_same_rules() {
    let aliases = json!([
        {"name": "fast", "target": "deepseek/deepseek-chat"},
        {"name": "pro", "target": "anthropic/claude-opus-4-8", "overrides": {"temperature": 0}},
    ]);
    let (gw, _seen, id, secret) = gateway_with_key("shape", aliases).await;
    let url = &gw.url;
    let aliases_url = format!("{url}/admin/keys/{id}/aliases");

    // A JSON body is sent as JSON, on every route.
    for (method, route, body) in [
        (
            Method::POST,
            format!("{url}/admin/keys"),
            r#"{"name": "x"}"#,
        ),
        (Method::PUT, aliases_url.clone(), "[]"),
        (
            Method::PUT,
            format!("{url}/admin/keys/{id}/allow"),
            r#"{"allow": null}"#,
        ),
    ] {
        let response = client()
            .request(method, &route)
            .bearer_auth(ADMIN)
            .header("content-type", "text/plain")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 415, "{route}");
        let answer: Value = response.json().await.unwrap();
        assert!(
            answer["error"]["message"]
                .as_str()
                .unwrap()
                .contains("Content-Type: application/json")
        );
    }

    // Not JSON: 400. JSON of the wrong shape: 422, naming what to send.
    let keys = format!("{url}/admin/keys");
    let response = client()
        .post(&keys)
        .bearer_auth(ADMIN)
        .header("content-type", "application/json")
        .body("{name")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    for body in [
        json!({}),
        json!({"name": ""}),
        json!({"name": "   "}),
        json!({"name": 5}),
    ] {
        let (status, answer) = call(Method::POST, keys.clone(), ADMIN, Some(body.clone())).await;
        assert_eq!(
            (status, &answer["error"]["code"]),
            (422, &json!("invalid_body")),
            "{body}"
        );
    }

    // GET's answer goes back through PUT as it came, and PUT answers as GET does.
    let (_, got) = call(Method::GET, aliases_url.clone(), ADMIN, None).await;
    let (status, put) = call(Method::PUT, aliases_url.clone(), ADMIN, Some(got.clone())).await;
    assert_eq!(status, 200, "{put}");
    assert_eq!(put, got);
    assert_eq!(got["aliases"][1]["overrides"], json!({"temperature": 0}));

    // A 422 says how many problems once, and each problem is beside its row, named.
    let bad = json!({"aliases": [{"name": "fast", "target": 5}, {"name": "Pro", "target": "x"}]});
    let (status, answer) = call(Method::PUT, aliases_url.clone(), ADMIN, Some(bad)).await;
    assert_eq!(status, 422, "{answer}");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("1 problem in the aliases; nothing was saved"),
        "{message}"
    );
    assert!(!message.contains("invalid alias set"), "{message}");
    assert_eq!(answer["problems"][0]["name"], "fast", "{answer}");
    let bad = json!([{"name": "claude*", "target": "x"}, {"name": "a b", "target": "x"}]);
    let (_, answer) = call(Method::PUT, aliases_url.clone(), ADMIN, Some(bad)).await;
    let text = answer.to_string();
    assert!(
        text.contains("2 problems in the aliases") && !text.contains("MatchKind"),
        "{text}"
    );

    // The test boxes without a model say what to send.
    for (route, token) in [
        (format!("{url}/v1/aliases/resolve"), secret.as_str()),
        (format!("{url}/admin/keys/{id}/resolve"), ADMIN),
    ] {
        let (status, answer) = call(Method::GET, route, token, None).await;
        assert_eq!(
            (status, &answer["error"]["param"]),
            (400, &json!("model")),
            "{answer}"
        );
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("?model=") && !message.contains("deserialize"),
            "{message}"
        );
    }
}
