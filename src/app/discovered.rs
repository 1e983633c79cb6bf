//! The picker's SSO-discovered rows: the profiles discovery adds after the config's own
//! (named by the template, see `sso::discovered`), which of them the last discovery still
//! lists, and the progress of the discoveries running in the background. Rows are only ever
//! appended, so a profile's index never changes while the picker runs and answers that were
//! on their way stay valid; a row a new discovery no longer lists is hidden.

use std::sync::Arc;

use super::{Effect, SessionState, State};
use crate::config::Inventory;
use crate::sso::discovered::{DiscoveredRow, profiles};
use crate::sso::discovery::Discovery;

/// An inventory handed to the engine; equal when it is the same one.
#[derive(Debug, Clone)]
pub struct SharedInventory(pub Arc<Inventory>);

impl PartialEq for SharedInventory {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for SharedInventory {}

/// The discovered rows of the picker's inventory and the discoveries running for them.
#[derive(Debug, Clone, Default)]
pub struct Discovered {
    /// Profiles before this index come from the files; from it on, discovered rows.
    pub(crate) own: usize,
    /// `rows[i]` describes profile `own + i`.
    pub(crate) rows: Vec<DiscoveredRow>,
    /// `hidden[i]`: the last discovery of its session no longer lists row `i`.
    pub(crate) hidden: Vec<bool>,
    /// The last discovery of each sso-session.
    pub discoveries: Vec<Discovery>,
    pub(crate) template: String,
    /// Discoveries under way: (session, accounts done, accounts in all).
    pub(crate) running: Vec<(String, usize, usize)>,
}

impl Discovered {
    /// No discovered rows after `own` profiles from the files.
    pub(crate) fn none(own: usize) -> Discovered {
        Discovered { own, ..Discovered::default() }
    }

    /// The config's inventory with the rows of `discoveries` after its profiles (moved, not
    /// copied: the first frame of 10,000 profiles should not pay for SSO it does not use).
    pub fn load(mut base: Inventory, discoveries: Vec<Discovery>, template: &str) -> (Inventory, Discovered) {
        let own = base.profiles.len();
        let (extra, rows): (Vec<_>, Vec<_>) =
            profiles(&base, own, &discoveries, template).into_iter().unzip();
        let hidden = vec![false; rows.len()];
        let inventory = if extra.is_empty() {
            base
        } else {
            let mut all = std::mem::take(&mut base.profiles);
            all.extend(extra);
            base.with_profiles(all)
        };
        let discovered = Discovered {
            own,
            rows,
            hidden,
            discoveries,
            template: template.to_string(),
            running: Vec::new(),
        };
        (inventory, discovered)
    }

    /// What profile `idx` was discovered as; `None` for the config's own profiles.
    pub fn row(&self, idx: usize) -> Option<&DiscoveredRow> {
        idx.checked_sub(self.own).and_then(|i| self.rows.get(i))
    }

    /// Whether profile `idx` is listed: always for the config's own profiles; a discovered
    /// row unless its session's last discovery dropped it.
    pub fn shown(&self, idx: usize) -> bool {
        idx.checked_sub(self.own).is_none_or(|i| !self.hidden.get(i).copied().unwrap_or(false))
    }

    /// Discovered rows shown.
    pub fn count(&self) -> usize {
        self.hidden.iter().filter(|h| !**h).count()
    }

    /// Accounts done and in all over the discoveries running, for the header.
    pub fn progress(&self) -> Option<(usize, usize)> {
        let total: usize = self.running.iter().map(|r| r.2).sum();
        (total > 0).then(|| (self.running.iter().map(|r| r.1).sum(), total))
    }
}

impl State {
    pub(super) fn discovery_progress(&mut self, session: String, done: usize, total: usize) {
        let running = &mut self.discovered.running;
        match running.iter_mut().find(|r| r.0 == session) {
            Some(r) => (r.1, r.2) = (done, total),
            None => running.push((session, done, total)),
        }
    }

    /// A new discovery of `session`: its rows replace the old ones of the session (a row
    /// whose name stays keeps its place), new names are appended, the engine gets the new
    /// inventory and the new rows are checked.
    pub(super) fn apply_discovery(&mut self, discovery: Discovery) -> Vec<Effect> {
        let session = discovery.session.clone();
        self.discovered.running.retain(|r| Some(&r.0) != session.as_ref());
        let list = &mut self.discovered.discoveries;
        match list.iter_mut().find(|d| d.session == session) {
            Some(old) if *old == discovery => return Vec::new(),
            Some(old) => *old = discovery,
            None => list.push(discovery),
        }
        let own = self.discovered.own;
        let fresh = profiles(&self.inventory, own, &self.discovered.discoveries, &self.discovered.template);
        let mut all = self.inventory.profiles.clone();
        let mut shown = vec![false; all.len() - own];
        let mut changed = Vec::new();
        for (profile, row) in fresh {
            let idx = match self.inventory.position(&profile.name).filter(|&i| i >= own) {
                Some(idx) => idx,
                None => {
                    all.push(profile.clone());
                    self.discovered.rows.push(row.clone());
                    shown.push(false);
                    all.len() - 1
                }
            };
            if idx < self.identities.len() && all[idx].root != profile.root {
                // The name now means another account or role: what was known is not its.
                self.identities[idx] = None;
                self.sessions[idx] = SessionState::Unknown;
            }
            all[idx] = profile;
            self.discovered.rows[idx - own] = row;
            shown[idx - own] = true;
            changed.push(idx);
        }
        self.discovered.hidden = shown.iter().map(|s| !s).collect();
        let inventory = Arc::new(self.inventory.with_profiles(all));
        self.grow(inventory.clone());
        vec![Effect::UseInventory(SharedInventory(inventory)), Effect::CheckReadinessOf(changed)]
    }

    /// Takes `inventory` (this one with rows appended or replaced): per-profile state grows
    /// with it, the list is sorted and filtered again, the cursor stays on its profile.
    fn grow(&mut self, inventory: Arc<Inventory>) {
        let n = inventory.profiles.len();
        self.sessions.resize(n, SessionState::Unknown);
        self.identities.resize(n, None);
        self.requests.resize(n, 0);
        self.columns = super::columns::ColumnWidths::measure(&inventory);
        let query = self.filter.query().to_string();
        self.filter = super::filter::Filter::new(&inventory);
        self.filter.set_query(&query);
        self.inventory = inventory;
        self.order = (0..n).filter(|&i| self.discovered.shown(i)).collect();
        self.apply_sort();
    }
}
