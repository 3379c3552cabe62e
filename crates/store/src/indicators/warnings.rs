//! Early warnings over a subtree: the cells, meetings and members a committee should look at,
//! each kind one statement over the same tree-as-it-was as the indicators (rows from
//! `meeting_stats`, the cell-months of the period, the unexcused absences), and four over
//! today's tree (cells below three official
//! members, cells without a secretary, admissions and transfers past a deadline). Each kind is
//! counted, and listed newest first a page at a time by a keyset on (date, cell, meeting or
//! row id).

use chibo_domain::admission::Stage;
use chibo_domain::indicators::Warning;
use chibo_domain::meeting_checks;
use chibo_domain::member::on_roll_codes;
use chibo_domain::org::CellType;
use chibo_domain::transfers::{TransferKind, TransferStatus};
use chrono::{Datelike, NaiveDate};
use sea_orm::{ConnectionTrait, DbErr};

use super::queries::{CELL_KINDS, cell_months_cte};
use super::{Scope, Sql, valid_on};
use crate::name_order::NameOrder;

/// One warning: the cell, the day (a month's first day, a meeting's date, the day a stage or
/// a move began, or today), the meeting when there is one, and a number (how many tasks were
/// not followed up…; the candidate's or transfer's id for those kinds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarningRow {
    pub cell_id: i64,
    pub on: NaiveDate,
    pub meeting_id: Option<i64>,
    pub number: i64,
}

impl WarningRow {
    /// What orders two warnings of one cell on one day: the meeting, or the number.
    pub fn tiebreak(&self) -> i64 {
        self.meeting_id.unwrap_or(self.number)
    }
}

/// Today, and the last start days already overdue for the open admissions and transfers (as
/// the workflows judge them from the rules and the holidays, which SQL cannot count).
#[derive(Debug, Clone, Copy)]
pub struct AsOf {
    pub today: NaiveDate,
    /// The removal trigger: unexcused absences from this many regular meetings in a row, or
    /// in this many months of one year.
    pub absences_in_a_row: u32,
    pub absent_months_a_year: u32,
    /// ...and party dues unpaid without reason in this many months of one year.
    pub unpaid_dues_months_a_year: u32,
    /// A candidate voted on, decided on, or admitted on or before these days is overdue.
    pub voted: NaiveDate,
    pub decided: NaiveDate,
    pub probation: NaiveDate,
    /// A probationary member the cell voted to recognise (or sent up) on or before these days,
    /// without and with the superior committee's extension.
    pub recognition: NaiveDate,
    pub recognition_extended: NaiveDate,
    /// A permanent move not applied for since, a letter not presented since.
    pub transfer_apply: NaiveDate,
    pub transfer_present: NaiveDate,
    /// Members of a subtree above which SQLite reads its warnings from the meetings' side
    /// ([`walking`]; `crate::name_order::LARGE` but in tests).
    pub walk_members_above: u64,
}

