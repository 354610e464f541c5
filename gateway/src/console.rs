//! The console: one page (`gateway/console/`, HTML, CSS and JavaScript compiled into the
//! binary: no build step, nothing fetched from elsewhere) that drives the admin API. It lists
//! and creates keys, edits a key's aliases with a target picker over the catalog, shows every
//! problem next to its row in the crate's words, edits the key's allow list, shows its usage
//! by real model, and has the test box and the `/v1/models` preview. Served beside the admin
//! API, so only when that exists.
//!
//! Invariants:
//! 1. the page holds no secret of its own: it asks for the admin token and sends it as a
//!    bearer token to the admin API, which checks it on every request (the token stays in the
//!    tab's `sessionStorage`, so a reload keeps the session and closing the tab ends it);
//! 2. every text from the server or the user reaches the page as text (`textContent`, input
//!    values), never as markup, and the content security policy allows only this page's own
//!    script and style, so an alias named `<img onerror=...>` is only a bad name;
//! 3. a save sends the whole set and the server stores it whole or not at all, so the last
//!    save wins whole, whatever another tab did meanwhile.

use std::sync::Arc;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::app::App;

const PAGE: &str = include_str!("../console/index.html");
/// The scripts, in the order the page loads them.
const SCRIPTS: [(&str, &str); 4] = [
    ("console.js", include_str!("../console/console.js")),
    ("editor.js", include_str!("../console/editor.js")),
    ("tools.js", include_str!("../console/tools.js")),
    ("access.js", include_str!("../console/access.js")),
];
const STYLE: &str = include_str!("../console/console.css");

/// This page's own script and style, its calls to this origin, nothing else; no framing.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
                      connect-src 'self'; img-src 'self'; form-action 'none'; \
                      frame-ancestors 'none'; base-uri 'none'";

/// `/console` and its assets.
pub fn routes() -> Router<Arc<App>> {
    let mut router = Router::new()
        .route(
            "/console",
            get(|| async { asset("text/html; charset=utf-8", PAGE) }),
        )
        .route(
            "/console/console.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        );
    for (name, script) in SCRIPTS {
        router = router.route(
            &format!("/console/{name}"),
            get(move || async move { asset("text/javascript; charset=utf-8", script) }),
        );
    }
    router
}

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_SECURITY_POLICY, POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
            // The page changes with the binary: always revalidated, never stale after an upgrade.
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
}
