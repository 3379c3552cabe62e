//! The roll-ups (`chibo_store::rollups`) against the rows they sum, on the real database: a
//! random run of restructures (moves, mergers, dissolutions, with dates in the past) and of
//! meetings whose attendance changed is made on the demo organisation, after which
//! - every indicator of random units over random periods (whole months or cut, by child and
//!   by month) counted with the roll-ups equals the same counted from the raw rows alone;
//! - every indicator of those units over those periods, whole and by child, equals the same
//!   counted the naive way, in Rust over every row loaded (`naive`);
//! - the roll-ups kept change by change equal the roll-ups built afresh from the raw rows.

mod common;
mod naive;
mod stayed;

use chibo_app::meetings::figures;
use chibo_app::org::restructure::{self, DissolveUnit, MergeUnit, MoveUnit};
use chibo_domain::indicators::{Figure, Indicator};
use chibo_domain::org::{UnitKind, path_ids};
use chibo_store::entities::{meeting, meeting_attendance, unit};
use chibo_store::indicators::{self, Grouping, warnings};
use chibo_store::sea_orm::sea_query::Expr;
use chibo_store::sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QueryTrait, Statement,
};
use chibo_store::subtree::Subtree;
use chrono::{Datelike, Days, NaiveDate};
use common::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// How many random runs; each starts from a fresh demo organisation.
const RUNS: u64 = 3;

async fn live_units(app: &chibo_app::App, kinds: &[&str]) -> Vec<unit::Model> {
    unit::Entity::find()
        .filter(unit::Column::Kind.is_in(kinds.iter().copied()))
        .filter(unit::Column::DissolvedOn.is_null())
        .order_by_asc(unit::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> Option<&'a T> {
    (!items.is_empty()).then(|| &items[rng.random_range(0..items.len())])
}

/// A day of the last `days` days.
fn day_back(rng: &mut StdRng, days: u64) -> NaiveDate {
    chibo_app::App::today() - Days::new(rng.random_range(1..days))
}

/// One random change; a change the rules refuse (a date before the unit's last change, a
/// dissolution of a cell with members) is simply not made. Returns what was made.
async fn random_change(app: &chibo_app::App, rng: &mut StdRng) -> &'static str {
    let admin = actor(app, "admin").await;
    let cells = live_units(app, &["cell"]).await;
    let parents = live_units(
        app,
        &[UnitKind::Commune.code(), UnitKind::Grassroots.code()],
    )
    .await;
    let on = Some(day_back(rng, 300).to_string());
    match rng.random_range(0..4) {
        0 => {
            let (Some(c), Some(p)) = (pick(rng, &cells), pick(rng, &parents)) else {
                return "nothing";
            };
            let input = MoveUnit {
                new_parent_id: Some(p.id),
                effective_on: on,
            };
            if restructure::move_unit(app, &admin, c.id, input)
                .await
                .is_ok()
            {
                return "move";
            }
        }
        1 => {
            let (Some(a), Some(b)) = (pick(rng, &cells), pick(rng, &cells)) else {
                return "nothing";
            };
            let input = MergeUnit {
                into_unit_id: Some(b.id),
                effective_on: on,
            };
            if restructure::merge(app, &admin, a.id, input).await.is_ok() {
                return "merge";
            }
        }
        2 => {
            let Some(c) = pick(rng, &cells) else {
                return "nothing";
            };
            let input = DissolveUnit {
                reason: "Thử".into(),
                effective_on: on,
            };
            if restructure::dissolve(app, &admin, c.id, input)
                .await
                .is_ok()
            {
                return "dissolve";
            }
        }
        _ => {
            // A held meeting loses a line of its sheet: its figures change, and with them
            // the roll-ups, in the transaction that stores them.
            let held = held_meetings(app, None).await;
            let Some(m) = pick(rng, &held) else {
                return "nothing";
            };
            let line = meeting_attendance::Entity::find()
                .filter(meeting_attendance::Column::MeetingId.eq(m.id))
                .one(&app.db)
                .await
                .unwrap();
            if let Some(line) = line {
                meeting_attendance::Entity::delete_by_id(line.id)
                    .exec(&app.db)
                    .await
                    .unwrap();
            }
            figures_stored_again(app, m).await;
            return "sheet";
        }
    }
    "nothing"
}

