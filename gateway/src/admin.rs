//! The admin API, behind the bearer token in `MODEL_ALIAS_ADMIN_TOKEN` (without it, these
//! routes do not exist): keys, their aliases, the catalog search and the test box, as the
//! console uses them. Every error is an OpenAI error object; an invalid alias set is a 422
//! with every problem, each with its row, and nothing is stored.
//!
//! - `POST /admin/keys` `{"name": "..."}`: creates a key; the answer holds its secret, once.
//! - `GET /admin/keys`: every key, with how many aliases it has.
//! - `GET /admin/keys/{id}/aliases`: the key's aliases (list form) and their warnings.
//! - `PUT /admin/keys/{id}/aliases`: replaces them whole, with either JSON form of a set.
//! - `GET /admin/catalog?q=...`: catalog models matching `q`, best first, at most 20.
//! - `GET /admin/keys/{id}/resolve?model=...`: the test box for that key.
//! - `GET /admin/keys/{id}/models`: what `GET /v1/models` lists for that key.
//!
//! The test box and the preview build the key's set as the gateway serves it (ASCII case
//! folded under `--ignore-case`), from the stored rows, so they show a save at once.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use model_alias::AliasSet;
use model_alias::middleware::Rejection;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::db::{self, StoredAlias};
use crate::{App, bearer, error, reject};

/// The largest admin request body: a set of aliases is a few KiB.
const MAX_ADMIN_BODY: usize = 1 << 20;
/// The most catalog models a search returns.
const MAX_RESULTS: usize = 20;

/// The admin routes, for a gateway whose keys are in the database and that has a token.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/admin/keys", post(create_key).get(list_keys))
        .route(
            "/admin/keys/{id}/aliases",
            get(read_aliases).put(replace_aliases),
        )
        .route("/admin/keys/{id}/resolve", get(test_box))
        .route("/admin/keys/{id}/models", get(preview))
        .route("/admin/catalog", get(search_catalog))
        .layer(DefaultBodyLimit::max(MAX_ADMIN_BODY))
}

/// A request that carried the admin token, with the store it may change. As an extractor it
/// runs before the body is read, so a request without the token is refused unread.
struct Admin(db::Db);

impl FromRequestParts<Arc<App>> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Admin, Response> {
        admitted(app, &parts.headers)
            .map(|db| Admin(db.clone()))
            .map_err(reject)
    }
}

/// The store, once the request's admin token is checked.
fn admitted<'a>(app: &'a App, headers: &HeaderMap) -> Result<&'a db::Db, Rejection> {
    let wrong = || {
        let message =
            "Missing or wrong admin token: send Authorization: Bearer <MODEL_ALIAS_ADMIN_TOKEN>.";
        Rejection::new(StatusCode::UNAUTHORIZED, "invalid_admin_token", message)
    };
    let (Some(token), Some(want)) = (bearer(headers), app.admin_token.as_deref()) else {
        return Err(wrong());
    };
    // Compared in full whatever the first difference, so timing says nothing about the token.
    let same = token.len() == want.len()
        && token
            .bytes()
            .zip(want.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    match (same, app.database()) {
        (true, Some(db)) => Ok(db),
        (true, None) => Err(Rejection::new(
            StatusCode::NOT_FOUND,
            "no_database",
            "this gateway reads its keys from a file",
        )),
        (false, _) => Err(wrong()),
    }
}

fn store_failed(e: db::DbError) -> Response {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "database_unavailable",
        &e.to_string(),
    )
}

fn no_such_key(id: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "key_not_found",
        &format!("No key has the id {id:?}."),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewKey {
    name: String,
}

async fn create_key(Admin(db): Admin, body: Result<axum::Json<NewKey>, JsonRejection>) -> Response {
    let name = match body {
        Ok(axum::Json(key)) if !key.name.trim().is_empty() && key.name.len() <= 128 => key.name,
        Ok(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                "a key's name is 1 to 128 bytes",
            );
        }
        Err(e) => {
            return error(
                e.status(),
                "invalid_body",
                &format!("{}: send {{\"name\": \"...\"}}", e.body_text()),
            );
        }
    };
    match db.create_key(&name).await {
        Ok((id, secret)) => (
            StatusCode::CREATED,
            axum::Json(json!({"id": id, "name": name, "secret": secret,
                "note": "the secret is shown once: store it now"})),
        )
            .into_response(),
        Err(e) => store_failed(e),
    }
}

async fn list_keys(Admin(db): Admin) -> Response {
    match db.list_keys().await {
        Ok(keys) => axum::Json(json!({"data": keys})).into_response(),
        Err(e) => store_failed(e),
    }
}

/// A set's warnings and its targets the catalog does not list, as JSON next to their rows.
fn warnings(app: &App, set: &AliasSet) -> Vec<Value> {
    let mut out: Vec<Value> = set
        .warnings()
        .iter()
        .map(|w| serde_json::to_value(w).unwrap_or(Value::Null))
        .collect();
    for unknown in app.catalog.check(set.iter()) {
        out.push(json!({"row": unknown.row(), "name": unknown.name(), "kind": "unknown_target",
            "message": format!("target {:?} is not in the catalog: check its spelling", unknown.target())}));
    }
    out
}

