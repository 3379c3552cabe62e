//! The counts of the indicators taken on the period's last day: members on the rolls, units,
//! and the cells' officers with those of them trained in the period. When the period ends on
//! the last day of a month whose month-end counts stand, all but the cells inspected are read
//! from them ([`ends_on_to`], `month_ends::read_trained`).

use sea_orm::{ConnectionTrait, DbErr};

use super::queries::{CELL_KINDS, slot};
use super::{Groups, Scope, Sql, valid_on};

/// Members on the roll of a unit of the subtree on the period's last day, each once: every
/// place on a roll, less the temporary places of members counted already (on their home roll,
/// or on an earlier temporary one) in the same group. A member has one home roll at a time
/// (`restructure::move_members` keeps it so), so only the temporary places, few and found by
/// their partial index, need looking at twice; a `COUNT(DISTINCT …)` over every place cost
/// three times the plain count at a province (233–281 ms against 75–84 ms, `sqlite3` shell).
pub(super) async fn members_on_to(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    g: &mut Groups,
) -> Result<(), DbErr> {
    use slot::*;
    let mut sql = Sql::default();
    let to = sql.bind(s.to);
    let under = s.under(&mut sql, "v.path", &to);
    let key = s.key(&mut sql, "v.path", &to);
    let under_h = s.under(&mut sql, "hv.path", &to);
    let key_h = s.key(&mut sql, "hv.path", &to);
    // `CROSS JOIN` keeps SQLite's loop over the temporary places, not over the subtree's units.
    let text = format!(
        "SELECT k, CAST(SUM(n) AS BIGINT) FROM (\
           SELECT {key} AS k, COUNT(*) AS n FROM unit_versions v \
           JOIN member_units r ON r.unit_id = v.unit_id \
           WHERE {valid_v} AND {under} AND {valid_r} GROUP BY 1 \
           UNION ALL \
           SELECT {key} AS k, -COUNT(*) AS n FROM member_units r CROSS JOIN unit_versions v \
           WHERE r.kind = 'temporary' AND v.unit_id = r.unit_id AND {valid_r} AND {valid_v} \
           AND {under} AND EXISTS (SELECT 1 FROM member_units h \
             JOIN unit_versions hv ON hv.unit_id = h.unit_id \
             WHERE h.member_id = r.member_id AND (h.kind = 'home' OR h.id < r.id) \
             AND {valid_h} AND {valid_hv} AND {under_h} AND {key_h} = {key}) GROUP BY 1\
         ) t GROUP BY k",
        valid_v = valid_on("v", &to),
        valid_r = valid_on("r", &to),
        valid_h = valid_on("h", &to),
        valid_hv = valid_on("hv", &to),
    );
    s.add(db, g, sql, &text, &[MEMBERS]).await
}

/// On the period's last day: grassroots organisations, cells, and cells with party groups
/// (the cells with groups are found once and joined, not looked for cell by cell).
pub(super) async fn units_on_to(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    g: &mut Groups,
) -> Result<(), DbErr> {
    use slot::*;
    let mut sql = Sql::default();
    let to = sql.bind(s.to);
    let under = s.under(&mut sql, "v.path", &to);
    let key = s.key(&mut sql, "v.path", &to);
    let text = format!(
        "SELECT {key}, \
           COUNT(CASE WHEN v.kind IN ('grassroots', 'base_cell') THEN 1 END), \
           COUNT(CASE WHEN v.kind IN {CELL_KINDS} THEN 1 END), \
           COUNT(CASE WHEN v.kind IN {CELL_KINDS} AND grouped.cell IS NOT NULL THEN 1 END) \
         FROM unit_versions v \
         LEFT JOIN (SELECT DISTINCT g.parent_id AS cell FROM unit_versions g \
           WHERE g.kind = 'group' AND {valid_g}) grouped ON grouped.cell = v.unit_id \
         WHERE {valid_v} AND {under} GROUP BY 1",
        valid_v = valid_on("v", &to),
        valid_g = valid_on("g", &to),
    );
    s.add(db, g, sql, &text, &[GRASSROOTS, CELLS, CELLS_WITH_GROUPS])
        .await
}

