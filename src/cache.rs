//! [`AliasCache`]: per-key alias sets loaded on demand from the gateway's own [`Source`],
//! cached with a TTL, for gateways that keep aliases in a database.
//!
//! Invariants:
//! - at most one call to [`Source::load`] is in flight per key, whatever is invalidated or
//!   evicted meanwhile: a key's load lock lives in `loads`, apart from the cached state that
//!   moka may drop, for as long as a load holds it or a caller waits for it; concurrent
//!   requests for a key that is loading wait for that load (asynchronously: no thread is
//!   blocked) and share it;
//! - a set is served for `ttl` after it was loaded, then reloaded on the next request;
//! - a failed reload never replaces a good set: the last good set keeps serving (and the
//!   error is handed back with it) until a reload succeeds; a failed load is retried no
//!   sooner than `error_retry` later, so a source that is down is not hammered;
//! - at most `max_keys` keys are held; beyond that the least useful are evicted (moka's
//!   TinyLFU policy).

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;

use crate::{AliasRef, AliasSet, Resolution, Resolve};

/// Where an [`AliasCache`] loads a key's aliases from: implemented by the gateway over its
/// database, its config service, a file.
///
/// `Ok(None)` means the source knows no aliases for that key (every model passes through for
/// it); an `Err` is a failure to find out (the cache then keeps serving what it had).
///
/// ```
/// use model_alias::AliasSet;
/// use model_alias::cache::Source;
///
/// struct Db; // a connection pool, in a real gateway
///
/// impl Source for Db {
///     type Error = std::io::Error;
///
///     async fn load(&self, key: &[u8]) -> Result<Option<AliasSet>, std::io::Error> {
///         // SELECT name, target, kind FROM aliases WHERE key_id = $1 ORDER BY position
///         let rows = [("fast", "deepseek/deepseek-chat")];
///         let set = AliasSet::new(rows).map_err(std::io::Error::other)?;
///         Ok((key == b"team-a").then_some(set))
///     }
/// }
/// ```
pub trait Source: Send + Sync + 'static {
    /// Why a load failed.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Loads `key`'s aliases.
    fn load(
        &self,
        key: &[u8],
    ) -> impl Future<Output = Result<Option<AliasSet>, Self::Error>> + Send;
}

/// Per-key alias sets from a [`Source`], cached with a TTL, loaded once per key at a time,
/// served stale when the source fails. Needs the `cache` feature.
///
/// Runtime-agnostic (it uses no timer and spawns nothing): works under tokio, async-std or a
/// plain `block_on`.
///
/// ```
/// # use model_alias::AliasSet;
/// # use model_alias::cache::Source;
/// # struct Db;
/// # impl Source for Db {
/// #     type Error = std::io::Error;
/// #     async fn load(&self, _: &[u8]) -> Result<Option<AliasSet>, std::io::Error> {
/// #         Ok(Some(AliasSet::new([("fast", "deepseek/deepseek-chat")]).map_err(std::io::Error::other)?))
/// #     }
/// # }
/// use std::time::Duration;
/// use model_alias::cache::AliasCache;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let cache = AliasCache::builder(Db).ttl(Duration::from_secs(60)).max_keys(100_000).build();
///
/// // Per request: the key's current aliases.
/// let lookup = cache.get(b"team-a").await?;
/// if let Some(error) = lookup.stale_error() {
///     eprintln!("alias source failing, serving the last good aliases: {error}");
/// }
/// assert_eq!(lookup.resolve("fast").model(), "deepseek/deepseek-chat");
/// # Ok::<(), std::sync::Arc<std::io::Error>>(())
/// # }).unwrap();
/// ```
///
/// # Costs
/// A fresh hit is a concurrent hash map lookup (moka) and an atomic load: no lock, no
/// allocation beyond moka's own bookkeeping. Memory: the sets held (at most `max_keys`) plus
/// moka's per-entry overhead (about a hundred bytes).
pub struct AliasCache<S: Source> {
    source: S,
    slots: moka::future::Cache<Vec<u8>, Arc<Slot<S::Error>>>,
    /// The load lock of each key being loaded (or waited for): see the module's invariants.
    loads: Loads,
    ttl: Duration,
    error_retry: Duration,
}

/// One key's cached state.
struct Slot<E> {
    state: ArcSwapOption<State<E>>,
}

/// Per-key load locks, held apart from the cache so that evicting or invalidating a key's
/// state cannot hand a second caller a second lock while a load runs. An entry lives while
/// anyone holds or awaits its lock, and is removed by the last one out; the map is touched
/// only on the load path, never on a fresh hit.
#[derive(Default)]
struct Loads(std::sync::Mutex<std::collections::HashMap<Box<[u8]>, LoadLock>>);

