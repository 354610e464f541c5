//! The budget for request bodies held at once (`--max-buffered-bytes`): each body is bounded
//! on its own (32 MiB), and this bounds them together, so that many concurrent large bodies
//! cannot grow the gateway's memory without limit.
//!
//! A request reserves its declared `Content-Length` (a body sent without one, in chunks,
//! reserves the per-body bound) before its body is read, and keeps the reservation until its
//! handler has answered, by which time the body has been sent on and dropped. A request whose
//! reservation does not fit gets a 503 at once, unread.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use axum::middleware::Next;
use axum::response::Response;
use tokio::sync::Semaphore;

use crate::app::App;
use crate::error::ApiError;
use crate::proxy::MAX_BODY;

/// The budget is counted in units of this many bytes (a semaphore counts in `u32`).
const UNIT: u64 = 1024;

/// Bytes of request bodies that may be held at once.
pub struct Budget {
    units: Arc<Semaphore>,
    total: u32,
}

impl Budget {
    pub fn new(bytes: u64) -> Budget {
        let total = u32::try_from(bytes / UNIT).unwrap_or(u32::MAX);
        Budget {
            units: Arc::new(Semaphore::new(total as usize)),
            total,
        }
    }
}

/// What a request's body will hold, in units: its declared length, the per-body bound when
/// it is sent in chunks, nothing when it has no body. A declared length past the bound is not
/// reserved: the request is refused unread with a 413.
fn needs(request: &Request) -> u32 {
    let headers = request.headers();
    let bytes = match headers.get(CONTENT_LENGTH) {
        Some(length) => match length.to_str().ok().and_then(|l| l.parse::<u64>().ok()) {
            Some(n) if n <= MAX_BODY as u64 => n,
            _ => 0,
        },
        None if headers.contains_key(TRANSFER_ENCODING) => MAX_BODY as u64,
        None => 0,
    };
    u32::try_from(bytes.div_ceil(UNIT)).unwrap_or(u32::MAX)
}

/// The middleware: reserve, run the rest, release.
pub async fn hold(
    State(app): State<Arc<App>>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let needs = needs(&request);
    if needs == 0 {
        return Ok(next.run(request).await);
    }
    if needs > app.budget.total {
        tracing::warn!(units = needs, "a request body larger than the whole budget");
    }
    let reserved = app
        .budget
        .units
        .clone()
        .try_acquire_many_owned(needs)
        .map_err(|_| ApiError::Busy)?;
    let response = next.run(request).await;
    drop(reserved);
    Ok(response)
}
