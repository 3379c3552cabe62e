//! The cells that stayed under one path through a period, counted from the running counts of
//! their first and last months' rows (`chibo_store::rollups::mark_runs`): a cell made to miss
//! one quarter, the organisation counted from each month of the last fifteen, a month built
//! again among the kept ones, and every row's counts following its row of the month before.

use super::*;
use chrono::Months;

/// A cell that stayed put is made to miss the thematic meeting of the quarter of six months
/// ago, having held the next quarter's: a period that begins in the missed quarter's second or
/// last month ([`from_each_month_of_a_quarter`]) does not count it, one that begins in its
/// first does.
pub(super) async fn a_cell_missed_a_quarter(app: &chibo_app::App, run: u64) {
    let this_month = chibo_app::App::today().with_day0(0).unwrap();
    let back = this_month - Months::new(6);
    let quarter = back.with_month0(back.month0() / 3 * 3).unwrap();
    let (next, after) = (quarter + Months::new(3), quarter + Months::new(6));
    let thematic = held_meetings(app, Some(&["thematic"])).await;
    let held_in = |cell: i64, from: NaiveDate, to: NaiveDate| {
        thematic
            .iter()
            .filter(move |m| m.unit_id == cell && m.meeting_date >= from && m.meeting_date < to)
    };
    let mut cells: Vec<i64> = thematic.iter().map(|m| m.unit_id).collect();
    cells.sort_unstable();
    cells.dedup();
    let month = |d: NaiveDate| d.format("%Y-%m").to_string();
    let mut missed = false;
    for cell in cells {
        // A cell whose stay begins or ends among the kept months is counted row by row.
        let moved = format!(
            "SELECT COUNT(*) FROM cell_months WHERE cell_id = {cell} \
             AND ((stay_starts = 1 AND month > (SELECT MIN(month) FROM rollup_months)) \
               OR (stay_ends = 1 AND month < (SELECT MAX(month) FROM rollup_months)))"
        );
        if held_in(cell, next, after).next().is_none() || count(app, &moved).await > 0 {
            continue;
        }
        for m in held_in(cell, quarter, next) {
            meeting::Entity::update_many()
                .col_expr(meeting::Column::Kind, Expr::value("regular"))
                .filter(meeting::Column::Id.eq(m.id))
                .exec(&app.db)
                .await
                .unwrap();
            figures_stored_again(app, m).await;
        }
        let marked = format!(
            "SELECT COUNT(*) FROM cell_months WHERE cell_id = {cell} AND month = '{}' \
             AND quarter_missed = 1",
            month(next - Days::new(1))
        );
        missed = count(app, &marked).await == 1;
        if missed {
            break;
        }
    }
    assert!(
        missed,
        "run {run}: no cell that stayed could be made to miss a quarter"
    );
}

/// The whole organisation over whole months to the last month, from each of the last fifteen,
/// whole and by child: a period begins at each place in its quarter, and the cells that stayed
/// count the quarters they missed from a row that depends on it (`chibo_store::indicators`).
pub(super) async fn from_each_month_of_a_quarter(
    app: &chibo_app::App,
    board: &chibo_app::Actor,
    raw_rows: &naive::Raw,
    run: u64,
) {
    let root = live_units(app, &["province"]).await.remove(0);
    let visible = board.visible(Some(root.clone())).unwrap();
    let today = chibo_app::App::today();
    let this_month = today.with_day0(0).unwrap();
    let to = this_month - Days::new(1);
    for back in 1..=15 {
        let from = this_month - Months::new(back);
        let scope = |g| indicators::scope(&app.db, Subtree::of(&visible), from, to, today, g);
        let naive = |by| naive::indicators(raw_rows, root.id, from, to, today, by);
        let what = format!("run {run}, {from}–{to}: counted the naive way");
        let whole = scope(Grouping::Whole).await.unwrap();
        let counted = naive(naive::By::Whole)
            .remove("")
            .unwrap_or_else(naive::nothing);
        assert_eq!(
            indicators::all(&app.db, &whole).await.unwrap(),
            counted,
            "{what}"
        );
        let by_child = scope(Grouping::ByChild).await.unwrap();
        let children = indicators::by_child(&app.db, &by_child)
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.unit_id, c.figures))
            .collect();
        assert_eq!(
            by_unit(children),
            by_unit(naive_lines(naive(naive::By::Child))),
            "{what}, by child"
        );
    }
}

/// A month in the middle of the kept ones built again after the months before it were counted
/// from another start (as when a month is built after the months that follow it): the months
/// after it follow it again.
pub(super) async fn a_month_built_again(app: &chibo_app::App) {
    let built = chibo_store::rollups::built_months(&app.db).await.unwrap();
    let Some(month) = built.get(built.len() / 2) else {
        return;
    };
    run_sql(
        app,
        &format!(
            "UPDATE cell_months SET missed_run = missed_run + 7, quarters_run = quarters_run + 3 \
             WHERE month < '{month}'"
        ),
    )
    .await;
    let tx = chibo_store::write_tx(&app.db).await.unwrap();
    chibo_store::rollups::build_month(&tx, month).await.unwrap();
    tx.commit().await.unwrap();
}

/// Every cell-month's running counts are its row of the month before's, when it has one, plus
/// its own (what the counts of two rows of a stay say of the months between them).
pub(super) async fn runs_follow_their_month_before(app: &chibo_app::App, what: &str) {
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT cell_id, month, regular, quarter_missed, missed_run, quarters_run \
             FROM cell_months ORDER BY cell_id, month",
        ))
        .await
        .unwrap();
    let mut checked = 0;
    let mut before: Option<(i64, NaiveDate, i64, i64)> = None;
    for r in rows {
        let cell: i64 = r.try_get_by_index(0).unwrap();
        let month: String = r.try_get_by_index(1).unwrap();
        let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").unwrap();
        let own = |i: usize| r.try_get_by_index::<i32>(i).map(i64::from).unwrap();
        let (missed, quarters) = (1 - own(2), own(3));
        let runs: (i64, i64) = (
            r.try_get_by_index(4).unwrap(),
            r.try_get_by_index(5).unwrap(),
        );
        if let Some((c, m, run_missed, run_quarters)) = before
            && c == cell
            && m + Months::new(1) == first
        {
            assert_eq!(
                runs,
                (run_missed + missed, run_quarters + quarters),
                "{what}: cell {cell}, {month}"
            );
            checked += 1;
        }
        before = Some((cell, first, runs.0, runs.1));
    }
    assert!(checked > 0, "{what}: no two months of a cell");
}
