//! Ctrl-C and SIGTERM. The handler only records the interruption and asks the
//! running git processes to stop; the run notices, cleans up what it made or
//! keeps what is resumable, and says which. No git process starts after an
//! interruption, except to clean up.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static CHILDREN: Mutex<Vec<Arc<duct::Handle>>> = Mutex::new(Vec::new());

/// Installs the handler for SIGINT and SIGTERM.
pub fn install() {
    // Failing to install (a handler already set) only loses graceful cleanup.
    let _ = ctrlc::set_handler(|| {
        let children = CHILDREN.lock().unwrap_or_else(|e| e.into_inner());
        INTERRUPTED.store(true, Ordering::SeqCst);
        for child in children.iter() {
            stop(child);
        }
    });
}

/// Whether the run was interrupted.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Whether the run is interrupted, waiting up to `grace` for the handler to
/// say so: a terminal read that Ctrl-C cut short may end before the handler
/// has run.
pub fn interrupted_within(grace: Duration) -> bool {
    let deadline = std::time::Instant::now() + grace;
    while !interrupted() {
        if std::time::Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    true
}

/// Asks a child to stop with SIGTERM, so git removes its lock files.
fn stop(child: &duct::Handle) {
    #[cfg(unix)]
    for pid in child.pids() {
        if let Ok(pid) = i32::try_from(pid) {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGTERM);
        }
    }
    #[cfg(not(unix))]
    let _ = child.kill();
}

/// Starts `expr`, unless the run was interrupted and this is not cleanup.
/// The child is stopped if an interruption comes while it runs.
pub fn start(expr: &duct::Expression, cleanup: bool) -> std::io::Result<Option<Arc<duct::Handle>>> {
    let mut children = CHILDREN.lock().unwrap_or_else(|e| e.into_inner());
    if interrupted() && !cleanup {
        return Ok(None);
    }
    let handle = Arc::new(expr.start()?);
    children.push(Arc::clone(&handle));
    Ok(Some(handle))
}

/// Forgets a child that has exited.
pub fn finished(handle: &Arc<duct::Handle>) {
    let mut children = CHILDREN.lock().unwrap_or_else(|e| e.into_inner());
    children.retain(|c| !Arc::ptr_eq(c, handle));
}

/// Runs blocking `work` (an HTTP request, a terminal prompt) on its own
/// thread and waits for it; `None` when the run is interrupted first.
pub fn interruptible<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    if interrupted() {
        return None;
    }
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(work());
    });
    loop {
        match receiver.recv_timeout(Duration::from_millis(50)) {
            Ok(value) => return Some(value),
            Err(mpsc::RecvTimeoutError::Timeout) if interrupted() => return None,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return None,
        }
    }
}

/// Waits for a scoped thread (a download, a check); a panic there is a bug,
/// passed on as one.
pub fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}
