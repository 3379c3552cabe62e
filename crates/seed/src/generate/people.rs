//! Units with their history, members with their rolls, statuses and positions, the party groups
//! of large cells, and the accounts printed at the end.

use chibo_app::App;
use chibo_domain::member::add_months;
use chibo_domain::org::{CellType, UnitKind, child_path};
use chibo_domain::text::{person_sort_key, search_key};
use chibo_store::entities::{
    member, member_event, member_unit, position, unit, unit_event, unit_version,
};
use chrono::{Datelike, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, Set};

use super::bulk::Batch;
use super::org::{Unit, reform_day};
use super::plan::Sizes;
use super::{Ctx, GenerateError, Progress};
use crate::demo::names::{
    FAMILY, FEMALE_GIVEN, FEMALE_MIDDLE, HIGHLAND_FAMILY, MALE_GIVEN, MALE_MIDDLE,
};

/// Tables this module fills with explicit ids.
pub const TABLES: &[&str] = &[
    "units",
    "unit_versions",
    "unit_events",
    "members",
    "member_units",
    "member_events",
    "positions",
    "users",
    "user_roles",
];

/// Writes the units, one version for each stretch of time a unit stood at one path, and the
/// events `units::create`, `move_unit` and `dissolve` record.
pub async fn write_units(
    db: &impl ConnectionTrait,
    units: &[Unit],
    progress: &dyn Progress,
) -> Result<(), GenerateError> {
    let now = Utc::now();
    let reform = reform_day();
    let mut rows: Batch<unit::ActiveModel> = Batch::new();
    let mut versions: Batch<unit_version::ActiveModel> = Batch::new();
    let mut events: Batch<unit_event::ActiveModel> = Batch::new();
    let event = |kind: &str, u: &Unit, other: Option<i64>, note: Option<&str>, on: NaiveDate| {
        unit_event::ActiveModel {
            kind: Set(kind.into()),
            effective_on: Set(on),
            unit_id: Set(u.id),
            other_unit_id: Set(other),
            note: Set(note.map(str::to_string)),
            created_by: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
    };
    let version = |u: &Unit, parent: Option<i64>, path: &str, from, to| unit_version::ActiveModel {
        unit_id: Set(u.id),
        parent_id: Set(parent),
        path: Set(path.to_string()),
        name: Set(u.name.clone()),
        kind: Set(u.kind.code().into()),
        cell_type: Set(u.cell_type.map(|c| c.code().to_string())),
        valid_from: Set(from),
        valid_to: Set(to),
        ..Default::default()
    };
    for (i, u) in units.iter().enumerate() {
        rows.push(unit_row(u, now));
        let first_parent = u.before_reform.as_ref().map_or(u.parent_id, |(p, _)| *p);
        if u.parent_id.is_some() {
            events.push(event("created", u, first_parent, None, u.established_on));
        }
        match (&u.before_reform, u.dissolved_on) {
            (_, Some(gone)) => {
                versions.push(version(
                    u,
                    u.parent_id,
                    &u.path,
                    u.established_on,
                    Some(gone),
                ));
                events.push(event(
                    "dissolved",
                    u,
                    None,
                    Some("Kết thúc hoạt động cấp huyện theo chủ trương sắp xếp đơn vị hành chính"),
                    gone,
                ));
            }
            (Some((old_parent, old_path)), None) => {
                versions.push(version(
                    u,
                    *old_parent,
                    old_path,
                    u.established_on,
                    Some(reform),
                ));
                versions.push(version(u, u.parent_id, &u.path, reform, None));
                if *old_parent != u.parent_id {
                    events.push(event("moved", u, u.parent_id, None, reform));
                }
            }
            (None, None) => {
                versions.push(version(u, u.parent_id, &u.path, u.established_on, None));
            }
        }
        if i % 1000 == 0 {
            progress.advance(i as u64);
        }
    }
    rows.flush(db).await?;
    versions.flush(db).await?;
    events.flush(db).await?;
    progress.advance(units.len() as u64);
    Ok(())
}

fn unit_row(u: &Unit, now: chrono::DateTime<Utc>) -> unit::ActiveModel {
    unit::ActiveModel {
        id: Set(u.id),
        parent_id: Set(u.parent_id),
        path: Set(u.path.clone()),
        depth: Set(u.depth()),
        name: Set(u.name.clone()),
        search_key: Set(u.search_key()),
        sort_key: Set(chibo_domain::text::collation_key(&u.name)),
        kind: Set(u.kind.code().into()),
        cell_type: Set(u.cell_type.map(|c| c.code().to_string())),
        established_on: Set(u.established_on),
        dissolved_on: Set(u.dissolved_on),
        successor_id: Set(None),
        created_at: Set(now),
        follower_member_id: Set(None),
    }
}

/// A generated member, as the meetings need it.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: i64,
    /// The cell (or base cell) whose roll the member is on.
    pub cell: i64,
    pub born: i32,
    pub admission: NaiveDate,
    pub status: &'static str,
    /// When the member joined the cell's roll.
    pub on_roll_from: NaiveDate,
    /// When the status other than active took effect.
    pub status_from: Option<NaiveDate>,
    pub full_name: String,
}

