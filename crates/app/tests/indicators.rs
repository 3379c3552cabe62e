//! The indicators of domain.md §7 over the demo organisation, on the real database: each
//! equals the same figure added up by hand from the meeting pages, and a move in the middle of
//! the period leaves the months before it where they were.

mod common;

use std::collections::{HashMap, HashSet};

use chibo_app::meetings::detail;
use chibo_app::org::restructure::{self, MoveUnit};
use chibo_app::reports::Period;
use chibo_app::reports::indicators::{self, Indicators};
use chibo_domain::org::UnitKind;
use chibo_store::entities::{meeting, unit};
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use chrono::{Datelike, Months, NaiveDate};
use common::*;

fn figure(r: &Indicators, code: &str) -> (u64, Option<u64>) {
    let l = r
        .indicators
        .iter()
        .find(|l| l.code == code)
        .unwrap_or_else(|| panic!("no indicator {code}"));
    (l.numerator, l.denominator)
}

async fn demo_with_meetings() -> chibo_app::App {
    let app = demo_app().await;
    chibo_seed::demo::seed_meetings(&app).await.unwrap();
    app
}

fn period(from: NaiveDate, to: NaiveDate) -> Period {
    Period::parse(Some(&from.to_string()), Some(&to.to_string())).unwrap()
}

/// The twelve whole months ending with last month.
fn last_twelve_months() -> (NaiveDate, NaiveDate) {
    let first = chibo_app::App::today().with_day(1).unwrap();
    (first - Months::new(12), first.pred_opt().unwrap())
}

