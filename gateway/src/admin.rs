//! The admin API, behind the bearer token in `MODEL_ALIAS_ADMIN_TOKEN` (without it, these
//! routes do not exist): keys, their aliases, the catalog search and the test box, as the
//! console uses them. Every error is an OpenAI error object; an invalid alias set is a 422
//! with every problem, each with its row, and nothing is stored.
//!
//! - `POST /admin/keys` `{"name": "..."}`: creates a key; the answer holds its secret, once.
//! - `GET /admin/keys`: every key, with how many aliases it has; `GET /admin/keys/{id}`: one.
//! - `DELETE /admin/keys/{id}`: revokes the key (its secret fails at once here, within
//!   `--ttl` on other replicas).
//! - `POST /admin/keys/{id}/rotate`: a new secret, shown once; the old one is revoked.
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
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use model_alias::AliasSet;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::App;
use crate::auth::Admin;
use crate::db::StoredAlias;
use crate::error::ApiError;

/// The largest admin request body: a set of aliases is a few KiB.
const MAX_ADMIN_BODY: usize = 1 << 20;
/// The most catalog models a search returns.
const MAX_RESULTS: usize = 20;
/// The longest key name.
const MAX_NAME: usize = 128;

type Shared = State<Arc<App>>;

/// The admin routes, for a gateway whose keys are in the database and that has a token.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/admin/keys", post(create_key).get(list_keys))
        .route("/admin/keys/{id}", get(read_key).delete(delete_key))
        .route("/admin/keys/{id}/rotate", post(rotate_key))
        .route(
            "/admin/keys/{id}/aliases",
            get(read_aliases).put(replace_aliases),
        )
        .route("/admin/keys/{id}/resolve", get(test_box))
        .route("/admin/keys/{id}/models", get(preview))
        .route("/admin/catalog", get(search_catalog))
        .layer(DefaultBodyLimit::max(MAX_ADMIN_BODY))
}

/// The `{id}` of a key's route; a path that is not UTF-8 gets an OpenAI-shaped 400.
struct KeyId(String);

impl<S: Send + Sync> FromRequestParts<S> for KeyId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<KeyId, ApiError> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(KeyId(id)),
            Err(e) => Err(ApiError::invalid(
                StatusCode::BAD_REQUEST,
                "invalid_path",
                e.body_text(),
            )),
        }
    }
}

