//! [`Rejection`]: an error answer in OpenAI's shape.

use std::borrow::Cow;
use std::convert::Infallible;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Response, StatusCode};
use http_body_util::Full;

/// An error the layer (or the gateway's lookup) answers with, in OpenAI's shape:
/// `{"error": {"message": ..., "type": ..., "param": ..., "code": ...}}`.
///
/// `type` follows the status: `invalid_request_error` for a 4xx, `api_error` for a 5xx, as
/// OpenAI's API sends them, so the official SDKs raise their matching typed errors
/// (`AuthenticationError` for a 401, `BadRequestError` for a 400, ...).
///
/// ```
/// use model_alias::middleware::Rejection;
///
/// let r = Rejection::unauthorized("Incorrect API key provided.");
/// assert_eq!(r.status(), http::StatusCode::UNAUTHORIZED);
/// assert_eq!(
///     r.to_json(),
///     r#"{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#,
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    status: StatusCode,
    code: Cow<'static, str>,
    message: String,
    param: Option<&'static str>,
}

impl Rejection {
    /// A rejection with this status, machine-readable `code` and human `message` (say what to
    /// change).
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Rejection {
        Rejection {
            status,
            code: code.into(),
            message: message.into(),
            param: None,
        }
    }

    /// A 401 with the code `invalid_api_key`: no key, or one the gateway does not know.
    pub fn unauthorized(message: impl Into<String>) -> Rejection {
        Rejection::new(StatusCode::UNAUTHORIZED, "invalid_api_key", message)
    }

    /// Names the request parameter at fault (`"model"` for a body without a string model).
    #[must_use]
    pub fn with_param(mut self, param: &'static str) -> Rejection {
        self.param = Some(param);
        self
    }

    pub(super) fn too_large(max_body: usize) -> Rejection {
        Rejection::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request_too_large",
            format!("the request body is larger than {max_body} bytes: send a smaller one"),
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The machine-readable code.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The message for people.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The error body, as JSON.
    pub fn to_json(&self) -> String {
        #[derive(serde::Serialize)]
        struct Body<'a> {
            error: Error<'a>,
        }
        #[derive(serde::Serialize)]
        struct Error<'a> {
            message: &'a str,
            #[serde(rename = "type")]
            kind: &'a str,
            param: Option<&'a str>,
            code: &'a str,
        }
        let kind = match self.status.is_server_error() {
            true => "api_error",
            false => "invalid_request_error",
        };
        let error = Error {
            message: &self.message,
            kind,
            param: self.param,
            code: &self.code,
        };
        // Strings and an option: serialising cannot fail.
        serde_json::to_string(&Body { error }).unwrap_or_default()
    }

    /// The response: the status, `content-type: application/json` and the error body, as an
    /// `http::Response` that a handler of any `http`-based framework can return (axum takes it
    /// as it is). Named apart from axum's `IntoResponse::into_response`, so that neither hides
    /// the other.
    pub fn into_http_response(self) -> Response<Full<Bytes>> {
        self.respond(Full::new)
    }

    /// The response, with the JSON body wrapped by `body`.
    pub(super) fn respond<T>(self, body: impl FnOnce(Bytes) -> T) -> Response<T> {
        let mut response = Response::new(body(Bytes::from(self.to_json())));
        *response.status_mut() = self.status;
        let json = HeaderValue::from_static("application/json");
        response.headers_mut().insert(CONTENT_TYPE, json);
        response
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for Rejection {}

/// For a lookup that cannot fail.
impl From<Infallible> for Rejection {
    fn from(never: Infallible) -> Rejection {
        match never {}
    }
}