/// The members of the data set, grouped by cell.
pub struct People {
    pub members: Vec<Person>,
    /// Per cell id: the range of `members` on its roll.
    pub by_cell: std::collections::HashMap<i64, std::ops::Range<usize>>,
    /// Per cell: (secretary, deputy) member ids.
    pub officers: std::collections::HashMap<i64, (i64, Option<i64>)>,
    /// Party groups written.
    pub groups: usize,
}

/// The rows of `write_people` waiting to be written.
#[derive(Default)]
struct Batches {
    unit_rows: Batch<unit::ActiveModel>,
    versions: Batch<unit_version::ActiveModel>,
    unit_events: Batch<unit_event::ActiveModel>,
    member_rows: Batch<member::ActiveModel>,
    rolls: Batch<member_unit::ActiveModel>,
    events: Batch<member_event::ActiveModel>,
    positions: Batch<position::ActiveModel>,
}

impl Batches {
    /// Writes the batches in the order their rows name each other (units before members
    /// before rolls, events and positions).
    async fn flush(&mut self, tx: &impl ConnectionTrait) -> Result<(), sea_orm::DbErr> {
        self.unit_rows.flush(tx).await?;
        self.versions.flush(tx).await?;
        self.unit_events.flush(tx).await?;
        self.member_rows.flush(tx).await?;
        self.rolls.flush(tx).await?;
        self.events.flush(tx).await?;
        self.positions.flush(tx).await
    }
}

/// Cell sizes for `total` members over `n` cells: skewed (most small, a few over 150), at
/// least three each, adding up exactly.
fn cell_sizes(ctx: &mut Ctx, n: usize, total: usize) -> Vec<usize> {
    if n == 0 {
        return vec![];
    }
    // Exponential draws: -ln(1-u).
    let raw: Vec<f64> = (0..n)
        .map(|_| {
            let u = (ctx.rng.below(1_000_000) as f64 + 0.5) / 1_000_000.0;
            -(1.0 - u).ln()
        })
        .collect();
    let free = total.saturating_sub(3 * n) as f64;
    let sum: f64 = raw.iter().sum();
    let mut sizes: Vec<usize> = raw
        .iter()
        .map(|r| 3 + ((r / sum) * free).floor() as usize)
        .collect();
    let mut given: usize = sizes.iter().sum();
    let mut i = 0;
    while given < total {
        sizes[i % n] += 1;
        given += 1;
        i += 7;
    }
    sizes
}