/// The rows of warning `kind` as a subquery with columns `cell`, `on_day`, `meeting`, `n`.
pub(super) fn rows_of(s: &Scope<'_>, sql: &mut Sql, kind: Warning, as_of: &AsOf) -> String {
    let today = as_of.today;
    let (from, to) = (sql.bind(s.from), sql.bind(s.to));
    // Held meetings of the period under the root by their cell on their date.
    let held = |cond: &str, n: &str, sql: &mut Sql| {
        let under = s.under(sql, "v.path", "ms.meeting_date");
        format!(
            "SELECT ms.cell_id AS cell, ms.meeting_date AS on_day, ms.meeting_id AS meeting, \
               {n} AS n \
             FROM meeting_stats ms JOIN unit_versions v ON v.unit_id = {cell} AND {} \
             WHERE ms.held AND ms.meeting_date >= {from} AND ms.meeting_date <= {to} \
             AND {under} AND ({cond})",
            valid_on("v", "ms.meeting_date"),
            cell = s.meeting_cell(),
        )
    };
    match kind {
        Warning::MissedMonth => format!(
            "{} SELECT cell, start_on AS on_day, CAST(NULL AS BIGINT) AS meeting, \
               CAST(0 AS BIGINT) AS n FROM cm WHERE regular = 0",
            cell_months_cte(s, sql)
        ),
        Warning::MissedQuarter => format!(
            "{} SELECT cell, MIN(start_on) AS on_day, CAST(NULL AS BIGINT) AS meeting, \
               CAST(0 AS BIGINT) AS n FROM cm GROUP BY cell, q \
             HAVING COUNT(*) = 3 AND MAX(thematic) = 0",
            cell_months_cte(s, sql)
        ),
        Warning::LowAttendanceTwice => held(
            "ms.kind = 'regular' AND NOT ms.attendance_ok AND ms.sheet_members > 0 \
             AND NOT (SELECT p.attendance_ok FROM meeting_stats p WHERE p.cell_id = ms.cell_id \
               AND p.kind = 'regular' AND p.held AND p.sheet_members > 0 \
               AND p.meeting_date < ms.meeting_date ORDER BY p.meeting_date DESC LIMIT 1)",
            "CAST(ms.present AS BIGINT) * 1000 / ms.sheet_members",
            sql,
        ),
        Warning::TasksNotFollowedUp => {
            let cond = format!(
                "ms.next_regular_on IS NOT NULL AND ms.next_regular_on <= {to} \
                 AND ms.tasks_reviewed < ms.tasks_given"
            );
            held(
                &cond,
                "CAST(ms.tasks_given - ms.tasks_reviewed AS BIGINT)",
                sql,
            )
        }
        Warning::DocumentsLate => held("NOT ms.documents_on_time", "CAST(0 AS BIGINT)", sql),
        Warning::IncompleteProcedure => held("NOT ms.full_procedure", "CAST(0 AS BIGINT)", sql),
        // As the members-tasked indicator counts them: members on a regular meeting's sheet
        // without a task.
        Warning::MembersWithoutTask => held(
            "ms.kind = 'regular' AND ms.tasked < ms.sheet_members",
            "CAST(ms.sheet_members - ms.tasked AS BIGINT)",
            sql,
        ),
        Warning::TooShort => held(
            "ms.has_end_time AND NOT ms.duration_ok",
            "CAST(0 AS BIGINT)",
            sql,
        ),
        Warning::CopiedMinutes => held(
            &format!(
                "ms.kind = 'regular' AND ms.minutes_similarity >= {}",
                meeting_checks::COPIED_MINUTES_PERMILLE
            ),
            "CAST(ms.minutes_similarity AS BIGINT)",
            sql,
        ),
        Warning::AgencyPartyTime => held(
            &format!(
                "v.cell_type = '{}' AND ms.party_time < {}",
                CellType::Agency.code(),
                meeting_checks::AGENCY_PARTY_TIME_PERMILLE
            ),
            "CAST(ms.party_time AS BIGINT)",
            sql,
        ),
        Warning::RepeatedAbsence => repeated_absences(s, sql, as_of),
        // The month a member's dues recorded unpaid without reason reach the rules' count in
        // a year, at the cell that recorded it, the member's id as its number.
        Warning::UnpaidDues => {
            let live = sql.bind(format!("{}%", s.subtree.root()));
            let year_start = s
                .from
                .with_day(1)
                .and_then(|d| d.with_month(1))
                .unwrap_or(s.from);
            let (since, from, to) = (sql.bind(year_start), sql.bind(s.from), sql.bind(s.to));
            let year = crate::rollups::month_expr(s.backend, "d.month");
            format!(
                // Every month of the member counts, whichever cell recorded it (one who moved
                // cells in the year); the subtree keeps the months its cells recorded.
                "SELECT x.cell, x.on_day, CAST(NULL AS BIGINT) AS meeting, \
                   CAST(x.member AS BIGINT) AS n \
                 FROM (SELECT d.unit_id AS cell, d.month AS on_day, d.member_id AS member, \
                   ROW_NUMBER() OVER (PARTITION BY d.member_id, substr({year}, 1, 4) \
                     ORDER BY d.month) AS k \
                   FROM party_dues d WHERE d.status = 'unpaid' \
                   AND d.month >= {since} AND d.month <= {to} \
                   AND d.member_id IN (SELECT r.member_id FROM party_dues r \
                     JOIN units u ON u.id = r.unit_id WHERE u.path LIKE {live})) x \
                 JOIN units c ON c.id = x.cell \
                 WHERE x.k = {n} AND x.on_day >= {from} AND c.path LIKE {live}",
                n = i64::from(as_of.unpaid_dues_months_a_year.max(1)),
            )
        }
        // Open admissions past the deadline of their stage, under today's tree.
        Warning::OverdueAdmission => {
            let live = sql.bind(format!("{}%", s.subtree.root()));
            let stage = |st: Stage, column: &str, day: NaiveDate, sql: &mut Sql| {
                format!(
                    "(k.stage = '{}' AND k.{column} <= {})",
                    st.code(),
                    sql.bind(day)
                )
            };
            let recognition = |extended: bool, day: NaiveDate, sql: &mut Sql| {
                format!(
                    "(k.stage IN ('{}', '{}') AND k.recognition_extended = {} \
                      AND k.recognition_voted_on <= {})",
                    Stage::RecognitionVoted.code(),
                    Stage::RecognitionEscalated.code(),
                    sql.bind(extended),
                    sql.bind(day)
                )
            };
            let late = [
                stage(Stage::Voted, "voted_on", as_of.voted, sql),
                stage(Stage::Decided, "decided_on", as_of.decided, sql),
                stage(Stage::Probation, "ceremony_on", as_of.probation, sql),
                recognition(false, as_of.recognition, sql),
                recognition(true, as_of.recognition_extended, sql),
            ]
            .join(" OR ");
            format!(
                "SELECT k.unit_id AS cell, CASE k.stage WHEN '{voted}' THEN k.voted_on \
                   WHEN '{decided}' THEN k.decided_on WHEN '{probation}' THEN k.ceremony_on \
                   ELSE k.recognition_voted_on END AS on_day, \
                   CAST(NULL AS BIGINT) AS meeting, CAST(k.id AS BIGINT) AS n \
                 FROM candidates k JOIN units c ON c.id = k.unit_id \
                 WHERE c.path LIKE {live} AND ({late})",
                voted = Stage::Voted.code(),
                decided = Stage::Decided.code(),
                probation = Stage::Probation.code(),
            )
        }
        // Open transfers out of or into the subtree past a deadline, as the transfers list
        // counts them; placed at the home cell when it is in the subtree.
        Warning::OverdueTransfer => {
            let live = sql.bind(format!("{}%", s.subtree.root()));
            let (apply, present, today) = (
                sql.bind(as_of.transfer_apply),
                sql.bind(as_of.transfer_present),
                sql.bind(today),
            );
            let to_in =
                format!("t.to_unit_id IN (SELECT u.id FROM units u WHERE u.path LIKE {live})");
            let (permanent, temporary) = (
                TransferKind::Permanent.code(),
                TransferKind::Temporary.code(),
            );
            // Dated by the start of the step that is late (the move, the letter, the end of a
            // temporary stay), so that each late step is a warning of its own.
            let apply_late = format!(
                "t.kind = '{permanent}' AND t.applied_on IS NULL AND t.moved_on <= {apply}"
            );
            let present_late = format!("t.received_on IS NULL AND t.letter_on <= {present}");
            let return_late =
                format!("t.kind = '{temporary}' AND t.returned_on IS NULL AND t.ends_on < {today}");
            format!(
                "SELECT CASE WHEN f.path LIKE {live} THEN t.from_unit_id ELSE t.to_unit_id END \
                   AS cell, \
                   CASE WHEN {apply_late} THEN t.moved_on WHEN {present_late} THEN t.letter_on \
                     ELSE t.ends_on END AS on_day, \
                   CAST(NULL AS BIGINT) AS meeting, CAST(t.id AS BIGINT) AS n \
                 FROM transfers t JOIN units f ON f.id = t.from_unit_id \
                 WHERE (f.path LIKE {live} OR {to_in}) AND t.status = '{open}' \
                 AND (({apply_late}) OR ({present_late}) OR ({return_late}))",
                open = TransferStatus::Open.code(),
            )
        }
        Warning::BelowThreeOfficial | Warning::NoSecretary => {
            let today = sql.bind(today);
            let on_roll: Vec<String> = on_roll_codes()
                .into_iter()
                .map(|c| format!("'{c}'"))
                .collect();
            let cond = if kind == Warning::BelowThreeOfficial {
                format!(
                    "(SELECT COUNT(*) FROM members m WHERE m.unit_id IN (SELECT g.id FROM units g \
                       WHERE g.id = c.id OR g.parent_id = c.id) \
                     AND m.official_date IS NOT NULL AND m.official_date <= {today} \
                     AND m.status IN ({})) < 3",
                    on_roll.join(", ")
                )
            } else {
                format!(
                    "NOT EXISTS (SELECT 1 FROM positions p WHERE p.unit_id = c.id \
                     AND p.kind = 'secretary' AND p.term_from <= {today} \
                     AND (p.term_to IS NULL OR p.term_to > {today}))"
                )
            };
            let live = sql.bind(format!("{}%", s.subtree.root()));
            format!(
                "SELECT c.id AS cell, {today} AS on_day, CAST(NULL AS BIGINT) AS meeting, \
                   CAST(0 AS BIGINT) AS n FROM units c \
                 WHERE c.path LIKE {live} AND c.kind IN {CELL_KINDS} AND c.dissolved_on IS NULL \
                 AND {cond}"
            )
        }
    }
}