/// One key's load lock (shared by whoever holds or awaits it).
type LoadLock = Arc<async_lock::Mutex<()>>;

impl Loads {
    /// Waits for `key`'s load lock.
    async fn lock<'l>(&'l self, key: &[u8]) -> LoadGuard<'l> {
        let lock = {
            let mut map = self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            map.entry(key.into()).or_default().clone()
        };
        LoadGuard {
            held: Some(lock.lock_arc().await),
            loads: self,
            key: key.into(),
        }
    }
}

/// A key's load lock, held; dropping it releases the lock and, if nobody else holds or waits
/// for it, removes it from [`Loads`].
struct LoadGuard<'l> {
    held: Option<async_lock::MutexGuardArc<()>>,
    loads: &'l Loads,
    key: Box<[u8]>,
}

impl Drop for LoadGuard<'_> {
    fn drop(&mut self) {
        let mut map = self
            .loads
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        drop(self.held.take());
        // The map's own reference is the last: nobody holds or awaits this lock any more. A
        // caller about to take it clones it under this same map lock, so none can slip in.
        if map
            .get(&self.key)
            .is_some_and(|lock| Arc::strong_count(lock) == 1)
        {
            map.remove(&self.key);
        }
    }
}

struct State<E> {
    /// The last good answer: `None` until a load succeeds; `Some(None)` when the source has
    /// no aliases for the key.
    good: Option<Option<Arc<AliasSet>>>,
    /// When the source was last asked.
    checked: Instant,
    /// Why the last load failed, if it did.
    error: Option<Arc<E>>,
}

impl<E> State<E> {
    fn is_fresh(&self, ttl: Duration, error_retry: Duration) -> bool {
        let wait = if self.error.is_some() {
            error_retry
        } else {
            ttl
        };
        self.checked.elapsed() < wait
    }

    fn lookup(&self) -> Result<Lookup<E>, Arc<E>> {
        match (&self.good, &self.error) {
            (Some(aliases), error) => Ok(Lookup {
                aliases: aliases.clone(),
                error: error.clone(),
            }),
            (None, Some(error)) => Err(error.clone()),
            // A state is only stored after a load, which either succeeded or failed.
            (None, None) => Ok(Lookup {
                aliases: None,
                error: None,
            }),
        }
    }
}

/// What [`AliasCache::get`] found for a key: its aliases, a resolver, and the error of the
/// last reload if they are stale because of it.
///
/// ```
/// # use model_alias::AliasSet;
/// # use model_alias::cache::Source;
/// # struct Db;
/// # impl Source for Db {
/// #     type Error = std::io::Error;
/// #     async fn load(&self, key: &[u8]) -> Result<Option<AliasSet>, std::io::Error> {
/// #         let set = AliasSet::new([("fast", "deepseek/deepseek-chat")]).map_err(std::io::Error::other)?;
/// #         Ok((key == b"team-a").then_some(set))
/// #     }
/// # }
/// use model_alias::{Resolve, Rule};
/// use model_alias::cache::AliasCache;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let cache = AliasCache::new(Db);
/// let lookup = cache.get(b"team-a").await?;
/// assert_eq!(lookup.resolve("fast").model(), "deepseek/deepseek-chat");
/// assert_eq!(lookup.iter().count(), 1);
/// assert!(lookup.stale_error().is_none());
///
/// // A key the source has no aliases for: every model passes through.
/// let nobody = cache.get(b"team-z").await?;
/// assert_eq!(nobody.resolve("fast").rule(), Rule::Passthrough);
/// # Ok::<(), std::sync::Arc<std::io::Error>>(())
/// # }).unwrap();
/// ```
pub struct Lookup<E> {
    aliases: Option<Arc<AliasSet>>,
    error: Option<Arc<E>>,
}

impl<E> Lookup<E> {
    /// The key's aliases in the user's order (none when the source has none for it).
    pub fn iter(&self) -> impl Iterator<Item = AliasRef<'_>> + '_ {
        self.aliases.iter().flat_map(|set| set.iter())
    }

    /// The loaded set itself, shared with the cache (and with every other lookup of that
    /// load), or `None` when the source has none for the key: to keep past the request.
    pub fn set(&self) -> Option<&Arc<AliasSet>> {
        self.aliases.as_ref()
    }

    /// Resolves `model` with the key's aliases (passthrough when it has none), as
    /// [`AliasSet::resolve`] does.
    #[inline]
    pub fn resolve<'a>(&'a self, model: &'a str) -> Resolution<'a> {
        self.aliases.resolve(model)
    }

