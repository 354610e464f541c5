//! Presets through the gateway, on SQLite and Postgres (`.ci/run` runs it against a throwaway
//! server): stored and returned with the rows, applied on every forwarded route, shown by the
//! test box, left out of `/v1/models`, and every bad preset refused with its row and field,
//! nothing stored.

use reqwest::Method;
use serde_json::{Value, json};

mod common;
use common::store::{ADMIN, call, database, gateway};

const PRO: &str = r#"[
  {"name": "pro", "target": "deepseek/deepseek-reasoner",
   "defaults": {"reasoning_effort": "high", "temperature": 0.2},
   "overrides": {"max_tokens": 8192, "metadata": {"b": 1, "a": [1.50, "x"]}}},
  {"name": "fast", "target": "deepseek/deepseek-chat"}
]"#;

/// PUTs raw JSON text (the admin API must judge the text, not a re-serialised copy).
async fn put_text(url: &str, text: &str) -> (u16, Value) {
    let response = common::client()
        .put(url)
        .bearer_auth(ADMIN)
        .header("content-type", "application/json")
        .body(text.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// What the echo upstream received for a request to `route` with `body`.
async fn received(url: &str, secret: &str, route: &str, body: Value) -> Value {
    let (status, reply) = call(
        Method::POST,
        format!("{url}/v1/{route}"),
        secret,
        Some(body),
    )
    .await;
    assert_eq!(status, 200, "{route}: {reply}");
    serde_json::from_str(
        reply["received_body"]
            .as_str()
            .expect("the echo's received body"),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presets_are_stored_applied_shown_and_validated() {
    let db = database("presets");
    let gw = gateway(&db, "60");
    let url = &gw.url;
    let (_, key) = call(
        Method::POST,
        format!("{url}/admin/keys"),
        ADMIN,
        Some(json!({"name": "p"})),
    )
    .await;
    let (id, secret) = (key["id"].as_str().unwrap(), key["secret"].as_str().unwrap());
    let aliases = format!("{url}/admin/keys/{id}/aliases");

    // Stored and returned with the rows, as objects, members in their order.
    let (status, saved) = put_text(&aliases, PRO).await;
    assert_eq!(status, 200, "{saved}");
    let response = common::client()
        .get(&aliases)
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    let text = response.text().await.unwrap();
    assert!(
        text.contains(r#""defaults":{"reasoning_effort":"high","temperature":0.2},"overrides":{"max_tokens":8192,"metadata":{"b":1,"a":[1.5,"x"]}}"#),
        "{text}"
    );
    // What GET returns, PUT takes back unchanged.
    let got: Value = serde_json::from_str(&text).unwrap();
    let (status, _) = call(
        Method::PUT,
        aliases.clone(),
        ADMIN,
        Some(got["aliases"].clone()),
    )
    .await;
    assert_eq!(status, 200);

    // Applied on every forwarded route: defaults where absent, overrides always.
    for route in ["chat/completions", "completions", "embeddings", "responses"] {
        let sent = received(
            url,
            secret,
            route,
            json!({"model": "pro", "temperature": 1, "max_tokens": 5, "input": "x"}),
        )
        .await;
        assert_eq!(sent["model"], "deepseek/deepseek-reasoner", "{route}");
        assert_eq!(
            sent["temperature"], 1,
            "{route}: the client's value is kept"
        );
        assert_eq!(sent["reasoning_effort"], "high", "{route}: a default added");
        assert_eq!(sent["max_tokens"], 8192, "{route}: an override");
        assert_eq!(
            sent["metadata"],
            json!({"b": 1, "a": [1.5, "x"]}),
            "{route}"
        );
    }
    let sent = received(
        url,
        secret,
        "chat/completions",
        json!({"model": "fast", "seed": 1}),
    )
    .await;
    assert_eq!(
        sent,
        json!({"model": "deepseek/deepseek-chat", "seed": 1}),
        "no presets: nothing added"
    );
    // A body with an overridden member twice is refused, not forwarded.
    let response = common::client()
        .post(format!("{url}/v1/chat/completions"))
        .bearer_auth(secret)
        .header("content-type", "application/json")
        .body(r#"{"model":"pro","max_tokens":1,"max_tokens":2}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let error: Value = response.json().await.unwrap();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("\"max_tokens\" more than once"),
        "{error}"
    );

    // The admin test box shows what a request would send; /v1/models does not show presets.
    let (_, r) = call(
        Method::GET,
        format!("{url}/admin/keys/{id}/resolve?model=pro"),
        ADMIN,
        None,
    )
    .await;
    assert_eq!(r["resolved"], "deepseek/deepseek-reasoner");
    assert_eq!(
        r["defaults"],
        json!({"reasoning_effort": "high", "temperature": 0.2})
    );
    assert_eq!(r["overrides"]["max_tokens"], 8192);
    // Saved as written again (the PUT above sent a `Value`, whose objects sort their keys).
    assert_eq!(put_text(&aliases, PRO).await.0, 200);
    let text = common::client()
        .get(format!("{url}/admin/keys/{id}/resolve?model=pro"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(r#""metadata":{"b":1,"a":"#) && text.ends_with(r#","allowed":true}"#),
        "the presets keep their members' order: {text}"
    );
    let (_, r) = call(
        Method::GET,
        format!("{url}/admin/keys/{id}/resolve?model=fast"),
        ADMIN,
        None,
    )
    .await;
    assert!(
        r.get("defaults").is_none() && r.get("overrides").is_none(),
        "{r}"
    );
    let (_, models) = call(Method::GET, format!("{url}/v1/models"), secret, None).await;
    let listing = models.to_string();
    assert!(
        listing.contains("\"pro\"") && !listing.contains("reasoning_effort"),
        "{listing}"
    );
    let (_, preview) = call(
        Method::GET,
        format!("{url}/admin/keys/{id}/models"),
        ADMIN,
        None,
    )
    .await;
    assert!(!preview.to_string().contains("defaults"), "{preview}");

    // Every bad preset: a 422 with its row and field, and nothing stored.
    let deep = format!("{}{}", "[".repeat(126), "]".repeat(126));
    let many: Vec<String> = (0..17).map(|i| format!("\"m{i}\":1")).collect();
    let bad = [
        (r#""high""#.to_owned(), "defaults", "preset_not_object"),
        (
            r#"{"stream": true}"#.to_owned(),
            "defaults",
            "preset_forbidden_member",
        ),
        (
            r#"{"model": "x"}"#.to_owned(),
            "defaults",
            "preset_forbidden_member",
        ),
        (
            format!("{{{}}}", many.join(",")),
            "defaults",
            "preset_too_many_members",
        ),
        (
            format!(r#"{{"v": "{}"}}"#, "x".repeat(2100)),
            "defaults",
            "preset_too_long",
        ),
        (
            r#"{"max_tokens": 1, "max\u005ftokens": 2}"#.to_owned(),
            "defaults",
            "preset_repeated_member",
        ),
    ];
    for (preset, field, kind) in bad {
        let text = format!(
            r#"[{{"name": "fast", "target": "a/b"}}, {{"name": "x", "target": "a/b", "defaults": {preset}}}]"#
        );
        let (status, answer) = put_text(&aliases, &text).await;
        assert_eq!(status, 422, "{preset}: {answer}");
        let problem = &answer["problems"][0];
        assert_eq!(
            (problem["row"].as_u64(), problem["name"].as_str()),
            (Some(2), Some("x")),
            "{answer}"
        );
        assert_eq!(
            (problem["field"].as_str(), problem["kind"].as_str()),
            (Some(field), Some(kind)),
            "{answer}"
        );
    }
    let both = r#"[{"name": "x", "target": "a/b", "defaults": {"n": 1}, "overrides": {"n": 2}}]"#;
    let (status, answer) = put_text(&aliases, both).await;
    assert_eq!(
        (status, answer["problems"][0]["field"].as_str()),
        (422, Some("overrides")),
        "{answer}"
    );
    // Too deep for the crate, lone surrogates and numbers out of range: serde_json reads the
    // body first, and its verdict is the problem, at the row.
    for preset in [
        format!(r#"{{"a": {deep}}}"#),
        r#"{"a": "\ud800"}"#.to_owned(),
        r#"{"a": 1e400}"#.to_owned(),
    ] {
        let text = format!(r#"[{{"name": "x", "target": "a/b", "defaults": {preset}}}]"#);
        let (status, answer) = put_text(&aliases, &text).await;
        assert_eq!(status, 422, "{answer}");
        assert_eq!(answer["problems"][0]["row"], 1, "{answer}");
    }
    let (_, after) = call(Method::GET, aliases.clone(), ADMIN, None).await;
    assert_eq!(
        after["aliases"], got["aliases"],
        "nothing of a refused set was stored"
    );
}
