//! The meeting indicators read from the roll-ups (`crate::rollups`) for the months of the period
//! they can answer: a month kept, wholly inside the period, or cut short by the period's end
//! when nothing after the cut was held. The other days of the period are counted from
//! `meeting_stats` as before ([`raw_ranges`] says which); both add into the same groups.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbErr};

use super::queries::slot::{TASKS_DUE_REVIEW, TASKS_REVIEWED, UNFOLLOWED_MEETINGS};
use super::queries::{SLOTS, meeting_slots};
use super::{Grouping, Groups, Scope, Sql, valid_on};
use crate::rollups;

/// A month of the period: its key, and its first and last days inside the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct MonthPart {
    pub month: String,
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// The part is the whole month.
    pub whole: bool,
}

/// The months of the period, each cut to it.
pub(super) fn month_parts(from: NaiveDate, to: NaiveDate) -> Vec<MonthPart> {
    let mut parts = Vec::new();
    let mut m = rollups::month_of(from);
    while let Some((first, last)) = rollups::month_days(&m) {
        if first > to {
            break;
        }
        parts.push(MonthPart {
            month: m.clone(),
            first: first.max(from),
            last: last.min(to),
            whole: first >= from && last <= to,
        });
        m = rollups::month_of(last.succ_opt().expect("a next day"));
    }
    parts
}

/// The days of the period not in `read`, as ranges of consecutive days.
pub(super) fn raw_ranges(s: &Scope<'_>, read: &[String]) -> Vec<(NaiveDate, NaiveDate)> {
    let mut ranges: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for p in month_parts(s.from, s.to) {
        if read.contains(&p.month) {
            continue;
        }
        match ranges.last_mut() {
            Some((_, last)) if last.succ_opt() == Some(p.first) => *last = p.last,
            _ => ranges.push((p.first, p.last)),
        }
    }
    ranges
}

/// `IN (…)` of the texts given, bound.
fn in_list(sql: &mut Sql, items: &[String]) -> String {
    if items.is_empty() {
        return "(NULL)".into();
    }
    let tokens: Vec<String> = items.iter().map(|i| sql.bind(i.clone())).collect();
    format!("({})", tokens.join(", "))
}

/// Signed counts by group, folded into the groups at the end.
type Signed = BTreeMap<String, [i64; SLOTS]>;

fn add_row(
    acc: &mut Signed,
    key: &str,
    row: &sea_orm::QueryResult,
    first: usize,
    sign: i64,
) -> Result<(), DbErr> {
    let slots = meeting_slots();
    let g = acc.entry(key.to_string()).or_insert([0; SLOTS]);
    for (i, slot) in slots.iter().enumerate() {
        let v = row.try_get_by_index::<Option<i64>>(first + i)?.unwrap_or(0);
        g[*slot] += sign * v;
    }
    Ok(())
}