    /// Why the aliases are stale: the error of the last failed reload, while the last good
    /// set keeps serving. `None` when they are fresh. Report it; do not fail the request.
    pub fn stale_error(&self) -> Option<&E> {
        self.error.as_deref()
    }
}

impl<E> Resolve for Lookup<E> {
    #[inline]
    fn resolve<'a>(&'a self, model: &'a str) -> Resolution<'a> {
        Lookup::resolve(self, model)
    }
}

impl<E: fmt::Debug> fmt::Debug for Lookup<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lookup")
            .field("aliases", &self.aliases)
            .field("stale_error", &self.error)
            .finish()
    }
}

impl<S: Source> AliasCache<S> {
    /// A cache over `source` with the defaults: TTL 60 s (the spec's "changes take effect
    /// within about a minute"), retry after an error 5 s, at most 100,000 keys.
    pub fn new(source: S) -> AliasCache<S> {
        AliasCache::builder(source).build()
    }

    /// A builder, to set the TTL, the error retry delay and the size bound.
    pub fn builder(source: S) -> AliasCacheBuilder<S> {
        AliasCacheBuilder {
            source,
            ttl: Duration::from_secs(60),
            error_retry: Duration::from_secs(5),
            max_keys: 100_000,
        }
    }

    /// `key`'s aliases: from the cache while fresh, else loaded from the source (one load per
    /// key at a time; other callers for that key wait for it without blocking a thread).
    ///
    /// Fails only when the source failed and no good set was ever loaded for `key`: then
    /// there is nothing safe to serve (an empty set would silently send aliases to the
    /// upstream as real model names), and the gateway should answer with a 503.
    pub async fn get(&self, key: &[u8]) -> Result<Lookup<S::Error>, Arc<S::Error>> {
        let slot = self.slot(key).await;
        if let Some(state) = self.fresh(&slot) {
            return state.lookup();
        }
        let _loading = self.loads.lock(key).await;
        // The slot may have been evicted or invalidated while we waited, and whoever held the
        // lock before us may have just loaded it: look again.
        let slot = self.slot(key).await;
        if let Some(state) = self.fresh(&slot) {
            return state.lookup();
        }
        let previous = slot.state.load_full();
        let state = match self.source.load(key).await {
            Ok(aliases) => State {
                good: Some(aliases.map(Arc::new)),
                checked: Instant::now(),
                error: None,
            },
            Err(error) => State {
                good: previous.and_then(|p| p.good.clone()),
                checked: Instant::now(),
                error: Some(Arc::new(error)),
            },
        };
        let result = state.lookup();
        slot.state.store(Some(Arc::new(state)));
        result
    }

    /// `key`'s slot, made empty the first time (moka runs one maker per key).
    async fn slot(&self, key: &[u8]) -> Arc<Slot<S::Error>> {
        let empty = async {
            Arc::new(Slot {
                state: ArcSwapOption::empty(),
            })
        };
        self.slots.get_with_by_ref(key, empty).await
    }

    fn fresh(&self, slot: &Slot<S::Error>) -> Option<Arc<State<S::Error>>> {
        slot.state
            .load_full()
            .filter(|s| s.is_fresh(self.ttl, self.error_retry))
    }

    /// Replaces `key`'s aliases now (a gateway that knows of a change need not wait for the
    /// TTL). Waits for a load of that key in flight, if any, so that it cannot overwrite this.
    pub async fn insert(&self, key: &[u8], aliases: Option<AliasSet>) {
        let _loading = self.loads.lock(key).await;
        let slot = self.slot(key).await;
        slot.state.store(Some(Arc::new(State {
            good: Some(aliases.map(Arc::new)),
            checked: Instant::now(),
            error: None,
        })));
    }

    /// Forgets `key`: its next [`get`](AliasCache::get) loads from the source.
    pub async fn invalidate(&self, key: &[u8]) {
        self.slots.invalidate(key).await;
    }

    /// The number of keys held. Approximate while evictions are pending; see
    /// [`run_pending_tasks`](AliasCache::run_pending_tasks).
    pub fn len(&self) -> usize {
        usize::try_from(self.slots.entry_count()).unwrap_or(usize::MAX)
    }

    /// Whether no key is held (approximate, as [`len`](AliasCache::len)).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Applies pending evictions now. The cache does this itself as it is used; call it
    /// before reading [`len`](AliasCache::len) for a metric or a test.
    pub async fn run_pending_tasks(&self) {
        self.slots.run_pending_tasks().await;
    }

    /// The source.
    pub fn source(&self) -> &S {
        &self.source
    }
}

impl<S: Source + fmt::Debug> fmt::Debug for AliasCache<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AliasCache")
            .field("source", &self.source)
            .field("ttl", &self.ttl)
            .field("error_retry", &self.error_retry)
            .field("keys", &self.len())
            .finish()
    }
}

