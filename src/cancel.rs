//! Cancellation: a way out of a blocking call from another thread.
//!
//! A [`CancelToken`] is cheap to clone (clones share one flag) and `Send + Sync`. Once
//! [`CancelToken::cancel`] is called, every wait of a call that watches the token (backoff,
//! `Retry-After`, the shared pause window, the client-side rate limit, the poll interval of a
//! sync wait) wakes at once, no new request starts, and the call fails with
//! [`Error::Cancelled`](crate::Error::Cancelled). A request already on the wire is not cut: it ends
//! with its answer or its timeout (which inside a bounded call is clipped to the time left).
//!
//! Calls watch a token when it is given to [`Client::with_cancel`](crate::Client::with_cancel)
//! (every call, list walk and wait of that handle), to
//! [`WaitOptions::cancel`](crate::sync::WaitOptions::cancel), to
//! [`RetryOptions::cancel`](crate::retry::RetryOptions::cancel) or to
//! [`List::cancel_token`](crate::List::cancel_token).

use crate::lock::lock;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};

/// A cancellation flag shared by its clones; see the [module docs](self).
///
/// ```
/// use fivetrex::CancelToken;
/// use std::time::{Duration, Instant};
/// let token = CancelToken::new();
/// let remote = token.clone();
/// std::thread::spawn(move || {
///     std::thread::sleep(Duration::from_millis(20));
///     remote.cancel();
/// });
/// let t = Instant::now();
/// assert!(token.wait_timeout(Duration::from_secs(60)), "woken by the cancel");
/// assert!(t.elapsed() < Duration::from_secs(30));
/// assert!(token.is_cancelled());
/// ```
#[derive(Clone, Default)]
pub struct CancelToken {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    cancelled: AtomicBool,
    /// Tokens that are cancelled with this one (see [`CancelToken::either`]).
    children: Mutex<Vec<Weak<Inner>>>,
    wake: Condvar,
}

impl fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelToken").field("cancelled", &self.is_cancelled()).finish()
    }
}

impl CancelToken {
    /// A token that is not cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every call watching this token (or a clone of it). Idempotent.
    pub fn cancel(&self) {
        cancel_inner(&self.inner);
    }

    /// Whether [`CancelToken::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::SeqCst)
    }

    /// Blocks for `d` or until the token is cancelled, whichever comes first; returns whether it
    /// is cancelled.
    pub fn wait_timeout(&self, d: Duration) -> bool {
        let end = Instant::now().checked_add(d);
        let mut guard = lock(&self.inner.children);
        loop {
            if self.is_cancelled() {
                return true;
            }
            let left = match end {
                Some(end) => end.saturating_duration_since(Instant::now()),
                // Longer than an `Instant` can hold: wait in long slices.
                None => Duration::from_secs(86_400),
            };
            if left.is_zero() {
                return false;
            }
            guard = self.inner.wake.wait_timeout(guard, left).unwrap_or_else(|p| p.into_inner()).0;
        }
    }

    /// A token cancelled when either `a` or `b` is (or when cancelled itself).
    pub(crate) fn either(a: &CancelToken, b: &CancelToken) -> CancelToken {
        let child = CancelToken::new();
        for parent in [a, b] {
            let mut children = lock(&parent.inner.children);
            children.retain(|w| w.strong_count() > 0);
            children.push(Arc::downgrade(&child.inner));
        }
        if a.is_cancelled() || b.is_cancelled() {
            child.cancel();
        }
        child
    }
}

fn cancel_inner(inner: &Arc<Inner>) {
    let children = {
        let mut guard = lock(&inner.children);
        inner.cancelled.store(true, Ordering::SeqCst);
        inner.wake.notify_all();
        std::mem::take(&mut *guard)
    };
    for child in children.iter().filter_map(Weak::upgrade) {
        cancel_inner(&child);
    }
}

/// Combines two optional tokens into one that trips with either.
pub(crate) fn merge(a: Option<&CancelToken>, b: Option<&CancelToken>) -> Option<CancelToken> {
    match (a, b) {
        (Some(a), Some(b)) if Arc::ptr_eq(&a.inner, &b.inner) => Some(a.clone()),
        (Some(a), Some(b)) => Some(CancelToken::either(a, b)),
        (Some(t), None) | (None, Some(t)) => Some(t.clone()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn either_trips_with_each_parent_and_not_the_other_way() {
        let (a, b) = (CancelToken::new(), CancelToken::new());
        let c = CancelToken::either(&a, &b);
        assert!(!c.is_cancelled());
        b.cancel();
        assert!(c.is_cancelled() && !a.is_cancelled());
        let d = CancelToken::either(&a, &CancelToken::new());
        d.cancel();
        assert!(!a.is_cancelled());
        let e = CancelToken::either(&b, &a);
        assert!(e.is_cancelled(), "a parent already cancelled");
    }

    #[test]
    fn a_wait_ends_at_its_timeout_when_nobody_cancels() {
        let t = Instant::now();
        assert!(!CancelToken::new().wait_timeout(Duration::from_millis(5)));
        assert!(t.elapsed() >= Duration::from_millis(5));
        assert!(!CancelToken::new().wait_timeout(Duration::MAX.saturating_sub(Duration::MAX)));
    }
}