/// Members absent without reason from regular meetings in a row, or in months of one year,
/// as many as the removal trigger counts: one row per member and day the count was reached
/// (in the period), at the cell of that meeting, the member's id as its number. Reads the
/// unexcused absences only (their own index), numbered against the cells' run of regular
/// meetings since a season before the period (and the start of its first year).
fn repeated_absences(s: &Scope<'_>, sql: &mut Sql, as_of: &AsOf) -> String {
    // Far enough back for a whole run of the rules' length to end in the period (a regular
    // meeting a month).
    let run = chrono::Months::new(as_of.absences_in_a_row.max(3) + 1);
    let lookback = s
        .from
        .with_day(1)
        .and_then(|d| d.with_month(1))
        .unwrap_or(s.from)
        .min(s.from - chrono::Days::new(120))
        .min(s.from.checked_sub_months(run).unwrap_or(s.from));
    let (since, from, to) = (sql.bind(lookback), sql.bind(s.from), sql.bind(s.to));
    let under = s.under(sql, "v.path", "ms.meeting_date");
    let month = crate::rollups::month_expr(s.backend, "u.day");
    let (row, months) = (
        i64::from(as_of.absences_in_a_row.max(1)),
        i64::from(as_of.absent_months_a_year.max(1)),
    );
    format!(
        "WITH seq AS (SELECT ms.meeting_id, ms.cell_id, ms.meeting_date, \
           ROW_NUMBER() OVER (PARTITION BY ms.cell_id ORDER BY ms.meeting_date, ms.meeting_id) \
             AS k \
           FROM meeting_stats ms JOIN unit_versions v ON v.unit_id = {cell} AND {valid} \
           WHERE ms.held AND ms.kind = 'regular' AND ms.meeting_date >= {since} \
           AND ms.meeting_date <= {to} AND {under}), \
         u AS (SELECT a.member_id AS member, q.cell_id AS cell, q.meeting_date AS day, q.k AS k, \
           LAG(q.k, {back}) OVER (PARTITION BY a.member_id, q.cell_id ORDER BY q.k) AS k_back, \
           LAG(q.k, {row}) OVER (PARTITION BY a.member_id, q.cell_id ORDER BY q.k) AS k_before \
           FROM seq q JOIN meeting_attendance a ON a.meeting_id = q.meeting_id \
           AND a.presence = 'absent_unexcused'), \
         firsts AS (SELECT member, month, day, cell FROM (SELECT u.member, {month} AS month, \
           u.day, u.cell, ROW_NUMBER() OVER (PARTITION BY u.member, {month} \
             ORDER BY u.day, u.cell) AS r FROM u) x WHERE r = 1), \
         counted AS (SELECT member, cell, day, ROW_NUMBER() OVER (PARTITION BY member, \
           substr(month, 1, 4) ORDER BY month) AS n FROM firsts) \
         SELECT cell, day AS on_day, CAST(NULL AS BIGINT) AS meeting, \
           CAST(member AS BIGINT) AS n FROM u \
         WHERE k_back = k - {back} AND (k_before IS NULL OR k_before <> k - {row}) \
           AND day >= {from} \
         UNION SELECT cell, day, CAST(NULL AS BIGINT), CAST(member AS BIGINT) FROM counted \
         WHERE n = {months} AND day >= {from}",
        valid = valid_on("v", "ms.meeting_date"),
        cell = s.meeting_cell(),
        back = row - 1,
    )
}

