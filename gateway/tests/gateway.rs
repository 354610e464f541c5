//! The example gateway, end to end: a stub upstream and the gateway (`gateway/src`, as
//! built by `cargo test`) on 127.0.0.1 with ephemeral ports, driven by a real HTTP client.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::post;
use futures_util::StreamExt;
use serde_json::{Value, json};

mod common;
use common::{client, start_gateway};

/// What the stub upstream received: path and body, byte for byte.
type Received = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

const CHUNK_GAP: Duration = Duration::from_millis(150);

/// A stub upstream: records every request; answers `"stream": true` with four server-sent
/// events `CHUNK_GAP` apart, anything else with `{"ok": true}`.
async fn stub_upstream() -> (String, Received) {
    let received: Received = Arc::default();
    async fn handle(
        State(r): State<Received>,
        Path(path): Path<String>,
        body: Bytes,
    ) -> axum::response::Response {
        let streaming = serde_json::from_slice::<Value>(&body).is_ok_and(|v| v["stream"] == true);
        r.lock().unwrap().push((path, body.to_vec()));
        if !streaming {
            return axum::Json(json!({"ok": true})).into_response();
        }
        let events = futures_util::stream::unfold(0, |i| async move {
            if i == 4 {
                return None;
            }
            tokio::time::sleep(CHUNK_GAP).await;
            Some((
                Ok::<_, std::convert::Infallible>(format!("data: {{\"n\":{i}}}\n\n")),
                i + 1,
            ))
        });
        (
            [(header::CONTENT_TYPE, "text/event-stream")],
            Body::from_stream(events),
        )
            .into_response()
    }
    let app = Router::new()
        .route("/v1/{*path}", post(handle))
        .with_state(received.clone());
    (common::serve(app).await, received)
}

/// Sends a chat request declaring a `Content-Length` of `length` bytes but sending only `sent`
/// of them, over a raw connection, and reads the answer: its status and JSON body.
async fn partial_body(url: &str, length: usize, sent: usize) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer sk-test\r\n\
         Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&vec![b' '; sent]).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        let mut buf = [0u8; 4096];
        // Until the end of the JSON body (the connection may stay open).
        while !answer.ends_with(b"}") {
            let n = stream.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
        }
    });
    read.await
        .expect("the gateway answers without waiting for the body");
    let text = String::from_utf8(answer).unwrap();
    let status = text.split(' ').nth(1).unwrap().parse().unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap();
    (status, serde_json::from_str(body).unwrap())
}

const KEYS: &str = r#"{
  "sk-test": {"key_id": "team-test", "aliases": [
    {"name": "cross-model-basic", "target": "deepseek/deepseek-chat"},
    {"name": "claude-opus", "target": "anthropic/claude-opus-4-8", "match": "prefix"}
  ]},
  "sk-none": {"key_id": "team-none", "aliases": {}}
}"#;

