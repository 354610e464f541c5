//! Keys and aliases in SQL (SQLite by default, Postgres for replicas sharing one store),
//! through sqlx's `Any` driver, so one set of queries and one set of migrations
//! (`gateway/migrations`) serve both.
//!
//! Invariants:
//! 1. a key's secret is never stored: only its SHA-256 in hex, which requests are looked up
//!    by; the secret exists once, in the answer to the request that created or rotated the key;
//!    a key's id is random, never derived from its secret;
//! 2. a key's aliases are replaced whole, in one transaction, and only after the crate has
//!    validated them: a reader sees the old rows or the new ones, never a mix;
//! 3. rows read back are validated again, so a row edited by hand that is not valid fails its
//!    key's load with an error naming the key, and never half-loads;
//! 4. writes take their turn: one at a time from this process, each transaction starting with
//!    its write, and SQLite in WAL mode with a busy timeout, so that no write fails because
//!    another is in flight;
//! 5. no call waits on the store longer than its timeout.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use model_alias::access::AllowList;
use model_alias::cache::Source;
use model_alias::{AliasSet, SetError};
use sha2::{Digest, Sha256};
use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;

use crate::access::KeyRecord;
use crate::stored::{AliasRow, StoredAlias};

/// The SHA-256 of `secret`, in lowercase hex: what the store keeps and looks keys up by.
pub fn secret_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// `bytes` in lowercase hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `N` random bytes in hex.
fn random_hex<const N: usize>() -> Result<String, DbError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(DbError::Random)?;
    Ok(hex(&bytes))
}

/// Why the store failed. Its text is for the log: answers say only that the store failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("database: migrating: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database: no answer within {0:?} (--store-timeout)")]
    Timeout(Duration),
    #[error("key {key}: its stored aliases are not valid: {source}")]
    InvalidRows { key: String, source: SetError },
    #[error("key {key}: its stored allow list is not valid: {message}")]
    InvalidAllow { key: String, message: String },
    #[error("no randomness for a new secret: {0}")]
    Random(getrandom::Error),
    /// The `--database` value cannot be used; the text says what to change.
    #[error("{0}")]
    Unusable(String),
}

/// One API key as the admin API shows it.
#[derive(Debug, serde::Serialize, sqlx::FromRow)]
pub struct KeyInfo {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub aliases: i64,
}

/// A new key or a rotated one: the only time its secret is seen.
#[derive(Debug, serde::Serialize)]
pub struct Secret {
    pub id: String,
    pub name: String,
    pub secret: String,
    pub note: &'static str,
}

/// The store: a connection pool over SQLite or Postgres.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    /// Whether the sets it loads match models with ASCII case folded.
    ignore_case: bool,
    /// The longest any call waits on the store.
    timeout: Duration,
    /// Held by each write (invariant 4).
    writer: Arc<tokio::sync::Mutex<()>>,
    /// Each key's id and allow list by its secret's hash, as [`Source::load`] last read them
    /// with its aliases, so that a request reads the store once for both.
    records: moka::sync::Cache<String, Arc<KeyRecord>>,
}

/// The most key records kept beside the alias cache (which bounds its keys the same way).
const MAX_RECORDS: u64 = 100_000;

/// What `--database` names, checked before anything is created.
fn connect_url(database: &str) -> Result<String, DbError> {
    if database.starts_with("postgres://") || database.starts_with("postgresql://") {
        return Ok(database.to_owned());
    }
    let path = match database.strip_prefix("sqlite://") {
        Some(path) => path,
        None => database.strip_prefix("sqlite:").unwrap_or(database),
    };
    if path.contains("://") {
        return Err(DbError::Unusable(format!(
            "--database {database:?}: give a SQLite file path, sqlite://PATH or postgres://..."
        )));
    }
    if path.is_empty() || path.contains(['?', '#']) {
        return Err(DbError::Unusable(format!(
            "--database {database:?}: give a file path without '?' or '#'"
        )));
    }
    check_sqlite_file(Path::new(path))?;
    Ok(format!("sqlite://{path}?mode=rwc"))
}

