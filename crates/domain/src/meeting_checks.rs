//! What the early warnings judge of one meeting beyond the rule set: how much its minutes
//! repeat the previous month's, and how much of its time went to Party work (domain.md §7).
//! (The removal trigger on absences is a members' rule: `rules::RemovalRules`.) The thresholds are not in any text the
//! project has (they are *unconfirmed*): they are parameters here, named, with the value a
//! board would start from.

use std::collections::HashSet;

use chrono::NaiveTime;

use crate::rules::minutes_after;
use crate::text::search_key;

/// Minutes at least this similar to the previous regular meeting's (per mille) are "nearly
/// identical": copied forward rather than written.
pub const COPIED_MINUTES_PERMILLE: u32 = 900;

/// An agency cell's meeting that gives less than this share of its time (per mille) to Party
/// work (current affairs and directives, the Party's own business) is a work meeting.
pub const AGENCY_PARTY_TIME_PERMILLE: u32 = 300;

/// The procedure steps that are Party work rather than the unit's professional work.
pub const PARTY_WORK_STEPS: [&str; 2] = ["current_affairs", "membership"];

/// The word triples of a text, written as search keys (no case, no diacritics).
fn shingles(text: &str) -> HashSet<String> {
    let key = search_key(text);
    let words: Vec<&str> = key.split_whitespace().collect();
    if words.len() < 3 {
        return words.iter().map(|w| w.to_string()).collect();
    }
    words.windows(3).map(|w| w.join(" ")).collect()
}

/// How alike two texts are, per mille: the share of their word triples they have in common
/// (Jaccard). `None` when either has no words.
pub fn similarity_permille(a: &str, b: &str) -> Option<u32> {
    let (a, b) = (shingles(a), shingles(b));
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let common = a.intersection(&b).count();
    let all = a.len() + b.len() - common;
    Some((common * 1000 / all) as u32)
}

/// The share of a meeting's time (per mille) spent on Party work, from the times its steps
/// were ticked in order (past midnight if need be): each step lasts from the previous tick (or
/// the start) to its own. `None` when the steps carry no usable times or took no time at all.
pub fn party_time_permille(start: NaiveTime, steps: &[(&str, NaiveTime)]) -> Option<u32> {
    let mut previous = 0i64;
    let (mut party, mut total) = (0i64, 0i64);
    for (code, at) in steps {
        let offset = i64::from(minutes_after(start, *at));
        let minutes = offset - previous;
        if minutes < 0 {
            return None;
        }
        total += minutes;
        if PARTY_WORK_STEPS.contains(code) {
            party += minutes;
        }
        previous = offset;
    }
    (total > 0).then(|| (party * 1000 / total) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn copied_minutes_are_found_whatever_the_case_and_marks() {
        let a = "Chi bộ thống nhất phân công đồng chí Hà theo dõi công tác dân vận tháng này";
        assert_eq!(similarity_permille(a, a), Some(1000));
        assert_eq!(similarity_permille(a, &a.to_uppercase()), Some(1000));
        let b = "Chi bộ thống nhất phân công đồng chí Hà theo dõi công tác dân vận tháng sau";
        assert!(similarity_permille(a, b).unwrap() >= 800);
        let c = "Kiểm điểm việc thu nộp đảng phí quý ba và kế hoạch học tập nghị quyết";
        assert!(similarity_permille(a, c).unwrap() < 100);
        assert_eq!(similarity_permille(a, "  "), None);
    }

    #[test]
    fn party_time_is_the_share_of_the_party_steps() {
        let steps = [
            ("opening", t(8, 5)),
            ("current_affairs", t(8, 20)),
            ("review", t(9, 0)),
            ("membership", t(9, 15)),
            ("closing", t(9, 20)),
        ];
        // 15 + 15 of 80 minutes.
        assert_eq!(party_time_permille(t(8, 0), &steps), Some(375));
        assert_eq!(party_time_permille(t(8, 0), &[]), None);
        // Past midnight: 23:30 to 00:30, half of it current affairs.
        let late = [
            ("opening", t(23, 45)),
            ("current_affairs", t(0, 15)),
            ("closing", t(0, 30)),
        ];
        assert_eq!(party_time_permille(t(23, 30), &late), Some(500));
    }

    proptest! {
        #[test]
        fn similarity_is_symmetric_and_bounded(a in "[a-e ]{0,40}", b in "[a-e ]{0,40}") {
            let ab = similarity_permille(&a, &b);
            prop_assert_eq!(ab, similarity_permille(&b, &a));
            if let Some(s) = ab {
                prop_assert!(s <= 1000);
            }
            if !a.trim().is_empty() {
                prop_assert_eq!(similarity_permille(&a, &a), Some(1000));
            }
        }

        #[test]
        fn party_time_never_exceeds_the_whole(mins in proptest::collection::vec(0u32..30, 1..10)) {
            let codes = ["opening", "current_affairs", "review", "membership"];
            let mut at = t(8, 0);
            let steps: Vec<(&str, NaiveTime)> = mins.iter().enumerate().map(|(i, m)| {
                at += chrono::Duration::minutes(*m as i64);
                (codes[i % codes.len()], at)
            }).collect();
            if let Some(p) = party_time_permille(t(8, 0), &steps) {
                prop_assert!(p <= 1000);
            }
        }
    }
}