/// How many warnings of each kind the subtree has.
pub async fn counts(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    as_of: &AsOf,
) -> Result<Vec<(Warning, u64)>, DbErr> {
    Ok(overview(db, s, as_of, 0)
        .await?
        .into_iter()
        .map(|(kind, n, _)| (kind, n))
        .collect())
}

/// Every kind of warning with its count and its newest `first` rows: one statement a kind,
/// which counts the rows and keeps the newest in the same pass.
pub async fn overview(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    as_of: &AsOf,
    first: u64,
) -> Result<Vec<(Warning, u64, Vec<WarningRow>)>, DbErr> {
    // The kinds that list held meetings one by one are counted from the same sums as the
    // indicators (a dozen roll-up rows at a province), not by a pass over the meetings: three
    // as the meetings an indicator misses, four from sums of their own.
    let (sums, s) = tokio::try_join!(super::queries::meeting_sums(db, s), walking(db, s, as_of))?;
    // Two lanes at once, each on a connection of its own: the removal trigger (the one long
    // statement at a province, a second on SQLite) beside every other kind.
    let (heavy, light): (Vec<Warning>, Vec<Warning>) = Warning::ALL
        .iter()
        .partition(|k| **k == Warning::RepeatedAbsence);
    let lane = |kinds: Vec<Warning>| {
        let (s, sums) = (&s, &sums);
        async move {
            let mut out = Vec::new();
            for kind in kinds {
                out.push(kind_overview(db, s, as_of, first, kind, sums).await?);
            }
            Ok::<_, DbErr>(out)
        }
    };
    let (mut out, rest) = tokio::try_join!(lane(heavy), lane(light))?;
    out.extend(rest);
    // In the order of `Warning::ALL`.
    out.sort_by_key(|(kind, _, _)| Warning::ALL.iter().position(|k| k == kind));
    Ok(out)
}

