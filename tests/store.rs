//! Live updates: readers of an `AliasStore` see whole published versions while a writer
//! replaces them, and (feature `cache`) an `AliasCache` loads once per key, serves stale
//! sets when its source fails, and never blocks the runtime.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use model_alias::{AliasSet, AliasStore, AliasTable, MatchKind, Resolve, Rule};

const KEYS: u64 = 64;
const VERSIONS: u64 = 400;

/// Version `v`: every key has three aliases whose targets all name `v`, and `v % 7` extra
/// ones, so that consecutive tables differ in size and layout, not only in content.
fn version(v: u64) -> AliasTable {
    let sets = (0..KEYS).map(|k| {
        let mut rows = vec![
            ("a".to_string(), format!("v{v}/k{k}/a"), MatchKind::Exact),
            ("b".to_string(), format!("v{v}/k{k}/b"), MatchKind::Prefix),
            ("c".to_string(), format!("v{v}/k{k}/c"), MatchKind::Exact),
        ];
        for extra in 0..v % 7 {
            rows.push((format!("x{extra}"), format!("v{v}/x"), MatchKind::Exact));
        }
        (k.to_be_bytes(), AliasSet::new(rows).expect("valid"))
    });
    let sets: Vec<_> = sets.collect();
    AliasTable::new(sets.iter().map(|(k, s)| (k, s))).expect("distinct keys")
}

/// The version a target was published in: `v{version}/...`.
fn version_of(target: &str) -> u64 {
    target[1..target.find('/').expect("slash")]
        .parse()
        .expect("number")
}

#[test]
fn readers_never_see_a_torn_or_older_snapshot() {
    let store = Arc::new(AliasStore::new(version(0)));
    let published = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..4)
        .map(|r| {
            let (store, published, done) = (store.clone(), published.clone(), done.clone());
            std::thread::spawn(move || {
                let (mut last, mut reads) = (0, 0u64);
                while !done.load(Ordering::SeqCst) || reads < 1_000 {
                    let floor = published.load(Ordering::SeqCst);
                    let snapshot = store.load();
                    let key = (reads * 7 + r) % KEYS;
                    let k = key.to_be_bytes();
                    let got: Vec<u64> = ["a", "b-suffix", "c"]
                        .iter()
                        .map(|m| {
                            let key_aliases = snapshot.get(k);
                            let res = key_aliases.resolve(m);
                            assert_ne!(res.rule(), Rule::Passthrough, "{m} for key {key}");
                            assert!(
                                res.model().head().contains(&format!("/k{key}/")),
                                "{}",
                                res.model()
                            );
                            version_of(res.model().head())
                        })
                        .collect();
                    // One snapshot, one version: never parts of two.
                    assert!(got.iter().all(|v| *v == got[0]), "torn read: {got:?}");
                    // Never older than what was published before the load, never going back.
                    assert!(
                        got[0] >= floor,
                        "saw v{} after v{floor} was published",
                        got[0]
                    );
                    assert!(got[0] >= last, "went back from v{last} to v{}", got[0]);
                    last = got[0];
                    reads += 1;
                }
                // Everything was published before `done`: the next load sees the last version.
                let now = version_of(
                    store
                        .load()
                        .get(0u64.to_be_bytes())
                        .resolve("a")
                        .model()
                        .head(),
                );
                assert!(now >= last);
                (now, reads)
            })
        })
        .collect();
    let tables: Vec<AliasTable> = (1..=VERSIONS).map(version).collect();
    for (v, table) in (1..=VERSIONS).zip(tables) {
        let old = store.publish(table);
        assert_eq!(
            old.get(0u64.to_be_bytes()).resolve("a").model(),
            format!("v{}/k0/a", v - 1)
        );
        published.store(v, Ordering::SeqCst);
        if v % 50 == 0 {
            std::thread::yield_now();
        }
    }
    done.store(true, Ordering::SeqCst);
    for reader in readers {
        let (last, reads) = reader.join().expect("a reader panicked");
        assert_eq!(last, VERSIONS, "after {reads} reads");
    }
}

#[test]
fn a_snapshot_outlives_its_replacement() {
    let store = AliasStore::new(version(1));
    let held = store.load().into_arc();
    store.publish(version(2));
    assert_eq!(held.get(3u64.to_be_bytes()).resolve("a").model(), "v1/k3/a");
    assert_eq!(
        store
            .load_full()
            .get(3u64.to_be_bytes())
            .resolve("a")
            .model(),
        "v2/k3/a"
    );
    let store: AliasStore<AliasSet> = AliasStore::default();
    assert_eq!(store.load().resolve("a").rule(), Rule::Passthrough);
    // Both print what they hold (mutation testing found this unchecked).
    let store = AliasStore::new(7u8);
    assert_eq!(format!("{store:?}"), "AliasStore { current: 7 }");
    assert_eq!(format!("{:?}", store.load()), "Snapshot(7)");
}

