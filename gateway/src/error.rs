//! The one error type of the gateway's handlers: every error answer is built here, so that
//! each is OpenAI-shaped (`{"error": {"message", "type", "param", "code"}}`), says nothing
//! internal (no database or pool text, no upstream URL), and has its detail logged under the
//! request's id (the `x-request-id` the answer carries).

use std::sync::Arc;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use model_alias::middleware::Rejection;
use serde_json::{Value, json};

use crate::db::DbError;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("Missing API key: send Authorization: Bearer <key>.")]
    MissingKey,
    #[error("Incorrect API key provided.")]
    WrongKey,
    #[error("Missing or wrong admin token: send Authorization: Bearer <MODEL_ALIAS_ADMIN_TOKEN>.")]
    AdminToken,
    #[error(
        "Too many failed admin authentications from this address: try again in {retry_after} s."
    )]
    TooManyAttempts { retry_after: u64 },
    /// A request the client must change: a 4xx with its code and what to change.
    #[error("{message}")]
    Invalid {
        status: StatusCode,
        code: &'static str,
        message: String,
        param: Option<&'static str>,
    },
    #[error("{}; nothing was saved. Each problem is in \"problems\", beside its row.", Count(.0.len()))]
    InvalidRows(Vec<Value>),
    #[error("No key has the id {0:?}.")]
    NoSuchKey(String),
    #[error("The model '{0}' does not exist or you do not have access to it.")]
    NoSuchModel(String),
    #[error("This API key may not use the model {:?}: ask its administrator to allow it.", crate::observe::cut(.0))]
    ModelNotAllowed(String),
    #[error("The gateway failed to answer; try again.")]
    Internal,
    #[error("The key store is unavailable; try again shortly.")]
    Store(#[source] Arc<DbError>),
    #[error("The upstream could not be reached; try again shortly.")]
    Upstream(#[source] reqwest::Error),
    #[error("The upstream did not start answering within {0} s.")]
    UpstreamTimeout(u64),
    /// Redirects are not followed: the body and the upstream key go to `--upstream` only.
    #[error("The upstream answered with a redirect, which the gateway does not follow.")]
    UpstreamRedirect(#[source] Redirect),
    #[error("The gateway is holding as many request bodies as it may; retry shortly.")]
    Busy,
}

/// What the log says of an upstream's redirect (the answer does not: it names the upstream).
#[derive(Debug, thiserror::Error)]
#[error("the upstream answered {status} with Location {location:?}: point --upstream there")]
pub struct Redirect {
    pub status: u16,
    pub location: String,
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> ApiError {
        ApiError::Store(Arc::new(e))
    }
}

impl ApiError {
    /// A 400 (or other 4xx) the client can fix, with its machine-readable code.
    pub fn invalid(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Invalid {
            status,
            code,
            message: message.into(),
            param: None,
        }
    }

    /// A 400 naming the request parameter at fault.
    pub fn bad_param(code: &'static str, param: &'static str, message: impl Into<String>) -> Self {
        ApiError::Invalid {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
            param: Some(param),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::MissingKey | ApiError::WrongKey | ApiError::AdminToken => {
                StatusCode::UNAUTHORIZED
            }
            ApiError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Invalid { status, .. } => *status,
            ApiError::InvalidRows(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::NoSuchKey(_) | ApiError::NoSuchModel(_) => StatusCode::NOT_FOUND,
            ApiError::ModelNotAllowed(_) => StatusCode::FORBIDDEN,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Store(_) | ApiError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Upstream(_) | ApiError::UpstreamRedirect(_) => StatusCode::BAD_GATEWAY,
            ApiError::UpstreamTimeout(_) => StatusCode::GATEWAY_TIMEOUT,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::MissingKey | ApiError::WrongKey => "invalid_api_key",
            ApiError::AdminToken => "invalid_admin_token",
            ApiError::TooManyAttempts { .. } => "rate_limit_exceeded",
            ApiError::Invalid { code, .. } => code,
            ApiError::InvalidRows(_) => "invalid_aliases",
            ApiError::NoSuchKey(_) => "key_not_found",
            ApiError::NoSuchModel(_) => "model_not_found",
            ApiError::ModelNotAllowed(_) => "model_not_allowed",
            ApiError::Internal => "internal_error",
            ApiError::Store(_) => "store_unavailable",
            ApiError::Upstream(_) => "upstream_unavailable",
            ApiError::UpstreamTimeout(_) => "upstream_timeout",
            ApiError::UpstreamRedirect(_) => "upstream_redirect",
            ApiError::Busy => "server_busy",
        }
    }

    /// The rejection the answer is made of; logs the detail of a server-side failure, which
    /// the answer leaves out.
    pub fn into_rejection(self) -> Rejection {
        let (status, code) = (self.status(), self.code());
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), code, detail = %Chain(&self), "request failed");
        } else if matches!(
            self,
            ApiError::AdminToken | ApiError::TooManyAttempts { .. }
        ) {
            tracing::warn!(
                status = status.as_u16(),
                code,
                "admin authentication refused"
            );
        }
        let param = match &self {
            ApiError::Invalid { param, .. } => *param,
            _ => None,
        };
        let rejection = Rejection::new(status, code, self.to_string());
        match param {
            Some(param) => rejection.with_param(param),
            None => rejection,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = match &self {
            ApiError::TooManyAttempts { retry_after } => Some(*retry_after),
            ApiError::Busy | ApiError::Store(_) => Some(1),
            _ => None,
        };
        let problems = match &self {
            ApiError::InvalidRows(problems) => Some(Value::Array(problems.clone())),
            _ => None,
        };
        let rejection = self.into_rejection();
        let mut response = match problems {
            // The error object, with every problem at its row beside it.
            Some(problems) => {
                let error = json!({"message": rejection.message(), "type": "invalid_request_error",
                    "param": null, "code": rejection.code()});
                let body = json!({"error": error, "problems": problems});
                (rejection.status(), axum::Json(body)).into_response()
            }
            None => rejection.into_http_response().into_response(),
        };
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// `1 problem in the aliases`, `8 problems in the aliases`.
struct Count(usize);

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            1 => f.write_str("1 problem in the aliases"),
            n => write!(f, "{n} problems in the aliases"),
        }
    }
}

/// An error and its sources, for the log: `a: b: c`.
struct Chain<'a>(&'a (dyn std::error::Error + 'static));

impl std::fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(e) = source {
            write!(f, ": {e}")?;
            source = e.source();
        }
        Ok(())
    }
}
