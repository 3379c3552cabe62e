use proptest::prelude::*;

use super::*;

#[test]
fn builtins_are_valid() {
    for b in builtins() {
        b.rules
            .check()
            .unwrap_or_else(|e| panic!("{}: {e:?}", b.code));
        assert_eq!(
            b.rules.scoring.max_points(),
            if b.national { 100 } else { 110 },
            "{}",
            b.code
        );
    }
}

#[test]
fn more_than_half_and_two_thirds() {
    let half = Share {
        numerator: 1,
        denominator: 2,
        strict: true,
    };
    assert!(!half.met(5, 10));
    assert!(half.met(6, 10));
    assert_eq!(half.needed(10), 6);
    assert_eq!(half.needed(9), 5);
    let two_thirds = Share {
        numerator: 2,
        denominator: 3,
        strict: false,
    };
    assert!(two_thirds.met(6, 9));
    assert!(!two_thirds.met(5, 9));
    assert_eq!(two_thirds.needed(10), 7);
}

#[test]
fn shares_read_as_people_say_them() {
    assert_eq!(
        Share {
            numerator: 85,
            denominator: 100,
            strict: true
        }
        .text(),
        "trên 85%"
    );
    assert_eq!(
        Share {
            numerator: 90,
            denominator: 100,
            strict: false
        }
        .text(),
        "từ 90% trở lên"
    );
    assert_eq!(
        Share {
            numerator: 1,
            denominator: 2,
            strict: true
        }
        .text(),
        "quá một nửa"
    );
    assert_eq!(
        Share {
            numerator: 2,
            denominator: 3,
            strict: false
        }
        .text(),
        "ít nhất hai phần ba"
    );
}

#[test]
fn attendance_leaves_out_exempt_members_unless_they_come() {
    use Presence::*;
    use Standing::*;
    let rows = [
        (Working, Present),
        (Working, Present),
        (Working, AbsentExcused),
        (Working, AbsentUnexcused),
        (Exempt, AbsentExcused),
        (Exempt, Present),
        (TransferredOutTemp, AbsentExcused),
        (SpecialDuty, AbsentExcused),
    ];
    let a = attendance(&rows);
    assert_eq!(
        (
            a.expected,
            a.present,
            a.absent_excused,
            a.absent_unexcused,
            a.exempt_present
        ),
        (4, 2, 1, 1, 1),
        "the exempt member who came is noted, in neither part of the rate"
    );
    assert_eq!(a.permille(), 500);
    assert!(!a.met(Share {
        numerator: 85,
        denominator: 100,
        strict: true
    }));
}

#[test]
fn vote_denominator_follows_the_rules() {
    use Presence::*;
    use Standing::*;
    let rows = [
        (Working, Present),
        (Working, Present),
        (Working, Present),
        (Working, AbsentExcused),
        (Working, AbsentUnexcused),
        (Exempt, AbsentExcused),
        (Exempt, Present),
        (Suspended, AbsentExcused),
        (TransferredOutTemp, AbsentExcused),
    ];
    let half = Share {
        numerator: 1,
        denominator: 2,
        strict: true,
    };
    let rows = rows.map(|(s, p)| (s, Some(p)));
    let v = vote(&rows, 3, 1, 0, half).unwrap();
    assert_eq!(
        v.counted, 5,
        "3 present working + 1 unexcused absent + the exempt member who came"
    );
    assert_eq!(v.needed, 3);
    assert!(v.valid);
    assert!(!vote(&rows, 2, 2, 0, half).unwrap().valid);
    assert!(
        vote(&rows, 4, 1, 0, half).is_err(),
        "more votes than members present"
    );
}

/// Domain.md §3 (attendance rates) as corrected: an exempt member who attends counts in
/// neither the present nor the expected figure, so 17 of 20 working members stay below 90%
/// when an exempt member comes (17/20 fails; counting them both sides made it 18/21, which
/// passed); suspended and detained members are not expected.
#[test]
fn an_exempt_member_who_comes_cannot_lift_a_meeting_over_the_threshold() {
    use Presence::*;
    use Standing::*;
    let ninety = Share {
        numerator: 9,
        denominator: 10,
        strict: false,
    };
    let mut rows = vec![(Working, Present); 17];
    rows.extend([(Working, AbsentUnexcused); 3]);
    rows.push((Exempt, Present));
    rows.push((Suspended, AbsentUnexcused));
    rows.push((Detained, AbsentUnexcused));
    let a = attendance(&rows);
    assert_eq!((a.present, a.expected, a.exempt_present), (17, 20, 1));
    assert!(!a.met(ninety), "17/20 is 85%, below 90%");
}

