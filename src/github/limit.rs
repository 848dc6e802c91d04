//! How many requests to GitHub are in flight at once: at most a few, as
//! GitHub asks of integrators (no large bursts of concurrent requests; its
//! secondary rate limits count them). Threads wait here for a free slot.

use std::sync::{Arc, Condvar, Mutex};

/// A counting semaphore shared by the client's requests.
#[derive(Clone)]
pub struct Limit {
    inner: Arc<(Mutex<usize>, Condvar)>,
    most: usize,
}

/// A slot taken; dropping it frees the slot.
pub struct Slot {
    inner: Arc<(Mutex<usize>, Condvar)>,
}

impl Limit {
    /// At most `most` slots taken at once (at least one).
    pub fn new(most: usize) -> Self {
        Limit {
            inner: Arc::new((Mutex::new(0), Condvar::new())),
            most: most.max(1),
        }
    }

    /// Waits for a free slot and takes it.
    pub fn take(&self) -> Slot {
        let (taken, freed) = &*self.inner;
        let mut taken = taken.lock().unwrap_or_else(|e| e.into_inner());
        while *taken >= self.most {
            taken = freed.wait(taken).unwrap_or_else(|e| e.into_inner());
        }
        *taken += 1;
        Slot {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let (taken, freed) = &*self.inner;
        let mut taken = taken.lock().unwrap_or_else(|e| e.into_inner());
        *taken -= 1;
        freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Barrier;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn never_more_than_the_limit_at_once() {
        let limit = Limit::new(3);
        let now = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let start = Barrier::new(12);
        std::thread::scope(|scope| {
            for _ in 0..12 {
                scope.spawn(|| {
                    start.wait();
                    for _ in 0..50 {
                        let _slot = limit.take();
                        let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(n, Ordering::SeqCst);
                        std::thread::yield_now();
                        now.fetch_sub(1, Ordering::SeqCst);
                    }
                });
            }
        });
        assert!(most.load(Ordering::SeqCst) <= 3);
        assert_eq!(now.load(Ordering::SeqCst), 0);
    }
}