/// The cells of the subtree on the period's last day that were inspected in the period, found
/// from the period's inspections (a few thousand at a province), not from every cell.
pub(super) async fn inspected_on_to(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    g: &mut Groups,
) -> Result<(), DbErr> {
    let mut sql = Sql::default();
    let (from, to) = (sql.bind(s.from), sql.bind(s.to));
    let under = s.under(&mut sql, "v.path", &to);
    let key = s.key(&mut sql, "v.path", &to);
    let text = format!(
        "SELECT {key}, COUNT(DISTINCT v.unit_id) FROM inspections i \
         JOIN unit_versions v ON v.unit_id = i.cell_id AND {valid_v} AND v.kind IN {CELL_KINDS} \
         WHERE i.status = 'done' AND i.done_on >= {from} AND i.done_on <= {to} AND {under} \
         GROUP BY 1",
        valid_v = valid_on("v", &to),
    );
    s.add(db, g, sql, &text, &[slot::CELLS_INSPECTED]).await
}

/// Officers of the cells in office on the period's last day, each once.
pub(super) async fn officers_on_to(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    g: &mut Groups,
) -> Result<(), DbErr> {
    let mut sql = Sql::default();
    let to = sql.bind(s.to);
    let under = s.under(&mut sql, "v.path", &to);
    let key = s.key(&mut sql, "v.path", &to);
    let text = format!(
        "SELECT {key}, COUNT(DISTINCT p.member_id) \
         FROM unit_versions v JOIN positions p ON p.unit_id = v.unit_id \
         WHERE {valid_v} AND {under} AND v.kind IN {CELL_KINDS} \
         AND p.term_from <= {to} AND (p.term_to IS NULL OR p.term_to > {to}) GROUP BY 1",
        valid_v = valid_on("v", &to),
    );
    s.add(db, g, sql, &text, &[slot::OFFICERS]).await
}

/// The officers of [`officers_on_to`] who completed a course ending in the period, each once:
/// found from the period's trainees and their offices, not from every officer.
pub(super) async fn trained_on_to(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    g: &mut Groups,
) -> Result<(), DbErr> {
    let mut sql = Sql::default();
    let (from, to) = (sql.bind(s.from), sql.bind(s.to));
    let under = s.under(&mut sql, "v.path", &to);
    let key = s.key(&mut sql, "v.path", &to);
    let text = format!(
        "SELECT {key}, COUNT(DISTINCT p.member_id) \
         FROM (SELECT DISTINCT cp.member_id FROM course_participants cp \
           JOIN courses c ON c.id = cp.course_id WHERE cp.completed \
           AND c.ends_on >= {from} AND c.ends_on <= {to}) t \
         JOIN positions p ON p.member_id = t.member_id AND p.term_from <= {to} \
           AND (p.term_to IS NULL OR p.term_to > {to}) \
         JOIN unit_versions v ON v.unit_id = p.unit_id AND {valid_v} AND v.kind IN {CELL_KINDS} \
         WHERE {under} GROUP BY 1",
        valid_v = valid_on("v", &to),
    );
    s.add(db, g, sql, &text, &[slot::OFFICERS_TRAINED]).await
}

/// The counts of [`members_on_to`], [`officers_on_to`] and [`units_on_to`], read from the
/// month-end counts of `month`, whose last day ends the period.
pub(super) async fn ends_on_to(
    db: &impl ConnectionTrait,
    s: &Scope<'_>,
    g: &mut Groups,
    month: &str,
) -> Result<(), DbErr> {
    use slot::*;
    let counts = [
        ("members", MEMBERS),
        ("grassroots", GRASSROOTS),
        ("cells", CELLS),
        ("cells_grouped", CELLS_WITH_GROUPS),
        ("officers", OFFICERS),
    ];
    super::month_ends::read(db, s, g, &[month.to_string()], s.to, &counts).await
}
