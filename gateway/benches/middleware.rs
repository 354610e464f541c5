//! What `middleware::AliasLayer` adds to a request: a handler that reads the request body and
//! answers with it (what a forwarding proxy does with it), called as a tower service, alone
//! and behind the layer, on the same requests in the same run. The layer's side includes the
//! lookup (a ready `Arc<AliasSet>`), the body read, the rewrite, the owned resolution in both
//! extensions and the boxed future.
//!
//! ```text
//! cargo bench -p model-alias-gateway --bench middleware
//! ```

use std::convert::Infallible;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use model_alias::middleware::{AliasLayer, Rejection};
use model_alias::{AliasSet, MatchKind};
use tower::{Layer, Service, ServiceExt};

/// A chat body naming `model`, with `turns` messages (about 110 bytes each).
fn body(model: &str, turns: usize) -> Bytes {
    let messages: Vec<String> = (0..turns)
        .map(|i| format!(r#"{{"role": "user", "content": "Turn {i}: a line of conversation, with \"quotes\"."}}"#))
        .collect();
    let text = format!(
        r#"{{"model": "{model}", "messages": [{}], "max_tokens": 64}}"#,
        messages.join(", ")
    );
    Bytes::from(text)
}

/// The handler: reads the body whole and answers with it.
async fn handler<B>(request: Request<B>) -> Result<Response<Full<Bytes>>, Infallible>
where
    B: http_body::Body,
    B::Error: std::fmt::Debug,
{
    let body = request
        .into_body()
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    Ok(Response::new(Full::new(body)))
}

/// Calls `service` once and reads the response body, as a server would.
async fn call<S, B>(service: S, request: Request<Full<Bytes>>) -> usize
where
    S: Service<Request<Full<Bytes>>, Response = Response<B>>,
    S::Error: std::fmt::Debug,
    B: http_body::Body,
    B::Error: std::fmt::Debug,
{
    let Ok(response) = service.oneshot(request).await else {
        return 0;
    };
    response
        .into_body()
        .collect()
        .await
        .map(|c| c.to_bytes().len())
        .unwrap_or(0)
}

fn middleware(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let set = Arc::new(
        AliasSet::new([
            ("fast", "deepseek/deepseek-chat", MatchKind::Exact),
            (
                "claude-opus",
                "anthropic/claude-opus-4-8",
                MatchKind::Prefix,
            ),
        ])
        .expect("valid aliases"),
    );
    let layer = AliasLayer::new(move |_: &http::request::Parts| {
        std::future::ready(Ok::<_, Rejection>(set.clone()))
    });
    let plain = tower::service_fn(handler::<Full<Bytes>>);
    let layered = layer.layer(tower::service_fn(handler::<Full<Bytes>>));

    let mut group = c.benchmark_group("middleware");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for (name, body) in [
        ("small, alias", body("claude-opus-4-9", 1)),
        ("small, passthrough", body("gpt-4o-mini", 1)),
        ("64 KiB, alias", body("claude-opus-4-9", 600)),
    ] {
        let request = || {
            Request::post("/v1/chat/completions")
                .body(Full::new(body.clone()))
                .expect("a request")
        };
        // Both answer with the body they were given: the layer's is the rewritten one.
        let (a, b) = runtime.block_on(async {
            (
                call(plain, request()).await,
                call(layered.clone(), request()).await,
            )
        });
        assert!(a > 0 && b > 0, "{name}: both answer");
        group.throughput(Throughput::Elements(1));
        group.bench_with_input(BenchmarkId::new("handler alone", name), &(), |bench, ()| {
            bench.iter(|| runtime.block_on(call(plain, black_box(request()))))
        });
        group.bench_with_input(
            BenchmarkId::new("behind AliasLayer", name),
            &(),
            |bench, ()| {
                bench.iter(|| runtime.block_on(call(layered.clone(), black_box(request()))))
            },
        );
    }
    group.finish();
}

criterion_group!(benches, middleware);
criterion_main!(benches);