/// Adds the meeting counts of the months the roll-ups answer to `g`; returns those months.
pub(super) async fn meetings(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    g: &mut Groups,
) -> Result<Vec<String>, DbErr> {
    let candidates: Vec<MonthPart> = month_parts(s.from, s.to)
        .into_iter()
        .filter(|p| s.built.contains(&p.month))
        // A month cut short at its start cannot be read; one cut at its end may be.
        .filter(|p| rollups::month_days(&p.month).is_some_and(|(first, _)| first == p.first))
        .collect();
    if candidates.is_empty() || s.versions.is_empty() {
        return Ok(Vec::new());
    }
    let roots: Vec<String> = s.versions.iter().map(|v| v.path.clone()).collect();
    let sums: Vec<String> = rollups::sum_columns()
        .map(|c| format!("CAST(SUM({c}) AS BIGINT)"))
        .collect();
    let names: Vec<String> = candidates.iter().map(|p| p.month.clone()).collect();

    let mut sql = Sql::default();
    let text = format!(
        "SELECT path, month, MAX(latest), {} FROM unit_months \
         WHERE path IN {} AND month IN {} GROUP BY path, month",
        sums.join(", "),
        in_list(&mut sql, &roots),
        in_list(&mut sql, &names),
    );
    let root_rows = db.query_all_raw(sql.statement(s.backend, &text)).await?;
    let mut latest: BTreeMap<String, NaiveDate> = BTreeMap::new();
    for r in &root_rows {
        let month: String = r.try_get_by_index(1)?;
        if let Some(d) = r.try_get_by_index::<Option<NaiveDate>>(2)? {
            let e = latest.entry(month).or_insert(d);
            *e = (*e).max(d);
        }
    }
    let read: Vec<String> = candidates
        .iter()
        .filter(|p| p.whole || latest.get(&p.month).is_none_or(|d| *d <= s.to))
        .map(|p| p.month.clone())
        .collect();

    let mut acc = Signed::new();
    for r in &root_rows {
        let (path, month): (String, String) = (r.try_get_by_index(0)?, r.try_get_by_index(1)?);
        if !read.contains(&month) {
            continue;
        }
        let key = match s.grouping {
            Grouping::Whole => String::new(),
            Grouping::ByMonth => month,
            Grouping::ByChild => path,
        };
        add_row(&mut acc, &key, r, 3, 1)?;
    }
    if s.grouping == Grouping::ByChild && !read.is_empty() {
        // A child's row is its own line, and is not part of what lies at the root itself.
        let mut sql = Sql::default();
        let text = format!(
            "SELECT path, parent_path, {} FROM unit_months \
             WHERE parent_path IN {} AND month IN {} GROUP BY path, parent_path",
            sums.join(", "),
            in_list(&mut sql, &roots),
            in_list(&mut sql, &read),
        );
        for r in db.query_all_raw(sql.statement(s.backend, &text)).await? {
            let (path, parent): (String, String) = (r.try_get_by_index(0)?, r.try_get_by_index(1)?);
            add_row(&mut acc, &path, &r, 2, 1)?;
            add_row(&mut acc, &parent, &r, 2, -1)?;
        }
    }
    not_yet_followed(db, s, &read, &mut acc).await?;
    for (key, v) in acc {
        let e = g.entry(key).or_insert([0; SLOTS]);
        for (a, x) in e.iter_mut().zip(v) {
            *a += x.max(0) as u64;
        }
    }
    Ok(read)
}

/// A month's row counts the tasks (and the meetings with tasks not reviewed) of every meeting a
/// regular meeting followed; the period counts only those followed by its end. Takes out the others (the meetings of the months
/// read whose next regular meeting came after the period): few, found by their own index.
async fn not_yet_followed(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    read: &[String],
    acc: &mut Signed,
) -> Result<(), DbErr> {
    let Some(first) = read.first().and_then(|m| rollups::month_days(m)) else {
        return Ok(());
    };
    let mut sql = Sql::default();
    let to = sql.bind(s.to);
    let under = s.under(&mut sql, "v.path", "ms.meeting_date");
    let key = s.key(&mut sql, "v.path", "ms.meeting_date");
    let month = rollups::month_expr(s.backend, "ms.meeting_date");
    let text = format!(
        "SELECT {key}, SUM(ms.tasks_given), SUM(ms.tasks_reviewed), \
           SUM(CASE WHEN ms.tasks_reviewed < ms.tasks_given THEN 1 ELSE 0 END) \
         FROM meeting_stats ms \
         JOIN unit_versions v ON v.unit_id = ms.cell_id AND {valid} \
         WHERE ms.held AND ms.next_regular_on > {to} AND ms.meeting_date >= {from} \
         AND ms.meeting_date <= {to} AND {month} IN {months} AND {under} GROUP BY 1",
        valid = valid_on("v", "ms.meeting_date"),
        from = sql.bind(first.0),
        months = in_list(&mut sql, read),
    );
    for r in db.query_all_raw(sql.statement(s.backend, &text)).await? {
        let key: String = r.try_get_by_index::<Option<String>>(0)?.unwrap_or_default();
        let g = acc.entry(key).or_insert([0; SLOTS]);
        for (i, slot) in [TASKS_DUE_REVIEW, TASKS_REVIEWED, UNFOLLOWED_MEETINGS]
            .into_iter()
            .enumerate()
        {
            g[slot] -= r.try_get_by_index::<Option<i64>>(i + 1)?.unwrap_or(0);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_is_cut_into_months_whole_or_not() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let parts = month_parts(d(2026, 1, 15), d(2026, 3, 31));
        let whole: Vec<(&str, bool)> = parts.iter().map(|p| (p.month.as_str(), p.whole)).collect();
        assert_eq!(
            whole,
            vec![("2026-01", false), ("2026-02", true), ("2026-03", true)]
        );
        assert_eq!(parts[0].first, d(2026, 1, 15));
        assert_eq!(
            month_parts(d(2026, 2, 3), d(2026, 2, 9))[0].last,
            d(2026, 2, 9)
        );
    }
}
