//! The listener: accepts connections and serves the router on each, with the limits a server
//! facing the internet needs, which `axum::serve` does not offer.
//!
//! Invariants:
//! 1. at most `max_connections` connections are served at once; past that, the gateway stops
//!    accepting and new connections wait in the kernel's listen queue;
//! 2. a new connection, or one that has started a request head, must send the whole head
//!    within `header_timeout`; a kept-alive connection with no request in flight is closed
//!    after `idle_timeout` of silence; a request
//!    in flight (its body, the upstream's answer, a long stream) is never cut by either;
//! 3. every answer carries a fresh `x-request-id` (a client's own is replaced, so log lines
//!    cannot be forged), and everything logged while the request runs carries the same id;
//! 4. accepted sockets send small writes at once (`TCP_NODELAY`), so a streamed answer's last
//!    write never waits for the client's delayed ACK;
//! 5. on shutdown the gateway stops accepting, lets requests in flight finish for at most the
//!    grace period, then returns.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tracing::Instrument;

/// The limits of [`serve`].
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: u32,
    pub shutdown_grace: Duration,
}

/// Serves `router` on `listener` until `shutdown` completes, then drains (invariant 5).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections as usize));
    let graceful = GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // Invariant 2 is kept by the watchdog below, which knows whether a request is in flight.
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(None);
    let started = Instant::now();
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            () = &mut shutdown => break,
        };
        let Ok(slot) = slot else { break };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait, then try again.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
        let activity = Arc::new(Activity::new(started));
        let io = TokioIo::new(Watched {
            inner: stream,
            activity: activity.clone(),
        });
        let (router, watched) = (router.clone(), activity.clone());
        // `begin` runs as the request is handed over, before its future is first polled.
        let service = hyper::service::service_fn(move |request| {
            respond(router.clone(), request, peer, watched.begin())
        });
        let connection = builder.serve_connection(io, service).into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            tokio::select! {
                _ = connection => {}
                () = activity.expired(limits) => {}
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            grace_seconds = limits.shutdown_grace.as_secs_f64(),
            "requests still in flight at the end of the grace period were cut"
        );
    }
}

/// Answers one request of a connection from `peer` with the router, the client's address and
/// a fresh request id added; `in_flight` is held until the answer is sent whole.
async fn respond(
    router: Router,
    mut request: Request<Incoming>,
    peer: SocketAddr,
    in_flight: InFlight,
) -> Result<axum::response::Response, Infallible> {
    let id = request_id();
    let header = HeaderValue::from_str(&id).ok();
    request.extensions_mut().insert(ConnectInfo(peer));
    if let Some(value) = header.clone() {
        request.headers_mut().insert("x-request-id", value);
    }
    let answered = router.oneshot(request.map(Body::new));
    let mut response = match answered
        .instrument(tracing::info_span!("request", id = %id))
        .await
    {
        Ok(response) => response,
        Err(never) => match never {},
    };
    if let Some(value) = header {
        response.headers_mut().insert("x-request-id", value);
    }
    Ok(response.map(|body| {
        Body::new(body.map_frame(move |frame| {
            let _ = &in_flight;
            frame
        }))
    }))
}

/// A request id: 16 random hex digits (a counter if the system has no randomness to give).
fn request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let mut bytes = [0u8; 8];
    let n = match getrandom::fill(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes),
        Err(_) => NEXT.fetch_add(1, Ordering::Relaxed),
    };
    format!("{n:016x}")
}

/// What a connection is doing, for its watchdog: requests in flight, when it last went idle,
/// and when the request head now being read started (milliseconds since the server started;
/// 0 for none).
struct Activity {
    started: Instant,
    in_flight: AtomicUsize,
    idle_since: AtomicU64,
    head_since: AtomicU64,
}

/// A request in flight; dropping it (with the answer's body) ends it.
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let activity = &self.0;
        if activity.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            activity.idle_since.store(activity.now(), Ordering::Release);
        }
    }
}

impl Activity {
    fn new(started: Instant) -> Activity {
        let activity = Activity {
            started,
            in_flight: AtomicUsize::new(0),
            idle_since: AtomicU64::new(0),
            head_since: AtomicU64::new(0),
        };
        // A new connection owes its first request head at once.
        let now = activity.now();
        activity.idle_since.store(now, Ordering::Relaxed);
        activity.head_since.store(now, Ordering::Relaxed);
        activity
    }

    /// Milliseconds since the server started, at least 1 (0 means "none").
    fn now(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.head_since.store(0, Ordering::Release);
        InFlight(self.clone())
    }

    /// Bytes arrived: with no request in flight, they start a request head.
    fn read(&self) {
        if self.in_flight.load(Ordering::Acquire) == 0 {
            let _ = self.head_since.compare_exchange(
                0,
                self.now(),
                Ordering::AcqRel,
                Ordering::Relaxed,
            );
        }
    }

    /// Completes when the connection should be closed (invariant 2).
    async fn expired(&self, limits: Limits) {
        let millis = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        let (head, idle) = (millis(limits.header_timeout), millis(limits.idle_timeout));
        loop {
            let now = self.now();
            let wait = if self.in_flight.load(Ordering::Acquire) > 0 {
                // Looked at again later; a request in flight is never cut.
                head.min(idle)
            } else {
                let head_since = self.head_since.load(Ordering::Acquire);
                let (since, limit) = match head_since {
                    0 => (self.idle_since.load(Ordering::Acquire), idle),
                    since => (since, head),
                };
                let deadline = since.saturating_add(limit);
                if now >= deadline {
                    return;
                }
                deadline - now
            };
            tokio::time::sleep(Duration::from_millis(wait.clamp(10, 1_000))).await;
        }
    }
}

/// A socket that tells its connection's [`Activity`] when bytes arrive.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.read();
        }
        poll
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Completes on SIGTERM or SIGINT (Ctrl-C), logging which.
pub async fn signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
        "SIGINT"
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
        "SIGTERM"
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<&str>();
    let which = tokio::select! {
        which = interrupt => which,
        which = terminate => which,
    };
    tracing::info!(
        signal = which,
        "shutting down: no new connections, finishing requests in flight"
    );
}
