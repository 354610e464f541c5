//! What a client that holds connections, sends slowly or sends much gets: request heads and
//! idle connections are timed out, connections and buffered bodies are capped, small writes
//! are not delayed, and a signal drains requests in flight before the gateway exits.

use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod common;
use common::{client, start_gateway};

const CHAT: &str = r#"{"model": "claude-opus-4-9", "messages": []}"#;
/// A streamed chat: the echo upstream sends six events 100 ms apart.
const STREAM: &str = r#"{"model": "claude-opus-4-9", "stream": true, "messages": []}"#;

/// A chat request with the demo key.
fn chat(c: &reqwest::Client, url: &str, body: impl Into<reqwest::Body>) -> reqwest::RequestBuilder {
    c.post(format!("{url}/v1/chat/completions"))
        .bearer_auth("sk-demo")
        .body(body)
}

async fn connect(url: &str) -> TcpStream {
    TcpStream::connect(url.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Reads until the server closes the connection (`Some(time it took)`) or `limit` passes.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at((start + limit).into(), stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0) | Err(_)) => return Some(start.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

fn chat_request(keep_alive: bool) -> String {
    let connection = if keep_alive { "keep-alive" } else { "close" };
    format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-demo\r\n\
         Content-Type: application/json\r\nConnection: {connection}\r\nContent-Length: {}\r\n\r\n{CHAT}",
        CHAT.len()
    )
}

/// Reads one whole answer with a `Content-Length` or chunked body from a kept-alive connection.
async fn read_answer(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .expect("an answer")
            .unwrap();
        assert!(n > 0, "closed mid-answer");
        answer.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&answer);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let chunked = head
                .to_ascii_lowercase()
                .contains("transfer-encoding: chunked");
            if chunked && body.ends_with("0\r\n\r\n") {
                return text.into_owned();
            }
            let length = head.lines().find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length: ")
                    .map(str::to_owned)
            });
            if length.is_some_and(|l| l.trim().parse::<usize>().unwrap() <= body.len()) {
                return text.into_owned();
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_silent_connections_are_closed_and_requests_in_flight_are_not() {
    let gw = start_gateway(&["--header-timeout", "1", "--idle-timeout", "2"]);

    // Silent from the start: closed after the header timeout.
    let mut silent = connect(&gw.url).await;
    let took = closed_within(&mut silent, Duration::from_secs(5)).await;
    assert!(
        took.is_some_and(|t| t >= Duration::from_millis(900)),
        "{took:?}"
    );

    // A head trickled one byte every 300 ms: closed after the header timeout, unfinished.
    let mut trickle = connect(&gw.url).await;
    let start = Instant::now();
    let head = chat_request(true);
    let mut cut = false;
    for byte in head.as_bytes() {
        if trickle.write_all(&[*byte]).await.is_err() {
            cut = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        if start.elapsed() > Duration::from_secs(5) {
            break;
        }
    }
    let closed = cut
        || closed_within(&mut trickle, Duration::from_millis(100))
            .await
            .is_some();
    assert!(
        closed,
        "a trickled head still open after {:?}",
        start.elapsed()
    );

    // Kept alive between requests: open past the header timeout, closed after the idle one.
    let mut kept = connect(&gw.url).await;
    kept.write_all(chat_request(true).as_bytes()).await.unwrap();
    assert!(read_answer(&mut kept).await.starts_with("HTTP/1.1 200"));
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    kept.write_all(chat_request(true).as_bytes()).await.unwrap();
    assert!(
        read_answer(&mut kept).await.starts_with("HTTP/1.1 200"),
        "reused after 1.5 s idle"
    );
    let took = closed_within(&mut kept, Duration::from_secs(5)).await;
    assert!(
        took.is_some_and(|t| t >= Duration::from_millis(1_800)),
        "{took:?}"
    );

    // A stream longer than both timeouts is not cut: the echo upstream sends six events
    // 100 ms apart, and this one is read slowly.
    let response = chat(&client(), &gw.url, STREAM).send().await.unwrap();
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let text = response.text().await.unwrap();
    assert!(text.ends_with("data: [DONE]\n\n"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_limit_wait_for_a_free_one() {
    let gw = start_gateway(&["--max-connections", "2", "--header-timeout", "30"]);
    let first = connect(&gw.url).await;
    let second = connect(&gw.url).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let c = client();
    let waited = tokio::time::timeout(Duration::from_secs(1), chat(&c, &gw.url, CHAT).send()).await;
    assert!(waited.is_err(), "a third connection was served: {waited:?}");
    drop(first);
    let answered = tokio::time::timeout(Duration::from_secs(5), chat(&c, &gw.url, CHAT).send())
        .await
        .expect("served once a connection is free")
        .unwrap();
    assert_eq!(answered.status(), 200);
    drop(second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_past_the_shared_budget_get_a_503_unread() {
    let gw = start_gateway(&["--max-buffered-bytes", "1048576"]);
    // One request holds 700 KiB of the 1 MiB budget: its body is declared, and stalls.
    let mut holder = connect(&gw.url).await;
    let declared = 700 << 10;
    let head = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-demo\r\n\
         Content-Length: {declared}\r\n\r\n{{\"model\": \"x\", \"pad\": \""
    );
    holder.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Another 700 KiB does not fit: a 503 before its body is read.
    let mut second = connect(&gw.url).await;
    let head = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-demo\r\n\
         Content-Length: {declared}\r\n\r\n"
    );
    second.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), second.read(&mut answer))
        .await
        .expect("answered without its body")
        .unwrap();
    let text = String::from_utf8_lossy(&answer[..n]);
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("\"code\":\"server_busy\""), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("retry-after: 1"),
        "{text}"
    );

    // A small request still fits.
    let small = chat(&client(), &gw.url, CHAT).send().await.unwrap();
    assert_eq!(small.status(), 200);

    // The first finishes its body and is answered; its share is released.
    let pad_len = declared - (r#"{"model": "x", "pad": ""#.len() + 2);
    holder.write_all(&vec![b'x'; pad_len]).await.unwrap();
    holder.write_all(b"\"}").await.unwrap();
    let answer = read_answer(&mut holder).await;
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "{}",
        &answer[..200.min(answer.len())]
    );
    let pad = format!(
        r#"{{"model": "x", "pad": "{}"}}"#,
        "y".repeat(declared - 30)
    );
    let big = chat(&client(), &gw.url, pad).send().await.unwrap();
    assert_eq!(big.status(), 200, "the budget was released");
}

/// An upstream that answers in several small writes, as providers stream: the head, then
/// each part 1 ms apart, from sockets that send them at once (see [`common::serve`]), so that
/// only the gateway's own sockets can delay them.
async fn several_writes_upstream() -> String {
    let parts = [
        "{\"id\": \"c1\", ",
        "\"object\": \"chat.completion\", ",
        "\"choices\": []}",
    ];
    let answer = move || async move {
        let parts = parts.map(str::to_owned).to_vec();
        common::paced(parts, Duration::from_millis(1), "application/json")
    };
    common::serve(Router::new().route("/v1/chat/completions", post(answer))).await
}

/// Nagle's algorithm would hold the answer's last small write until the client's delayed ACK
/// (about 40 ms on Linux) on every request of a kept-alive connection; with `TCP_NODELAY` the
/// median request takes a few milliseconds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_written_in_parts_are_not_delayed_on_a_kept_alive_connection() {
    let upstream = several_writes_upstream().await;
    let gw = start_gateway(&["--upstream", &upstream]);
    let c = client();
    let mut took = Vec::new();
    for _ in 0..21 {
        let start = Instant::now();
        let response = chat(&c, &gw.url, CHAT).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.bytes().await.unwrap();
        took.push(start.elapsed());
    }
    took.sort();
    let median = took[took.len() / 2];
    assert!(
        median < Duration::from_millis(30),
        "median {median:?} a request: small writes wait for delayed ACKs ({took:?})"
    );
}

/// A chat stream from the echo upstream (six events 100 ms apart), read to its end.
async fn echo_stream(url: String) -> reqwest::Result<String> {
    chat(&client(), &url, STREAM).send().await?.text().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signal_drains_requests_in_flight_then_exits_zero() {
    for signal in ["TERM", "INT"] {
        let mut gw = start_gateway(&[]);
        let stream = tokio::spawn(echo_stream(gw.url.clone()));
        tokio::time::sleep(Duration::from_millis(150)).await;
        gw.signal(signal);
        tokio::time::sleep(Duration::from_millis(100)).await;
        // No new connections once the signal is taken.
        let refused = client()
            .get(format!("{}/v1/models", gw.url))
            .bearer_auth("sk-demo")
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        assert!(refused.is_err(), "SIG{signal}: a new request was served");
        let text = stream.await.unwrap().unwrap();
        assert!(
            text.ends_with("data: [DONE]\n\n"),
            "SIG{signal}: the stream was cut: {text}"
        );
        assert_eq!(
            gw.wait_exit(Duration::from_secs(10)),
            Some(0),
            "SIG{signal}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_longer_than_the_grace_is_cut_and_the_gateway_still_exits_zero() {
    let mut gw = start_gateway(&["--shutdown-grace", "0.2"]);
    let stream = tokio::spawn(echo_stream(gw.url.clone()));
    tokio::time::sleep(Duration::from_millis(150)).await;
    gw.signal("TERM");
    let start = Instant::now();
    assert_eq!(gw.wait_exit(Duration::from_secs(10)), Some(0));
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    let cut = stream.await.unwrap();
    assert!(cut.is_err() || !cut.unwrap().ends_with("[DONE]\n\n"));
}
