//! The echo upstream's streams, in each endpoint's real shape: chat completion chunks,
//! completion chunks, or the Responses API's events from `response.created` to
//! `response.completed`. With `stream_options.include_usage`, chat and completion streams end
//! with a usage chunk (empty `choices`) and every other chunk carries `"usage": null`, as
//! OpenAI's do.

use std::time::Duration;

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::echo::now;

const WORDS: [&str; 5] = ["Hello", " from", " the", " echo", " upstream"];

/// The stream for a request to `/v1/{path}` for `model`, whose body counted `input` tokens.
pub fn stream(path: &str, model: String, input: u64, usage: bool) -> Response {
    let output = WORDS.len() as u64;
    let events = match path {
        "responses" => responses(&model, input, output),
        "completions" => chunks(&model, input, output, usage, Shape::Completion),
        _ => chunks(&model, input, output, usage, Shape::Chat),
    };
    let paced = futures_util::stream::unfold(events.into_iter(), |mut events| async move {
        let event = events.next()?;
        tokio::time::sleep(Duration::from_millis(100)).await;
        Some((Ok::<_, std::convert::Infallible>(event), events))
    });
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(paced),
    )
        .into_response()
}

#[derive(Clone, Copy)]
enum Shape {
    Chat,
    Completion,
}

/// Chat or completion chunks, the last with `finish_reason`, then the usage chunk when asked
/// for, then `[DONE]`.
fn chunks(model: &str, input: u64, output: u64, usage: bool, shape: Shape) -> Vec<String> {
    let created = now();
    let chunk = |choices: Value, last: Option<Value>| {
        let mut chunk = match shape {
            Shape::Chat => json!({"id": "chatcmpl-echo", "object": "chat.completion.chunk",
                "created": created, "model": model, "choices": choices}),
            Shape::Completion => json!({"id": "cmpl-echo", "object": "text_completion",
                "created": created, "model": model, "choices": choices}),
        };
        if usage {
            chunk["usage"] = last.unwrap_or(Value::Null);
        }
        format!("data: {chunk}\n\n")
    };
    let choice = |word: Option<&str>, finish: Value| match shape {
        Shape::Chat => {
            let delta = word.map_or(json!({}), |w| json!({"role": "assistant", "content": w}));
            json!([{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}])
        }
        Shape::Completion => json!([{"index": 0, "text": word.unwrap_or_default(),
            "logprobs": null, "finish_reason": finish}]),
    };
    let mut events: Vec<String> = WORDS
        .iter()
        .map(|w| chunk(choice(Some(w), Value::Null), None))
        .collect();
    events.push(chunk(choice(None, json!("stop")), None));
    if usage {
        let counted = json!({"prompt_tokens": input, "completion_tokens": output,
            "total_tokens": input + output});
        events.push(chunk(json!([]), Some(counted)));
    }
    events.push("data: [DONE]\n\n".to_owned());
    events
}

/// The Responses API's events for one text message.
fn responses(model: &str, input: u64, output: u64) -> Vec<String> {
    let text: String = WORDS.concat();
    let response = |status: &str, output: Value, usage: Value| {
        json!({"id": "resp_echo", "object": "response", "created_at": now(), "status": status,
            "model": model, "output": output, "usage": usage, "parallel_tool_calls": false,
            "tool_choice": "auto", "tools": []})
    };
    let message = |status: &str, content: Value| {
        json!({"type": "message", "id": "msg_echo", "status": status, "role": "assistant",
            "content": content})
    };
    let part = |text: &str| json!({"type": "output_text", "text": text, "annotations": []});
    let at = json!({"item_id": "msg_echo", "output_index": 0, "content_index": 0});
    let mut bodies = vec![
        json!({"type": "response.created",
            "response": response("in_progress", json!([]), Value::Null)}),
        json!({"type": "response.output_item.added", "output_index": 0,
            "item": message("in_progress", json!([]))}),
        merged(
            &at,
            json!({"type": "response.content_part.added", "part": part("")}),
        ),
    ];
    for word in WORDS {
        bodies.push(merged(
            &at,
            json!({"type": "response.output_text.delta", "delta": word, "logprobs": []}),
        ));
    }
    let done = message("completed", json!([part(&text)]));
    let usage = json!({"input_tokens": input, "output_tokens": output,
        "total_tokens": input + output});
    bodies.extend([
        merged(
            &at,
            json!({"type": "response.output_text.done", "text": text, "logprobs": []}),
        ),
        merged(
            &at,
            json!({"type": "response.content_part.done", "part": part(&text)}),
        ),
        json!({"type": "response.output_item.done", "output_index": 0, "item": done}),
        json!({"type": "response.completed",
            "response": response("completed", json!([done]), usage)}),
    ]);
    bodies
        .into_iter()
        .enumerate()
        .map(|(n, mut body)| {
            body["sequence_number"] = json!(n);
            let kind = body["type"].as_str().unwrap_or_default().to_owned();
            format!("event: {kind}\ndata: {body}\n\n")
        })
        .collect()
}

/// `base`'s members with `more`'s added.
fn merged(base: &Value, more: Value) -> Value {
    let mut out = base.clone();
    if let (Value::Object(out), Value::Object(more)) = (&mut out, more) {
        out.extend(more);
    }
    out
}