/// A SQLite file may be created where its directory exists, and opened where it is one.
fn check_sqlite_file(path: &Path) -> Result<(), DbError> {
    let shown = path.display();
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(dir) = parent.filter(|dir| !dir.is_dir()) {
        return Err(DbError::Unusable(format!(
            "database {shown}: the directory {} does not exist: create it or give another --database",
            dir.display()
        )));
    }
    let mut header = [0u8; 16];
    match std::fs::File::open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(DbError::Unusable(format!("database {shown}: {e}"))),
        Ok(mut file) => {
            use std::io::Read;
            let read = file.read(&mut header).unwrap_or(0);
            if read == 0 {
                return Err(DbError::Unusable(format!(
                    "database {shown} is an empty file, not a SQLite database: remove it to \
                     start a new store, or give another --database"
                )));
            }
            if read < header.len() || &header != b"SQLite format 3\0" {
                return Err(DbError::Unusable(format!(
                    "database {shown} is not a SQLite database: give another --database"
                )));
            }
            Ok(())
        }
    }
}

impl Db {
    /// Connects to `database` (a SQLite path or URL, created if missing, or `postgres://...`)
    /// and runs the migrations; `timeout` bounds every later call.
    pub async fn open(database: &str, timeout: Duration) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let url = connect_url(database)?;
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(timeout)
            .connect(&url)
            .await?;
        if url.starts_with("sqlite:") {
            // Readers never wait for a writer, and the mode stays with the file.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Db {
            pool,
            ignore_case: false,
            timeout,
            writer: Arc::default(),
            records: moka::sync::Cache::new(MAX_RECORDS),
        })
    }

    /// The same store, loading sets that fold ASCII case when `ignore_case` is on.
    pub fn ignore_case(self, ignore_case: bool) -> Db {
        Db {
            ignore_case,
            ..self
        }
    }

    /// Runs `call` within the store timeout (invariant 5).
    pub async fn timed<T>(
        &self,
        call: impl Future<Output = Result<T, DbError>>,
    ) -> Result<T, DbError> {
        tokio::time::timeout(self.timeout, call)
            .await
            .unwrap_or(Err(DbError::Timeout(self.timeout)))
    }

    /// Adds key `id` unless a key has that id already (the demo keys, at every `--demo` start).
    pub async fn seed(&self, id: &str, secret: &str, aliases: &AliasSet) -> Result<(), DbError> {
        if self.key(id).await?.is_some() {
            return Ok(());
        }
        self.insert_key(id, id, &secret_hash(secret)).await?;
        let rows: Vec<StoredAlias> = aliases.iter().map(StoredAlias::from).collect();
        self.replace_aliases(id, &rows).await?;
        Ok(())
    }

    async fn insert_key(&self, id: &str, name: &str, hash: &str) -> Result<(), DbError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let _turn = self.writer.lock().await;
        self.timed(async {
            sqlx::query(
                "INSERT INTO api_keys (id, name, secret_sha256, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(name)
            .bind(hash)
            .bind(i64::try_from(now).unwrap_or(i64::MAX))
            .execute(&self.pool)
            .await?;
            Ok(())
        })
        .await
    }

    /// Creates a key named `name` with a random id and secret.
    pub async fn create_key(&self, name: &str) -> Result<Secret, DbError> {
        let id = format!("key_{}", random_hex::<8>()?);
        let secret = format!("sk-{}", random_hex::<24>()?);
        self.insert_key(&id, name, &secret_hash(&secret)).await?;
        Ok(Secret::new(id, name.to_owned(), secret))
    }

    /// Gives key `id` a new secret; returns it and the old one's hash (which then fails), or
    /// `None` when there is no such key.
    pub async fn rotate_key(&self, id: &str) -> Result<Option<(Secret, String)>, DbError> {
        let sql = "SELECT name, secret_sha256 FROM api_keys WHERE id = $1";
        let Some((name, old)) = self.row_where::<(String, String)>(sql, id).await? else {
            return Ok(None);
        };
        let secret = format!("sk-{}", random_hex::<24>()?);
        let _turn = self.writer.lock().await;
        let updated = self
            .timed(async {
                let done = sqlx::query("UPDATE api_keys SET secret_sha256 = $1 WHERE id = $2")
                    .bind(secret_hash(&secret))
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            })
            .await?;
        Ok(updated.then(|| (Secret::new(id.to_owned(), name, secret), old)))
    }

    /// Begins a write transaction on key `id` with its first write (invariant 4): removes the
    /// key's aliases, then reads its secret's hash (`None`: no such key).
    async fn clear_aliases(
        &self,
        id: &str,
    ) -> Result<(sqlx::Transaction<'static, sqlx::Any>, Option<String>), DbError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM aliases WHERE key_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let hash = Db::hash_in(&mut tx, id).await?;
        Ok((tx, hash))
    }

    /// Key `id`'s secret hash, read in transaction `tx` (`None`: no such key).
    async fn hash_in(
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        id: &str,
    ) -> Result<Option<String>, DbError> {
        let hash: Option<(String,)> =
            sqlx::query_as("SELECT secret_sha256 FROM api_keys WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?;
        Ok(hash.map(|(hash,)| hash))
    }

    /// Deletes key `id` and its aliases; returns its secret's hash, or `None` when there is
    /// no such key.
    pub async fn delete_key(&self, id: &str) -> Result<Option<String>, DbError> {
        let _turn = self.writer.lock().await;
        self.timed(async {
            let (mut tx, hash) = self.clear_aliases(id).await?;
            sqlx::query("DELETE FROM api_keys WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(hash)
        })
        .await
    }

    const KEYS: &'static str = "SELECT k.id, k.name, k.created_at, \
         (SELECT COUNT(*) FROM aliases a WHERE a.key_id = k.id) AS aliases FROM api_keys k";

    /// Every key, oldest first, with how many aliases each has.
    pub async fn list_keys(&self) -> Result<Vec<KeyInfo>, DbError> {
        self.timed(async {
            let sql = format!("{} ORDER BY k.created_at, k.id", Db::KEYS);
            Ok(sqlx::query_as(&sql).fetch_all(&self.pool).await?)
        })
        .await
    }

    /// Key `id`, or `None`.
    pub async fn key(&self, id: &str) -> Result<Option<KeyInfo>, DbError> {
        self.timed(async {
            let sql = format!("{} WHERE k.id = $1", Db::KEYS);
            Ok(sqlx::query_as(&sql)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
        })
        .await
    }

    /// The stored rows of key `id`, in order; `None` when there is no such key.
    pub async fn aliases(&self, id: &str) -> Result<Option<Vec<StoredAlias>>, DbError> {
        if self.key(id).await?.is_none() {
            return Ok(None);
        }
        self.rows(id).await.map(Some)
    }

    /// The stored rows of key `id`, in order (none for a key that does not exist).
    async fn rows(&self, id: &str) -> Result<Vec<StoredAlias>, DbError> {
        self.timed(async {
            let rows: Vec<AliasRow> = sqlx::query_as(
                "SELECT name, target, match_kind, hidden, defaults, overrides FROM aliases \
                 WHERE key_id = $1 ORDER BY position",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
            Ok(rows.into_iter().map(StoredAlias::from).collect())
        })
        .await
    }

    /// Key `id`'s rows as the gateway serves them, through the same [`Source::load`] the
    /// alias cache uses; `None` when there is no such key.
    pub async fn served_set(&self, id: &str) -> Result<Option<AliasSet>, DbError> {
        match self.secret_hash_of(id).await? {
            Some(hash) => self.load(hash.as_bytes()).await,
            None => Ok(None),
        }
    }

    /// Replaces key `id`'s aliases with `rows` (already validated), in one transaction that
    /// starts with its write (invariant 4); returns the key's secret hash (what the alias
    /// cache is keyed by), or `None` when there is no such key.
    pub async fn replace_aliases(
        &self,
        id: &str,
        rows: &[StoredAlias],
    ) -> Result<Option<String>, DbError> {
        let _turn = self.writer.lock().await;
        self.timed(async {
            let (mut tx, hash) = self.clear_aliases(id).await?;
            if hash.is_none() {
                return Ok(None);
            }
            for (position, row) in rows.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO aliases \
                     (key_id, position, name, target, match_kind, hidden, defaults, overrides) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(id)
                .bind(i64::try_from(position).unwrap_or(i64::MAX))
                .bind(&row.name)
                .bind(&row.target)
                .bind(row.kind.as_str())
                .bind(i64::from(row.hidden))
                .bind(row.defaults.as_deref())
                .bind(row.overrides.as_deref())
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(hash)
        })
        .await
    }

    /// The secret hash of key `id` (what the alias cache is keyed by); `None` when there is
    /// no such key.
    pub async fn secret_hash_of(&self, id: &str) -> Result<Option<String>, DbError> {
        let sql = "SELECT secret_sha256 FROM api_keys WHERE id = $1";
        self.text_where(sql, id).await
    }

    /// The id and allow list of the key whose secret hashes to `hash`.
    async fn key_record(&self, hash: &str) -> Result<Option<KeyRecord>, DbError> {
        let sql = "SELECT id, allow_list FROM api_keys WHERE secret_sha256 = $1";
        let row = self
            .row_where::<(String, Option<String>)>(sql, hash)
            .await?;
        let Some((id, allow)) = row else {
            return Ok(None);
        };
        let allow = parse_allow(&id, allow.as_deref())?;
        Ok(Some(KeyRecord { id, allow }))
    }

    /// The id and allow list of the key whose secret hashes to `hash`, as the alias cache's
    /// last load read them, else from the store; `None` for a secret no key has.
    pub async fn record(&self, hash: &str) -> Result<Option<Arc<KeyRecord>>, DbError> {
        if let Some(record) = self.records.get(hash) {
            return Ok(Some(record));
        }
        let record = self.key_record(hash).await?.map(Arc::new);
        if let Some(record) = &record {
            self.records.insert(hash.to_owned(), record.clone());
        }
        Ok(record)
    }

    /// Key `id`'s allow list: `None` when there is no such key, `Some(None)` when the key has
    /// no list.
    pub async fn allow(&self, id: &str) -> Result<Option<Option<AllowList>>, DbError> {
        let sql = "SELECT allow_list FROM api_keys WHERE id = $1";
        match self.row_where::<(Option<String>,)>(sql, id).await? {
            Some((text,)) => parse_allow(id, text.as_deref()).map(Some),
            None => Ok(None),
        }
    }

    /// Replaces key `id`'s allow list (`None`: every model allowed); returns the key's secret
    /// hash, or `None` when there is no such key.
    pub async fn set_allow(
        &self,
        id: &str,
        allow: Option<&AllowList>,
    ) -> Result<Option<String>, DbError> {
        let text =
            allow.map(|list| serde_json::to_string(list).unwrap_or_else(|_| "[]".to_owned()));
        let _turn = self.writer.lock().await;
        self.timed(async {
            let mut tx = self.pool.begin().await?;
            sqlx::query("UPDATE api_keys SET allow_list = $1 WHERE id = $2")
                .bind(text.as_deref())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let hash = Db::hash_in(&mut tx, id).await?;
            tx.commit().await?;
            Ok(hash)
        })
        .await
    }

    /// Drops the key record of `hash` kept from the last load (the key changed or is gone).
    pub fn forget(&self, hash: &str) {
        self.records.invalidate(hash);
    }

    /// The pool, for the usage writer's own queries.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Waits for this process's turn to write (invariant 4).
    pub async fn turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.writer.lock().await
    }

    /// The one text column `sql` selects for `value` (its `$1`), if a row has it.
    async fn text_where(&self, sql: &'static str, value: &str) -> Result<Option<String>, DbError> {
        let row = self.row_where::<(String,)>(sql, value).await?;
        Ok(row.map(|(text,)| text))
    }

    /// The row `sql` selects for `value` (its `$1`), if there is one.
    async fn row_where<T>(&self, sql: &'static str, value: &str) -> Result<Option<T>, DbError>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        self.timed(async {
            Ok(sqlx::query_as(sql)
                .bind(value)
                .fetch_optional(&self.pool)
                .await?)
        })
        .await
    }
}

