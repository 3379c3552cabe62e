//! Marking the figures kept about meetings (`meeting_stats`) as out of date, in the transaction
//! of the change that dates them. Computing them again belongs to the application
//! (`meetings::figures`), which runs the same code as the meeting page; this module only marks
//! rows, in set-based statements that any context may call without importing the meetings.

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{
    Expr, ExprTrait, Func, OnConflict, Query, SelectStatement, SimpleExpr, UnionType,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
};

use crate::entities::{meeting, meeting_stat, member_unit, unit};

/// Inserts a stale row for every meeting that meets the condition `which` that has none yet:
/// one statement.
async fn insert_missing(db: &impl ConnectionTrait, which: Condition) -> Result<u64, DbErr> {
    let zero = || Expr::val(0);
    let no = || Expr::val(false);
    let missing = Query::select()
        .columns([
            meeting::Column::Id,
            meeting::Column::UnitId,
            meeting::Column::MeetingDate,
            meeting::Column::Kind,
            meeting::Column::Combined,
        ])
        .exprs([no(), Expr::val(true)])
        .exprs([zero(), zero(), zero()])
        .exprs([no(), no(), no(), no(), no(), no()])
        .exprs([zero(), zero()])
        .expr(Expr::val(Utc::now()))
        .from(meeting::Entity)
        .cond_where(which)
        .and_where(
            Expr::exists(
                Query::select()
                    .expr(Expr::val(1))
                    .from(meeting_stat::Entity)
                    .and_where(
                        Expr::col((meeting_stat::Entity, meeting_stat::Column::MeetingId))
                            .equals((meeting::Entity, meeting::Column::Id)),
                    )
                    .to_owned(),
            )
            .not(),
        )
        .to_owned();
    let insert = Query::insert()
        .into_table(meeting_stat::Entity)
        .columns([
            meeting_stat::Column::MeetingId,
            meeting_stat::Column::CellId,
            meeting_stat::Column::MeetingDate,
            meeting_stat::Column::Kind,
            meeting_stat::Column::Combined,
            meeting_stat::Column::Held,
            meeting_stat::Column::Stale,
            meeting_stat::Column::SheetMembers,
            meeting_stat::Column::Present,
            meeting_stat::Column::Tasked,
            meeting_stat::Column::AttendanceOk,
            meeting_stat::Column::FullProcedure,
            meeting_stat::Column::HasEndTime,
            meeting_stat::Column::DurationOk,
            meeting_stat::Column::DocumentsOnTime,
            meeting_stat::Column::SuperiorAttended,
            meeting_stat::Column::TasksGiven,
            meeting_stat::Column::TasksReviewed,
            meeting_stat::Column::UpdatedAt,
        ])
        .select_from(missing)
        .map_err(|e| DbErr::Custom(e.to_string()))?
        // Two first writes to one meeting at once (check-ins) insert its row once.
        .on_conflict(
            OnConflict::column(meeting_stat::Column::MeetingId)
                .do_nothing()
                .to_owned(),
        )
        .to_owned();
    Ok(db.execute(&insert).await?.rows_affected())
}

async fn set_stale(db: &impl ConnectionTrait, which: Condition) -> Result<u64, DbErr> {
    // On PostgreSQL the rows are locked first in id order: two changes to one cell at once (two
    // members checking in) would otherwise lock the same rows in the orders their scans met
    // them, and deadlock. SQLite has one writer.
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        let lock = Query::select()
            .column(meeting_stat::Column::Id)
            .from(meeting_stat::Entity)
            .cond_where(which.clone())
            .order_by(meeting_stat::Column::Id, sea_orm::Order::Asc)
            .lock_exclusive()
            .to_owned();
        db.query_all(&lock).await?;
    }
    let update = Query::update()
        .table(meeting_stat::Entity)
        .value(meeting_stat::Column::Stale, true)
        // A computation that started before this mark will not clear it (it compares this).
        .value(meeting_stat::Column::UpdatedAt, Utc::now())
        .cond_where(which)
        .to_owned();
    Ok(db.execute(&update).await?.rows_affected())
}

/// A change to meeting `meeting_id` of cell `cell_id` held on `date`: its figures, those of the
/// cell's later meetings (whose score reads the earlier ones: the previous meeting's tasks and
/// resolution, this year's absences) and those of the previous regular meeting (whose tasks
/// this one reviews) are out of date. Two statements (three on PostgreSQL, see `set_stale`).
pub async fn meeting_changed(
    db: &impl ConnectionTrait,
    meeting_id: i64,
    cell_id: i64,
    date: NaiveDate,
) -> Result<(), DbErr> {
    meetings_changed(db, &[(meeting_id, cell_id, date)]).await
}

