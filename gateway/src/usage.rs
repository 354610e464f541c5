//! Usage, billed as the real model: what the upstream's `usage` objects count, per key and
//! resolved model (never the alias), kept in the database's `key_usage` table.
//!
//! Invariants:
//! 1. recording never waits and never fails a request: counts go through a bounded queue to
//!    one writer task (a full queue drops the count and says so in the log);
//! 2. the writer adds counts up in memory and writes them in one transaction a second (or on
//!    [`UsageLog::flush`]); a failed write keeps them for the next, up to [`MAX_PENDING`]
//!    keys and models, past which new ones are dropped and logged;
//! 3. a count for a key deleted meanwhile is dropped by the write, not retried forever.

use std::collections::HashMap;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

use crate::db::{Db, DbError};

/// Counts waiting in the queue at most.
const QUEUE: usize = 65_536;
/// Distinct (key, model) pairs held between writes at most.
pub const MAX_PENDING: usize = 100_000;
/// How often the writer writes.
const EVERY: Duration = Duration::from_secs(1);

/// One answer's tokens, as the upstream's `usage` counted them; `None` when the answer had no
/// usable count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tokens {
    pub input: Option<u64>,
    pub output: Option<u64>,
}

/// A key's usage of one model, as `GET /admin/keys/{id}/usage` answers it.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ModelUsage {
    pub model: String,
    pub requests: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
}

enum Message {
    Count {
        key: String,
        model: String,
        tokens: Tokens,
    },
    Flush(oneshot::Sender<()>),
}

/// The queue to the usage writer.
#[derive(Clone)]
pub struct UsageLog {
    queue: mpsc::Sender<Message>,
}

impl UsageLog {
    /// Starts the writer task over `db`.
    pub fn start(db: Db) -> UsageLog {
        let (queue, messages) = mpsc::channel(QUEUE);
        tokio::spawn(write_loop(db, messages));
        UsageLog { queue }
    }

    /// Counts one forwarded request of key `key` for `model` (invariant 1).
    pub fn record(&self, key: &str, model: &str, tokens: Tokens) {
        let message = Message::Count {
            key: key.to_owned(),
            model: model.to_owned(),
            tokens,
        };
        if self.queue.try_send(message).is_err() {
            tracing::warn!(key, "usage queue full: a request's usage was not counted");
        }
    }

    /// Writes every count queued so far; returns when the write is done (or has failed).
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.queue.send(Message::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }
}

/// Counts added up, by (key, model).
type Pending = HashMap<(String, String), ModelUsage>;

async fn write_loop(db: Db, mut messages: mpsc::Receiver<Message>) {
    let mut pending = Pending::new();
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            message = messages.recv() => match message {
                Some(Message::Count { key, model, tokens }) => add(&mut pending, key, model, tokens),
                Some(Message::Flush(done)) => {
                    write(&db, &mut pending).await;
                    let _ = done.send(());
                }
                None => {
                    write(&db, &mut pending).await;
                    return;
                }
            },
            _ = tick.tick() => write(&db, &mut pending).await,
        }
    }
}

fn add(pending: &mut Pending, key: String, model: String, tokens: Tokens) {
    let full = pending.len() >= MAX_PENDING;
    let entry = match pending.get_mut(&(key.clone(), model.clone())) {
        Some(entry) => entry,
        None if full => {
            tracing::warn!(
                key,
                "usage not written yet for too many models: a count was dropped"
            );
            return;
        }
        None => pending.entry((key, model.clone())).or_insert(ModelUsage {
            model,
            ..ModelUsage::default()
        }),
    };
    let count = |n: Option<u64>| n.map_or(0, |n| i64::try_from(n).unwrap_or(i64::MAX));
    entry.requests = entry.requests.saturating_add(1);
    entry.input_tokens = entry.input_tokens.saturating_add(count(tokens.input));
    entry.output_tokens = entry.output_tokens.saturating_add(count(tokens.output));
}

/// Writes `pending` in one transaction and empties it; on failure keeps it (invariant 2).
async fn write(db: &Db, pending: &mut Pending) {
    if pending.is_empty() {
        return;
    }
    match write_all(db, pending).await {
        Ok(()) => pending.clear(),
        Err(e) => tracing::warn!(error = %e, pending = pending.len(), "usage not written yet"),
    }
}

async fn write_all(db: &Db, pending: &Pending) -> Result<(), DbError> {
    let _turn = db.turn().await;
    db.timed(async {
        let mut tx = db.pool().begin().await?;
        for ((key, _), usage) in pending {
            // Invariant 3: a key deleted meanwhile has no row to add to.
            sqlx::query(
                "INSERT INTO key_usage (key_id, model, requests, input_tokens, output_tokens) \
                 SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM api_keys WHERE id = $1) \
                 ON CONFLICT (key_id, model) DO UPDATE SET \
                 requests = key_usage.requests + excluded.requests, \
                 input_tokens = key_usage.input_tokens + excluded.input_tokens, \
                 output_tokens = key_usage.output_tokens + excluded.output_tokens",
            )
            .bind(key)
            .bind(&usage.model)
            .bind(usage.requests)
            .bind(usage.input_tokens)
            .bind(usage.output_tokens)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Key `id`'s usage by model, in model order.
pub async fn read(db: &Db, id: &str) -> Result<Vec<ModelUsage>, DbError> {
    db.timed(async {
        Ok(sqlx::query_as(
            "SELECT model, requests, input_tokens, output_tokens FROM key_usage \
             WHERE key_id = $1 ORDER BY model",
        )
        .bind(id)
        .fetch_all(db.pool())
        .await?)
    })
    .await
}
