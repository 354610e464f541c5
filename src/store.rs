//! [`AliasStore`]: the current snapshot of a gateway's aliases, read by every request thread
//! without a lock and replaced whole by a writer.
//!
//! Invariants: a reader sees exactly one published snapshot, never a mix of two; publishing
//! never waits for readers and reading never waits for a writer (both go through
//! [`arc_swap::ArcSwap`]); an old snapshot is freed when its last reader lets go of it.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use arc_swap::{ArcSwap, Guard};

use crate::AliasTable;

/// A shared, atomically replaceable snapshot: an [`AliasTable`] by default, or whatever the
/// gateway keeps its aliases in (a `HashMap<KeyId, Arc<AliasSet>>`, one `AliasSet`).
///
/// Readers call [`load`](AliasStore::load) per request; a writer (a reload task, an admin
/// endpoint) calls [`publish`](AliasStore::publish) with a whole new snapshot. Share the
/// store itself through an `Arc` or a `static`.
///
/// ```
/// use std::sync::Arc;
/// use model_alias::{AliasStore, AliasTable, Resolve};
///
/// let v1 = AliasTable::new([("team-a", [("fast", "deepseek/deepseek-chat")])])?;
/// let store = Arc::new(AliasStore::new(v1));
///
/// // A request thread: one snapshot for the whole request.
/// let snapshot = store.load();
/// assert_eq!(snapshot.get("team-a").resolve("fast").model(), "deepseek/deepseek-chat");
///
/// // A writer swaps in a new table; the reader above keeps the one it loaded.
/// let v2 = AliasTable::new([("team-a", [("fast", "openai/gpt-4o-mini")])])?;
/// store.publish(v2);
/// assert_eq!(snapshot.get("team-a").resolve("fast").model(), "deepseek/deepseek-chat");
/// assert_eq!(store.load().get("team-a").resolve("fast").model(), "openai/gpt-4o-mini");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Costs
/// [`load`](AliasStore::load) is a few atomic operations on a per-thread slot, no lock and no
/// allocation (a thread holding many snapshots at once falls back to an `Arc` clone).
/// [`publish`](AliasStore::publish) is one allocation (the `Arc`) and waits for no reader;
/// the old snapshot is dropped by whoever releases it last.
pub struct AliasStore<T = AliasTable> {
    current: ArcSwap<T>,
}

impl<T> AliasStore<T> {
    /// A store holding `initial`.
    pub fn new(initial: T) -> AliasStore<T> {
        AliasStore {
            current: ArcSwap::from_pointee(initial),
        }
    }

    /// The current snapshot, for the length of one request. Hold it briefly: it keeps that
    /// version alive; for a long-lived copy use [`load_full`](AliasStore::load_full).
    #[inline]
    pub fn load(&self) -> Snapshot<T> {
        Snapshot(self.current.load())
    }

    /// The current snapshot as an owned `Arc` (one reference count increment).
    pub fn load_full(&self) -> Arc<T> {
        self.current.load_full()
    }

    /// Makes `next` the current snapshot and returns the one it replaces. Readers that
    /// already loaded the old one keep it until they drop it.
    pub fn publish(&self, next: T) -> Arc<T> {
        self.current.swap(Arc::new(next))
    }

    /// [`publish`](AliasStore::publish) for a snapshot that is already shared.
    pub fn publish_arc(&self, next: Arc<T>) -> Arc<T> {
        self.current.swap(next)
    }
}

impl<T: Default> Default for AliasStore<T> {
    fn default() -> AliasStore<T> {
        AliasStore::new(T::default())
    }
}

impl<T: fmt::Debug> fmt::Debug for AliasStore<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AliasStore")
            .field("current", &**self.current.load())
            .finish()
    }
}

/// One version of an [`AliasStore`]'s contents, borrowed for a request: dereferences to it.
///
/// ```
/// use std::sync::Arc;
/// use model_alias::{AliasSet, AliasStore};
/// use model_alias::store::Snapshot;
///
/// let store = AliasStore::new(AliasSet::new([("fast", "deepseek/deepseek-chat")])?);
/// let snapshot: Snapshot<AliasSet> = store.load();
/// assert_eq!(snapshot.resolve("fast").model(), "deepseek/deepseek-chat");
/// // Kept past the request, it is an `Arc` of that version.
/// let kept: Arc<AliasSet> = snapshot.into_arc();
/// assert_eq!(kept.len(), 1);
/// # Ok::<(), model_alias::SetError>(())
/// ```
///
/// Costs: a few atomic operations to take and to drop; holding it keeps that version alive.
pub struct Snapshot<T>(Guard<Arc<T>>);

impl<T> Deref for Snapshot<T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Snapshot<T> {
    /// The snapshot as an owned `Arc`, to keep past the request.
    pub fn into_arc(self) -> Arc<T> {
        Guard::into_inner(self.0)
    }
}

impl<T: fmt::Debug> fmt::Debug for Snapshot<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Snapshot").field(&**self).finish()
    }
}
