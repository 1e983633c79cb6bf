//! Live fuzzy filtering of the profile list over name, account id, role, region and
//! description. Each keystroke that extends the query searches only the previous matches.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use crate::config::Inventory;

/// A visible row: which profile, and how well it matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub profile: usize,
    pub(crate) score: i64,
}

/// What a query is matched against, one per profile: "name role region description
/// account", and the same lower-cased for the quick subsequence check.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    lowered: String,
    /// Byte lengths of `text` and `lowered` before an all-digit account id at the end.
    /// Queries without digits cannot match inside it, so they are matched against these
    /// prefixes: the same profiles match, and the matcher's work grows with the length (a
    /// third less work on the first keystroke over 10,000 profiles).
    text_without_account: usize,
    lowered_without_account: usize,
}

impl Line {
    fn new(p: &crate::config::Profile) -> Line {
        let digits_only = |a: &String| a.bytes().all(|b| b.is_ascii_digit());
        let mut text = String::with_capacity(p.name.len() + 48);
        text.push_str(&p.name);
        let other_account = p.account_id.as_ref().filter(|a| !digits_only(a));
        for part in [
            p.role_name.as_ref(),
            p.sso_role_name.as_ref(),
            p.region.as_ref(),
            p.description.as_ref(),
            other_account,
        ]
        .into_iter()
        .flatten()
        {
            text.push(' ');
            text.push_str(part);
        }
        let lowered_prefix = text.to_lowercase();
        let (text_without_account, lowered_without_account) = (text.len(), lowered_prefix.len());
        let mut lowered = lowered_prefix;
        if let Some(account) = p.account_id.as_ref().filter(|a| digits_only(a)) {
            for s in [&mut text, &mut lowered] {
                s.push(' ');
                s.push_str(account);
            }
        }
        Line { text, lowered, text_without_account, lowered_without_account }
    }

    /// The text and lowered text a query is matched against.
    fn for_query(&self, query_has_digit: bool) -> (&str, &str) {
        if query_has_digit {
            (&self.text, &self.lowered)
        } else {
            (&self.text[..self.text_without_account], &self.lowered[..self.lowered_without_account])
        }
    }
}

#[derive(Debug, Clone)]
pub struct Filter {
    query: String,
    lines: Vec<Line>,
    /// Profile indices in display order, before filtering.
    order: Vec<usize>,
    visible: Vec<Match>,
}

/// Candidate lists from this size on are scored on two threads.
const PARALLEL_FROM: usize = 4_000;

/// Whether the query's characters appear in order: a necessary condition for a fuzzy
/// match, checked byte-wise in a fraction of the matcher's time. Case is folded on both
/// sides, so it never rejects what the smart-case matcher would accept.
fn is_subsequence(query: &str, haystack: &str) -> bool {
    let mut rest = haystack.as_bytes();
    for &b in query.as_bytes() {
        match memchr::memchr(b, rest) {
            Some(idx) => rest = &rest[idx + 1..],
            None => return false,
        }
    }
    true
}

fn matcher() -> SkimMatcherV2 {
    SkimMatcherV2::default().smart_case()
}

impl Filter {
    pub(crate) fn new(inventory: &Inventory) -> Filter {
        let lines = inventory.profiles.iter().map(Line::new).collect();
        let order: Vec<usize> = (0..inventory.profiles.len()).collect();
        let visible = order.iter().map(|&profile| Match { profile, score: 0 }).collect();
        Filter { query: String::new(), lines, order, visible }
    }

    pub fn query(&self) -> &str {
        &self.query
    }

    pub fn visible(&self) -> &[Match] {
        &self.visible
    }

    /// New display order (a sort changed); the query is applied again.
    pub(crate) fn refresh(&mut self, order: &[usize]) {
        self.order = order.to_vec();
        let query = std::mem::take(&mut self.query);
        self.visible = self.order.iter().map(|&profile| Match { profile, score: 0 }).collect();
        if !query.is_empty() {
            self.set_query(&query);
        }
    }