/// `meeting_changed` for a handful of meetings `(meeting, cell, date)` at once, in the same
/// two statements: the check-ins written together name the few meetings they touch. The
/// handful is bounded by its caller (a batch of writes), never a subtree's meetings.
pub async fn meetings_changed(
    db: &impl ConnectionTrait,
    changed: &[(i64, i64, NaiveDate)],
) -> Result<(), DbErr> {
    if changed.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = changed.iter().map(|&(id, _, _)| id).collect();
    insert_missing(db, Condition::all().add(meeting::Column::Id.is_in(ids))).await?;
    let mut dated = Condition::any();
    for &(_, cell_id, date) in changed {
        let previous_regular = Query::select()
            .expr(Func::max(Expr::col(meeting::Column::MeetingDate)))
            .from(meeting::Entity)
            .and_where(meeting::Column::UnitId.eq(cell_id))
            .and_where(meeting::Column::Kind.eq("regular"))
            .and_where(meeting::Column::Status.eq("held"))
            .and_where(meeting::Column::MeetingDate.lt(date))
            .to_owned();
        dated = dated.add(
            Condition::all()
                .add(meeting_stat::Column::CellId.eq(cell_id))
                .add(
                    Condition::any()
                        .add(meeting_stat::Column::MeetingDate.gte(date))
                        .add(Expr::col(meeting_stat::Column::MeetingDate).gte(Expr::expr(
                            SimpleExpr::SubQuery(None, Box::new(previous_regular.into())),
                        ))),
                ),
        );
    }
    set_stale(db, dated).await?;
    Ok(())
}

/// A change to member `member_id`'s status or roll from `from` on: the sheets of the meetings
/// of every cell the member was ever on the roll of, from that day, are out of date.
pub async fn member_changed(
    db: &impl ConnectionTrait,
    member_id: i64,
    from: NaiveDate,
) -> Result<(), DbErr> {
    let rolls = Query::select()
        .column(member_unit::Column::UnitId)
        .from(member_unit::Entity)
        .and_where(member_unit::Column::MemberId.eq(member_id))
        .to_owned();
    rolls_changed(db, rolls, from).await
}

/// New places on the rolls, written with ids from `first` to `last` (an import batch's, drawn
/// together), from `from` on: the units they stand in are read from those rows by their id
/// range, so no list of ids is bound. Rows another writer drew inside the range only date a few
/// more sheets.
pub async fn rolls_added(
    db: &impl ConnectionTrait,
    (first, last): (i64, i64),
    from: NaiveDate,
) -> Result<(), DbErr> {
    let units = Query::select()
        .distinct()
        .column(member_unit::Column::UnitId)
        .from(member_unit::Entity)
        .and_where(member_unit::Column::Id.between(first, last))
        .to_owned();
    rolls_changed(db, units, from).await
}

/// The rolls of the units `units` selects changed from `from` on: the sheets of their meetings
/// from that day are out of date, and those of the cell over any party group among them (a
/// group's member stands on its cell's sheet). One statement; the cells are one `IN` over a
/// union, which PostgreSQL reads through the index on `cell_id` (an `OR` of two `IN`s it read
/// by scanning the table).
pub(crate) async fn rolls_changed(
    db: &impl ConnectionTrait,
    units: SelectStatement,
    from: NaiveDate,
) -> Result<(), DbErr> {
    let groups_cells = Query::select()
        .column(unit::Column::ParentId)
        .from(unit::Entity)
        .and_where(unit::Column::Id.in_subquery(units.clone()))
        .and_where(unit::Column::Kind.eq("group"))
        .to_owned();
    let cells = units
        .to_owned()
        .union(UnionType::Distinct, groups_cells)
        .to_owned();
    set_stale(
        db,
        Condition::all()
            .add(meeting_stat::Column::CellId.in_subquery(cells))
            .add(meeting_stat::Column::MeetingDate.gte(from)),
    )
    .await?;
    Ok(())
}

/// The sheets a move of members made out of date: those of the meetings, from a day on, of the
/// units the movers left and joined. A move returns it instead of marking them, and the
/// transaction marks them with [`SheetsToMark::mark`] after it has written every other row:
/// marking locks the figures, and every change to members locks the members' rows first (a
/// merger that marked before moving deadlocked on PostgreSQL with a status change to one of its
/// members; one that marked between two parts of a split would have too).
#[must_use = "the sheets are out of date until `mark` is called in the same transaction"]
#[derive(Debug, Default)]
pub struct SheetsToMark {
    units: Vec<i64>,
    from: Option<NaiveDate>,
}