impl Secret {
    fn new(id: String, name: String, secret: String) -> Secret {
        Secret {
            id,
            name,
            secret,
            note: "the secret is shown once: store it now",
        }
    }
}

/// The alias cache's source: a key (its secret's hash) to its aliases; `None` for a secret no
/// key has. Rows that are not a valid set fail the load, naming the key.
impl Source for Db {
    type Error = DbError;

    async fn load(&self, key: &[u8]) -> Result<Option<AliasSet>, DbError> {
        let hash = String::from_utf8_lossy(key);
        let Some(record) = self.key_record(&hash).await? else {
            self.records.invalidate(hash.as_ref());
            return Ok(None);
        };
        let rows = self.rows(&record.id).await?;
        let set = AliasSet::builder()
            .ignore_case(self.ignore_case)
            .build(&rows)
            .map_err(|source| DbError::InvalidRows {
                key: record.id.clone(),
                source,
            })?;
        self.records.insert(hash.into_owned(), Arc::new(record));
        Ok(Some(set))
    }
}

/// A stored allow list: JSON text the gateway wrote, validated again (a row edited by hand
/// that is not a valid list fails its key's load, naming the key).
fn parse_allow(id: &str, text: Option<&str>) -> Result<Option<AllowList>, DbError> {
    let Some(text) = text else {
        return Ok(None);
    };
    serde_json::from_str(text)
        .map(Some)
        .map_err(|e| DbError::InvalidAllow {
            key: id.to_owned(),
            message: e.to_string(),
        })
}