/// The count of one kind of warning and its newest `first` rows: from the held meetings' sums
/// for the kinds those count, one statement otherwise.
async fn kind_overview(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    as_of: &AsOf,
    first: u64,
    kind: Warning,
    sums: &super::Slots,
) -> Result<(Warning, u64, Vec<WarningRow>), DbErr> {
    use super::queries::slot::*;
    let missed = |all: usize, met: usize| sums[all].saturating_sub(sums[met]);
    let derived = match kind {
        Warning::DocumentsLate => Some(missed(HELD, DOCUMENTS_ON_TIME)),
        Warning::TooShort => Some(missed(ENDED, LONG_ENOUGH)),
        Warning::IncompleteProcedure => Some(missed(HELD, FULL_PROCEDURE)),
        Warning::MembersWithoutTask => Some(sums[UNTASKED_MEETINGS]),
        Warning::CopiedMinutes => Some(sums[COPIED_MINUTES]),
        Warning::AgencyPartyTime => Some(sums[AGENCY_SHORT]),
        Warning::TasksNotFollowedUp => Some(sums[UNFOLLOWED_MEETINGS]),
        _ => None,
    };
    if let Some(n) = derived {
        let rows = if n > 0 && first > 0 {
            page_in(db, s, kind, as_of, None, first, false).await?
        } else {
            Vec::new()
        };
        return Ok((kind, n, rows));
    }
    let mut sql = Sql::default();
    let rows = rows_of(s, &mut sql, kind, as_of);
    if first == 0 {
        let text = format!("SELECT COUNT(*) FROM ({rows}) w");
        let n = db
            .query_one_raw(sql.statement(s.backend, &text))
            .await?
            .map(|r| r.try_get_by_index::<i64>(0))
            .transpose()?
            .unwrap_or(0);
        return Ok((kind, n.max(0) as u64, Vec::new()));
    }
    // The count of every row beside each of the first: no row, no warning.
    let text = format!(
        "SELECT w.cell, w.on_day, w.meeting, w.n, COUNT(*) OVER () FROM ({rows}) w \
         ORDER BY {NEWEST_FIRST} LIMIT {}",
        first.clamp(1, 500)
    );
    let found = db.query_all_raw(sql.statement(s.backend, &text)).await?;
    let n = match found.first() {
        Some(r) => r.try_get_by_index::<i64>(4)?.max(0) as u64,
        None => 0,
    };
    let rows = found.iter().map(row).collect::<Result<_, _>>()?;
    Ok((kind, n, rows))
}