impl SheetsToMark {
    /// The sheets of the meetings of `units` from `from` on.
    pub(crate) fn of(units: Vec<i64>, from: NaiveDate) -> Self {
        Self {
            units,
            from: Some(from),
        }
    }

    /// These sheets and `other`'s, from the earlier of the two days (a few more sheets counted
    /// again rather than one left out).
    pub fn and(mut self, other: SheetsToMark) -> Self {
        self.units.extend(other.units);
        self.units.sort_unstable();
        self.units.dedup();
        self.from = match (self.from, other.from) {
            (Some(a), Some(b)) => Some(Ord::min(a, b)),
            (a, b) => a.or(b),
        };
        self
    }

    /// Marks the sheets out of date (`rolls_changed`, a thousand units a statement).
    pub async fn mark(self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        let Some(from) = self.from else {
            return Ok(());
        };
        for chunk in self.units.chunks(1_000) {
            let listed = Query::select()
                .column(unit::Column::Id)
                .from(unit::Entity)
                .and_where(unit::Column::Id.is_in(chunk.iter().copied()))
                .to_owned();
            rolls_changed(db, listed, from).await?;
        }
        Ok(())
    }
}

/// A row, marked out of date, for every meeting that has none (`chibo serve` at start: a
/// database upgraded to this version gets its figures computed in the background).
pub async fn rows_for_new_meetings(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    insert_missing(db, Condition::all()).await
}

/// Every meeting's figures are out of date (`chibo reindex`): rows for meetings that have none,
/// and every row marked. Returns the number of rows to compute.
pub async fn everything_changed(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    insert_missing(db, Condition::all()).await?;
    set_stale(db, Condition::all()).await
}

/// The meetings whose figures are marked out of date.
pub async fn stale_count(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    meeting_stat::Entity::find()
        .filter(meeting_stat::Column::Stale.eq(true))
        .count(db)
        .await
}

/// A rule set was added (`rule_set_id`, attached at depth `depth` of the tree to the unit at
/// `unit_path`, or everywhere for `None` and depth -1, in force from `from`): every meeting it
/// now judges — in its scope, on or after `from`, whose minutes are not signed yet, and whose
/// set it beats (attached closer to the cell, or as close and more recent) — is judged by it,
/// and its figures are marked out of date. A signed meeting keeps the set it was judged by.
/// Two statements, whatever the scope's size. Returns the meetings re-judged.
pub async fn rule_set_added(
    db: &impl ConnectionTrait,
    rule_set_id: i64,
    unit_path: Option<&str>,
    depth: i32,
    from: NaiveDate,
) -> Result<u64, DbErr> {
    use crate::sql::Sql;
    let which = |sql: &mut Sql| {
        let scope = unit_path
            .map(|p| {
                format!(
                    "AND m.unit_id IN (SELECT u.id FROM units u WHERE u.path LIKE {})",
                    sql.bind(format!("{p}%"))
                )
            })
            .unwrap_or_default();
        let (from, depth, id) = (sql.bind(from), sql.bind(depth), sql.bind(rule_set_id));
        format!(
            "SELECT m.id FROM meetings m WHERE m.meeting_date >= {from} {scope} \
             AND m.rule_set_id <> {id} \
             AND m.rule_set_id IN (SELECT rs.id FROM rule_sets rs \
               LEFT JOIN units a ON a.id = rs.unit_id \
               WHERE COALESCE(a.depth, -1) < {depth} \
               OR (COALESCE(a.depth, -1) = {depth} AND rs.effective_from < {from})) \
             AND NOT (EXISTS (SELECT 1 FROM meeting_approvals p \
                 WHERE p.meeting_id = m.id AND p.role = 'chair') \
               AND EXISTS (SELECT 1 FROM meeting_approvals p \
                 WHERE p.meeting_id = m.id AND p.role = 'secretary'))"
        )
    };
    let backend = db.get_database_backend();
    let mut sql = Sql::default();
    let meetings = which(&mut sql);
    let now = sql.bind(Utc::now());
    let text = format!(
        "UPDATE meeting_stats SET stale = (1 = 1), updated_at = {now} \
         WHERE meeting_id IN ({meetings})"
    );
    db.execute_raw(sql.statement(backend, &text)).await?;
    let mut sql = Sql::default();
    let meetings = which(&mut sql);
    let id = sql.bind(rule_set_id);
    let text = format!("UPDATE meetings SET rule_set_id = {id} WHERE id IN ({meetings})");
    Ok(db
        .execute_raw(sql.statement(backend, &text))
        .await?
        .rows_affected())
}