/// Writes members on the rolls of every cell and base cell, their status events, officers'
/// positions (cells and committees), and party groups in cells of more than 30 members.
pub async fn write_people(
    app: &App,
    ctx: &mut Ctx,
    units: &[Unit],
    sizes: &[Sizes],
    progress: &dyn Progress,
) -> Result<People, GenerateError> {
    let db = &app.db;
    let today = App::today();
    let now = Utc::now();
    let cells: Vec<&Unit> = units.iter().filter(|u| u.kind.is_cell()).collect();
    let total: usize = sizes.iter().map(|s| s.members).sum();
    progress.phase("Đảng viên", total as u64);
    // Each province's members over its cells: provinces are the units under the root, or the root.
    let mut size_of: std::collections::HashMap<i64, usize> = Default::default();
    let provinces: Vec<&Unit> = if sizes.len() > 1 {
        units
            .iter()
            .filter(|u| u.kind == UnitKind::Province)
            .collect()
    } else {
        vec![&units[0]]
    };
    for (p, s) in provinces.iter().zip(sizes) {
        let in_p: Vec<&&Unit> = cells
            .iter()
            .filter(|c| c.path.starts_with(&p.path))
            .collect();
        for (c, n) in in_p.iter().zip(cell_sizes(ctx, in_p.len(), s.members)) {
            size_of.insert(c.id, n);
        }
    }
    let mut next_unit = units.iter().map(|u| u.id).max().unwrap_or(0);
    let mut next_member = 0i64;
    let mut next_position = 0i64;
    let mut people = People {
        members: Vec::with_capacity(total),
        by_cell: Default::default(),
        officers: Default::default(),
        groups: 0,
    };
    let tx = super::bulk::load_tx(db).await?;
    let mut b = Batches::default();
    for cell in &cells {
        let n = size_of.get(&cell.id).copied().unwrap_or(3);
        // Party groups: one for each 15 members of a cell over 30, at most 6.
        let groups: Vec<Unit> = if cell.kind == UnitKind::Cell && n > 30 {
            (0..(n / 15).min(6))
                .map(|g| {
                    next_unit += 1;
                    Unit {
                        id: next_unit,
                        parent_id: Some(cell.id),
                        path: child_path(&cell.path, next_unit),
                        name: format!("Tổ đảng số {}", g + 1),
                        kind: UnitKind::Group,
                        cell_type: None,
                        established_on: cell.established_on,
                        dissolved_on: None,
                        before_reform: cell
                            .before_reform
                            .as_ref()
                            .map(|(_, old)| (Some(cell.id), child_path(old, next_unit))),
                    }
                })
                .collect()
        } else {
            vec![]
        };
        for g in &groups {
            b.unit_rows.push(unit_row(g, now));
            b.unit_events.push(unit_event::ActiveModel {
                kind: Set("created".into()),
                effective_on: Set(g.established_on),
                unit_id: Set(g.id),
                other_unit_id: Set(Some(cell.id)),
                note: Set(None),
                created_by: Set(None),
                created_at: Set(now),
                ..Default::default()
            });
            let v = |parent: Option<i64>, path: &str, from, to| unit_version::ActiveModel {
                unit_id: Set(g.id),
                parent_id: Set(parent),
                path: Set(path.to_string()),
                name: Set(g.name.clone()),
                kind: Set(UnitKind::Group.code().into()),
                cell_type: Set(None),
                valid_from: Set(from),
                valid_to: Set(to),
                ..Default::default()
            };
            match &g.before_reform {
                Some((p, old)) => {
                    b.versions
                        .push(v(*p, old, g.established_on, Some(reform_day())));
                    b.versions.push(v(g.parent_id, &g.path, reform_day(), None));
                }
                None => b
                    .versions
                    .push(v(g.parent_id, &g.path, g.established_on, None)),
            }
        }
        people.groups += groups.len();
        let start = people.members.len();
        let kind = cell.cell_type.unwrap_or(CellType::Rural);
        let highland = cell.id % 11 == 0;
        for i in 0..n {
            next_member += 1;
            let id = next_member;
            let rng = &mut ctx.rng;
            let male = rng.chance(if kind == CellType::School { 35 } else { 62 });
            let family = if highland && rng.chance(70) {
                rng.pick(HIGHLAND_FAMILY)
            } else {
                rng.pick(FAMILY)
            };
            let middle = rng.pick(if male { MALE_MIDDLE } else { FEMALE_MIDDLE });
            let given = rng.pick(if male { MALE_GIVEN } else { FEMALE_GIVEN });
            let full_name = format!("{family} {middle} {given}");
            let birth_year = match kind {
                CellType::Rural | CellType::Urban => 1940 + rng.below(62) as i32,
                _ => 1966 + rng.below(37) as i32,
            };
            let dob = NaiveDate::from_ymd_opt(
                birth_year,
                1 + rng.below(12) as u32,
                1 + rng.below(28) as u32,
            )
            .expect("date");
            // The first three are long-standing official members (a cell needs three); about
            // 3% of the rest joined within the year and are probationary.
            let probationary = i >= 3 && rng.chance(3);
            let admission = if probationary {
                today - chrono::Duration::days(30 + rng.below(300) as i64)
            } else {
                let y = (birth_year + 19 + rng.below(20) as i32).min(today.year() - 2);
                NaiveDate::from_ymd_opt(y, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32)
                    .expect("date")
                    .max(dob + chrono::Duration::days(18 * 366))
                    .min(today - chrono::Duration::days(400))
            };
            let official = add_months(admission, 12);
            let unit_id = if groups.is_empty() {
                cell.id
            } else {
                groups[i % groups.len()].id
            };
            let unit_path = if groups.is_empty() {
                cell.path.clone()
            } else {
                groups[i % groups.len()].path.clone()
            };
            let on_roll_from = today.min(admission.max(cell.established_on));
            // Exempt (elderly, 7%) and working away (rural, 5%): not the officers.
            let roll = rng.below(100);
            let (status, event) = if i >= 3 && birth_year < 1962 && roll < 14 {
                (
                    "exempt",
                    Some((
                        "exemption_granted",
                        "Tuổi cao, sức yếu; tự nguyện đề nghị, chi bộ đồng ý.",
                    )),
                )
            } else if i >= 3 && kind == CellType::Rural && roll >= 90 && !probationary {
                ("working_away", Some(("working_away", "Đi làm ăn xa.")))
            } else {
                ("active", None)
            };
            let status_from = event.map(|_| {
                let span = (today - on_roll_from).num_days().max(2);
                on_roll_from + chrono::Duration::days(1 + rng.below(span as u64 - 1) as i64)
            });
            let province_code = (cell.path.len() % 90) as u32 + 1;
            let century_sex = match (birth_year >= 2000, male) {
                (false, true) => 0,
                (false, false) => 1,
                (true, true) => 2,
                (true, false) => 3,
            };
            b.member_rows.push(member::ActiveModel {
                id: Set(id),
                search_key: Set(search_key(&full_name)),
                sort_key: Set(person_sort_key(&full_name)),
                full_name: Set(full_name.clone()),
                date_of_birth: Set(dob),
                sex: Set(if male { "male" } else { "female" }.into()),
                ethnicity: Set(if highland && rng.chance(60) {
                    "Tày"
                } else {
                    "Kinh"
                }
                .into()),
                // 12 digits, unique by the member's id (up to 100 million members).
                citizen_id: Set(Some(format!(
                    "{:03}{century_sex}{id:08}",
                    province_code % 1000
                ))),
                phone: Set(rng.chance(85).then(|| format!("09{:08}", id % 100_000_000))),
                admission_date: Set(admission),
                official_date: Set((official <= today).then_some(official)),
                card_number: Set((official <= today).then(|| format!("{id:09}"))),
                history_number: Set(Some(format!("LL-{id:07}"))),
                badge_number: Set(None),
                initial_status: Set("active".into()),
                status: Set(status.into()),
                unit_id: Set(unit_id),
                unit_path: Set(unit_path),
                created_at: Set(now),
                updated_at: Set(now),
            });
            b.rolls.push(member_unit::ActiveModel {
                member_id: Set(id),
                unit_id: Set(unit_id),
                valid_from: Set(on_roll_from),
                valid_to: Set(None),
                reason: Set("Ghi nhận vào danh sách chi bộ".into()),
                ..Default::default()
            });
            if let (Some((kind, reason)), Some(on)) = (event, status_from) {
                b.events.push(member_event::ActiveModel {
                    member_id: Set(id),
                    kind: Set(kind.into()),
                    effective_on: Set(on),
                    until: Set(None),
                    reason: Set(reason.into()),
                    created_by: Set(None),
                    created_at: Set(now),
                    ..Default::default()
                });
            }
            people.members.push(Person {
                id,
                cell: cell.id,
                born: birth_year,
                admission,
                status,
                on_roll_from,
                status_from,
                full_name,
            });
        }
        people.by_cell.insert(cell.id, start..people.members.len());
        // Officers: active official members admitted before the term, longest-standing first
        // (the first three always are): a secretary, a deputy from 8 members, committee
        // members from 15 (one) and 30 (three).
        let term_from = cell
            .established_on
            .max(NaiveDate::from_ymd_opt(2025, 7, 15).expect("date"));
        let ids: Vec<i64> = people.members[start..]
            .iter()
            .filter(|p| p.status == "active" && p.on_roll_from <= term_from)
            .map(|p| p.id)
            .collect();
        let pick = |k: usize| ids.get(k).copied();
        let officers: Vec<(&str, i64)> = [
            pick(0).map(|m| ("secretary", m)),
            pick(1).filter(|_| n >= 8).map(|m| ("deputy_secretary", m)),
            pick(2).filter(|_| n >= 15).map(|m| ("committee_member", m)),
            pick(3).filter(|_| n >= 30).map(|m| ("committee_member", m)),
            pick(4).filter(|_| n >= 30).map(|m| ("committee_member", m)),
        ]
        .into_iter()
        .flatten()
        .collect();
        if let Some(secretary) = pick(0) {
            people
                .officers
                .insert(cell.id, (secretary, pick(1).filter(|_| n >= 8)));
        }
        for (kind, member_id) in officers {
            next_position += 1;
            b.positions.push(position::ActiveModel {
                id: Set(next_position),
                member_id: Set(member_id),
                unit_id: Set(cell.id),
                kind: Set(kind.into()),
                term_from: Set(term_from),
                term_to: Set(None),
            });
        }
        progress.advance(people.members.len() as u64);
        // Written in the order rows name each other, 20,000 members at a time.
        if b.member_rows.len() >= 20_000 {
            b.flush(&tx).await?;
        }
    }
    // Committees: secretary, deputy and three committee members from the officers of their
    // first cells.
    for c in units
        .iter()
        .filter(|u| !u.kind.holds_members() && u.dissolved_on.is_none() && u.parent_id.is_some())
    {
        let under: Vec<i64> = cells
            .iter()
            .filter(|x| x.parent_id == Some(c.id))
            .take(5)
            .filter_map(|x| people.officers.get(&x.id).map(|o| o.0))
            .collect();
        for (k, member_id) in under.iter().enumerate() {
            next_position += 1;
            b.positions.push(position::ActiveModel {
                id: Set(next_position),
                member_id: Set(*member_id),
                unit_id: Set(c.id),
                kind: Set(match k {
                    0 => "secretary",
                    1 => "deputy_secretary",
                    _ => "committee_member",
                }
                .into()),
                term_from: Set(NaiveDate::from_ymd_opt(2025, 7, 15).expect("date")),
                term_to: Set(None),
            });
        }
    }
    b.flush(&tx).await?;
    tx.commit().await?;
    Ok(people)
}