/// A held meeting recorded as the other kind (regular or thematic): its cell-month's flags,
/// and its quarter's mark, change with its figures. Apart from [`random_change`], with an rng
/// of its own, so that the changes drawn there stay those the test was tuned on.
async fn meeting_kind_changed(app: &chibo_app::App, rng: &mut StdRng) -> &'static str {
    let held = held_meetings(app, Some(&["regular", "thematic"])).await;
    let Some(m) = pick(rng, &held) else {
        return "nothing";
    };
    let other = if m.kind == "regular" {
        "thematic"
    } else {
        "regular"
    };
    meeting::Entity::update_many()
        .col_expr(meeting::Column::Kind, Expr::value(other))
        .filter(meeting::Column::Id.eq(m.id))
        .exec(&app.db)
        .await
        .unwrap();
    figures_stored_again(app, m).await;
    "kind"
}

/// The held meetings (of kinds `kinds`, or of every kind), oldest first.
async fn held_meetings(app: &chibo_app::App, kinds: Option<&[&str]>) -> Vec<meeting::Model> {
    meeting::Entity::find()
        .filter(meeting::Column::Status.eq("held"))
        .apply_if(kinds, |q, k| {
            q.filter(meeting::Column::Kind.is_in(k.iter().copied()))
        })
        .order_by_asc(meeting::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
}

/// Meeting `m` changed: its figures are marked and stored again, as the app does after a write.
async fn figures_stored_again(app: &chibo_app::App, m: &meeting::Model) {
    chibo_store::meeting_stats::meeting_changed(&app.db, m.id, m.unit_id, m.meeting_date)
        .await
        .unwrap();
    while figures::refresh_stale(app, 500).await.unwrap() > 0 {}
}

/// The rules the warnings are counted by: the removal trigger's and every deadline as of today.
fn as_of(today: NaiveDate) -> warnings::AsOf {
    warnings::AsOf {
        today,
        absences_in_a_row: 3,
        absent_months_a_year: 3,
        unpaid_dues_months_a_year: 3,
        voted: today,
        decided: today,
        probation: today,
        recognition: today,
        recognition_extended: today,
        transfer_apply: today,
        transfer_present: today,
        walk_members_above: chibo_store::name_order::LARGE,
    }
}

/// The roll-up rows that count something, in a stable order.
async fn kept_rows(app: &chibo_app::App) -> Vec<String> {
    let sums: Vec<&str> = chibo_store::rollups::sum_columns().collect();
    let mut out = Vec::new();
    let queries = [
        format!(
            "SELECT path || ' ' || month || ' ' || {} FROM unit_months WHERE {} ORDER BY 1",
            sums.join(" || ',' || "),
            sums.iter()
                .map(|c| format!("{c} <> 0"))
                .collect::<Vec<_>>()
                .join(" OR ")
        ),
        "SELECT cell_id || ' ' || month || ' ' || path || ' ' || regular || thematic \
           || ' ' || stay_starts || stay_ends || ' ' || quarter_missed FROM cell_months \
         ORDER BY 1"
            .to_string(),
        "SELECT e.month || ' ' || e.path || ' ' || e.parent_path || ' ' || e.own || ' ' \
           || e.members || ',' || e.grassroots || ',' || e.cells || ',' || e.cells_grouped \
           || ',' || e.officers || ',' || e.cells_good || ',' || e.cells_rated || ',' \
           || e.members_good || ',' || e.members_rated || ',' || e.badges \
         FROM unit_ends e JOIN end_months m ON m.month = e.month ORDER BY 1"
            .to_string(),
        "SELECT e.month || ' ' || e.path || ' ' || e.parent_path || ' ' || e.own || ' ' \
           || e.since || ' ' || e.officers \
         FROM unit_end_trained e JOIN end_months m ON m.month = e.month ORDER BY 1"
            .to_string(),
    ];
    for q in queries {
        let backend = app.db.get_database_backend();
        for r in app
            .db
            .query_all_raw(Statement::from_string(backend, q))
            .await
            .unwrap()
        {
            out.push(r.try_get_by_index::<String>(0).unwrap());
        }
    }
    out
}

/// How many months' end counts stand.
async fn end_months(app: &chibo_app::App) -> i64 {
    count(app, "SELECT COUNT(*) FROM end_months").await
}

/// The count statement `text` returns.
async fn count(app: &chibo_app::App, text: &str) -> i64 {
    let backend = app.db.get_database_backend();
    let row = app
        .db
        .query_one_raw(Statement::from_string(backend, text))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test]
async fn the_roll_ups_equal_the_raw_rows_after_random_restructures() {
    let mut done = std::collections::BTreeMap::<&str, u32>::new();
    let mut nonzero = std::collections::HashSet::new();
    let (mut taken_out, mut ends_read) = (0, 0);
    for run in 0..RUNS {
        let app = demo_app().await;
        chibo_seed::demo::seed_meetings(&app).await.unwrap();
        let mut rng = StdRng::seed_from_u64(0x5eed + run);
        let standing = end_months(&app).await;
        for _ in 0..10 {
            let made = random_change(&app, &mut rng).await;
            *done.entry(made).or_default() += 1;
        }
        let made = meeting_kind_changed(&app, &mut StdRng::seed_from_u64(run)).await;
        *done.entry(made).or_default() += 1;
        while figures::refresh_stale(&app, 500).await.unwrap() > 0 {}
        // The changes dated in the past took their months' end counts out (the triggers).
        taken_out += standing - end_months(&app).await;
        if run % 2 == 1 {
            // As the background pass does: the months taken out are counted again.
            figures::build_rollups(&app).await.unwrap();
        }
        stayed::a_month_built_again(&app).await;
        stayed::a_cell_missed_a_quarter(&app, run).await;
        stayed::runs_follow_their_month_before(&app, &format!("run {run}, kept")).await;
        let raw_rows = naive::Raw::load(&app.db).await;
        let board = actor(&app, "bantochuc").await;
        let mut units = live_units(&app, &["province", "commune", "grassroots", "cell"]).await;
        units.truncate(40);
        for check in 0..12 {
            let u = pick(&mut rng, &units).unwrap().clone();
            let visible = board.visible(Some(u.clone())).unwrap();
            let to = day_back(&mut rng, 200);
            let from = if check % 2 == 0 {
                // Whole months.
                NaiveDate::from_ymd_opt(2000, 1, 1)
                    .unwrap()
                    .max(to - Days::new(rng.random_range(30..400)))
                    .with_day0(0)
                    .unwrap()
            } else {
                to - Days::new(rng.random_range(0..400))
            };
            let to = match check % 4 {
                0 => chibo_app::App::today(),
                // The last day of a month: its end counts are read where they stand.
                2 => to.with_day0(0).unwrap() - Days::new(1),
                _ => to,
            };
            let today = chibo_app::App::today();
            let standing = chibo_store::rollups::ends_standing(&app.db).await.unwrap();
            if chibo_store::rollups::end_month(to, today, &standing).is_some() {
                ends_read += 1;
            }
            for grouping in [Grouping::Whole, Grouping::ByChild, Grouping::ByMonth] {
                let scope_with =
                    |g| indicators::scope(&app.db, Subtree::of(&visible), from, to, today, g);
                let scope = || scope_with(grouping);
                let (kept, raw) = (scope().await.unwrap(), scope().await.unwrap());
                let raw = raw.without_rollups();
                let what = format!(
                    "run {run}, unit {} ({}), {from}–{to}, {grouping:?}",
                    u.id, u.name
                );
                let naive = |by| naive::indicators(&raw_rows, u.id, from, to, today, by);
                match grouping {
                    Grouping::Whole => {
                        let figures = indicators::all(&app.db, &kept).await.unwrap();
                        assert_eq!(
                            figures,
                            indicators::all(&app.db, &raw).await.unwrap(),
                            "{what}"
                        );
                        let counted = naive(naive::By::Whole)
                            .remove("")
                            .unwrap_or_else(naive::nothing);
                        assert_eq!(figures, counted, "{what}: counted the naive way");
                        seen_nonzero(&mut nonzero, &figures);
                        // The warnings counted from the roll-ups' sums, or from the rows.
                        let as_of = as_of(today);
                        assert_eq!(
                            warnings::counts(&app.db, &kept, &as_of).await.unwrap(),
                            warnings::counts(&app.db, &raw, &as_of).await.unwrap(),
                            "{what}"
                        );
                    }
                    Grouping::ByChild => {
                        let lines = |v: Vec<indicators::ChildFigures>| {
                            v.into_iter()
                                .map(|c| (c.unit_id, c.figures))
                                .collect::<Vec<_>>()
                        };
                        let children = lines(indicators::by_child(&app.db, &kept).await.unwrap());
                        assert_eq!(
                            by_unit(children.clone()),
                            by_unit(naive_lines(naive(naive::By::Child))),
                            "{what}: counted the naive way"
                        );
                        assert_eq!(
                            children,
                            lines(indicators::by_child(&app.db, &raw).await.unwrap()),
                            "{what}"
                        );
                        // The whole added up from the children, its distinct counts counted
                        // again, is the whole counted by itself (moves inside the root put a
                        // cell under two children).
                        let (whole, both) = indicators::whole_and_by_child(&app.db, &kept)
                            .await
                            .unwrap();
                        let alone = scope_with(Grouping::Whole).await.unwrap();
                        assert_eq!(
                            whole,
                            indicators::all(&app.db, &alone).await.unwrap(),
                            "{what}"
                        );
                        assert_eq!(lines(both), children, "{what}");
                    }
                    Grouping::ByMonth => assert_eq!(
                        indicators::monthly(&app.db, &kept).await.unwrap(),
                        indicators::monthly(&app.db, &raw).await.unwrap(),
                        "{what}"
                    ),
                }
            }
        }

        stayed::from_each_month_of_a_quarter(&app, &board, &raw_rows, run).await;

        // Kept change by change (the end counts built again where taken out), or built
        // afresh: the same rows.
        figures::build_rollups(&app).await.unwrap();
        let kept = kept_rows(&app).await;
        assert!(!kept.is_empty());
        let tx = chibo_store::write_tx(&app.db).await.unwrap();
        chibo_store::rollups::forget_all(&tx).await.unwrap();
        tx.commit().await.unwrap();
        figures::build_rollups(&app).await.unwrap();
        assert_eq!(kept, kept_rows(&app).await, "run {run}");
        stayed::runs_follow_their_month_before(&app, &format!("run {run}, built afresh")).await;
    }
    // The naive count had something to count for every indicator.
    for i in Indicator::ALL {
        assert!(nonzero.contains(i), "{i:?} was never above zero");
    }
    // Month-end counts were read, and changes took some out.
    assert!(ends_read > 0 && taken_out > 0, "{ends_read} {taken_out}");
    // Every kind of change was made at least once.
    for kind in ["move", "merge", "sheet", "kind"] {
        assert!(done.get(kind).is_some_and(|n| *n > 0), "{kind}: {done:?}");
    }
}

/// Records which indicators were above zero.
fn seen_nonzero(seen: &mut std::collections::HashSet<Indicator>, figures: &[(Indicator, Figure)]) {
    seen.extend(
        figures
            .iter()
            .filter(|(_, f)| f.numerator > 0)
            .map(|(i, _)| *i),
    );
}

/// The naive lines by child path as lines by unit: a path names its unit by its last id.
fn naive_lines(
    groups: std::collections::BTreeMap<String, Vec<(Indicator, Figure)>>,
) -> Vec<(i64, Vec<(Indicator, Figure)>)> {
    groups
        .into_iter()
        .map(|(path, figures)| (*path_ids(&path).last().unwrap(), figures))
        .collect()
}

/// Lines by unit, a unit's lines added up, lines with nothing counted left out: chibo leaves
/// out a child no statement found a row for.
fn by_unit(
    lines: Vec<(i64, Vec<(Indicator, Figure)>)>,
) -> std::collections::BTreeMap<i64, Vec<(Indicator, Figure)>> {
    let mut out = std::collections::BTreeMap::<i64, Vec<(Indicator, Figure)>>::new();
    for (unit, figures) in lines {
        match out.get_mut(&unit) {
            Some(acc) => {
                for ((_, a), (_, f)) in acc.iter_mut().zip(figures) {
                    *a = a.plus(f);
                }
            }
            None => {
                out.insert(unit, figures);
            }
        }
    }
    out.retain(|_, f| *f != naive::nothing());
    out
}

/// A figure marked out of date again while the background pass computed it is not stored over
/// (the pass would store figures older than the change): the page is opened only for the rows
/// whose mark has not moved since they were read.
#[tokio::test]
async fn a_figure_marked_again_while_computed_is_left_marked() {
    use chibo_store::entities::meeting_stat;
    let app = demo_app().await;
    chibo_seed::demo::seed_meetings(&app).await.unwrap();
    while figures::refresh_stale(&app, 500).await.unwrap() > 0 {}
    let held = meeting_stat::Entity::find()
        .filter(meeting_stat::Column::Held.eq(true))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mark = || {
        chibo_store::meeting_stats::meeting_changed(
            &app.db,
            held.meeting_id,
            held.cell_id,
            held.meeting_date,
        )
    };
    let read_again = || meeting_stat::Entity::find_by_id(held.id).one(&app.db);
    mark().await.unwrap();
    let as_read = read_again().await.unwrap().unwrap();
    assert!(as_read.stale);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    mark().await.unwrap();
    let now = read_again().await.unwrap().unwrap();
    assert_ne!(now.updated_at, as_read.updated_at);

    let tx = chibo_store::write_tx(&app.db).await.unwrap();
    let open = |rows: Vec<(i64, chrono::DateTime<chrono::Utc>)>| {
        let tx = &tx;
        async move {
            chibo_store::rollups::stats_to_store(tx, &rows)
                .await
                .unwrap()
        }
    };
    assert!(open(vec![(held.id, as_read.updated_at)]).await.is_empty());
    assert!(
        open(vec![(held.id, now.updated_at)])
            .await
            .contains(&held.id)
    );
    tx.rollback().await.unwrap();

    // The pass then stores it (with the cell's later meetings, marked beside it).
    assert!(figures::refresh_stale(&app, 500).await.unwrap() > 0);
    assert!(!read_again().await.unwrap().unwrap().stale);
}

/// Runs `text` on the app's database.
async fn run_sql(app: &chibo_app::App, text: &str) {
    let backend = app.db.get_database_backend();
    app.db
        .execute_raw(Statement::from_string(backend, text))
        .await
        .unwrap();
}

/// The months whose end counts stand.
async fn standing(app: &chibo_app::App) -> Vec<String> {
    chibo_store::rollups::ends_standing(&app.db).await.unwrap()
}

/// A change that reaches a month that is over takes its end counts out, whichever table it is
/// in and whoever writes it; one dated today, or that moves nothing, leaves them standing.
#[tokio::test]
async fn a_change_dated_in_a_month_that_is_over_takes_its_end_counts_out() {
    let app = demo_app().await;
    chibo_seed::demo::seed_meetings(&app).await.unwrap();
    let today = chibo_app::App::today();
    let all = standing(&app).await;
    assert!(all.len() >= 12, "{all:?}");
    let month_of = |d: NaiveDate| format!("{:04}-{:02}", d.year(), d.month());
    let back = |days| today - Days::new(days);
    // Reached from the day on, not before.
    let expect = |day: NaiveDate| -> Vec<String> {
        all.iter()
            .filter(|m| m.as_str() < month_of(day).as_str())
            .cloned()
            .collect()
    };
    let rebuild = || figures::build_rollups(&app);

    // A place closed today, a name changed: nothing that is over moves.
    run_sql(
        &app,
        &format!(
            "UPDATE member_units SET valid_to = '{today}' WHERE id = \
             (SELECT MIN(id) FROM member_units WHERE valid_to IS NULL)"
        ),
    )
    .await;
    run_sql(
        &app,
        "UPDATE unit_versions SET name = name || ' ' WHERE id = 1",
    )
    .await;
    assert_eq!(standing(&app).await, all);

    // A place on a roll opened in the past.
    let day = back(100);
    run_sql(
        &app,
        &format!(
            "INSERT INTO member_units (member_id, unit_id, kind, reason, valid_from) \
             SELECT member_id, unit_id, 'temporary', 'Thử', '{day}' FROM member_units \
             WHERE id = (SELECT MAX(id) FROM member_units)"
        ),
    )
    .await;
    assert_eq!(standing(&app).await, expect(day));
    rebuild().await.unwrap();
    assert_eq!(standing(&app).await, all);

    // An office's term cut short in the past.
    let day = back(40);
    run_sql(
        &app,
        &format!(
            "UPDATE positions SET term_to = '{day}' WHERE id = \
             (SELECT MIN(id) FROM positions WHERE term_to IS NULL)"
        ),
    )
    .await;
    assert_eq!(standing(&app).await, expect(day));
    rebuild().await.unwrap();

    // A badge's record touched: from the day it was awarded on.
    let backend = app.db.get_database_backend();
    let latest = "SELECT id, awarded_on FROM member_badges ORDER BY awarded_on DESC, id LIMIT 1";
    let badge = app
        .db
        .query_one_raw(Statement::from_string(backend, latest))
        .await
        .unwrap()
        .expect("the demo awards badges");
    let (id, day): (i64, NaiveDate) = (
        badge.try_get_by_index(0).unwrap(),
        badge.try_get_by_index(1).unwrap(),
    );
    run_sql(
        &app,
        &format!("UPDATE member_badges SET decision = decision || '.' WHERE id = {id}"),
    )
    .await;
    assert_eq!(standing(&app).await, expect(day));
    rebuild().await.unwrap();

    // A trainee's course marked completed, or not: from the day the course ended.
    let latest = "SELECT cp.id, c.ends_on FROM course_participants cp \
                  JOIN courses c ON c.id = cp.course_id ORDER BY c.ends_on DESC, cp.id LIMIT 1";
    let trainee = app
        .db
        .query_one_raw(Statement::from_string(backend, latest))
        .await
        .unwrap()
        .expect("the demo trains officers");
    let (id, day): (i64, NaiveDate) = (
        trainee.try_get_by_index(0).unwrap(),
        trainee.try_get_by_index(1).unwrap(),
    );
    run_sql(
        &app,
        &format!("UPDATE course_participants SET completed = NOT completed WHERE id = {id}"),
    )
    .await;
    assert_eq!(standing(&app).await, expect(day));
    rebuild().await.unwrap();

    // Any change to a review of last year's classification: from that December on.
    let year = today.year() - 1;
    run_sql(
        &app,
        &format!(
            "UPDATE member_reviews SET score = score - 1 WHERE id = \
             (SELECT MIN(id) FROM member_reviews WHERE year = {year})"
        ),
    )
    .await;
    let december = NaiveDate::from_ymd_opt(year, 12, 1).unwrap();
    assert_eq!(standing(&app).await, expect(december));
}
