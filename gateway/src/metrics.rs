//! `GET /metrics` (admin token): Prometheus text, written by `prometheus-client`.
//!
//! - `model_alias_requests_total{rule, model, status}`: every request answered;
//! - `model_alias_tokens_total{model, kind}`: the upstream's usage, `kind` `input` or
//!   `output`;
//! - `model_alias_request_duration_seconds`: a histogram of the time to the answer's head.
//!
//! A `model` label is the resolved model when the catalog lists it, `other` when it does not
//! and `none` for a request that resolved no model (a listing, a refused key), so clients
//! cannot grow the label set. `rule` is `exact`, `prefix`, `passthrough` or `none`. Metrics
//! live in memory: a scrape never touches the database, so it answers during a store outage.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use model_alias::openai::Catalog;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::app::App;
use crate::auth::AdminToken;
use crate::error::ApiError;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    rule: &'static str,
    model: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TokenLabels {
    model: String,
    kind: &'static str,
}

/// The gateway's series.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    tokens: Family<TokenLabels, Counter>,
    duration: Histogram,
    /// The values a `model` label may take besides `other` and `none`.
    catalog: HashSet<String>,
}

impl Metrics {
    pub fn new(catalog: &Catalog) -> Metrics {
        let mut registry = Registry::with_prefix("model_alias");
        let requests = Family::<RequestLabels, Counter>::default();
        let tokens = Family::<TokenLabels, Counter>::default();
        // 1 ms to about 65 s.
        let duration = Histogram::new(exponential_buckets(0.001, 2.0, 17));
        registry.register(
            "requests",
            "Requests answered, by the rule that resolved their model, the resolved model and \
             the status",
            requests.clone(),
        );
        registry.register(
            "tokens",
            "Tokens the upstream counted, by resolved model and kind",
            tokens.clone(),
        );
        registry.register(
            "request_duration_seconds",
            "Time from a request's arrival to its answer's head",
            duration.clone(),
        );
        Metrics {
            registry,
            requests,
            tokens,
            duration,
            catalog: catalog.models().iter().map(|m| m.id.clone()).collect(),
        }
    }

    /// The `model` label for a resolved model: itself when the catalog lists it, else `other`;
    /// `none` for no model.
    pub fn model_label(&self, model: Option<&str>) -> String {
        match model {
            Some(model) if self.catalog.contains(model) => model.to_owned(),
            Some(_) => "other".to_owned(),
            None => "none".to_owned(),
        }
    }

    /// Counts an answered request.
    pub fn request(&self, rule: &'static str, model: Option<&str>, status: u16, seconds: f64) {
        let labels = RequestLabels {
            rule,
            model: self.model_label(model),
            status,
        };
        self.requests.get_or_create(&labels).inc();
        self.duration.observe(seconds);
    }

    /// Counts the tokens of one answer.
    pub fn tokens(&self, model: &str, input: u64, output: u64) {
        let model = self.model_label(Some(model));
        for (kind, count) in [("input", input), ("output", output)] {
            let labels = TokenLabels {
                model: model.clone(),
                kind,
            };
            self.tokens.get_or_create(&labels).inc_by(count);
        }
    }

    /// The exposition text.
    pub fn render(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// `GET /metrics`.
pub async fn serve(State(app): State<Arc<App>>, _: AdminToken) -> Result<Response, ApiError> {
    let text = app.metrics.render().map_err(|_| ApiError::Internal)?;
    let content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    Ok(([(header::CONTENT_TYPE, content_type)], text).into_response())
}