/// Domain.md §4 (resolution): the vote is counted against the whole sheet. With ten working
/// members and only four recorded, three votes in favour were "more than half" of the four;
/// the sheet must be complete before a vote is recorded.
#[test]
fn a_vote_on_a_partial_sheet_is_refused() {
    use Presence::*;
    use Standing::*;
    let half = Share {
        numerator: 1,
        denominator: 2,
        strict: true,
    };
    let mut rows = vec![(Working, Some(Present)); 4];
    rows.extend([(Working, None); 6]);
    assert!(vote(&rows, 3, 1, 0, half).is_err());
    // Recorded in full, the same three votes are a minority of ten.
    let full: Vec<_> = rows
        .iter()
        .map(|(s, p)| (*s, Some(p.unwrap_or(AbsentUnexcused))))
        .collect();
    let v = vote(&full, 3, 1, 0, half).unwrap();
    assert_eq!((v.counted, v.needed, v.valid), (10, 6, false));
    // An exempt or transferred member nobody recorded does not hold the vote up.
    let mut others = full.clone();
    others.push((Exempt, None));
    others.push((TransferredOutTemp, None));
    assert!(vote(&others, 3, 1, 0, half).is_ok());
}

#[test]
fn absence_runs_and_durations() {
    use Presence::*;
    assert_eq!(
        longest_absence_run(&[
            Present,
            AbsentExcused,
            AbsentUnexcused,
            AbsentExcused,
            Present,
            AbsentExcused
        ]),
        3
    );
    let r = &builtins()[1].rules;
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    assert_eq!(duration_minutes(t(8, 0), t(9, 30)), Some(90));
    // Past midnight (issue 12): 19:30 to 00:15 is 285 minutes; 19:30 to 19:00 is a slip.
    assert_eq!(duration_minutes(t(19, 30), t(0, 15)), Some(285));
    assert_eq!(duration_minutes(t(9, 0), t(8, 0)), None);
    assert_eq!(duration_minutes(t(9, 0), t(9, 0)), None);
    assert_eq!(minutes_after(t(23, 50), t(0, 5)), 15);
    assert!(duration_met(r, 90, false));
    assert!(
        !duration_met(r, 100, true),
        "120 minutes when combined under Hướng dẫn 42"
    );
    assert!(
        duration_met(&builtins()[0].rules, 100, true),
        "no combined rule in Hướng dẫn 12"
    );
    let d = |day| NaiveDate::from_ymd_opt(2025, 11, day).unwrap();
    assert!(documents_in_time(r, d(10), d(11)));
    assert!(!documents_in_time(r, d(11), d(11)));
}

#[test]
fn scoring_caps_points_and_picks_the_level() {
    let sheet = &builtins()[1].rules.scoring;
    let all: Vec<(String, u32)> = sheet
        .criteria
        .iter()
        .map(|c| (c.code.clone(), c.points + 5))
        .collect();
    let (total, level) = sheet.score(&all);
    assert_eq!(total, 100);
    assert_eq!(level.label, "Tốt");
    assert_eq!(sheet.level_for(89).label, "Khá");
    assert_eq!(sheet.level_for(50).label, "Trung bình");
    assert_eq!(sheet.level_for(49).label, "Kém");
}

#[test]
fn checks_name_the_problems() {
    let mut r = builtins()[1].rules.clone();
    r.min_duration_minutes = 10;
    r.scoring.levels.reverse();
    r.vote.ordinary.denominator = 0;
    let e = r.check().unwrap_err();
    let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
    assert!(
        fields.contains(&"min_duration_minutes")
            && fields.contains(&"scoring.levels")
            && fields.contains(&"vote.ordinary")
    );
}

#[test]
fn codes_are_given_once() {
    let mut r = builtins()[1].rules.clone();
    let kind = r.meeting_kinds[0].clone();
    r.meeting_kinds.push(kind);
    let criterion = r.scoring.criteria[1].code.clone();
    r.scoring.criteria[0].code = criterion.clone();
    r.procedure[0].code = " ".into();
    let e = r.check().unwrap_err();
    let of = |field: &str| -> Vec<&str> {
        e.errors
            .iter()
            .filter(|f| f.field == field)
            .map(|f| f.message.as_str())
            .collect()
    };
    assert!(
        of("meeting_kinds").iter().any(|m| m.contains("trùng nhau")),
        "{e:?}"
    );
    assert!(
        of("scoring.criteria")
            .iter()
            .any(|m| m.contains(&format!("\"{criterion}\" có hai lần"))),
        "{e:?}"
    );
    assert!(
        of("procedure").iter().any(|m| m.contains("để trống")),
        "{e:?}"
    );

    // Two blank codes are blank, not a code given twice; "a" and "a " are the same code.
    let mut r = builtins()[1].rules.clone();
    r.procedure[0].code = String::new();
    r.procedure[1].code = String::new();
    r.scoring.criteria[1].code = format!("{} ", r.scoring.criteria[0].code);
    let e = r.check().unwrap_err();
    let procedure: Vec<&str> = e
        .errors
        .iter()
        .filter(|f| f.field == "procedure")
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        !procedure.iter().any(|m| m.contains("hai lần")),
        "{procedure:?}"
    );
    assert!(
        e.errors
            .iter()
            .any(|f| f.field == "scoring.criteria" && f.message.contains("hai lần")),
        "{e:?}"
    );
}

