//! The router: the OpenAI-compatible routes (`/v1/models`, the test box, the forwarded
//! routes), the admin API and console when there is an admin token, and an OpenAI-shaped 404
//! or 405 for everything else.

use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use tower_http::timeout::RequestBodyTimeoutLayer;

use crate::app::App;
use crate::error::ApiError;
use crate::keys::{Caller, bearer};
use crate::observe::Seen;
use crate::{admin, budget, console, metrics, observe, proxy};

/// How the router is put together.
pub struct Options {
    pub aliases: bool,
    pub restore: bool,
    pub body_timeout: std::time::Duration,
}

/// Every route the gateway serves.
pub fn router(app: Arc<App>, options: &Options) -> Router {
    let mut router = Router::new()
        .route("/v1/models", get(models))
        .route("/v1/models/{*id}", get(model))
        .route("/v1/aliases/resolve", get(resolve))
        .merge(proxy::routes(&app, options.aliases, options.restore));
    if app.admin_token.is_some() {
        router = router.route("/metrics", get(metrics::serve));
    }
    if app.admin_token.is_some() && app.keys.database().is_some() {
        router = router.merge(admin::routes()).merge(console::routes());
    }
    router
        .fallback(unknown_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(axum::extract::DefaultBodyLimit::max(proxy::MAX_BODY))
        // A body that stalls for this long fails its read: the request gets an error rather
        // than holding a connection and its buffer open.
        .layer(RequestBodyTimeoutLayer::new(options.body_timeout))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            budget::hold,
        ))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            observe::track,
        ))
        .with_state(app)
}

/// The key of a request, noted for the request's log line.
pub async fn caller(app: &App, headers: &HeaderMap, seen: &Seen) -> Result<Caller, ApiError> {
    let caller = app.keys.caller(bearer(headers)).await?;
    seen.key(&caller.key);
    Ok(caller)
}

/// `GET /v1/models`: the catalog models and aliases the key may use.
async fn models(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Extension(seen): Extension<Seen>,
) -> Result<Response, ApiError> {
    let caller = caller(&app, &headers, &seen).await?;
    let listing = app.listing(caller.aliases.aliases(), &caller.key);
    Ok(axum::Json(listing).into_response())
}

/// `GET /v1/models/{id}`: the listing's entry for `id` (an alias, with its `root`, or a
/// catalog model), or an OpenAI-shaped 404. The key is checked before the path is read.
async fn model(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Extension(seen): Extension<Seen>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let caller = caller(&app, &headers, &seen).await?;
    let Path(id) = id.map_err(|e| {
        ApiError::invalid(
            StatusCode::BAD_REQUEST,
            "invalid_path",
            format!("{}: a model id is UTF-8 text", e.body_text()),
        )
    })?;
    let listing = app.listing(caller.aliases.aliases(), &caller.key);
    match listing.data.into_iter().find(|entry| entry.id == id) {
        Some(entry) => Ok(axum::Json(entry).into_response()),
        None => Err(ApiError::NoSuchModel(id)),
    }
}

#[derive(Deserialize)]
struct ResolveQuery {
    model: String,
}

/// `GET /v1/aliases/resolve?model=...`: the test box, as JSON.
async fn resolve(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Extension(seen): Extension<Seen>,
    query: Result<Query<ResolveQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    use model_alias::Resolve;
    let caller = caller(&app, &headers, &seen).await?;
    let Query(q) = query.map_err(|_| model_query())?;
    Ok(axum::Json(caller.resolve(&q.model)).into_response())
}

/// The answer to a test box request without a usable `model` parameter.
pub fn model_query() -> ApiError {
    ApiError::bad_param(
        "invalid_query",
        "model",
        "send the model to try as ?model=<model id or alias> (URL-encoded)",
    )
}

/// Any path the gateway does not serve: an OpenAI-shaped 404.
async fn unknown_route(method: Method, uri: Uri) -> ApiError {
    let message = format!("Unknown request URL: {method} {}.", uri.path());
    ApiError::invalid(StatusCode::NOT_FOUND, "unknown_url", message)
}

/// A path served for other methods: an OpenAI-shaped 405.
async fn wrong_method(method: Method, uri: Uri) -> ApiError {
    let message = format!("{method} is not allowed on {}.", uri.path());
    ApiError::invalid(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        message,
    )
}