#[tokio::test]
async fn every_meeting_indicator_equals_the_sum_of_the_meeting_pages() {
    let app = demo_with_meetings().await;
    let board = actor(&app, "bantochuc").await;
    let root = unit_named(&app, "Đảng bộ tỉnh Hòa Sơn").await;
    let (from, to) = last_twelve_months();
    let r = indicators::of_unit(&app, &board, root.id, period(from, to), &[])
        .await
        .unwrap();
    assert_eq!(r.pending, 0, "every figure computed");

    // By hand: every held meeting of the period, read from its page.
    let held = meeting::Entity::find()
        .filter(meeting::Column::Status.eq("held"))
        .filter(meeting::Column::MeetingDate.between(from, to))
        .order_by_asc(meeting::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    assert!(held.len() > 100, "the demo holds meetings every month");
    let mut n = HashMap::<&str, u64>::new();
    let mut add = |k: &'static str, v: u64| *n.entry(k).or_default() += v;
    for m in &held {
        let page = detail::get(&app, &board, m.id).await.unwrap();
        let s = page.summary.unwrap();
        let h = page.held.unwrap();
        let regular = m.kind == "regular";
        let tasked: HashSet<i64> = h.tasks.iter().map(|t| t.member.id).collect();
        add("held", 1);
        if regular {
            add("regular", 1);
            add("present", s.present.into());
            add("expected", s.expected.into());
            add("ok", u64::from(s.expected > 0 && s.threshold_met));
            add(
                "tasked",
                page.sheet
                    .iter()
                    .filter(|r| r.presence.is_some() && tasked.contains(&r.member_id))
                    .count() as u64,
            );
        }
        add("end", u64::from(h.record.end_time.is_some()));
        add("long", u64::from(h.record.duration_met == Some(true)));
        add("docs", u64::from(h.record.documents_in_time == Some(true)));
        add(
            "superior",
            u64::from(page.notice.guests.iter().any(|g| g.member_id.is_some())),
        );
        let level = h.quality.level.as_deref();
        add("tot", u64::from(level == Some("Tốt")));
        add("kem", u64::from(level == Some("Kém")));
    }
    let g = |k: &str| n.get(k).copied().unwrap_or(0);
    assert_eq!(
        figure(&r, "attendance_rate"),
        (g("present"), Some(g("expected")))
    );
    assert_eq!(
        figure(&r, "meetings_attendance_ok"),
        (g("ok"), Some(g("regular")))
    );
    assert_eq!(
        figure(&r, "members_tasked"),
        (g("tasked"), Some(g("expected")))
    );
    assert_eq!(
        figure(&r, "meetings_min_duration"),
        (g("long"), Some(g("end")))
    );
    assert_eq!(
        figure(&r, "documents_on_time"),
        (g("docs"), Some(g("held")))
    );
    assert_eq!(
        figure(&r, "superior_attended"),
        (g("superior"), Some(g("held")))
    );
    assert_eq!(figure(&r, "meeting_level_tot"), (g("tot"), None));
    assert_eq!(figure(&r, "meeting_level_kem"), (g("kem"), None));

    // Cell-months by hand: every cell alive the whole month, with a regular meeting held in it.
    let cells = unit::Entity::find()
        .filter(unit::Column::Kind.is_in(["cell", "base_cell"]))
        .all(&app.db)
        .await
        .unwrap();
    let (mut met, mut expected, mut every_month) = (0u64, 0u64, 0u64);
    let mut cells_expected = 0u64;
    for c in &cells {
        let mut months = 0;
        let mut months_met = 0;
        let mut first = from;
        while first <= to {
            let last = (first + Months::new(1)).pred_opt().unwrap();
            let alive = c.established_on <= first && c.dissolved_on.is_none_or(|d| d > last);
            if alive {
                months += 1;
                let held_in = held.iter().any(|m| {
                    m.unit_id == c.id
                        && m.kind == "regular"
                        && first <= m.meeting_date
                        && m.meeting_date <= last
                });
                months_met += u64::from(held_in);
            }
            first = first + Months::new(1);
        }
        expected += months;
        met += months_met;
        if months > 0 {
            cells_expected += 1;
            every_month += u64::from(months_met == months);
        }
    }
    assert_eq!(figure(&r, "cell_months_met"), (met, Some(expected)));
    assert_eq!(
        figure(&r, "cells_meeting_monthly"),
        (every_month, Some(cells_expected))
    );
    assert!(
        met < expected,
        "the demo skips some months: {met}/{expected}"
    );

    // A share of nothing is a dash, and the API's value is null for it.
    let empty = indicators::of_unit(
        &app,
        &board,
        root.id,
        period(
            NaiveDate::from_ymd_opt(1995, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(1995, 12, 31).unwrap(),
        ),
        &[],
    )
    .await
    .unwrap();
    let rate = empty
        .indicators
        .iter()
        .find(|l| l.code == "attendance_rate")
        .unwrap();
    assert_eq!((rate.value, rate.text.as_str()), (None, "—"));
}

#[tokio::test]
async fn a_cell_moved_mid_period_counts_under_its_old_parent_before_the_move() {
    let app = demo_with_meetings().await;
    let board = actor(&app, "bantochuc").await;
    let communes = unit::Entity::find()
        .filter(unit::Column::Kind.eq(UnitKind::Commune.code()))
        .filter(unit::Column::DissolvedOn.is_null())
        .order_by_asc(unit::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    let (old, new) = (&communes[0], &communes[1]);
    let cell = unit::Entity::find()
        .filter(unit::Column::ParentId.eq(old.id))
        .filter(unit::Column::Kind.eq("cell"))
        .order_by_asc(unit::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("a cell under the first commune");
    let (from, to) = last_twelve_months();
    let moved_on = from + Months::new(6);
    let before = period(from, moved_on.pred_opt().unwrap());
    let after = period(moved_on, to);
    let months = |r: &Indicators| figure(r, "cell_months_met").1.unwrap();
    let old_before = indicators::of_unit(&app, &board, old.id, before, &[])
        .await
        .unwrap();
    let old_after = indicators::of_unit(&app, &board, old.id, after, &[])
        .await
        .unwrap();
    let new_after = indicators::of_unit(&app, &board, new.id, after, &[])
        .await
        .unwrap();

    let admin = actor(&app, "admin").await;
    restructure::move_unit(
        &app,
        &admin,
        cell.id,
        MoveUnit {
            new_parent_id: Some(new.id),
            effective_on: Some(moved_on.to_string()),
        },
    )
    .await
    .unwrap();

    let again = |p| indicators::of_unit(&app, &board, old.id, p, &[]);
    let old_before_2 = again(before).await.unwrap();
    assert_eq!(
        old_before_2
            .indicators
            .iter()
            .map(|l| (l.numerator, l.denominator))
            .collect::<Vec<_>>()[4..19],
        old_before
            .indicators
            .iter()
            .map(|l| (l.numerator, l.denominator))
            .collect::<Vec<_>>()[4..19],
        "the months before the move stay with the old parent"
    );
    let old_after_2 = again(after).await.unwrap();
    let new_after_2 = indicators::of_unit(&app, &board, new.id, after, &[])
        .await
        .unwrap();
    assert_eq!(months(&old_after_2), months(&old_after) - 6);
    assert_eq!(months(&new_after_2), months(&new_after) + 6);
    assert_eq!(
        figure(&old_after_2, "cells").0,
        figure(&old_after, "cells").0 - 1
    );
}

#[tokio::test]
async fn children_and_months_add_up_to_the_whole() {
    let app = demo_with_meetings().await;
    let board = actor(&app, "bantochuc").await;
    let root = unit_named(&app, "Đảng bộ tỉnh Hòa Sơn").await;
    let (from, to) = last_twelve_months();
    let whole = indicators::of_unit(&app, &board, root.id, period(from, to), &[])
        .await
        .unwrap();
    let children = indicators::by_child(&app, &board, root.id, period(from, to), &[])
        .await
        .unwrap();
    assert!(children.children.len() >= 2, "the province has communes");
    // Both at once (the dashboard's and the report's way) give the same lines.
    let (whole_too, children_too) =
        indicators::whole_and_by_child(&app, &board, root.id, period(from, to), &[])
            .await
            .unwrap();
    let json = |v: serde_json::Result<serde_json::Value>| v.unwrap();
    assert_eq!(
        json(serde_json::to_value(&whole_too.indicators)),
        json(serde_json::to_value(&whole.indicators))
    );
    assert_eq!(
        json(serde_json::to_value(&children_too.children)),
        json(serde_json::to_value(&children.children))
    );
    let months = indicators::by_month(&app, &board, root.id, period(from, to), &[])
        .await
        .unwrap();
    assert_eq!(months.months.len(), 12);
    // Sums over meetings and cell-months add up; distinct counts (cells meeting every month)
    // need not.
    for code in [
        "cell_months_met",
        "attendance_rate",
        "meetings_attendance_ok",
        "members_tasked",
        "meetings_min_duration",
        "documents_on_time",
        "meeting_level_tot",
        "courses",
        "badges_awarded",
    ] {
        let sum = |lines: Vec<&Vec<chibo_app::reports::indicators::IndicatorLine>>| {
            lines.iter().fold((0, 0), |(n, d), ls| {
                let l = ls.iter().find(|l| l.code == code).unwrap();
                (n + l.numerator, d + l.denominator.unwrap_or(0))
            })
        };
        let w = figure(&whole, code);
        let w = (w.0, w.1.unwrap_or(0));
        assert_eq!(
            sum(children.children.iter().map(|c| &c.indicators).collect()),
            w,
            "{code} by child"
        );
        assert_eq!(
            sum(months.months.iter().map(|m| &m.indicators).collect()),
            w,
            "{code} by month"
        );
    }
}

/// The yearly counts (thematic topics, breakthrough tasks) of the province over the years of
/// the period are every such row of those years: the demo has one province.
#[tokio::test]
async fn yearly_counts_are_the_rows_of_their_years() {
    use chibo_store::sea_orm::{ConnectionTrait, Statement};
    let app = demo_with_meetings().await;
    let board = actor(&app, "bantochuc").await;
    let root = unit_named(&app, "Đảng bộ tỉnh Hòa Sơn").await;
    let today = chibo_app::App::today();
    let from = NaiveDate::from_ymd_opt(today.year() - 1, 1, 1).unwrap();
    let r = indicators::of_unit(&app, &board, root.id, period(from, today), &[])
        .await
        .unwrap();
    let rows = |q: String| {
        let app = &app;
        async move {
            let backend = app.db.get_database_backend();
            let row = app
                .db
                .query_one_raw(Statement::from_string(backend, q))
                .await
                .unwrap()
                .unwrap();
            row.try_get_by_index::<i64>(0).unwrap() as u64
        }
    };
    let years = format!("year IN ({}, {})", today.year() - 1, today.year());
    let checks = [
        (
            "thematic_topics",
            format!("SELECT COUNT(*) FROM thematic_topics WHERE {years}"),
        ),
        (
            "cadre_tasks_given",
            format!("SELECT COUNT(*) FROM cadre_tasks WHERE {years}"),
        ),
        (
            "cadres_tasked",
            format!("SELECT COUNT(DISTINCT member_id) FROM cadre_tasks WHERE {years}"),
        ),
        (
            "cadre_tasks_done",
            format!("SELECT COUNT(*) FROM cadre_tasks WHERE {years} AND status = 'done'"),
        ),
    ];
    for (code, q) in checks {
        let n = rows(q).await;
        assert_eq!(figure(&r, code).0, n, "{code}");
        assert!(
            n > 0 || code == "cadre_tasks_done",
            "{code}: the demo has some"
        );
    }
}

#[tokio::test]
async fn warnings_agree_with_the_indicators_and_page_by_kind() {
    use chibo_app::reports::warnings;
    use chibo_domain::indicators::Warning;
    let app = demo_with_meetings().await;
    let board = actor(&app, "bantochuc").await;
    let root = unit_named(&app, "Đảng bộ tỉnh Hòa Sơn").await;
    let (from, to) = last_twelve_months();
    let r = indicators::of_unit(&app, &board, root.id, period(from, to), &[])
        .await
        .unwrap();
    let w = warnings::warnings(&app, &board, root.id, period(from, to), None, None, 5)
        .await
        .unwrap();
    let count = |k: Warning| w.kinds.iter().find(|c| c.kind == k.code()).unwrap().count;
    let gap = |code: &str| {
        let (n, d) = figure(&r, code);
        d.unwrap() - n
    };
    assert_eq!(count(Warning::MissedMonth), gap("cell_months_met"));
    assert_eq!(count(Warning::TooShort), gap("meetings_min_duration"));
    assert_eq!(count(Warning::DocumentsLate), gap("documents_on_time"));
    assert_eq!(
        count(Warning::IncompleteProcedure),
        gap("meetings_full_procedure")
    );
    let (tasked, sheet) = figure(&r, "members_tasked");
    assert!(
        (count(Warning::MembersWithoutTask) > 0) == (tasked < sheet.unwrap()),
        "a meeting is listed when some member went without a task"
    );
    assert!(count(Warning::MissedMonth) > 0, "the demo skips months");
    // Admissions and transfers past a deadline: as many as their own lists call overdue.
    let transfers = chibo_app::workflows::transfers::list(&app, &board, root.id, true, None, 1)
        .await
        .unwrap();
    assert_eq!(count(Warning::OverdueTransfer), transfers.overdue as u64);
    assert!(transfers.overdue > 0, "the demo has overdue transfers");
    let candidates = chibo_app::workflows::admissions::list(&app, &board, root.id, None, 1)
        .await
        .unwrap();
    assert_eq!(count(Warning::OverdueAdmission), candidates.overdue as u64);
    // The newest five of each kind are those its own listing starts with.
    for k in Warning::ALL {
        let own = warnings::warnings(&app, &board, root.id, period(from, to), Some(*k), None, 5)
            .await
            .unwrap();
        let firsts: Vec<_> = w.items.iter().filter(|i| i.kind == k.code()).collect();
        assert_eq!(firsts.len() as u64, count(*k).min(5), "{k:?}");
        // Counted beside the newest, or alone.
        let alone = own.kinds.iter().find(|c| c.kind == k.code()).unwrap().count;
        assert_eq!(alone, count(*k), "{k:?}");
        let listed: Vec<_> = own.items.iter().collect();
        assert_eq!(
            firsts
                .iter()
                .map(|i| (&i.cell.id, &i.on, &i.meeting_id, &i.reason))
                .collect::<Vec<_>>(),
            listed
                .iter()
                .map(|i| (&i.cell.id, &i.on, &i.meeting_id, &i.reason))
                .collect::<Vec<_>>(),
            "{k:?}"
        );
    }
    for i in &w.items {
        assert!(
            ["/meetings/", "/units/", "/members/"]
                .iter()
                .any(|p| i.evidence.starts_with(p))
        );
        assert!(!i.reason.is_empty() && !i.cell.name.is_empty());
    }
    // The demo's weak cell has a member away without a word three months running; Tân Lập
    // copies its minutes; of the two agency cells only the land office gives Party work too
    // little time.
    let cells_of = |kind: Warning| {
        let app = &app;
        let board = &board;
        async move {
            let all =
                warnings::warnings(app, board, root.id, period(from, to), Some(kind), None, 500)
                    .await
                    .unwrap();
            all.items
                .into_iter()
                .map(|i| i.cell.name)
                .collect::<HashSet<String>>()
        }
    };
    let absent = cells_of(Warning::RepeatedAbsence).await;
    assert!(absent.iter().any(|c| c.contains("Bản Nà")), "{absent:?}");
    let copied = cells_of(Warning::CopiedMinutes).await;
    assert!(copied.iter().any(|c| c.contains("Tân Lập")), "{copied:?}");
    let agency = cells_of(Warning::AgencyPartyTime).await;
    assert_eq!(
        agency,
        HashSet::from(["Chi bộ Địa chính - Xây dựng".to_string()])
    );

    // One kind at a time, newest first, every row once (two overdue transfers may share a
    // cell and a day: the row's own id orders them).
    // The kinds counted from the roll-ups' sums list as many rows as they count.
    for (kind, per_page) in [
        (Warning::MissedMonth, 2),
        (Warning::OverdueTransfer, 1),
        (Warning::RepeatedAbsence, 1),
        (Warning::DocumentsLate, 50),
        (Warning::TooShort, 50),
        (Warning::IncompleteProcedure, 50),
        (Warning::MembersWithoutTask, 50),
        (Warning::CopiedMinutes, 50),
        (Warning::AgencyPartyTime, 50),
        (Warning::TasksNotFollowedUp, 50),
    ] {
        walk_pages(
            &app,
            &board,
            root.id,
            period(from, to),
            kind,
            per_page,
            count(kind),
        )
        .await;
    }
}

/// The warnings listed by walking the meetings newest first (what SQLite does for a large
/// subtree, `Config::walk_members_above`) are those found through the subtree's paths: the
/// dashboard's first rows of every kind, and each kind page by page.
#[tokio::test]
async fn warnings_are_the_same_walked_by_date_or_not() {
    use chibo_app::reports::warnings;
    use chibo_app::{App, Config};
    use chibo_domain::indicators::Warning;
    let found = demo_with_meetings().await;
    let walked = App::new(
        found.db.clone(),
        Config {
            walk_members_above: 0,
            ..Config::default()
        },
    );
    let (from, to) = last_twelve_months();
    let root = unit_named(&found, "Đảng bộ tỉnh Hòa Sơn").await;
    let commune = unit_named(&found, "Đảng bộ xã Phú Lâm").await;
    let lines = |w: warnings::Warnings| {
        w.items
            .into_iter()
            .map(|i| (i.kind, i.cell.id, i.on, i.meeting_id, i.reason))
            .collect::<Vec<_>>()
    };
    let mut listed = 0;
    for unit in [root.id, commune.id] {
        for kind in std::iter::once(None).chain(Warning::ALL.iter().copied().map(Some)) {
            let mut after = None;
            loop {
                let p = period(from, to);
                let (fb, wb) = (
                    actor(&found, "bantochuc").await,
                    actor(&walked, "bantochuc").await,
                );
                let a = warnings::warnings(&found, &fb, unit, p, kind, after.as_ref(), 2)
                    .await
                    .unwrap();
                let b = warnings::warnings(&walked, &wb, unit, p, kind, after.as_ref(), 2)
                    .await
                    .unwrap();
                assert_eq!(a.next, b.next, "{unit} {kind:?}");
                let next = a.next.clone();
                let a = lines(a);
                listed += a.len();
                assert_eq!(a, lines(b), "{unit} {kind:?}");
                match (kind, next) {
                    (Some(_), Some(n)) => {
                        after = Some(chibo_domain::cursor::Cursor::decode(&n).unwrap())
                    }
                    _ => break,
                }
            }
        }
    }
    assert!(listed > 20, "the demo lists warnings: {listed}");
}

async fn walk_pages(
    app: &chibo_app::App,
    board: &chibo_app::Actor,
    root: i64,
    p: Period,
    kind: chibo_domain::indicators::Warning,
    per_page: u64,
    total: u64,
) {
    use chibo_app::reports::warnings;
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = warnings::warnings(app, board, root, p, Some(kind), after.as_ref(), per_page)
            .await
            .unwrap();
        assert!(page.items.len() as u64 <= per_page);
        seen.extend(
            page.items
                .iter()
                .map(|i| (i.on, i.cell.id, i.reason.clone())),
        );
        match page.next {
            Some(n) => after = Some(chibo_domain::cursor::Cursor::decode(&n).unwrap()),
            None => break,
        }
    }
    assert_eq!(seen.len() as u64, total, "{kind:?}");
    assert!(
        seen.windows(2)
            .all(|w| (w[0].0, w[0].1) >= (w[1].0, w[1].1)),
        "newest first: {seen:?}"
    );
}

#[tokio::test]
async fn the_trend_counts_each_month_as_the_indicators_of_that_month() {
    let app = demo_with_meetings().await;
    let board = actor(&app, "bantochuc").await;
    let root = unit_named(&app, "Đảng bộ tỉnh Hòa Sơn").await;
    let (from, to) = last_twelve_months();
    let targets = [chibo_domain::indicators::Target {
        indicator: chibo_domain::indicators::Indicator::DocumentsOnTime,
        comparison: chibo_domain::indicators::Comparison::AtLeast,
        tenths: 900,
    }];
    let p = period(from, to);
    let trend = indicators::trend(&app, &board, root.id, p, &targets)
        .await
        .unwrap();
    assert_eq!(trend.series.len(), 1, "only the targeted one");
    assert_eq!(trend.series[0].target, Some(90.0));
    let by_month = indicators::by_month(&app, &board, root.id, p, &[])
        .await
        .unwrap();
    assert_eq!(trend.months.len(), by_month.months.len());
    let untargeted = indicators::trend(&app, &board, root.id, p, &[])
        .await
        .unwrap();
    for series in trend.series.iter().chain(&untargeted.series) {
        for (i, m) in by_month.months.iter().enumerate() {
            assert_eq!(trend.months[i], m.month);
            let line = m.indicators.iter().find(|l| l.code == series.code).unwrap();
            assert_eq!(
                series.values[i], line.value,
                "{} in {}",
                series.code, m.month
            );
        }
    }
    assert!(
        untargeted.series[1].values.iter().flatten().count() >= 10,
        "attendance every month"
    );
}