#[test]
fn the_closest_rule_set_in_force_wins() {
    let b = builtins();
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let c = vec![
        Candidate {
            id: 1,
            unit_id: None,
            effective_from: b[0].effective_from,
            rules: &b[0].rules,
        },
        Candidate {
            id: 2,
            unit_id: None,
            effective_from: b[1].effective_from,
            rules: &b[1].rules,
        },
        Candidate {
            id: 3,
            unit_id: Some(10),
            effective_from: d(2026, 1, 1),
            rules: &b[2].rules,
        },
        Candidate {
            id: 4,
            unit_id: Some(99),
            effective_from: d(2020, 1, 1),
            rules: &b[2].rules,
        },
    ];
    let lineage = [10, 11, 12];
    assert_eq!(in_force(&c, &lineage, d(2025, 6, 1)).unwrap().id, 1);
    assert_eq!(in_force(&c, &lineage, d(2025, 11, 1)).unwrap().id, 2);
    assert_eq!(
        in_force(&c, &lineage, d(2026, 2, 1)).unwrap().id,
        3,
        "the province's sheet overrides"
    );
    assert_eq!(
        in_force(&c, &[50], d(2026, 2, 1)).unwrap().id,
        2,
        "another province keeps the national set"
    );
    assert!(in_force(&c, &lineage, d(2017, 1, 1)).is_none());
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn check_in_window_spans_the_start() {
    let r = CheckInRules::default();
    let day = d(2026, 3, 10);
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    assert!(!check_in_open(&r, day, t(19, 30), day.and_time(t(18, 59))));
    assert!(check_in_open(&r, day, t(19, 30), day.and_time(t(19, 0))));
    assert!(check_in_open(&r, day, t(19, 30), day.and_time(t(23, 30))));
    assert!(!check_in_open(&r, day, t(19, 30), day.and_time(t(23, 31))));
    // A late meeting's window runs past midnight.
    assert!(check_in_open(
        &r,
        day,
        t(22, 0),
        d(2026, 3, 11).and_time(t(1, 0))
    ));
    assert!(!check_in_open(
        &r,
        day,
        t(8, 0),
        d(2026, 3, 9).and_time(t(8, 0))
    ));
}

proptest! {
    #[test]
    fn check_in_window_has_its_length(before in 0u32..600, open in 1u32..1440, h in 0u32..24, m in 0u32..60, off in -2000i64..2000) {
        let r = CheckInRules { opens_before_minutes: before, open_for_minutes: open };
        let day = d(2026, 5, 1);
        let start = day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap());
        let (from, to) = check_in_window(&r, day, start.time());
        prop_assert_eq!((to - from).num_minutes(), i64::from(before + open));
        let now = start + chrono::Duration::minutes(off);
        prop_assert_eq!(check_in_open(&r, day, start.time(), now), -i64::from(before) <= off && off <= i64::from(open));
    }

    #[test]
    fn needed_is_the_threshold(n in 1u32..50, d in 1u32..50, strict: bool, whole in 0u32..500) {
        prop_assume!(n <= d);
        let s = Share { numerator: n, denominator: d, strict };
        let need = s.needed(whole);
        if need <= whole {
            prop_assert!(s.met(need, whole));
            if need > 0 { prop_assert!(!s.met(need - 1, whole)); }
        }
    }

    #[test]
    fn attendance_counts_add_up(rows in proptest::collection::vec((0u8..6, 0u8..3), 0..80)) {
        let standing = |s| [Standing::Working, Standing::Exempt, Standing::TransferredOutTemp, Standing::Suspended, Standing::Detained, Standing::SpecialDuty][s as usize];
        let presence = |p| [Presence::Present, Presence::AbsentExcused, Presence::AbsentUnexcused][p as usize];
        let rows: Vec<_> = rows.into_iter().map(|(s, p)| (standing(s), presence(p))).collect();
        let a = attendance(&rows);
        prop_assert!(a.present <= a.expected);
        prop_assert!(a.permille() <= 1000);
        let working = rows.iter().filter(|(s, _)| *s == Standing::Working).count() as u32;
        prop_assert_eq!(a.expected, working);
        prop_assert_eq!(a.present + a.absent_excused + a.absent_unexcused, a.expected);
        let present = rows.iter().filter(|(_, p)| *p == Presence::Present).count() as u32;
        let recorded: Vec<_> = rows.iter().map(|(s, p)| (*s, Some(*p))).collect();
        let v = vote(&recorded, present, 0, 0, Share { numerator: 1, denominator: 2, strict: true }).unwrap();
        let present_working = rows.iter().filter(|(s, p)| *s == Standing::Working && *p == Presence::Present).count() as u32;
        prop_assert!(v.counted >= present_working && v.counted <= rows.len() as u32);
        prop_assert_eq!(v.valid, v.counted > 0 && present * 2 > v.counted);
    }

    #[test]
    fn absence_run_is_bounded(ps in proptest::collection::vec(0u8..3, 0..40)) {
        let ps: Vec<Presence> = ps.into_iter().map(|p| [Presence::Present, Presence::AbsentExcused, Presence::AbsentUnexcused][p as usize]).collect();
        let run = longest_absence_run(&ps);
        prop_assert!(run as usize <= ps.len());
        prop_assert_eq!(run == 0, ps.iter().all(|p| *p == Presence::Present));
    }
}