fn keys_file(contents: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "model-alias-gateway-keys-{}.json",
        std::process::id()
    ));
    std::fs::write(&path, contents).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_resolves_rewrites_streams_and_lists() {
    let (upstream, received) = stub_upstream().await;
    let keys = keys_file(KEYS);
    let gw = start_gateway(&[
        "--upstream",
        &upstream,
        "--keys",
        keys.to_str().unwrap(),
        "--ttl",
        "0.2",
    ]);
    let client = client();
    let post = |path: &str, key: &str, body: &'static str| {
        client
            .post(format!("{}{path}", gw.url))
            .bearer_auth(key)
            .header("content-type", "application/json")
            .body(body)
    };

    // The upstream gets the resolved model and every other byte as sent.
    let body = "{ \"messages\":[{\"role\":\"user\",\"content\":\"h\\u00e9\"}],\n \"model\" : \"claude-opus-4-9\", \"temperature\":0.50 }";
    let response = post("/v1/chat/completions", "sk-test", body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    assert_eq!(header("x-model-alias-rule").as_deref(), Some("prefix"));
    assert_eq!(header("x-model-alias").as_deref(), Some("claude-opus"));
    assert_eq!(
        header("x-model-resolved").as_deref(),
        Some("anthropic/claude-opus-4-8")
    );
    assert_eq!(response.json::<Value>().await.unwrap(), json!({"ok": true}));
    let (path, got) = received.lock().unwrap().pop().unwrap();
    assert_eq!(path, "chat/completions");
    assert_eq!(
        String::from_utf8(got).unwrap(),
        body.replace("claude-opus-4-9", "anthropic/claude-opus-4-8")
    );

    // Passthrough: the same bytes, the rule says so.
    let plain = r#"{"model":"gpt-4o","input":"x"}"#;
    let response = post("/v1/embeddings", "sk-test", plain)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-model-alias-rule"], "passthrough");
    assert!(response.headers().get("x-model-alias").is_none());
    assert_eq!(received.lock().unwrap().pop().unwrap().1, plain.as_bytes());

    // Streaming: events arrive one by one, as the upstream sends them, not all at the end.
    let stream_body = r#"{"model":"cross-model-basic","stream":true,"messages":[]}"#;
    let start = Instant::now();
    let response = post("/v1/chat/completions", "sk-test", stream_body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut arrivals = Vec::new();
    let mut text = String::new();
    let mut chunks = response.bytes_stream();
    while let Some(chunk) = chunks.next().await {
        arrivals.push(start.elapsed());
        text.push_str(std::str::from_utf8(&chunk.unwrap()).unwrap());
    }
    assert_eq!(text.matches("data: ").count(), 4, "{text}");
    assert!(
        arrivals.len() >= 3,
        "{} chunks: the response was buffered",
        arrivals.len()
    );
    let spread = *arrivals.last().unwrap() - arrivals[0];
    assert!(
        spread >= CHUNK_GAP * 2,
        "chunks arrived within {spread:?}: buffered"
    );
    assert!(
        received
            .lock()
            .unwrap()
            .pop()
            .unwrap()
            .1
            .starts_with(br#"{"model":"deepseek/deepseek-chat""#)
    );

    // GET /v1/models: the key's aliases first, with root, then the catalog.
    let models: Value = client
        .get(format!("{}/v1/models", gw.url))
        .bearer_auth("sk-test")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let data = models["data"].as_array().unwrap();
    assert_eq!(data[0]["id"], "cross-model-basic");
    assert_eq!(data[0]["root"], "deepseek/deepseek-chat");
    assert_eq!(data[0]["context_length"], 65536);
    assert_eq!(data[1]["id"], "claude-opus");
    assert_eq!(data[1]["root"], "anthropic/claude-opus-4-8");
    assert!(data[2..].iter().all(|m| m.get("root").is_none()));
    assert!(data.iter().any(|m| m["id"] == "deepseek/deepseek-chat"));

    // The test box.
    let resolve = |model: &'static str| {
        let client = client.clone();
        // The models asked for here need no percent-encoding.
        let url = format!("{}/v1/aliases/resolve?model={model}", gw.url);
        async move {
            let r = client.get(url).bearer_auth("sk-test").send().await.unwrap();
            r.json::<Value>().await.unwrap()
        }
    };
    assert_eq!(
        resolve("claude-opus-4-9").await,
        json!({"model": "claude-opus-4-9", "resolved": "anthropic/claude-opus-4-8", "rule": "prefix", "alias": "claude-opus"})
    );

    // Bad keys: 401 with an OpenAI-style error.
    for auth in [Some("sk-wrong"), None] {
        let mut request = client
            .post(format!("{}/v1/chat/completions", gw.url))
            .body(body);
        if let Some(key) = auth {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], "invalid_api_key", "{error}");
        assert_eq!(error["error"]["type"], "invalid_request_error");
    }

    // Bad bodies: 400 with what to fix; nothing reaches the upstream.
    let before = received.lock().unwrap().len();
    for (bad, says) in [
        ("not json", "not valid JSON"),
        (r#"{"messages":[]}"#, "no \"model\" field"),
        (r#"{"model":7}"#, "not a string"),
        (r#"[{"model":"x"}]"#, "not an object"),
    ] {
        let response = post("/v1/chat/completions", "sk-test", bad)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{bad}");
        let error: Value = response.json().await.unwrap();
        assert!(
            error["error"]["message"].as_str().unwrap().contains(says),
            "{error}"
        );
        assert_eq!(error["error"]["type"], "invalid_request_error");
    }
    // Declared past the gateway's 32 MiB body limit: a 413 in the same error shape, sent
    // before the body is read (the client has sent 1 KiB of it and waits for the answer).
    let (status, error) = partial_body(&gw.url, 33 << 20, 1024).await;
    assert_eq!(status, 413);
    assert_eq!(error["error"]["type"], "invalid_request_error", "{error}");
    assert_eq!(error["error"]["code"], "request_too_large", "{error}");
    assert_eq!(received.lock().unwrap().len(), before);

    // A key with no aliases passes everything through.
    let response = post("/v1/chat/completions", "sk-none", plain)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-model-alias-rule"], "passthrough");

    // The keys file changes: the gateway picks it up within its TTL; a broken file keeps the
    // last good keys serving.
    std::fs::write(
        &keys,
        KEYS.replace("anthropic/claude-opus-4-8", "anthropic/claude-opus-5"),
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while resolve("claude-opus-4-9").await["resolved"] != "anthropic/claude-opus-5" {
        assert!(Instant::now() < deadline, "the keys file was not reloaded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    std::fs::write(&keys, "{ broken").unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        resolve("claude-opus-4-9").await["resolved"],
        "anthropic/claude-opus-5"
    );
    let _ = std::fs::remove_file(&keys);
}

#[tokio::test]
async fn the_built_in_echo_upstream_shows_the_flow() {
    let gw = start_gateway(&[]);
    let response = client()
        .post(format!("{}/v1/chat/completions", gw.url))
        .bearer_auth("sk-demo")
        .body(r#"{"model": "claude-opus-4-9", "messages": [{"role": "user", "content": "Hello"}]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let reply: Value = response.json().await.unwrap();
    assert_eq!(reply["model"], "anthropic/claude-opus-4-8");
    assert_eq!(
        reply["received_body"],
        r#"{"model": "anthropic/claude-opus-4-8", "messages": [{"role": "user", "content": "Hello"}]}"#
    );
}

/// One server-sent event as an upstream sends it, with the model it was asked for.
fn event(model: &str) -> String {
    format!(
        "data: {{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"{model}\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"Hi\"}}}}]}}\n\n"
    )
}

/// A stub upstream that answers `"stream": true` with one event split into two chunks at
/// byte `"split"` of the body (sent 20 ms apart), then `[DONE]`; anything else with a JSON body
/// naming the model it was asked for.
async fn split_upstream() -> String {
    async fn handle(body: Bytes) -> axum::response::Response {
        let request: Value = serde_json::from_slice(&body).unwrap();
        let model = request["model"].as_str().unwrap().to_owned();
        if request["stream"] != true {
            return axum::Json(json!({"id": "c1", "model": model, "choices": []})).into_response();
        }
        let whole = event(&model);
        let split = request["split"].as_u64().unwrap() as usize;
        let parts = vec![
            whole[..split].to_owned(),
            whole[split..].to_owned(),
            "data: [DONE]\n\n".to_owned(),
        ];
        common::paced(parts, Duration::from_millis(20), "text/event-stream")
    }
    common::serve(Router::new().route("/v1/{*path}", post(handle))).await
}

/// With `--ignore-case` and `--restore-model`, a client that sends
/// `Claude-Opus-4-9` gets its own name back in every event, however the upstream splits it,
/// and in a JSON body; a carried rest keeps the client's case both ways.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_folds_case_carries_and_restores_the_model() {
    let upstream = split_upstream().await;
    let keys = std::env::temp_dir().join(format!(
        "model-alias-gateway-restore-{}.json",
        std::process::id()
    ));
    std::fs::write(
        &keys,
        r#"{"sk-test": {"key_id": "team-test", "aliases": [
            {"name": "claude-opus", "target": "anthropic/claude-opus-4-8", "match": "prefix"},
            {"name": "oai/", "target": "openai/*", "match": "prefix"}]}}"#,
    )
    .unwrap();
    let keys = keys.to_str().unwrap();
    let gw = start_gateway(&[
        "--upstream",
        &upstream,
        "--keys",
        keys,
        "--ignore-case",
        "--restore-model",
    ]);
    let plain = start_gateway(&["--upstream", &upstream, "--keys", keys, "--ignore-case"]);
    let client = client();
    let post = |url: &str, body: Value| {
        client
            .post(format!("{url}/v1/chat/completions"))
            .bearer_auth("sk-test")
            .json(&body)
            .send()
    };

    let sent = "Claude-Opus-4-9";
    let upstream_event = event("anthropic/claude-opus-4-8");
    let want = format!("{}data: [DONE]\n\n", event(sent));
    for split in 0..=upstream_event.len() {
        let response = post(
            &gw.url,
            json!({"model": sent, "stream": true, "split": split}),
        )
        .await
        .unwrap();
        assert_eq!(
            response.headers()["x-model-resolved"],
            "anthropic/claude-opus-4-8"
        );
        let got = response.text().await.unwrap();
        assert_eq!(got, want, "split at byte {split}");
    }
    // Without the flag the upstream's model reaches the client.
    let got = post(
        &plain.url,
        json!({"model": sent, "stream": true, "split": 7}),
    )
    .await
    .unwrap();
    assert_eq!(
        got.text().await.unwrap(),
        format!("{upstream_event}data: [DONE]\n\n")
    );

    // A JSON body, and a carried rest: the upstream is asked for openai/GPT-4o.
    let body: Value = post(&gw.url, json!({"model": "OAI/GPT-4o"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body,
        json!({"id": "c1", "model": "OAI/GPT-4o", "choices": []})
    );
    let response = post(&plain.url, json!({"model": "OAI/GPT-4o"}))
        .await
        .unwrap();
    assert_eq!(response.headers()["x-model-resolved"], "openai/GPT-4o");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["model"], "openai/GPT-4o");
    // A passthrough is left alone.
    let body: Value = post(&gw.url, json!({"model": "GPT-3.5"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["model"], "GPT-3.5");
}

/// What the official OpenAI SDKs need of every answer: models with `created` and
/// `owned_by`, one model by id, each endpoint in its own shape, bodies past axum's 2 MiB
/// default, and every error an OpenAI error object.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_answers_in_openai_shapes() {
    let gw = start_gateway(&[]);
    let c = client();
    let get = |path: &str| c.get(format!("{}{path}", gw.url)).bearer_auth("sk-demo");
    let post = |path: &str, body: String| {
        c.post(format!("{}{path}", gw.url))
            .bearer_auth("sk-demo")
            .header("content-type", "application/json")
            .body(body)
    };
    async fn json(r: reqwest::RequestBuilder) -> (u16, Value) {
        let response = r.send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }
    fn assert_error(status: u16, body: &Value, want: u16, code: &str) {
        assert_eq!(status, want, "{body}");
        assert_eq!(body["error"]["code"], code, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{body}"
        );
        assert!(body["error"]["type"].is_string(), "{body}");
    }

    let (status, list) = json(get("/v1/models")).await;
    assert_eq!(status, 200);
    for entry in list["data"].as_array().unwrap() {
        assert!(entry["created"].is_u64(), "{entry}");
        assert!(entry["owned_by"].is_string(), "{entry}");
    }
    let (status, alias) = json(get("/v1/models/claude-opus")).await;
    assert_eq!(
        (status, &alias["root"]),
        (200, &json!("anthropic/claude-opus-4-8")),
        "{alias}"
    );
    assert_eq!(alias["owned_by"], "anthropic");
    let (status, real) = json(get("/v1/models/anthropic/claude-opus-4-8")).await;
    assert_eq!(
        (status, &real["id"]),
        (200, &json!("anthropic/claude-opus-4-8"))
    );
    let (status, missing) = json(get("/v1/models/claude-opus-4-9")).await;
    assert_error(status, &missing, 404, "model_not_found");

    let chat = r#"{"model": "claude-opus-4-9", "messages": [{"role": "user", "content": "Hi"}]}"#;
    let (status, reply) = json(post("/v1/chat/completions", chat.into())).await;
    assert_eq!(status, 200);
    assert_eq!(reply["object"], "chat.completion");
    assert_eq!(reply["model"], "anthropic/claude-opus-4-8");
    assert!(reply["id"].is_string() && reply["created"].is_u64());
    assert_eq!(reply["choices"][0]["finish_reason"], "stop");
    assert!(reply["usage"]["total_tokens"].is_u64());
    let body = r#"{"model": "cross-model-basic", "input": ["a", "b"]}"#;
    let (status, embeddings) = json(post("/v1/embeddings", body.into())).await;
    assert_eq!(status, 200);
    assert_eq!(embeddings["object"], "list");
    assert_eq!(embeddings["data"].as_array().unwrap().len(), 2);
    assert!(embeddings["data"][1]["embedding"].is_array());
    assert_eq!(embeddings["model"], "deepseek/deepseek-chat");
    let (status, response) = json(post(
        "/v1/responses",
        r#"{"model": "claude-opus", "input": "Hi"}"#.into(),
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(response["output"][0]["content"][0]["type"], "output_text");

    // Past axum's 2 MiB default, under the gateway's 32 MiB: through the echo and back.
    let big = format!(
        r#"{{"model": "claude-opus-4-9", "pad": "{}"}}"#,
        "x".repeat(3 << 20)
    );
    let (status, reply) = json(post("/v1/chat/completions", big)).await;
    assert_eq!(
        (status, &reply["model"]),
        (200, &json!("anthropic/claude-opus-4-8"))
    );

    let (status, unknown) = json(get("/v2/nothing")).await;
    assert_error(status, &unknown, 404, "unknown_url");
    let (status, wrong) = json(get("/v1/chat/completions")).await;
    assert_error(status, &wrong, 405, "method_not_allowed");
    let (status, no_model) = json(get("/v1/aliases/resolve")).await;
    assert_error(status, &no_model, 400, "invalid_query");
    let gzip = post("/v1/chat/completions", chat.into()).header("content-encoding", "gzip");
    let (status, refused) = json(gzip).await;
    assert_error(status, &refused, 415, "unsupported_content_encoding");

    // The x-model-* headers: only short visible ASCII.
    for (model, shown) in [
        ("gpt-4o".to_owned(), true),
        ("x".repeat(1 << 20), false),
        ("caf\u{e9}".to_owned(), false),
        ("a b".to_owned(), false),
    ] {
        let body = json!({"model": model, "messages": []}).to_string();
        let response = post("/v1/chat/completions", body).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let header = response.headers().get("x-model-resolved");
        assert_eq!(header.is_some(), shown, "{}", &model[..model.len().min(16)]);
        assert_eq!(response.headers()["x-model-alias-rule"], "passthrough");
    }
}

/// A body that stalls mid-way gets an answer once `--body-timeout` passes, not a connection
/// held open.
#[tokio::test]
async fn a_stalled_body_times_out() {
    let keys = keys_file(KEYS);
    let gw = start_gateway(&["--keys", keys.to_str().unwrap(), "--body-timeout", "1"]);
    let start = Instant::now();
    let (status, error) = partial_body(&gw.url, 1000, 10).await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["error"]["code"], "invalid_body");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("could not be read") && message.contains("timeout"),
        "{message}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "answered after {:?}",
        start.elapsed()
    );
}
