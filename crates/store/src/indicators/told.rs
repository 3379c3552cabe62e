//! What the worker's daily job has told (`told_steps`): the early warnings' rows and the
//! probations ending soon that no cell's officers have heard of yet, marking them told, and
//! the warnings counted for each committee's and board's account for its daily digest.

use chibo_domain::admission::Stage;
use chibo_domain::indicators::Warning;
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbErr};

use super::warnings::{AsOf, WarningRow, rows_of, walking};
use super::{Scope, Sql};

/// `warnings::page` of the rows no one was told of yet: those without a row of `told_steps` (which
/// [`mark_told`] writes).
pub async fn untold_page(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    kind: Warning,
    as_of: &AsOf,
    after: Option<&WarningRow>,
    limit: u64,
) -> Result<Vec<WarningRow>, DbErr> {
    super::warnings::walked_page(db, s, kind, as_of, after, limit, true).await
}

/// `NOT EXISTS` a row of `told_steps` of `kind` for the cell, day and number that the SQL
/// expressions `(cell, on_day, number)` name: a row not told yet.
pub(super) fn not_told(
    sql: &mut Sql,
    kind: &str,
    (cell, on_day, number): (&str, &str, &str),
) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM told_steps t WHERE t.kind = {} AND t.cell_id = {cell} \
         AND t.on_day = {on_day} AND t.number = {number})",
        sql.bind(kind.to_string())
    )
}

/// The members (`members`, as the member lists read them) not yet told under `kind` for
/// award day `on`, whatever the cell: for the badges due.
pub fn member_not_told(kind: &str, on: NaiveDate) -> sea_orm::Condition {
    use crate::entities::member;
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
    let t = Alias::new("told_steps");
    let told = Query::select()
        .expr(Expr::val(1))
        .from(t.clone())
        .and_where(Expr::col((t.clone(), Alias::new("kind"))).eq(kind))
        .and_where(Expr::col((t.clone(), Alias::new("on_day"))).eq(on))
        .and_where(
            Expr::col((t.clone(), Alias::new("number")))
                .equals((member::Entity, member::Column::Id)),
        )
        .to_owned();
    sea_orm::Condition::all().add(Expr::exists(told)).not()
}

/// The rows of warning `kind` that `soon` finds and `now` does not (the steps whose deadline
/// falls between the two days the judgements are made on), not yet told under `told`,
/// newest first after `after`, `limit` of them.
#[allow(clippy::too_many_arguments)]
pub async fn soon_page(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    kind: Warning,
    (now, soon): (&AsOf, &AsOf),
    told: &str,
    after: Option<&WarningRow>,
    limit: u64,
) -> Result<Vec<WarningRow>, DbErr> {
    let mut sql = Sql::default();
    let (later, already) = (
        rows_of(s, &mut sql, kind, soon),
        rows_of(s, &mut sql, kind, now),
    );
    let mut conditions = vec![
        format!(
            "NOT EXISTS (SELECT 1 FROM ({already}) x WHERE x.cell = w.cell \
             AND x.on_day = w.on_day AND x.n = w.n)"
        ),
        not_told(
            &mut sql,
            told,
            ("w.cell", "w.on_day", "COALESCE(w.meeting, w.n)"),
        ),
    ];
    if let Some(a) = after {
        conditions.push(super::warnings::after_row(&mut sql, a));
    }
    let text = format!(
        "SELECT w.cell, w.on_day, w.meeting, w.n FROM ({later}) w WHERE {} \
         ORDER BY {} LIMIT {}",
        conditions.join(" AND "),
        super::warnings::NEWEST_FIRST,
        limit.clamp(1, 500)
    );
    db.query_all_raw(sql.statement(db.get_database_backend(), &text))
        .await?
        .iter()
        .map(super::warnings::row)
        .collect()
}

