//! Keys and aliases in SQL (SQLite by default, Postgres for replicas sharing one store),
//! through sqlx's `Any` driver, so one set of queries and one set of migrations
//! (`gateway/migrations`) serve both.
//!
//! Invariants:
//! 1. a key's secret is never stored: only its SHA-256 in hex, which requests are looked up
//!    by; the secret exists once, in the answer to the request that created the key;
//! 2. a key's aliases are replaced whole, in one transaction, and only after the crate has
//!    validated them: a reader sees the old rows or the new ones, never a mix;
//! 3. rows read back are validated again (`AliasSet::new`), so a row edited by hand that is
//!    not valid fails its key's load with an error naming the key, and never half-loads.

use std::time::{SystemTime, UNIX_EPOCH};

use model_alias::{AliasSet, MatchKind, Row, Source};
use sha2::{Digest, Sha256};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row as _};

/// The SHA-256 of `secret`, in lowercase hex: what the store keeps and looks keys up by.
pub fn secret_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// `bytes` in lowercase hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why the store failed, with what it was doing.
#[derive(Debug)]
pub struct DbError(String);

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DbError {}

fn failed(doing: &str) -> impl Fn(sqlx::Error) -> DbError + '_ {
    move |e| DbError(format!("database: {doing}: {e}"))
}

/// One API key as the admin API lists it.
#[derive(Debug, serde::Serialize)]
pub struct KeyInfo {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub aliases: i64,
}

/// One alias row as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredAlias {
    pub name: String,
    pub target: String,
    #[serde(rename = "match")]
    pub kind: MatchKind,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
}

impl Row for StoredAlias {
    fn name(&self) -> &str {
        &self.name
    }
    fn target(&self) -> &str {
        &self.target
    }
    fn kind(&self) -> MatchKind {
        self.kind
    }
    fn hidden(&self) -> bool {
        self.hidden
    }
}

/// The store: a connection pool over SQLite or Postgres.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    /// Whether the sets it loads match models with ASCII case folded.
    ignore_case: bool,
}

impl Db {
    /// Connects to `url` (`sqlite://FILE`, created if missing, or `postgres://...`), runs the
    /// migrations, and seeds `seed` (secret, key id, aliases) when the store has no key yet.
    pub async fn open(url: &str, seed: &[(String, String, AliasSet)]) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let url = match url.strip_prefix("sqlite://") {
            Some(path) if !path.contains('?') => format!("sqlite://{path}?mode=rwc"),
            _ => url.to_owned(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(std::time::Duration::from_secs(5))
            .connect(&url)
            .await
            .map_err(failed("connecting"))?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| DbError(format!("database: migrating: {e}")))?;
        let db = Db {
            pool,
            ignore_case: false,
        };
        if db.list_keys().await?.is_empty() {
            for (secret, id, aliases) in seed {
                db.insert_key(id, id, secret).await?;
                let rows: Vec<StoredAlias> = aliases.iter().map(stored).collect();
                db.replace_aliases(id, &rows).await?;
            }
        }
        Ok(db)
    }

    /// The same store, loading sets that fold ASCII case when `ignore_case` is on.
    pub fn ignore_case(self, ignore_case: bool) -> Db {
        Db {
            ignore_case,
            ..self
        }
    }

    async fn insert_key(&self, id: &str, name: &str, secret: &str) -> Result<(), DbError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        sqlx::query(
            "INSERT INTO api_keys (id, name, secret_sha256, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(name)
        .bind(secret_hash(secret))
        .bind(i64::try_from(now).unwrap_or(i64::MAX))
        .execute(&self.pool)
        .await
        .map_err(failed("creating a key"))?;
        Ok(())
    }

    /// Creates a key named `name`; returns its id and its secret (shown once, never stored).
    pub async fn create_key(&self, name: &str) -> Result<(String, String), DbError> {
        let mut bytes = [0u8; 24];
        getrandom::fill(&mut bytes).map_err(|e| DbError(format!("random secret: {e}")))?;
        let hex = hex(&bytes);
        let (id, secret) = (format!("key_{}", &hex[..12]), format!("sk-{hex}"));
        self.insert_key(&id, name, &secret).await?;
        Ok((id, secret))
    }