#[cfg(feature = "cache")]
mod cache {
    use super::*;
    use std::time::Duration;

    use model_alias::cache::{AliasCache, Source};
    use std::sync::atomic::AtomicUsize;
    use tokio::sync::Semaphore;

    #[derive(Debug, thiserror::Error)]
    #[error("database unavailable")]
    struct Down;

    /// A source that counts its loads, can be made to fail, and can hold loads of key `slow`
    /// until permits are added to `gate`.
    struct Db {
        calls: AtomicUsize,
        failing: AtomicBool,
        generation: AtomicUsize,
        gate: Semaphore,
    }

    impl Db {
        fn new() -> Db {
            Db {
                calls: AtomicUsize::new(0),
                failing: AtomicBool::new(false),
                generation: AtomicUsize::new(1),
                gate: Semaphore::new(0),
            }
        }
        fn calls(&self) -> usize {
            self.calls.load(Ordering::SeqCst)
        }
    }

    impl Source for Db {
        type Error = Down;

        async fn load(&self, key: &[u8]) -> Result<Option<AliasSet>, Down> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if key == b"slow" {
                let _permit = self.gate.acquire().await.expect("open");
            }
            if self.failing.load(Ordering::SeqCst) {
                return Err(Down);
            }
            if key == b"nobody" {
                return Ok(None);
            }
            let g = self.generation.load(Ordering::SeqCst);
            Ok(Some(
                AliasSet::new([("m", format!("gen-{g}"))]).expect("valid"),
            ))
        }
    }

    fn model(lookup: &model_alias::cache::Lookup<Down>) -> String {
        lookup.resolve("m").model().to_string()
    }

    /// Current-thread runtime: if a waiting `get` blocked the thread, nothing else could run
    /// and the timeout below would fire.
    #[tokio::test(flavor = "current_thread")]
    async fn one_load_in_flight_per_key_and_the_runtime_keeps_running() {
        let cache = Arc::new(AliasCache::new(Db::new()));
        let waiters: Vec<_> = (0..20)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move { cache.get(b"slow").await.map(|l| l.set().cloned()) })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(
            cache.source().calls(),
            1,
            "one load, the others wait for it"
        );
        // Another key is served while "slow" is stuck.
        let other = tokio::time::timeout(Duration::from_secs(5), cache.get(b"fast"))
            .await
            .expect("not blocked by another key's load")
            .expect("loads");
        assert_eq!(model(&other), "gen-1");
        cache.source().gate.add_permits(100);
        let sets: Vec<Arc<AliasSet>> = futures_join(waiters).await;
        assert!(
            sets.iter().all(|s| Arc::ptr_eq(s, &sets[0])),
            "all share one load"
        );
        assert_eq!(cache.source().calls(), 2);
    }

    type Waiter = tokio::task::JoinHandle<Result<Option<Arc<AliasSet>>, Arc<Down>>>;

    async fn futures_join(handles: Vec<Waiter>) -> Vec<Arc<AliasSet>> {
        let mut out = Vec::new();
        for h in handles {
            let set = tokio::time::timeout(Duration::from_secs(10), h)
                .await
                .expect("no waiter hangs")
                .expect("no panic")
                .expect("loaded");
            out.push(set.expect("has aliases"));
        }
        out
    }

    #[tokio::test]
    async fn a_failing_source_keeps_the_last_good_set_serving() {
        let cache = AliasCache::builder(Db::new())
            .ttl(Duration::ZERO)
            .error_retry(Duration::ZERO)
            .build();
        let first = cache.get(b"k").await.expect("loads");
        assert_eq!(
            (model(&first), first.stale_error().is_none()),
            ("gen-1".into(), true)
        );

        cache.source().failing.store(true, Ordering::SeqCst);
        cache.source().generation.store(2, Ordering::SeqCst);
        for _ in 0..3 {
            let stale = cache.get(b"k").await.expect("stale, not an error");
            assert_eq!(model(&stale), "gen-1", "never an empty set");
            assert_eq!(
                stale.stale_error().map(|e| e.to_string()),
                Some("database unavailable".into())
            );
        }
        assert_eq!(
            cache.source().calls(),
            4,
            "every reload was tried (ttl and retry are zero)"
        );

        cache.source().failing.store(false, Ordering::SeqCst);
        let fresh = cache.get(b"k").await.expect("loads");
        assert_eq!(
            (model(&fresh), fresh.stale_error().is_none()),
            ("gen-2".into(), true)
        );
    }

    #[tokio::test]
    async fn a_first_load_that_fails_is_an_error_and_is_retried_later() {
        let cache = AliasCache::builder(Db::new())
            .error_retry(Duration::from_secs(3600))
            .build();
        cache.source().failing.store(true, Ordering::SeqCst);
        let err = cache.get(b"k").await.expect_err("nothing good to serve");
        assert_eq!(err.to_string(), "database unavailable");
        cache.source().failing.store(false, Ordering::SeqCst);
        // Within the retry delay the source is left alone.
        assert!(cache.get(b"k").await.is_err());
        assert_eq!(cache.source().calls(), 1);
        cache.invalidate(b"k").await;
        assert_eq!(model(&cache.get(b"k").await.expect("loads")), "gen-1");
    }

    #[tokio::test]
    async fn fresh_sets_come_from_the_cache_until_the_ttl() {
        let cache = AliasCache::new(Db::new());
        for _ in 0..5 {
            assert_eq!(model(&cache.get(b"k").await.expect("loads")), "gen-1");
        }
        assert_eq!(cache.source().calls(), 1);
        let nobody = cache.get(b"nobody").await.expect("loads");
        assert!(nobody.set().is_none());
        assert_eq!(nobody.iter().count(), 0);
        assert_eq!(nobody.resolve("m").rule(), Rule::Passthrough);
        let pushed = AliasSet::new([("m", "pushed")]).expect("valid");
        cache.insert(b"k", Some(pushed)).await;
        assert_eq!(model(&cache.get(b"k").await.expect("cached")), "pushed");
        assert_eq!(cache.source().calls(), 2);

        let expiring = AliasCache::builder(Db::new())
            .ttl(Duration::from_millis(1))
            .build();
        expiring.get(b"k").await.expect("loads");
        tokio::time::sleep(Duration::from_millis(20)).await;
        expiring.get(b"k").await.expect("reloads");
        assert_eq!(expiring.source().calls(), 2);
    }

    #[tokio::test]
    async fn the_cache_is_bounded() {
        let cache = AliasCache::builder(Db::new()).max_keys(10).build();
        for k in 0..1_000u32 {
            cache.get(&k.to_be_bytes()).await.expect("loads");
        }
        cache.run_pending_tasks().await;
        assert!(cache.len() <= 10, "{} keys held", cache.len());
    }

    /// A source that counts, per key, the loads in flight at once, and the most it saw.
    #[derive(Default)]
    struct Counting {
        in_flight: std::sync::Mutex<std::collections::HashMap<Vec<u8>, usize>>,
        most: AtomicUsize,
        loads: AtomicUsize,
    }

    impl Source for Counting {
        type Error = Down;

        async fn load(&self, key: &[u8]) -> Result<Option<AliasSet>, Down> {
            let now = {
                let mut map = self.in_flight.lock().unwrap();
                let n = map.entry(key.to_vec()).or_default();
                *n += 1;
                *n
            };
            self.most.fetch_max(now, Ordering::SeqCst);
            self.loads.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(5)).await;
            *self
                .in_flight
                .lock()
                .unwrap()
                .get_mut(key)
                .expect("counted") -= 1;
            Ok(Some(AliasSet::new([("m", "x/y")]).expect("valid")))
        }
    }

    /// "At most one load per key in flight" held even while the key is invalidated
    /// or evicted during a load (a new slot used to bring a new lock, and a second load).
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn one_load_in_flight_per_key_through_invalidation_and_eviction() {
        let cache = Arc::new(
            AliasCache::builder(Counting::default())
                .ttl(Duration::from_millis(1))
                .max_keys(2)
                .build(),
        );
        let mut tasks = Vec::new();
        for t in 0..24u8 {
            let cache = cache.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..40u8 {
                    let key = [t % 3, i % 2];
                    cache.get(&key).await.expect("loads");
                    if (t + i) % 5 == 0 {
                        cache.invalidate(&key).await;
                    }
                    if (t + i) % 7 == 0 {
                        cache.run_pending_tasks().await;
                    }
                }
            }));
        }
        for task in tasks {
            task.await.expect("no panic");
        }
        let source = cache.source();
        assert!(
            source.loads.load(Ordering::SeqCst) > 6,
            "the keys were loaded and reloaded"
        );
        assert_eq!(
            source.most.load(Ordering::SeqCst),
            1,
            "two loads of one key ran at once"
        );
    }
}
