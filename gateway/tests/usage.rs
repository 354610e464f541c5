//! Usage billed as the real model, metrics and the request log, on SQLite and Postgres
//! (`.ci/run` runs it against a throwaway server).

use std::time::Duration;

use axum::extract::Json;
use reqwest::Method;
use serde_json::{Value, json};

mod common;
use common::store::{ADMIN, call, chat, database, gateway};
use common::{client, paced, serve, start_gateway_with};

/// A key's usage, by model.
async fn usage(url: &str, id: &str) -> Value {
    let (status, answer) = call(
        Method::GET,
        format!("{url}/admin/keys/{id}/usage"),
        ADMIN,
        None,
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    answer
}

fn by_model<'a>(usage: &'a Value, model: &str) -> &'a Value {
    usage["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["model"] == model)
        .unwrap_or_else(|| panic!("no {model} in {usage}"))
}

/// A streamed chat completion's events as the client receives them.
async fn stream(url: &str, body: Value) -> String {
    let response = client()
        .post(format!("{url}/v1/chat/completions"))
        .bearer_auth("sk-demo")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_is_billed_under_the_resolved_model_never_the_alias() {
    let db = database("usage");
    let gw = gateway(&db, "60");
    let url = &gw.url;
    assert_eq!(chat(url, "sk-demo", "claude-opus-4-9").await.0, 200);
    assert_eq!(chat(url, "sk-demo", "cross-model-pro").await.0, 200);
    assert_eq!(chat(url, "sk-demo", "cross-model-basic").await.0, 200);

    // A stream whose client did not ask for usage: the gateway asks, counts it, and the
    // client receives exactly the chunks it asked for.
    let messages = json!([{"role": "user", "content": "Hi"}]);
    let plain = stream(
        url,
        json!({"model": "cross-model-basic", "messages": messages, "stream": true}),
    )
    .await;
    assert!(!plain.contains("usage"), "{plain}");
    assert_eq!(
        plain.matches("data: ").count(),
        7,
        "five words, the stop chunk, [DONE]"
    );
    let asked = stream(
        url,
        json!({"model": "cross-model-basic", "messages": messages,
        "stream": true, "stream_options": {"include_usage": true}}),
    )
    .await;
    let last = asked.rsplit("data: ").nth(1).unwrap();
    let last: Value = serde_json::from_str(last.trim()).unwrap();
    assert_eq!(
        (&last["choices"], &last["usage"]["completion_tokens"]),
        (&json!([]), &json!(5))
    );

    let answer = usage(url, "team-demo").await;
    let opus = by_model(&answer, "anthropic/claude-opus-4-8");
    assert_eq!(opus["requests"], 2, "{answer}");
    assert!(
        opus["input_tokens"].as_i64().unwrap() > 0 && opus["output_tokens"].as_i64().unwrap() > 0
    );
    let basic = by_model(&answer, "deepseek/deepseek-chat");
    assert_eq!(basic["requests"], 3);
    assert!(
        basic["output_tokens"].as_i64().unwrap() >= 10,
        "both streams counted: {answer}"
    );
    let models: Vec<&str> = answer["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["model"].as_str().unwrap())
        .collect();
    assert_eq!(
        models,
        ["anthropic/claude-opus-4-8", "deepseek/deepseek-chat"],
        "never an alias"
    );

    let (status, _) = call(
        Method::GET,
        format!("{url}/admin/keys/key_nope/usage"),
        ADMIN,
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = call(
        Method::GET,
        format!("{url}/admin/keys/team-demo/usage"),
        "sk-demo",
        None,
    )
    .await;
    assert_eq!(status, 401);
}

/// An upstream whose `usage` is whatever the request's model names.
async fn odd_upstream() -> String {
    async fn answer(Json(body): Json<Value>) -> axum::response::Response {
        use axum::response::IntoResponse;
        let usage = match body["model"].as_str().unwrap_or_default() {
            "good" => json!({"prompt_tokens": 3, "completion_tokens": 4}),
            "negative" => json!({"prompt_tokens": -5, "completion_tokens": -1}),
            "enormous" => {
                json!({"prompt_tokens": 1e30, "completion_tokens": 18446744073709551615u64})
            }
            "malformed" => json!("lots"),
            "fractional" => json!({"prompt_tokens": 2.5, "completion_tokens": "4"}),
            "stream" => {
                let events = vec![
                    "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n".to_owned(),
                    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":1}}\n\n".to_owned(),
                    "data: [DONE]\n\n".to_owned(),
                ];
                return paced(events, Duration::from_millis(10), "text/event-stream");
            }
            _ => return Json(json!({"choices": []})).into_response(),
        };
        Json(json!({"choices": [], "usage": usage})).into_response()
    }
    serve(axum::Router::new().fallback(axum::routing::post(answer))).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_an_upstream_gets_wrong_counts_as_unknown_and_never_fails_a_request() {
    let upstream = odd_upstream().await;
    let db = database("oddusage");
    let gw = start_gateway_with(
        &["--database", &db, "--upstream", &upstream],
        &[("MODEL_ALIAS_ADMIN_TOKEN", ADMIN)],
    );
    let url = &gw.url;
    let (_, key) = call(
        Method::POST,
        format!("{url}/admin/keys"),
        ADMIN,
        Some(json!({"name": "odd"})),
    )
    .await;
    let (id, secret) = (key["id"].as_str().unwrap(), key["secret"].as_str().unwrap());
    for model in [
        "good",
        "negative",
        "enormous",
        "malformed",
        "fractional",
        "missing",
        "stream",
    ] {
        let (status, body) = chat(url, secret, model).await;
        assert_eq!(status, 200, "{model}: {body}");
    }
    let answer = usage(url, id).await;
    let tokens = |model: &str| {
        let m = by_model(&answer, model);
        (
            m["requests"].as_i64().unwrap(),
            m["input_tokens"].as_i64().unwrap(),
            m["output_tokens"].as_i64().unwrap(),
        )
    };
    assert_eq!(tokens("good"), (1, 3, 4));
    assert_eq!(tokens("stream"), (1, 2, 1));
    for unknown in ["negative", "enormous", "malformed", "fractional", "missing"] {
        assert_eq!(tokens(unknown), (1, 0, 0), "{unknown}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_and_tokens_with_a_bounded_model_label() {
    let dir = std::env::temp_dir().join(format!("model-alias-metrics-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let catalog = dir.join("catalog.json");
    let odd = "acme/\"odd\"\\model";
    let models = json!({"object": "list", "data": [{"id": "deepseek/deepseek-chat"}, {"id": odd}]});
    std::fs::write(&catalog, models.to_string()).unwrap();
    let db = database("metrics");
    let gw = start_gateway_with(
        &[
            "--database",
            &db,
            "--demo",
            "--catalog",
            catalog.to_str().unwrap(),
            "--log-format",
            "json",
        ],
        &[("MODEL_ALIAS_ADMIN_TOKEN", ADMIN)],
    );
    let url = &gw.url;
    let secret_prompt = "a prompt nobody may log";
    let body = json!({"model": "cross-model-basic", "messages": [{"role": "user", "content": secret_prompt}]});
    let (status, _) = call(
        Method::POST,
        format!("{url}/v1/chat/completions"),
        "sk-demo",
        Some(body),
    )
    .await;
    assert_eq!(status, 200);
    for model in [
        odd,
        "made-up-1",
        "made-up-2\nwith a line",
        "anthropic/claude-opus-4-8",
    ] {
        assert_eq!(chat(url, "sk-demo", model).await.0, 200, "{model}");
    }
    assert_eq!(chat(url, "sk-wrong", "cross-model-basic").await.0, 401);

    let response = client().get(format!("{url}/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 401, "the admin token is required");
    let response = client()
        .get(format!("{url}/metrics"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    for line in [
        r#"model_alias_requests_total{rule="exact",model="deepseek/deepseek-chat",status="200"} 1"#,
        r#"model_alias_requests_total{rule="passthrough",model="acme/\"odd\"\\model",status="200"} 1"#,
        r#"model_alias_requests_total{rule="passthrough",model="other",status="200"} 3"#,
        r#"model_alias_requests_total{rule="none",model="none",status="401"} 2"#,
        r#"model_alias_tokens_total{model="deepseek/deepseek-chat",kind="output"}"#,
        "model_alias_request_duration_seconds_count",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    assert!(
        !text.contains("made-up") && !text.contains("anthropic"),
        "{text}"
    );

    // One JSON line a request, with what an operator needs and nothing secret.
    let line = gw.log_line("\"method\":\"POST\"");
    let line: Value = serde_json::from_str(&line).unwrap();
    let fields = &line["fields"];
    assert_eq!(
        (
            &fields["key"],
            &fields["model"],
            &fields["resolved"],
            &fields["rule"],
            &fields["status"]
        ),
        (
            &json!("team-demo"),
            &json!("cross-model-basic"),
            &json!("deepseek/deepseek-chat"),
            &json!("exact"),
            &json!(200)
        ),
        "{line}"
    );
    assert!(
        fields["latency_ms"].is_string() && line["span"]["id"].is_string(),
        "{line}"
    );
    let log = gw.log();
    let chats = log
        .lines()
        .filter(|l| l.contains(r#""path":"/v1/chat/completions""#));
    assert_eq!(chats.count(), 6, "one line a request: {log}");
    assert!(
        log.contains(r#""model":"made-up-2\\nwith a line""#),
        "escaped: {log}"
    );
    for secret in ["sk-demo", secret_prompt, ADMIN] {
        assert!(!log.contains(secret), "{secret} in the log");
    }
    for line in log.lines() {
        serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    }
}