/// Settings for an [`AliasCache`]; made by [`AliasCache::builder`].
///
/// ```
/// # use model_alias::AliasSet;
/// # use model_alias::cache::Source;
/// # struct Db;
/// # impl Source for Db {
/// #     type Error = std::io::Error;
/// #     async fn load(&self, _: &[u8]) -> Result<Option<AliasSet>, std::io::Error> { Ok(None) }
/// # }
/// use std::time::Duration;
/// use model_alias::cache::AliasCache;
///
/// let cache = AliasCache::builder(Db)
///     .ttl(Duration::from_secs(30))
///     .error_retry(Duration::from_secs(2))
///     .max_keys(10_000)
///     .build();
/// assert!(cache.is_empty());
/// ```
#[derive(Debug)]
pub struct AliasCacheBuilder<S> {
    source: S,
    ttl: Duration,
    error_retry: Duration,
    max_keys: usize,
}

impl<S: Source> AliasCacheBuilder<S> {
    /// How long a loaded set is served before the next request reloads it (default 60 s).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// How long after a failed load the source is asked again (default 5 s). Meanwhile the
    /// last good set, if any, keeps serving.
    pub fn error_retry(mut self, error_retry: Duration) -> Self {
        self.error_retry = error_retry;
        self
    }

    /// The most keys held at once (default 100,000).
    pub fn max_keys(mut self, max_keys: usize) -> Self {
        self.max_keys = max_keys;
        self
    }

    /// The cache.
    pub fn build(self) -> AliasCache<S> {
        AliasCache {
            source: self.source,
            slots: moka::future::Cache::builder()
                .max_capacity(u64::try_from(self.max_keys).unwrap_or(u64::MAX))
                .build(),
            loads: Loads::default(),
            ttl: self.ttl,
            error_retry: self.error_retry,
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)] // Tests fail by panicking.
mod tests {
    use super::*;

    /// A source that yields to the runtime a few times before answering, so that other `get`s
    /// of the same key wait for its lock meanwhile; key `bad` fails.
    #[derive(Debug)]
    struct Slow;

    impl Source for Slow {
        type Error = std::fmt::Error;

        async fn load(&self, key: &[u8]) -> Result<Option<AliasSet>, std::fmt::Error> {
            for _ in 0..3 {
                tokio::task::yield_now().await;
            }
            if key == b"bad" {
                return Err(std::fmt::Error);
            }
            Ok(Some(
                AliasSet::new([("m", "model")]).map_err(|_| std::fmt::Error)?,
            ))
        }
    }

    fn load_locks<S: Source>(cache: &AliasCache<S>) -> usize {
        cache.loads.0.lock().map_or(usize::MAX, |map| map.len())
    }

    /// The load-lock map holds a key only
    /// while someone holds or awaits its lock, so it does not grow with every key ever loaded;
    /// the cache counts and prints the keys it holds; a lookup lists and prints its aliases.
    #[tokio::test(flavor = "current_thread")]
    async fn load_locks_go_and_the_cache_and_its_lookups_say_what_they_hold() {
        let cache = AliasCache::new(Slow);
        let (a, b, c, d) = tokio::join!(
            cache.get(b"k"),
            cache.get(b"k"),
            cache.get(b"j"),
            cache.get(b"bad")
        );
        assert!(b.is_ok() && c.is_ok() && d.is_err());
        assert_eq!(load_locks(&cache), 0);
        // What a lookup lists and prints (the doc-tests, which mutation runs leave out, read
        // these too).
        let lookup = a.expect("loads");
        let listed: Vec<(&str, &str)> = lookup.iter().map(|a| (a.name(), a.target())).collect();
        assert_eq!(listed, [("m", "model")]);
        let debug = format!("{lookup:?}");
        assert!(
            debug.starts_with("Lookup { aliases: Some(") && debug.ends_with("stale_error: None }"),
            "{debug}"
        );
        // The keys held: "k", "j" and "bad" (a failed first load is held, to be retried).
        cache.run_pending_tasks().await;
        assert_eq!((cache.len(), cache.is_empty()), (3, false));
        assert_eq!(
            format!("{cache:?}"),
            "AliasCache { source: Slow, ttl: 60s, error_retry: 5s, keys: 3 }"
        );
        let fresh = AliasCache::new(Slow);
        assert_eq!((fresh.len(), fresh.is_empty()), (0, true));
        cache.insert(b"i", None).await;
        cache.invalidate(b"k").await;
        assert!(cache.get(b"k").await.is_ok());
        assert_eq!(load_locks(&cache), 0);
    }
}