/// Records that `rows` of `kind` (a warning's code, or another list's) were told, so that
/// [`untold_page`] and [`probations_ending`] leave them out.
pub async fn mark_told(
    db: &impl ConnectionTrait,
    kind: &str,
    rows: &[WarningRow],
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    for chunk in rows.chunks(200) {
        let mut sql = Sql::default();
        let values: Vec<String> = chunk
            .iter()
            .map(|r| {
                format!(
                    "({}, {}, {}, {}, {})",
                    sql.bind(kind.to_string()),
                    sql.bind(r.cell_id),
                    sql.bind(r.on),
                    sql.bind(r.tiebreak()),
                    sql.bind(at)
                )
            })
            .collect();
        let text = format!(
            "INSERT INTO told_steps (kind, cell_id, on_day, number, told_at) VALUES {} \
             ON CONFLICT (kind, cell_id, on_day, number) DO NOTHING",
            values.join(", ")
        );
        db.execute_raw(sql.statement(db.get_database_backend(), &text))
            .await?;
    }
    Ok(())
}

/// A probationary member of [`probations_ending`]: the row (their cell, the day of their
/// admission ceremony, the candidate's id as its number) and their name.
#[derive(Debug, Clone)]
pub struct Probation {
    pub row: WarningRow,
    pub full_name: String,
}

/// Probationary members of the subtree admitted in `(after, by]` (a window of ceremonies whose
/// probation ends soon) and not yet told under `told` ([`mark_told`]), by candidate id after
/// `after_id`, `limit` of them.
pub async fn probations_ending(
    db: &impl ConnectionTrait,
    subtree: crate::subtree::Subtree<'_>,
    told: &str,
    (after, by): (NaiveDate, NaiveDate),
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<Probation>, DbErr> {
    let mut sql = Sql::default();
    let text = format!(
        "SELECT k.unit_id, k.ceremony_on, k.id, k.full_name FROM candidates k \
         JOIN units c ON c.id = k.unit_id \
         WHERE c.path LIKE {root} AND k.stage = {stage} AND k.ceremony_on > {after} \
         AND k.ceremony_on <= {by} AND k.id > {after_id} AND {untold} \
         ORDER BY k.id LIMIT {}",
        limit.clamp(1, 500),
        root = sql.bind(format!("{}%", subtree.root())),
        stage = sql.bind(Stage::Probation.code()),
        after = sql.bind(after),
        by = sql.bind(by),
        after_id = sql.bind(after_id.unwrap_or(0)),
        untold = not_told(&mut sql, told, ("k.unit_id", "k.ceremony_on", "k.id")),
    );
    db.query_all_raw(sql.statement(db.get_database_backend(), &text))
        .await?
        .iter()
        .map(|r| {
            Ok(Probation {
                row: WarningRow {
                    cell_id: r.try_get_by_index(0)?,
                    on: r.try_get_by_index(1)?,
                    meeting_id: None,
                    number: r.try_get_by_index(2)?,
                },
                full_name: r.try_get_by_index(3)?,
            })
        })
        .collect()
}

/// For each account with one of `roles` on a unit of the subtree, how many rows of `kind` lie
/// under that unit today: `(user_id, unit_id, unit name, count)`, accounts with none left out.
/// One statement, whatever the number of accounts; the unit's name read in it, so no list of
/// units is looked up afterwards.
pub async fn counts_by_account(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    kind: Warning,
    as_of: &AsOf,
    roles: &[&str],
) -> Result<Vec<(i64, i64, String, u64)>, DbErr> {
    let s = walking(db, s, as_of).await?;
    let mut sql = Sql::default();
    let rows = rows_of(&s, &mut sql, kind, as_of);
    let roles: Vec<String> = roles.iter().map(|r| sql.bind(r.to_string())).collect();
    let root = sql.bind(format!("{}%", s.subtree.root()));
    // An account holding two of the roles on one unit counts each row once.
    let text = format!(
        "SELECT r.user_id, r.unit_id, ru.name, COUNT(*) FROM ({rows}) w \
         JOIN units c ON c.id = w.cell \
         JOIN (SELECT DISTINCT user_id, unit_id FROM user_roles \
           WHERE role IN ({}) AND unit_id IS NOT NULL) r ON 1 = 1 \
         JOIN units ru ON ru.id = r.unit_id AND ru.path LIKE {root} \
         WHERE c.path LIKE ru.path || '%' GROUP BY r.user_id, r.unit_id, ru.name",
        roles.join(", ")
    );
    db.query_all_raw(sql.statement(s.backend, &text))
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get_by_index::<i64>(0)?,
                r.try_get_by_index::<i64>(1)?,
                r.try_get_by_index::<String>(2)?,
                r.try_get_by_index::<i64>(3)?.max(0) as u64,
            ))
        })
        .collect()
}
