//! The gateway when its upstream fails: each fault gives the client an
//! OpenAI-shaped error or a stream that ends, never a hang.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod common;
use common::{client, start_gateway};

const CHAT: &str = r#"{"model": "claude-opus-4-9", "messages": [], "stream": true}"#;

async fn chat(url: &str) -> reqwest::Response {
    let request = client()
        .post(format!("{url}/v1/chat/completions"))
        .bearer_auth("sk-demo")
        .body(CHAT);
    tokio::time::timeout(Duration::from_secs(10), request.send())
        .await
        .expect("the gateway answers without hanging")
        .unwrap()
}

/// The error answer's status and code; its message never quotes the upstream's address or
/// the HTTP client's own text (the log has them, under the answer's request id).
async fn error_code(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    assert!(response.headers().contains_key("x-request-id"));
    let body: Value = response.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap_or_default();
    for internal in ["127.0.0.1", "http://", "error sending request", "tcp"] {
        assert!(!message.contains(internal), "{message}");
    }
    (status, body["error"]["code"].clone())
}

/// An upstream on loopback that reads each request's head and then runs `answer` on the
/// connection.
async fn raw_upstream<F, Fut>(answer: F) -> String
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let answer = std::sync::Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 << 10];
                let mut read = Vec::new();
                while !read.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => read.extend_from_slice(&buf[..n]),
                    }
                }
                answer(stream).await;
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_that_refuses_connections_gets_a_502() {
    // A port that was just free: nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let gw = start_gateway(&["--upstream", &format!("http://127.0.0.1:{port}")]);
    let (status, code) = error_code(chat(&gw.url).await).await;
    assert_eq!((status, code), (502, json!("upstream_unavailable")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_that_never_answers_gets_a_504_after_the_timeout() {
    let upstream = raw_upstream(|stream| async move {
        tokio::time::sleep(Duration::from_secs(60)).await;
        drop(stream);
    })
    .await;
    let gw = start_gateway(&["--upstream", &upstream, "--upstream-timeout", "1"]);
    let start = Instant::now();
    let (status, code) = error_code(chat(&gw.url).await).await;
    assert_eq!((status, code), (504, json!("upstream_timeout")));
    assert!(
        start.elapsed() >= Duration::from_millis(900),
        "not before the timeout"
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "soon after it: {:?}",
        start.elapsed()
    );
}

/// An upstream's redirect is not followed: the request and the upstream key go nowhere but
/// `--upstream`, the client gets a 502 that does not name either address, and the log says
/// where the upstream pointed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_redirect_is_not_followed() {
    let elsewhere_hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let hits = elsewhere_hits.clone();
    let elsewhere = raw_upstream(move |_| {
        hits.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        async {}
    })
    .await;
    for status in [
        "301 Moved Permanently",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ] {
        let location = format!("{elsewhere}/v1/chat/completions");
        let upstream = raw_upstream(move |mut stream| {
            let head =
                format!("HTTP/1.1 {status}\r\nlocation: {location}\r\ncontent-length: 0\r\n\r\n");
            async move {
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.flush().await;
            }
        })
        .await;
        let gw = start_gateway(&["--upstream", &upstream, "--upstream-key-env", "HOME"]);
        let (code, error) = error_code(chat(&gw.url).await).await;
        assert_eq!((code, error), (502, json!("upstream_redirect")), "{status}");
        let line = gw.log_line("upstream_redirect");
        assert!(
            line.contains(&elsewhere),
            "the log names the redirect: {line}"
        );
    }
    assert_eq!(elsewhere_hits.load(std::sync::atomic::Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_the_upstream_cuts_short_ends_for_the_client() {
    let upstream = raw_upstream(|mut stream| async move {
        let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
        let event = "data: {\"model\":\"anthropic/claude-opus-4-8\",\"n\":1}\n\n";
        let chunk = format!("{:x}\r\n{event}\r\n", event.len());
        let _ = stream.write_all(head.as_bytes()).await;
        let _ = stream.write_all(chunk.as_bytes()).await;
        let _ = stream.flush().await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        // Closed mid-stream: no last chunk, no [DONE].
        drop(stream);
    })
    .await;
    let gw = start_gateway(&["--upstream", &upstream]);
    let mut response = chat(&gw.url).await;
    assert_eq!(response.status(), 200);
    let mut received = Vec::new();
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => received.extend_from_slice(&chunk),
                Ok(None) => return "ended",
                Err(_) => return "broken off",
            }
        }
    })
    .await
    .expect("the client's stream ends instead of hanging");
    let text = String::from_utf8_lossy(&received);
    assert!(
        text.contains("\"n\":1"),
        "the event before the cut arrived: {text:?} ({ended})"
    );
    assert!(!text.contains("[DONE]"));
}

/// A client that disconnects mid-stream: the gateway drops its upstream request too, so the
/// upstream's writes start failing soon after, rather than streaming to nobody.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_disconnects_releases_the_upstream() {
    let (stopped_tx, stopped_rx) = std::sync::mpsc::channel::<Instant>();
    let stopped_tx = std::sync::Mutex::new(stopped_tx);
    let upstream = raw_upstream(move |mut stream| {
        let stopped = stopped_tx.lock().unwrap().clone();
        async move {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            // An endless stream, an event every 50 ms, until a write fails.
            for n in 0.. {
                let event = format!("data: {{\"n\":{n}}}\n\n");
                let chunk = format!("{:x}\r\n{event}\r\n", event.len());
                if stream.write_all(chunk.as_bytes()).await.is_err() || stream.flush().await.is_err() {
                    let _ = stopped.send(Instant::now());
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    })
    .await;
    let gw = start_gateway(&["--upstream", &upstream]);
    let mut response = chat(&gw.url).await;
    let first = tokio::time::timeout(Duration::from_secs(5), response.chunk()).await;
    assert!(
        matches!(first, Ok(Ok(Some(_)))),
        "the stream started: {first:?}"
    );
    drop(response);
    let dropped = Instant::now();
    let stopped =
        tokio::task::spawn_blocking(move || stopped_rx.recv_timeout(Duration::from_secs(10)))
            .await
            .unwrap()
            .expect("the upstream's stream was cut after the client left");
    assert!(stopped.duration_since(dropped) < Duration::from_secs(5));
}
