//! One client-side rate for all of discovery's concurrent portal calls: calls start at most
//! `rate` per second, spaced evenly; every success raises the rate a little (about one
//! request per second per second), a throttled answer (HTTP 429) cuts it by a quarter,
//! once per wave (calls already under way when it was cut do not cut it again). So the
//! calls settle just under what the portal allows instead of each backing off alone and
//! hitting the limit again. Pure: time comes in as an argument.

use std::time::Duration;

/// How the pace starts and where it may go.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PaceLimits {
    /// Requests per second at the start (AWS documents about 20 for the portal).
    pub(crate) start: f64,
    pub(crate) min: f64,
    pub(crate) max: f64,
}

impl Default for PaceLimits {
    fn default() -> Self {
        PaceLimits { start: 20.0, min: 1.0, max: 100.0 }
    }
}

/// Multiplied into the rate on a throttled answer.
const DECREASE: f64 = 0.75;

#[derive(Debug)]
pub(crate) struct Pace {
    limits: PaceLimits,
    rate: f64,
    /// The earliest start of the next call, on the caller's monotonic clock.
    next: Duration,
    /// When the rate was last cut: a throttle for a call that started before it is the same
    /// wave and does not cut again.
    cut_at: Option<Duration>,
}

impl Pace {
    pub(crate) fn new(limits: PaceLimits) -> Pace {
        Pace { limits, rate: limits.start, next: Duration::ZERO, cut_at: None }
    }

    /// The current calls per second (for tests).
    #[cfg(test)]
    pub(crate) fn rate(&self) -> f64 {
        self.rate
    }

    /// Books the next start for a call asked for at `now`: returns when it may start.
    pub(crate) fn book(&mut self, now: Duration) -> Duration {
        let start = self.next.max(now);
        self.next = start + Duration::from_secs_f64(1.0 / self.rate);
        start
    }

    /// A call went through: a little faster (+1/rate per call is about +1 per second each second).
    pub(crate) fn succeeded(&mut self) {
        self.rate = (self.rate + 1.0 / self.rate).min(self.limits.max);
    }

    /// A call that started at `started` was throttled at `now`: slower, and the next start
    /// waits one new interval, unless this wave already cut the rate.
    pub(crate) fn throttled(&mut self, started: Duration, now: Duration) {
        if self.cut_at.is_some_and(|cut| started < cut) {
            return;
        }
        self.rate = (self.rate * DECREASE).max(self.limits.min);
        self.cut_at = Some(now);
        self.next = self.next.max(now + Duration::from_secs_f64(1.0 / self.rate));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn calls_are_spaced_by_the_rate_and_never_start_in_the_past() {
        let mut pace = Pace::new(PaceLimits { start: 10.0, min: 1.0, max: 100.0 });
        assert_eq!([pace.book(ms(0)), pace.book(ms(0)), pace.book(ms(0))], [ms(0), ms(100), ms(200)]);
        assert_eq!(pace.book(ms(1000)), ms(1000), "an idle pace does not bank a burst");
    }

    #[test]
    fn a_throttle_cuts_once_per_wave_and_successes_climb_back() {
        let mut pace = Pace::new(PaceLimits { start: 20.0, min: 1.0, max: 100.0 });
        let started = pace.book(ms(0));
        pace.throttled(started, ms(50));
        assert_eq!(pace.rate(), 15.0);
        // Calls of the same wave (started before the cut) do not cut again; a later one does.
        pace.throttled(ms(10), ms(60));
        assert_eq!(pace.rate(), 15.0);
        assert!(pace.book(ms(60)) >= ms(50) + Duration::from_secs_f64(1.0 / 15.0));
        pace.throttled(ms(55), ms(120));
        assert_eq!(pace.rate(), 11.25);
        for _ in 0..50 {
            pace.succeeded();
        }
        assert!(pace.rate() > 14.0 && pace.rate() < 16.0, "{}", pace.rate());
        let mut floor = Pace::new(PaceLimits { start: 1.0, min: 1.0, max: 2.0 });
        floor.throttled(ms(0), ms(0));
        assert_eq!(floor.rate(), 1.0, "never below the minimum");
    }
}
