//! A stand-in upstream on loopback, for trying the gateway without an LLM provider: it answers
//! every `POST /v1/...` with what it received, so the resolved model shows in the reply.
//! With `"stream": true` it sends server-sent events, one every 100 ms.

use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

/// Starts the echo upstream on an ephemeral loopback port; returns its base URL.
pub async fn start() -> std::io::Result<String> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let router = Router::new().route("/v1/{*path}", post(echo));
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            eprintln!("echo upstream: {e}");
        }
    });
    Ok(format!("http://{addr}"))
}

async fn echo(Path(path): Path<String>, body: Bytes) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let model = request["model"].as_str().unwrap_or_default().to_owned();
    let received = String::from_utf8_lossy(&body).into_owned();
    if request["stream"] == Value::Bool(true) {
        let words = ["Hello", " from", " the", " echo", " upstream"];
        let events = futures_util::stream::unfold(0usize, move |i| {
            let model = model.clone();
            async move {
                if i > words.len() {
                    return None;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                let data = match words.get(i) {
                    Some(word) => json!({"object": "chat.completion.chunk", "model": model,
                        "choices": [{"index": 0, "delta": {"content": word}}]})
                    .to_string(),
                    None => "[DONE]".to_owned(),
                };
                Some((
                    Ok::<_, std::convert::Infallible>(format!("data: {data}\n\n")),
                    i + 1,
                ))
            }
        });
        return (
            [
                (header::CONTENT_TYPE, "text/event-stream"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            Body::from_stream(events),
        )
            .into_response();
    }
    axum::Json(json!({
        "object": "echo",
        "path": format!("/v1/{path}"),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": format!("echo: the upstream was asked for {model}")}}],
        "received_body": received,
    }))
    .into_response()
}