async fn read_aliases(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Admin(db): Admin,
) -> Response {
    match db.aliases(&id).await {
        Ok(Some(rows)) => {
            let warnings = AliasSet::new(&rows)
                .map(|set| warnings(&app, &set))
                .unwrap_or_default();
            axum::Json(json!({"id": id, "aliases": rows, "warnings": warnings,
                "max": set_limit(), "ttl_seconds": app.ttl.as_secs()}))
            .into_response()
        }
        Ok(None) => no_such_key(&id),
        Err(e) => store_failed(e),
    }
}

fn set_limit() -> usize {
    model_alias::Limits::default().max_aliases()
}

async fn replace_aliases(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Admin(db): Admin,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(e) => return error(e.status(), "invalid_body", &e.body_text()),
    };
    let Ok(text) = std::str::from_utf8(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            "the body is not UTF-8: send a JSON list of aliases",
        );
    };
    let set = match AliasSet::from_json(text) {
        Ok(set) => set,
        Err(e) => {
            let count = e.problems().len();
            let rejection = Rejection::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_aliases",
                format!("{count} problem(s) in the aliases; nothing was saved: {e}"),
            );
            let mut answer: Value =
                serde_json::from_str(&rejection.to_json()).unwrap_or(Value::Null);
            answer["problems"] = serde_json::to_value(e.problems()).unwrap_or(Value::Null);
            return (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(answer)).into_response();
        }
    };
    let rows: Vec<StoredAlias> = set.iter().map(db::stored).collect();
    match db.replace_aliases(&id, &rows).await {
        Ok(true) => {
            // This replica serves the change at once; others within their cache's TTL.
            if let (Ok(Some(hash)), Some(cache)) = (db.secret_hash_of(&id).await, app.cache()) {
                cache.invalidate(hash.as_bytes()).await;
            }
            axum::Json(json!({"id": id, "aliases": rows.len(), "warnings": warnings(&app, &set)}))
                .into_response()
        }
        Ok(false) => no_such_key(&id),
        Err(e) => store_failed(e),
    }
}

#[derive(Deserialize)]
struct Search {
    #[serde(default)]
    q: String,
}

/// Catalog models for the target picker: an id equal to `q` first, then ids whose model part
/// (after the provider's `/`) or whole id starts with it, then ids that contain it; ASCII
/// case ignored; at most [`MAX_RESULTS`].
async fn search_catalog(
    State(app): State<Arc<App>>,
    _: Admin,
    query: Result<Query<Search>, QueryRejection>,
) -> Response {
    let q = match query {
        Ok(Query(search)) => search.q.to_ascii_lowercase(),
        Err(e) => return error(StatusCode::BAD_REQUEST, "invalid_query", &e.body_text()),
    };
    let mut ranked: Vec<(u8, &str)> = app
        .catalog
        .models()
        .iter()
        .filter_map(|m| {
            let id = m.id.to_ascii_lowercase();
            let model = id.rsplit_once('/').map_or(id.as_str(), |(_, m)| m);
            let rank = if id == q {
                0
            } else if model.starts_with(&q) || id.starts_with(&q) {
                1
            } else if id.contains(&q) {
                2
            } else {
                return None;
            };
            Some((rank, m.id.as_str()))
        })
        .collect();
    ranked.sort();
    let data: Vec<Value> = ranked
        .iter()
        .take(MAX_RESULTS)
        .filter_map(|(_, id)| app.catalog.get(id))
        .map(|m| serde_json::to_value(m).unwrap_or(Value::Null))
        .collect();
    axum::Json(json!({"data": data})).into_response()
}

#[derive(Deserialize)]
struct TestBox {
    model: String,
}

async fn test_box(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Admin(db): Admin,
    query: Result<Query<TestBox>, QueryRejection>,
) -> Response {
    let Ok(Query(q)) = query else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "send ?model=<model id or alias>",
        );
    };
    match served_set(&app, &db, &id).await {
        Ok(set) => axum::Json(set.resolve(&q.model)).into_response(),
        Err(response) => response,
    }
}

async fn preview(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Admin(db): Admin,
) -> Response {
    match served_set(&app, &db, &id).await {
        Ok(set) => axum::Json(crate::listing(&app, set.iter())).into_response(),
        Err(response) => response,
    }
}

/// Key `id`'s stored aliases as the gateway serves them, or the error response to send.
async fn served_set(app: &App, db: &db::Db, id: &str) -> Result<AliasSet, Response> {
    let rows = match db.aliases(id).await {
        Ok(Some(rows)) => rows,
        Ok(None) => return Err(no_such_key(id)),
        Err(e) => return Err(store_failed(e)),
    };
    AliasSet::builder()
        .ignore_case(app.ignore_case)
        .build(&rows)
        .map_err(|e| {
            error(
                StatusCode::CONFLICT,
                "invalid_stored_aliases",
                &e.to_string(),
            )
        })
}
