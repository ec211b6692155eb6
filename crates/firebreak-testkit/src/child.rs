//! A child process that cannot outlive its test.
//!
//! A failed assertion unwinds past the code that would have stopped a hub or a client
//! started by the test; without this guard they keep running (and keep their ports and
//! files) after the test is over. Dropping the guard sends SIGKILL and reaps the child.

use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

/// Owns a running child; kills and waits for it on drop.
#[derive(Debug)]
pub struct ChildGuard {
    child: Child,
}

impl ChildGuard {
    pub fn new(child: Child) -> ChildGuard {
        ChildGuard { child }
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }

    pub fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }

    /// SIGKILL (no clean-up in the child), then reap it. Returns its exit status, or
    /// `None` when it had already been reaped.
    pub fn kill(&mut self) -> Option<ExitStatus> {
        // An error means it has already exited: waiting below still reaps it.
        let _ = self.child.kill();
        self.child.wait().ok()
    }

    /// Whether it has exited, without waiting.
    pub fn try_wait(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Waits for it to exit by itself, for at most `timeout`; `None` if it is still
    /// running then (it keeps running: the caller decides).
    pub fn wait_timeout(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        self.kill();
    }
}