/// The scope the warnings of `s` are listed in: on SQLite, past `as_of.walk_members_above`
/// members, with path tests that no index serves (`crate::name_order`). Finding a province's
/// rows through the paths reads every version of its tree and each one's meetings; reading the
/// meetings of the period and looking each one's version up is several times cheaper when the
/// subtree holds most of them.
pub(super) async fn walking<'a>(
    db: &impl ConnectionTrait,
    s: &Scope<'a>,
    as_of: &AsOf,
) -> Result<Scope<'a>, DbErr> {
    let walk = s.subtree.name_order(db, as_of.walk_members_above).await? == NameOrder::Walk;
    Ok(Scope { walk, ..s.clone() })
}

/// The rows `w` after `a` in the order [`NEWEST_FIRST`].
pub(super) fn after_row(sql: &mut Sql, a: &WarningRow) -> String {
    let (on, cell, tiebreak) = (sql.bind(a.on), sql.bind(a.cell_id), sql.bind(a.tiebreak()));
    format!(
        "(w.on_day < {on} OR (w.on_day = {on} AND (w.cell < {cell} \
         OR (w.cell = {cell} AND COALESCE(w.meeting, w.n) < {tiebreak}))))"
    )
}

/// The order warnings are listed in: newest first, then by cell and meeting (or number).
pub(super) const NEWEST_FIRST: &str = "w.on_day DESC, w.cell DESC, COALESCE(w.meeting, w.n) DESC";

/// A warning read from its first four columns.
pub(super) fn row(r: &sea_orm::QueryResult) -> Result<WarningRow, DbErr> {
    Ok(WarningRow {
        cell_id: r.try_get_by_index(0)?,
        on: r.try_get_by_index(1)?,
        meeting_id: r.try_get_by_index(2)?,
        number: r.try_get_by_index::<Option<i64>>(3)?.unwrap_or(0),
    })
}

/// Up to `limit` warnings of `kind`, newest first, after `after` (the last row of the previous
/// page).
pub async fn page(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    kind: Warning,
    as_of: &AsOf,
    after: Option<&WarningRow>,
    limit: u64,
) -> Result<Vec<WarningRow>, DbErr> {
    walked_page(db, s, kind, as_of, after, limit, false).await
}

/// [`page`] in the scope [`walking`] chooses; `untold`: as `super::told::untold_page`.
pub(super) async fn walked_page(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    kind: Warning,
    as_of: &AsOf,
    after: Option<&WarningRow>,
    limit: u64,
    untold: bool,
) -> Result<Vec<WarningRow>, DbErr> {
    let s = walking(db, s, as_of).await?;
    page_in(db, &s, kind, as_of, after, limit, untold).await
}

/// [`page`] in a scope already [`walking`] or not; `untold`: only the rows no one was told
/// of yet (`super::told`).
pub(super) async fn page_in(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    kind: Warning,
    as_of: &AsOf,
    after: Option<&WarningRow>,
    limit: u64,
    untold: bool,
) -> Result<Vec<WarningRow>, DbErr> {
    let mut sql = Sql::default();
    let rows = rows_of(s, &mut sql, kind, as_of);
    let mut conditions = Vec::new();
    if let Some(a) = after {
        conditions.push(after_row(&mut sql, a));
    }
    if untold {
        conditions.push(super::told::not_told(
            &mut sql,
            kind.code(),
            ("w.cell", "w.on_day", "COALESCE(w.meeting, w.n)"),
        ));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let text = format!(
        "SELECT w.cell, w.on_day, w.meeting, w.n FROM ({rows}) w {filter} \
         ORDER BY {NEWEST_FIRST} LIMIT {}",
        limit.clamp(1, 500)
    );
    db.query_all_raw(sql.statement(s.backend, &text))
        .await?
        .iter()
        .map(row)
        .collect()
}
