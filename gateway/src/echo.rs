//! A stand-in upstream on loopback, for trying the gateway without an LLM provider. Each
//! endpoint answers in its real OpenAI shape, with the model it was asked for, so the resolved
//! model shows in the reply and the official SDKs parse it: chat completions, completions,
//! embeddings and responses; any other path gets the chat shape. With `"stream": true`, chat
//! and completions send their chunks and responses its events, one every 100 ms
//! (`echo_stream.rs`). Every JSON answer also carries what was received (`received_body`),
//! which SDKs ignore.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

/// Starts the echo upstream on an ephemeral loopback port; returns its base URL.
pub async fn start() -> std::io::Result<String> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    // It accepts what the gateway accepts.
    let router = Router::new()
        .route("/v1/{*path}", post(echo))
        .layer(DefaultBodyLimit::max(crate::proxy::MAX_BODY));
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            eprintln!("echo upstream: {e}");
        }
    });
    Ok(format!("http://{addr}"))
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A rough token count: words, as OpenAI's usage objects need some count.
pub fn tokens(text: &str) -> u64 {
    text.split_whitespace().count() as u64
}

async fn echo(Path(path): Path<String>, body: Bytes) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let model = request["model"].as_str().unwrap_or_default().to_owned();
    if request["stream"] == Value::Bool(true) {
        let usage = request["stream_options"]["include_usage"] == Value::Bool(true);
        let input = tokens(&String::from_utf8_lossy(&body));
        return crate::echo_stream::stream(&path, model, input, usage);
    }
    let received = String::from_utf8_lossy(&body).into_owned();
    let reply = format!("echo: the upstream was asked for {model}");
    let (input, output) = (tokens(&received), tokens(&reply));
    let usage = json!({"prompt_tokens": input, "completion_tokens": output, "total_tokens": input + output});
    let mut answer = match path.as_str() {
        "embeddings" => {
            let inputs = match &request["input"] {
                Value::Array(items) => items.len().max(1),
                _ => 1,
            };
            let data: Vec<Value> = (0..inputs)
                .map(|i| json!({"object": "embedding", "index": i, "embedding": [0.25, -0.5, 0.125, 1.0]}))
                .collect();
            json!({"object": "list", "data": data, "model": model,
                "usage": {"prompt_tokens": input, "total_tokens": input}})
        }
        "responses" => json!({
            "id": "resp_echo", "object": "response", "created_at": now(), "status": "completed",
            "model": model,
            "output": [{"type": "message", "id": "msg_echo", "status": "completed", "role": "assistant",
                "content": [{"type": "output_text", "text": reply, "annotations": []}]}],
            "usage": {"input_tokens": input, "output_tokens": output, "total_tokens": input + output},
        }),
        "completions" => json!({
            "id": "cmpl-echo", "object": "text_completion", "created": now(), "model": model,
            "choices": [{"index": 0, "text": reply, "logprobs": null, "finish_reason": "stop"}],
            "usage": usage,
        }),
        _ => json!({
            "id": "chatcmpl-echo", "object": "chat.completion", "created": now(), "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": reply},
                "logprobs": null, "finish_reason": "stop"}],
            "usage": usage,
        }),
    };
    answer["path"] = json!(format!("/v1/{path}"));
    answer["received_body"] = json!(received);
    axum::Json(answer).into_response()
}
