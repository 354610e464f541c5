//! A global allocator that counts, for the test and the bench that measure what allocates.
//!
//! It passes every call through to [`System`] and keeps three counts: the bytes live in the
//! whole process (for the memory bench, which runs on one thread), the allocations made by the
//! current thread (for the allocation test, whose sibling tests run on other threads), and the
//! current thread's live bytes with their high-water mark (for the bounded-memory tests).
//! The `unsafe` here is the allocator interface itself, outside the library, which forbids it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, Ordering};

/// Install with `#[global_allocator] static ALLOC: Counting = Counting;`.
pub struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    static THREAD_LIVE: Cell<isize> = const { Cell::new(0) };
    static THREAD_PEAK: Cell<isize> = const { Cell::new(0) };
}

/// Bytes allocated and not yet freed, by every thread.
pub fn live_bytes() -> isize {
    LIVE.load(Ordering::SeqCst)
}

/// Allocations (and reallocations) made so far by the calling thread.
pub fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

/// Runs `f` and returns, with its result, the most bytes the calling thread had allocated
/// beyond what it held when `f` started (what `f` needed at its peak, freed or not).
pub fn peak_bytes<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let start = THREAD_LIVE.with(Cell::get);
    THREAD_PEAK.with(|p| p.set(start));
    let out = f();
    let peak = THREAD_PEAK.with(Cell::get) - start;
    (out, usize::try_from(peak).unwrap_or(0))
}

fn note(grown: isize) {
    LIVE.fetch_add(grown, Ordering::SeqCst);
    // `try_with`: the thread's counters may already be gone while the thread is torn down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    track(grown);
}

fn track(grown: isize) {
    let _ = THREAD_LIVE.try_with(|live| {
        live.set(live.get() + grown);
        let _ = THREAD_PEAK.try_with(|peak| peak.set(peak.get().max(live.get())));
    });
}

fn signed(n: usize) -> isize {
    isize::try_from(n).unwrap_or(isize::MAX)
}

// SAFETY: every method forwards its arguments unchanged to `System`, which upholds the
// `GlobalAlloc` contract; the counting touches only an atomic and a const-initialised
// thread-local, neither of which allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(signed(layout.size()));
        // SAFETY: the caller upholds `alloc`'s contract, which is `System.alloc`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(signed(layout.size()));
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(signed(layout.size()), Ordering::SeqCst);
        track(-signed(layout.size()));
        // SAFETY: `ptr` was allocated by `System` with `layout`, as the caller guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(signed(new_size) - signed(layout.size()));
        // SAFETY: as for `dealloc`, and `new_size` meets `realloc`'s contract per the caller.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
