//! How often and how recently each profile was used, so the ones a user lives in come first.
//! Pure: the file it is kept in is read and written by `runtime::recent`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// The recent-use record: what `frecency.json` holds and the picker's default order ranks by.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Frecency {
    /// Profile name to (times used, last use as a Unix time).
    pub uses: HashMap<String, (u32, i64)>,
}

impl Frecency {
    /// Higher is more relevant: the count, halved for every week since the last use.
    pub(crate) fn score(&self, name: &str, now: i64) -> f64 {
        match self.uses.get(name) {
            None => 0.0,
            Some(&(count, last)) => {
                let weeks = ((now - last).max(0) as f64) / (7.0 * 86_400.0);
                f64::from(count) * 0.5f64.powf(weeks)
            }
        }
    }

    /// Counts one use of profile `name` at `now` (a Unix time).
    pub fn record(&mut self, name: &str, now: i64) {
        let entry = self.uses.entry(name.to_string()).or_insert((0, now));
        entry.0 = entry.0.saturating_add(1);
        entry.1 = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_and_frequent_rank_higher() {
        let mut f = Frecency::default();
        let now = 1_000_000_000;
        f.record("often", now - 86_400);
        f.record("often", now - 86_400);
        f.record("once-today", now);
        f.record("old", now - 70 * 86_400);
        f.record("old", now - 70 * 86_400);
        f.record("old", now - 70 * 86_400);
        assert!(f.score("often", now) > f.score("once-today", now));
        assert!(f.score("once-today", now) > f.score("old", now));
        assert_eq!(f.score("never", now), 0.0);
    }
}