fn invalid_body(message: impl Into<String>) -> ApiError {
    ApiError::invalid(StatusCode::BAD_REQUEST, "invalid_body", message)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewKey {
    name: String,
}

async fn create_key(
    Admin(db): Admin,
    body: Result<axum::Json<NewKey>, JsonRejection>,
) -> Result<Response, ApiError> {
    let axum::Json(NewKey { name }) = body.map_err(|e| {
        ApiError::invalid(
            e.status(),
            "invalid_body",
            format!("{}: send {{\"name\": \"...\"}}", e.body_text()),
        )
    })?;
    if name.trim().is_empty() || name.len() > MAX_NAME {
        return Err(invalid_body(format!(
            "a key's name is 1 to {MAX_NAME} bytes"
        )));
    }
    let created = db.create_key(&name).await?;
    Ok((StatusCode::CREATED, axum::Json(created)).into_response())
}

async fn list_keys(Admin(db): Admin) -> Result<Response, ApiError> {
    let keys = db.list_keys().await?;
    Ok(axum::Json(json!({"data": keys})).into_response())
}

async fn read_key(Admin(db): Admin, KeyId(id): KeyId) -> Result<Response, ApiError> {
    match db.key(&id).await? {
        Some(key) => Ok(axum::Json(key).into_response()),
        None => Err(ApiError::NoSuchKey(id)),
    }
}

async fn delete_key(
    State(app): Shared,
    Admin(db): Admin,
    KeyId(id): KeyId,
) -> Result<Response, ApiError> {
    let hash = db
        .delete_key(&id)
        .await?
        .ok_or(ApiError::NoSuchKey(id.clone()))?;
    app.keys.forget(&hash).await;
    tracing::info!(key = %id, "key revoked");
    Ok(axum::Json(json!({"id": id, "deleted": true})).into_response())
}

async fn rotate_key(
    State(app): Shared,
    Admin(db): Admin,
    KeyId(id): KeyId,
) -> Result<Response, ApiError> {
    let (secret, old) = db
        .rotate_key(&id)
        .await?
        .ok_or(ApiError::NoSuchKey(id.clone()))?;
    app.keys.forget(&old).await;
    tracing::info!(key = %id, "key rotated");
    Ok(axum::Json(secret).into_response())
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
    State(app): Shared,
    Admin(db): Admin,
    KeyId(id): KeyId,
) -> Result<Response, ApiError> {
    let rows = db
        .aliases(&id)
        .await?
        .ok_or(ApiError::NoSuchKey(id.clone()))?;
    let warnings = AliasSet::new(&rows)
        .map(|set| warnings(&app, &set))
        .unwrap_or_default();
    let max = model_alias::Limits::default().max_aliases();
    let ttl_seconds = app.ttl.as_secs();
    Ok(axum::Json(KeyAliases {
        id,
        aliases: rows,
        warnings,
        max,
        ttl_seconds,
    })
    .into_response())
}

/// A key's aliases as `GET .../aliases` answers them: the rows written as they are (presets
/// keep their members' order), not through a `Value`, whose objects sort their keys.
#[derive(serde::Serialize)]
struct KeyAliases {
    id: String,
    aliases: Vec<StoredAlias>,
    warnings: Vec<Value>,
    max: usize,
    ttl_seconds: u64,
}

async fn replace_aliases(
    State(app): Shared,
    Admin(db): Admin,
    KeyId(id): KeyId,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|e| ApiError::invalid(e.status(), "invalid_body", e.body_text()))?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| invalid_body("the body is not UTF-8: send a JSON list of aliases"))?;
    let set = AliasSet::from_json(text).map_err(ApiError::InvalidAliases)?;
    let rows: Vec<StoredAlias> = set.iter().map(StoredAlias::from).collect();
    let Some(hash) = db.replace_aliases(&id, &rows).await? else {
        return Err(ApiError::NoSuchKey(id));
    };
    // This replica serves the change at once; others within their cache's TTL.
    app.keys.forget(&hash).await;
    Ok(
        axum::Json(json!({"id": id, "aliases": rows.len(), "warnings": warnings(&app, &set)}))
            .into_response(),
    )
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
    State(app): Shared,
    _: Admin,
    query: Result<Query<Search>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(search) =
        query.map_err(|e| ApiError::bad_param("invalid_query", "q", e.body_text()))?;
    let q = search.q.to_ascii_lowercase();
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
    Ok(axum::Json(json!({"data": data})).into_response())
}

#[derive(Deserialize)]
struct TestBox {
    model: String,
}

async fn test_box(
    Admin(db): Admin,
    KeyId(id): KeyId,
    query: Result<Query<TestBox>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|_| {
        ApiError::bad_param("invalid_query", "model", "send ?model=<model id or alias>")
    })?;
    let set = served_set(&db, &id).await?;
    Ok(axum::Json(set.resolve(&q.model)).into_response())
}

async fn preview(
    State(app): Shared,
    Admin(db): Admin,
    KeyId(id): KeyId,
) -> Result<Response, ApiError> {
    let set = served_set(&db, &id).await?;
    Ok(axum::Json(app.listing(set.iter())).into_response())
}

/// Key `id`'s stored aliases as the gateway serves them: a 404 for no such key, a 409 when
/// rows edited by hand are not a valid set.
async fn served_set(db: &crate::db::Db, id: &str) -> Result<AliasSet, ApiError> {
    match db.served_set(id).await {
        Ok(Some(set)) => Ok(set),
        Ok(None) => Err(ApiError::NoSuchKey(id.to_owned())),
        Err(crate::db::DbError::InvalidRows { source, .. }) => Err(ApiError::invalid(
            StatusCode::CONFLICT,
            "invalid_stored_aliases",
            source.to_string(),
        )),
        Err(e) => Err(e.into()),
    }
}
