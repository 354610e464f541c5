//! What reaches the upstream, and what every other request gets: only the listed routes are
//! forwarded, to the route's own path with no query string, whatever the client's raw path
//! says; everything else, and every error, is an OpenAI-shaped answer with an `x-request-id`.

use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod common;
use common::{client, recording_upstream, start_gateway};

const BODY: &str = r#"{"model": "claude-opus-4-9", "messages": []}"#;

/// Sends `head` (a request head and any body) on a raw connection and reads until the server
/// closes it or 5 s pass: the answer's status and text.
async fn raw(url: &str, head: &str) -> (u16, String) {
    let addr = url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// Sends `request` and asserts an OpenAI-shaped error answer with `want` and `code`, and a
/// request id.
async fn assert_refused(request: reqwest::RequestBuilder, want: u16, code: &str) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    assert!(response.headers().contains_key("x-request-id"));
    assert_openai_error(status, &response.json().await.unwrap(), want, code);
}

fn assert_openai_error(status: u16, body: &Value, want: u16, code: &str) {
    assert_eq!(status, want, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    assert!(body["error"]["type"].is_string(), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_listed_routes_reach_the_upstream_at_their_own_path() {
    let (upstream, seen) = recording_upstream().await;
    let gw = start_gateway(&["--upstream", &upstream]);
    let c = client();
    let post = |path: &str| {
        c.post(format!("{}{path}", gw.url))
            .bearer_auth("sk-demo")
            .header("content-type", "application/json")
            .body(BODY)
    };

    for route in [
        "/v1/chat/completions",
        "/v1/completions",
        "/v1/embeddings",
        "/v1/responses",
        "/v1/moderations",
        "/v1/images/generations",
        "/v1/audio/speech",
    ] {
        let response = post(&format!("{route}?api-version=1&delete=all"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{route}");
        let (path, query, body) = seen.lock().unwrap().pop().unwrap();
        assert_eq!(path, route, "the route's own path");
        assert_eq!(query, None, "no query string is forwarded");
        assert!(body.starts_with(br#"{"model": "anthropic/claude-opus-4-8""#));
    }

    // Traversal, encoded separators, an encoded query or fragment: never forwarded.
    for path in [
        "/v1/%2e%2e/%2e%2e/internal/admin%3Fdelete%3Dall",
        "/v1/..%2f..%2finternal",
        "/v1/chat/completions%3Fx%3D1",
        "/v1/chat/completions%23frag",
        "/v1/chat/completions/",
        "/v1/nothing",
        "/v1/files",
    ] {
        assert_refused(post(path), 404, "unknown_url").await;
    }
    // A raw path with dot segments, which a client library would normalise.
    let head = format!(
        "POST /v1/../../internal/admin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-demo\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{BODY}",
        BODY.len()
    );
    let (status, text) = raw(&gw.url, &head).await;
    assert_eq!(status, 404, "{text}");
    assert!(
        seen.lock().unwrap().is_empty(),
        "nothing else reached the upstream"
    );

    // A known path with another method: 405; an unknown one with any method: 404.
    let get = |path: &str| c.get(format!("{}{path}", gw.url));
    assert_refused(get("/v1/chat/completions"), 405, "method_not_allowed").await;
    assert_refused(get("/v1/nothing"), 404, "unknown_url").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_paths_and_headers_get_openai_shaped_answers() {
    let gw = start_gateway(&[]);
    let c = client();

    // A path that is not UTF-8: the key is checked first, then a 400.
    let models = || c.get(format!("{}/v1/models/%FF", gw.url));
    assert_refused(models(), 401, "invalid_api_key").await;
    assert_refused(models().bearer_auth("sk-demo"), 400, "invalid_path").await;

    // Every answer from a handler or a layer carries a request id, each its own; a client's
    // own id is replaced, so that it cannot write into the log.
    let mut ids = std::collections::HashSet::new();
    for _ in 0..3 {
        let response = c
            .get(format!("{}/v1/models", gw.url))
            .header("x-request-id", "forged-by-the-client")
            .send()
            .await
            .unwrap();
        let id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(id.len(), 16, "{id}");
        assert!(ids.insert(id));
    }

    // What hyper answers itself, before any handler runs: a clean 4xx that closes the
    // connection (SECURITY.md lists these cases).
    for (length, why) in [
        ("99999999999999999999999", "overflow"),
        ("-1", "negative"),
        ("5\r\nContent-Length: 6", "two different values"),
    ] {
        let head = format!(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n{{}}"
        );
        let (status, text) = raw(&gw.url, &head).await;
        assert_eq!(status, 400, "{why}: {text}");
    }
    let long = format!("/v1/models?{}", "q".repeat(64 << 10));
    let head = format!("GET {long} HTTP/1.1\r\nHost: x\r\n\r\n");
    let (status, text) = raw(&gw.url, &head).await;
    assert_eq!(status, 414, "{}", &text[..text.len().min(200)]);
}