    /// Every key, oldest first, with how many aliases each has.
    pub async fn list_keys(&self) -> Result<Vec<KeyInfo>, DbError> {
        let rows = sqlx::query(
            "SELECT k.id, k.name, k.created_at, \
             (SELECT COUNT(*) FROM aliases a WHERE a.key_id = k.id) AS n \
             FROM api_keys k ORDER BY k.created_at, k.id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(failed("listing keys"))?;
        rows.iter()
            .map(|r| {
                Ok(KeyInfo {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    created_at: r.try_get(2)?,
                    aliases: r.try_get(3)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(failed("reading keys"))
    }

    /// The stored rows of key `id`, in order; `None` when there is no such key.
    pub async fn aliases(&self, id: &str) -> Result<Option<Vec<StoredAlias>>, DbError> {
        if self.secret_hash_of(id).await?.is_none() {
            return Ok(None);
        }
        self.rows(id).await.map(Some)
    }

    /// The stored rows of key `id`, in order (none for a key that does not exist).
    async fn rows(&self, id: &str) -> Result<Vec<StoredAlias>, DbError> {
        let rows = sqlx::query(
            "SELECT name, target, match_kind, hidden FROM aliases WHERE key_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(failed("reading aliases"))?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get(2)?;
                Ok(StoredAlias {
                    name: r.try_get(0)?,
                    target: r.try_get(1)?,
                    kind: match kind == MatchKind::Prefix.as_str() {
                        true => MatchKind::Prefix,
                        false => MatchKind::Exact,
                    },
                    hidden: r.try_get::<i64, _>(3)? == 1,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(failed("reading aliases"))
    }

    /// Replaces key `id`'s aliases with `rows` (already validated), in one transaction;
    /// `false` when there is no such key.
    pub async fn replace_aliases(&self, id: &str, rows: &[StoredAlias]) -> Result<bool, DbError> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(failed("starting a transaction"))?;
        let exists = sqlx::query("SELECT 1 FROM api_keys WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(failed("reading a key"))?;
        if exists.is_none() {
            return Ok(false);
        }
        sqlx::query("DELETE FROM aliases WHERE key_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(failed("replacing aliases"))?;
        for (position, row) in rows.iter().enumerate() {
            sqlx::query(
                "INSERT INTO aliases (key_id, position, name, target, match_kind, hidden) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(&row.name)
            .bind(&row.target)
            .bind(row.kind.as_str())
            .bind(i64::from(row.hidden))
            .execute(&mut *tx)
            .await
            .map_err(failed("replacing aliases"))?;
        }
        tx.commit().await.map_err(failed("committing aliases"))?;
        Ok(true)
    }

    /// The secret hash of key `id` (what the alias cache is keyed by); `None` when there is
    /// no such key.
    pub async fn secret_hash_of(&self, id: &str) -> Result<Option<String>, DbError> {
        let sql = "SELECT secret_sha256 FROM api_keys WHERE id = $1";
        self.text_where(sql, id, "reading a key").await
    }

    /// The id of the key whose secret hashes to `hash`.
    async fn key_of(&self, hash: &str) -> Result<Option<String>, DbError> {
        let sql = "SELECT id FROM api_keys WHERE secret_sha256 = $1";
        self.text_where(sql, hash, "looking a key up").await
    }

    /// The one text column `sql` selects for `value` (its `$1`), if a row has it.
    async fn text_where(
        &self,
        sql: &'static str,
        value: &str,
        doing: &str,
    ) -> Result<Option<String>, DbError> {
        let row = sqlx::query(sql)
            .bind(value)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed(doing))?;
        row.map(|r| r.try_get(0)).transpose().map_err(failed(doing))
    }
}

/// A stored row for an alias of a validated set.
pub fn stored(alias: model_alias::AliasRef<'_>) -> StoredAlias {
    StoredAlias {
        name: alias.name().to_owned(),
        target: alias.target().to_owned(),
        kind: alias.kind(),
        hidden: alias.is_hidden(),
    }
}

/// The alias cache's source: a key (its secret's hash) to its aliases; `None` for a secret no
/// key has. Rows that are not a valid set fail the load, naming the key.
impl Source for Db {
    type Error = DbError;

    async fn load(&self, key: &[u8]) -> Result<Option<AliasSet>, DbError> {
        let hash = String::from_utf8_lossy(key);
        let Some(id) = self.key_of(&hash).await? else {
            return Ok(None);
        };
        let rows = self.rows(&id).await?;
        AliasSet::builder()
            .ignore_case(self.ignore_case)
            .build(&rows)
            .map(Some)
            .map_err(|e| DbError(format!("key {id}: its stored aliases are not valid: {e}")))
    }
}
