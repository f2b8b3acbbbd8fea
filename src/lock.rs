//! Locking that survives a poisoned mutex.

use std::sync::{Mutex, MutexGuard};

/// Locks `m`, taking the data even if another thread panicked while holding it: every mutex in this
/// crate guards state that stays consistent between statements (counters, maps, queues), so a
/// panic elsewhere must not turn into a second panic here, least of all across the C ABI.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
