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
//! - `GET /admin/keys/{id}/aliases`: the key's aliases (list form) and their warnings;
//!   `PUT` replaces them whole, with what `GET` answered (`{"aliases": [...]}`, other members
//!   ignored) or either JSON form of a set, and answers as `GET` does.
//! - `GET`/`PUT /admin/keys/{id}/allow`: the key's allow list, `{"allow": [...]}`
//!   (`null`: every model allowed).
//! - `GET /admin/keys/{id}/usage`: the key's usage by resolved model.
//! - `GET /admin/catalog?q=...`: catalog models matching `q`, best first, at most 20.
//! - `GET /admin/keys/{id}/resolve?model=...`: the test box for that key.
//! - `GET /admin/keys/{id}/models`: what `GET /v1/models` lists for that key.
//!
//! Every route takes the same rules: a body is JSON sent as `Content-Type: application/json`
//! (415 otherwise), text that is not JSON is a 400, JSON that is not what the route takes is a
//! 422 naming the member to change.
//!
//! The test box and the preview build the key's set as the gateway serves it (ASCII case
//! folded under `--ignore-case`), from the stored rows, so they show a save at once.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use model_alias::AliasSet;
use model_alias::access::AllowList;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::access;
use crate::app::App;
use crate::auth::Admin;
use crate::error::ApiError;
use crate::stored::StoredAlias;

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
        .route("/admin/keys/{id}/allow", get(read_allow).put(replace_allow))
        .route("/admin/keys/{id}/usage", get(read_usage))
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

/// A JSON request body, sent as `Content-Type: application/json` (415 otherwise).
struct JsonBody(Bytes);

impl FromRequest<Arc<App>> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, app: &Arc<App>) -> Result<JsonBody, ApiError> {
        let content_type = request.headers().get(header::CONTENT_TYPE);
        let essence = content_type
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase());
        if essence.as_deref() != Some("application/json") {
            return Err(ApiError::invalid(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "invalid_content_type",
                "send the body as JSON, with the header Content-Type: application/json",
            ));
        }
        let body = Bytes::from_request(request, app)
            .await
            .map_err(|e| ApiError::invalid(e.status(), "invalid_body", e.body_text()))?;
        Ok(JsonBody(body))
    }
}

impl JsonBody {
    /// The body read as `T`: a 400 when it is not JSON, a 422 (naming what `T` wants, `what`)
    /// when it is JSON of another shape.
    fn read<T: DeserializeOwned>(&self, what: &str) -> Result<T, ApiError> {
        serde_json::from_slice(&self.0).map_err(|e| {
            let status = match e.classify() {
                serde_json::error::Category::Data => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::BAD_REQUEST,
            };
            ApiError::invalid(status, "invalid_body", format!("{e}: send {what}"))
        })
    }