    pub fn set_query(&mut self, query: &str) {
        let narrowing = !self.query.is_empty() && query.starts_with(self.query.as_str());
        self.query = query.to_string();
        if query.is_empty() {
            self.visible = self.order.iter().map(|&profile| Match { profile, score: 0 }).collect();
            return;
        }
        // A longer query can only match a subset of what the shorter one matched.
        let candidates: Vec<usize> =
            if narrowing { self.visible.iter().map(|m| m.profile).collect() } else { self.order.clone() };
        let lowered_query = query.to_lowercase();
        let has_digit = query.bytes().any(|b| b.is_ascii_digit());
        let score = |chunk: &[usize], offset: usize| -> Vec<(usize, Match)> {
            let matcher = matcher();
            chunk
                .iter()
                .enumerate()
                .filter_map(|(i, &profile)| {
                    let (text, lowered) = self.lines[profile].for_query(has_digit);
                    if !is_subsequence(&lowered_query, lowered) {
                        return None;
                    }
                    matcher.fuzzy_match(text, query).map(|score| (offset + i, Match { profile, score }))
                })
                .collect()
        };
        // Scoring is most of a keystroke's work on a big list and each profile is
        // independent: two threads halve it on the two-core machines awsw targets.
        let mut matched = if candidates.len() >= PARALLEL_FROM {
            let mid = candidates.len() / 2;
            let (first, second) = candidates.split_at(mid);
            std::thread::scope(|scope| {
                let tail = scope.spawn(|| score(second, mid));
                let mut head = score(first, 0);
                head.extend(tail.join().unwrap_or_default());
                head
            })
        } else {
            score(&candidates, 0)
        };
        // Best score first; ties keep the display order.
        matched.sort_by(|a, b| b.1.score.cmp(&a.1.score).then(a.0.cmp(&b.0)));
        self.visible = matched.into_iter().map(|(_, m)| m).collect();
    }

    /// Character positions in `name` that the query matched, for highlighting.
    pub(crate) fn highlights(&self, profile: usize, name: &str) -> Vec<usize> {
        if self.query.is_empty() {
            return Vec::new();
        }
        let name_chars = name.chars().count();
        matcher()
            .fuzzy_indices(
                self.lines[profile].for_query(self.query.bytes().any(|b| b.is_ascii_digit())).0,
                &self.query,
            )
            .map(|(_, indices)| indices.into_iter().filter(|&i| i < name_chars).collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inventory() -> Inventory {
        Inventory::from_texts(
            Some(
                "[profile team-prod-admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = k\nregion = ap-northeast-1\n\
                 [profile team-dev-readonly]\nrole_arn = arn:aws:iam::210987654321:role/readonly\nsource_profile = k\nregion = eu-west-1\n\
                 [profile billing]\nrole_arn = arn:aws:iam::555555555555:role/billing\nsource_profile = k\ndescription = finance team, ask Carol\n",
            ),
            Some("[k]\naws_access_key_id = A\naws_secret_access_key = S\n"),
        )
    }

    fn names(f: &Filter, inv: &Inventory) -> Vec<String> {
        f.visible().iter().map(|m| inv.profiles[m.profile].name.clone()).collect()
    }

    #[test]
    fn filters_over_name_account_role_region_and_description() {
        let inv = inventory();
        let mut f = Filter::new(&inv);
        f.set_query("tpa");
        assert_eq!(names(&f, &inv), ["team-prod-admin"]);
        f.set_query("2109");
        assert_eq!(names(&f, &inv), ["team-dev-readonly"]);
        f.set_query("eu-west");
        assert_eq!(names(&f, &inv), ["team-dev-readonly"]);
        f.set_query("carol");
        assert_eq!(names(&f, &inv), ["billing"]);
        f.set_query("");
        assert_eq!(f.visible().len(), 4);
    }

    #[test]
    fn narrowing_and_widening_give_the_same_as_fresh_search() {
        let inv = inventory();
        let mut f = Filter::new(&inv);
        for q in ["t", "te", "tea", "team", "team-d"] {
            f.set_query(q);
        }
        let narrowed = names(&f, &inv);
        f.set_query("team");
        f.set_query("team-d");
        assert_eq!(names(&f, &inv), narrowed);
        // Fuzzy: "team-d" also matches team-prod-aDmin, but the exact run ranks first.
        assert_eq!(narrowed[0], "team-dev-readonly");
    }

    #[test]
    fn leaving_the_account_out_for_queries_without_digits_matches_the_same_profiles() {
        let inv = inventory();
        let mut f = Filter::new(&inv);
        let matcher = matcher();
        for query in ["t", "a", "tpa", "team", "admin", "eu", "ro", "billing", "card", "x", "aa", "nn"] {
            f.set_query(query);
            let mut got: Vec<usize> = f.visible().iter().map(|m| m.profile).collect();
            got.sort();
            let expected: Vec<usize> = (0..inv.profiles.len())
                .filter(|&p| matcher.fuzzy_match(&f.lines[p].text, query).is_some())
                .collect();
            assert_eq!(got, expected, "{query}");
        }
        // A digit brings the account back: "2109" is in team-dev-readonly's account only.
        f.set_query("2109");
        assert_eq!(names(&f, &inv), ["team-dev-readonly"]);
    }

    #[test]
    fn highlights_stay_inside_the_name() {
        let inv = inventory();
        let mut f = Filter::new(&inv);
        f.set_query("tpa");
        let h = f.highlights(0, "team-prod-admin");
        assert_eq!(h, [0, 5, 10]);
    }
}
