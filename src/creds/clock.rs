//! Time, injected: the engine asks a `Clock`, so tests can move it.

#[cfg(any(test, feature = "test-util"))]
use std::sync::Mutex;

use time::OffsetDateTime;

/// Where the engine gets the time: the system clock in a real run, a `FixedClock` in tests.
pub trait Clock: Send + Sync {
    /// The current time, in UTC.
    fn now(&self) -> OffsetDateTime;
}

pub(crate) struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still until told to move: a test double, built for awsw's own tests
/// and, through the `test-util` feature, for the integration tests; not in a release build.
#[cfg(any(test, feature = "test-util"))]
pub struct FixedClock(Mutex<OffsetDateTime>);

#[cfg(any(test, feature = "test-util"))]
impl FixedClock {
    /// A clock that reads `at` until advanced.
    pub fn new(at: OffsetDateTime) -> Self {
        FixedClock(Mutex::new(at))
    }

    /// Moves the clock forward by `by` (backward when negative).
    pub fn advance(&self, by: time::Duration) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

#[cfg(any(test, feature = "test-util"))]
impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}