    fn text(&self) -> Result<&str, ApiError> {
        std::str::from_utf8(&self.0).map_err(|_| {
            ApiError::invalid(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                "the body is not UTF-8 text: send JSON",
            )
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewKey {
    name: String,
}

async fn create_key(Admin(db): Admin, body: JsonBody) -> Result<Response, ApiError> {
    let NewKey { name } = body.read(r#"{"name": "..."}"#)?;
    if name.trim().is_empty() || name.len() > MAX_NAME {
        return Err(ApiError::Invalid {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_body",
            message: format!("a key's name is 1 to {MAX_NAME} bytes, not only spaces"),
            param: Some("name"),
        });
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

async fn read_aliases(
    State(app): Shared,
    Admin(db): Admin,
    KeyId(id): KeyId,
) -> Result<Response, ApiError> {
    let rows = db
        .aliases(&id)
        .await?
        .ok_or(ApiError::NoSuchKey(id.clone()))?;
    let allow = db.allow(&id).await?.flatten();
    let warnings = AliasSet::new(&rows)
        .map(|set| warnings(&app, &set, allow.as_ref()))
        .unwrap_or_default();
    Ok(axum::Json(KeyAliases::new(&app, id, rows, warnings)).into_response())
}

/// A key's aliases as `GET .../aliases` answers them (and `PUT` takes them back): the rows
/// written as they are (presets keep their members' order), not through a `Value`, whose
/// objects sort their keys.
#[derive(serde::Serialize)]
struct KeyAliases {
    id: String,
    aliases: Vec<StoredAlias>,
    warnings: Vec<Value>,
    max: usize,
    ttl_seconds: u64,
}

impl KeyAliases {
    fn new(app: &App, id: String, aliases: Vec<StoredAlias>, warnings: Vec<Value>) -> KeyAliases {
        KeyAliases {
            id,
            aliases,
            warnings,
            max: model_alias::Limits::default().max_aliases(),
            ttl_seconds: app.ttl.as_secs(),
        }
    }
}

/// A set's warnings, its targets the catalog does not list, and its carried targets the
/// key's allow list allows only a part of, as JSON next to their rows.
fn warnings(app: &App, set: &AliasSet, allow: Option<&AllowList>) -> Vec<Value> {
    let mut out: Vec<Value> = set
        .warnings()
        .iter()
        .map(|w| serde_json::to_value(w).unwrap_or(Value::Null))
        .collect();
    for unknown in app.catalog.check(set.iter()) {
        out.push(json!({"row": unknown.row(), "name": unknown.name(), "kind": "unknown_target",
            "message": format!("target {:?} is not in the catalog: check its spelling", unknown.target())}));
    }
    out.extend(access::check(set.iter(), allow).1);
    out
}

/// What `PUT .../aliases` reads: `GET`'s answer (its `aliases`; `id`, `warnings`, `max` and
/// `ttl_seconds` are what `GET` adds, and are ignored) or either JSON form of a set.
#[derive(Deserialize)]
struct Wrapped<'a> {
    #[serde(borrow)]
    aliases: &'a RawValue,
}

async fn replace_aliases(
    State(app): Shared,
    Admin(db): Admin,
    KeyId(id): KeyId,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let text = body.text()?;
    body.read::<serde::de::IgnoredAny>("a JSON list of aliases, or what GET answered")?;
    let rows = match serde_json::from_str::<Wrapped>(text) {
        Ok(wrapped) if wrapped.aliases.get().trim_start().starts_with('[') => wrapped.aliases.get(),
        _ => text,
    };
    let set = AliasSet::from_json(rows).map_err(|e| {
        ApiError::InvalidRows(
            e.problems()
                .iter()
                .map(|p| serde_json::to_value(p).unwrap_or(Value::Null))
                .collect(),
        )
    })?;
    let allow = db
        .allow(&id)
        .await?
        .ok_or(ApiError::NoSuchKey(id.clone()))?;
    let (refused, _) = access::check(set.iter(), allow.as_ref());
    if !refused.is_empty() {
        return Err(ApiError::InvalidRows(refused));
    }
    let rows: Vec<StoredAlias> = set.iter().map(StoredAlias::from).collect();
    let Some(hash) = db.replace_aliases(&id, &rows).await? else {
        return Err(ApiError::NoSuchKey(id));
    };
    // This replica serves the change at once; others within their cache's TTL.
    app.keys.forget(&hash).await;
    let warnings = warnings(&app, &set, allow.as_ref());
    Ok(axum::Json(KeyAliases::new(&app, id, rows, warnings)).into_response())
}

/// A key's allow list as `GET .../allow` and `PUT` answer it.
#[derive(serde::Serialize)]
struct KeyAllow {
    id: String,
    allow: Option<AllowList>,
}

/// What `PUT .../allow` reads: `GET`'s answer (its `id` ignored). The entries are checked by
/// `AllowList::new`, so that a bad one is named as such, apart from a body of the wrong shape.
#[derive(Deserialize)]
struct NewAllow {
    allow: Option<Vec<String>>,
}

async fn read_allow(Admin(db): Admin, KeyId(id): KeyId) -> Result<Response, ApiError> {
    let allow = db
        .allow(&id)
        .await?
        .ok_or(ApiError::NoSuchKey(id.clone()))?;
    Ok(axum::Json(KeyAllow { id, allow }).into_response())
}

async fn replace_allow(
    State(app): Shared,
    Admin(db): Admin,
    KeyId(id): KeyId,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let NewAllow { allow } = body.read(r#"{"allow": ["openai/*", ...]} or {"allow": null}"#)?;
    let allow = match allow {
        Some(entries) => Some(AllowList::new(&entries).map_err(|e| ApiError::Invalid {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_allow",
            message: e.to_string(),
            param: Some("allow"),
        })?),
        None => None,
    };
    let rows = db
        .aliases(&id)
        .await?
        .ok_or(ApiError::NoSuchKey(id.clone()))?;
    let set = AliasSet::new(&rows).ok();
    let (refused, _) = access::check(set.iter().flat_map(|s| s.iter()), allow.as_ref());
    if !refused.is_empty() {
        return Err(ApiError::InvalidRows(refused));
    }
    let Some(hash) = db.set_allow(&id, allow.as_ref()).await? else {
        return Err(ApiError::NoSuchKey(id));
    };
    app.keys.forget(&hash).await;
    tracing::info!(key = %id, "allow list changed");
    Ok(axum::Json(KeyAllow { id, allow }).into_response())
}

async fn read_usage(
    State(app): Shared,
    Admin(db): Admin,
    KeyId(id): KeyId,
) -> Result<Response, ApiError> {
    if db.key(&id).await?.is_none() {
        return Err(ApiError::NoSuchKey(id));
    }
    // This replica's counts so far are written first.
    if let Some(usage) = &app.usage {
        usage.flush().await;
    }
    let models = crate::usage::read(&db, &id).await?;
    Ok(axum::Json(KeyUsage { id, models }).into_response())
}

/// A key's usage as `GET .../usage` answers it, members in this order.
#[derive(serde::Serialize)]
struct KeyUsage {
    id: String,
    models: Vec<crate::usage::ModelUsage>,
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
    let Query(q) = query.map_err(|_| crate::routes::model_query())?;
    let set = served_set(&db, &id).await?;
    let key = record(&db, id).await?;
    let resolution = set.resolve(&q.model);
    let allowed = key.allows(&resolution.model().to_cow());
    Ok(axum::Json(Tried {
        resolution,
        allowed,
    })
    .into_response())
}

/// The admin test box's answer: the resolution's JSON form as written (presets keep their
/// members' order), with whether the key's allow list lets the result through.
#[derive(serde::Serialize)]
struct Tried<'a> {
    #[serde(flatten)]
    resolution: model_alias::Resolution<'a>,
    allowed: bool,
}

/// Key `id` with its allow list, as requests see it.
async fn record(db: &crate::db::Db, id: String) -> Result<access::KeyRecord, ApiError> {
    match db.allow(&id).await? {
        Some(allow) => Ok(access::KeyRecord { id, allow }),
        None => Err(ApiError::NoSuchKey(id)),
    }
}

async fn preview(
    State(app): Shared,
    Admin(db): Admin,
    KeyId(id): KeyId,
) -> Result<Response, ApiError> {
    let set = served_set(&db, &id).await?;
    let key = record(&db, id).await?;
    Ok(axum::Json(app.listing(set.iter(), &key)).into_response())
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
