//! Party dues of a cell, month by month (issue 12, defect 14; domain.md §3): the list of the
//! members who pay in the cell that month with what was recorded, the cell's entry of a whole
//! month at once, and the removal trigger (members with the members' rules' count of months
//! unpaid without reason in a year), which the warnings also count over a subtree. Exempt
//! members pay; members temporarily transferred out pay where they attend; a month a member
//! working away leaves unpaid is excused when the rules say so. Imports are in `dues_import`.

use std::collections::{HashMap, HashSet};

use chibo_domain::dues::{self as rules, DuesStatus};
use chibo_domain::member::{Status, StatusEvent, status_on};
use chibo_domain::org::UnitKind;
use chibo_domain::rules::Standing;
use chibo_domain::{Invalid, validate};
use chibo_store::entities::{member_event, party_due, unit};
use chibo_store::sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, Set};
use chibo_store::write_tx;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::{Actor, Attends, CellProof, Manages};
use crate::meetings::lookup::{self, RollEntry};
use crate::membership::members::{domain_events, status_of};
use crate::refs::{MemberRef, UnitRef};
use crate::{App, AppError, AppResult, audit};

/// One member's dues for the month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DuesRow {
    pub member: MemberRef,
    pub unit_name: String,
    /// `paid`, `unpaid`, `excused`; absent when the month is not recorded for them yet.
    pub status: Option<String>,
    pub status_label: String,
    /// In đồng.
    pub amount: Option<i64>,
    pub paid_on: Option<NaiveDate>,
    pub reason: String,
    /// Exempt from work and activities (they still pay).
    pub exempt: bool,
    /// Working away that month.
    pub working_away: bool,
    /// Months of the year up to this one recorded unpaid without reason.
    pub unpaid_in_year: u32,
    /// They reached the removal trigger's count this year.
    pub flagged: bool,
}

/// A cell's dues for a month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DuesList {
    pub cell: UnitRef,
    /// The month's first day.
    pub month: NaiveDate,
    /// "11/2026".
    pub month_text: String,
    /// Everyone who pays in the cell that month (a member sees only their own row).
    pub rows: Vec<DuesRow>,
    pub paid: u32,
    pub unpaid: u32,
    pub excused: u32,
    pub not_recorded: u32,
    /// Paid this month, in đồng.
    pub total_amount: i64,
    /// The removal trigger on dues and its source.
    pub basis: String,
    /// May record the month (the cell's officers and the committee above).
    pub can_record: bool,
}

/// One member's month as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct DuesEntry {
    pub member_id: i64,
    /// In đồng; with `paid_on` when paid.
    pub amount: Option<i64>,
    /// `YYYY-MM-DD` or `dd/mm/yyyy`.
    pub paid_on: Option<String>,
    /// Why it is not paid (makes the month excused); empty when paid or unpaid without reason.
    pub reason: String,
}

/// A month of a cell, member by member; the members not listed keep what they had.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct DuesInput {
    /// `YYYY-MM` or `MM/YYYY`.
    pub month: String,
    pub entries: Vec<DuesEntry>,
}

/// The cell whose dues are asked for, if the actor may see it: dues are a cell's list (a unit
/// above cells has its members' triggers in the warnings instead).
pub(crate) async fn dues_cell(
    app: &App,
    actor: &Actor,
    id: i64,
) -> AppResult<Attends<unit::Model>> {
    let cell = lookup::visible_cell(app, actor, id).await?;
    if !UnitKind::from_code(&cell.kind).is_some_and(|k| k.is_cell()) {
        return Err(AppError::invalid(
            "unit_id",
            "Đảng phí do chi bộ ghi; hãy chọn một chi bộ.",
        ));
    }
    Ok(cell)
}

/// The month's last day, or today for the month under way.
fn roll_day(month: NaiveDate) -> NaiveDate {
    let end = month
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(month);
    end.min(App::today().max(month))
}

pub(crate) fn month_field(e: &mut Invalid, field: &str, text: &str) -> Option<NaiveDate> {
    match rules::parse_month(text) {
        Some(m) if m <= rules::month_of(App::today()) => Some(m),
        Some(_) => {
            e.push(field, "Tháng đảng phí chưa đến.");
            None
        }
        None => {
            e.push(field, "Ghi tháng dạng 11/2026.");
            None
        }
    }
}

/// Who pays in the cell in `month`, with whether each was working away then: the roll on the
/// month's last day, less those temporarily transferred out (they pay where they attend).
pub(crate) async fn payers(
    app: &App,
    cell: &impl CellProof,
    month: NaiveDate,
) -> AppResult<Vec<(RollEntry, bool)>> {
    let day = roll_day(month);
    let roll: Vec<RollEntry> = lookup::roll(app, cell, day)
        .await?
        .into_iter()
        .filter(|r| r.standing != Standing::TransferredOutTemp)
        .collect();
    let ids: Vec<i64> = roll.iter().map(|r| r.member.id).collect();
    let mut events: HashMap<i64, Vec<member_event::Model>> = HashMap::new();
    for e in crate::lookup::by_ids::<member_event::Entity, _>(
        &app.db,
        member_event::Column::MemberId,
        &ids,
    )
    .await?
    {
        events.entry(e.member_id).or_default().push(e);
    }
    Ok(roll
        .into_iter()
        .map(|r| {
            let mut evs = events.remove(&r.member.id).unwrap_or_default();
            evs.sort_by_key(|e| (e.effective_on, e.id));
            let history: Vec<StatusEvent> = domain_events(&evs);
            let away = status_on(status_of(&r.member.initial_status), &history, day)
                == Status::WorkingAway;
            (r, away)
        })
        .collect())
}

/// The payers' rows of `month`'s year up to it, read once (in chunks of ids): the month's own
/// rows for the list, and the months unpaid without reason for the trigger.
struct YearRows {
    of_month: HashMap<i64, party_due::Model>,
    unpaid: HashMap<i64, Vec<NaiveDate>>,
}

async fn year_rows(
    db: &impl ConnectionTrait,
    members: &[i64],
    month: NaiveDate,
) -> AppResult<YearRows> {
    let from = NaiveDate::from_ymd_opt(month.year(), 1, 1).expect("1 January");
    let mut rows = YearRows {
        of_month: HashMap::new(),
        unpaid: HashMap::new(),
    };
    let months = Condition::all().add(party_due::Column::Month.between(from, month));
    for r in crate::lookup::by_ids_where::<party_due::Entity, _>(
        db,
        party_due::Column::MemberId,
        members,
        months,
    )
    .await?
    {
        if r.status == DuesStatus::Unpaid.code() {
            rows.unpaid.entry(r.member_id).or_default().push(r.month);
        }
        if r.month == month {
            rows.of_month.insert(r.member_id, r);
        }
    }
    Ok(rows)
}

/// Cell `cell_id`'s dues for `month` (`YYYY-MM`; this month by default).
pub async fn list(
    app: &App,
    actor: &Actor,
    cell_id: i64,
    month: Option<&str>,
) -> AppResult<DuesList> {
    let cell = dues_cell(app, actor, cell_id).await?;
    let month = match month {
        None => rules::month_of(App::today()),
        Some(m) => {
            let mut e = Invalid::new();
            let m = month_field(&mut e, "month", m);
            e.into_result()?;
            m.expect("checked")
        }
    };
    let officer = actor.can_read_path(&cell.path);
    let payers = payers(app, &cell, month).await?;
    let ids: Vec<i64> = payers.iter().map(|(r, _)| r.member.id).collect();
    let YearRows {
        of_month: recorded,
        unpaid,
    } = year_rows(&app.db, &ids, month).await?;
    let all = crate::rules::members::rules_for(&app.db, &cell, month).await?;
    let n = all.removal.unpaid_dues_months_a_year;
    let mut list = DuesList {
        cell: UnitRef {
            id: cell.id,
            name: cell.name.clone(),
        },
        month,
        month_text: rules::month_text(month),
        rows: Vec::new(),
        paid: 0,
        unpaid: 0,
        excused: 0,
        not_recorded: 0,
        total_amount: 0,
        basis: all.basis("removal.unpaid_dues_months_a_year"),
        can_record: officer && actor.can_manage_members(&cell),
    };
    for (r, away) in payers {
        let rec = recorded.get(&r.member.id);
        let status = rec.and_then(|x| DuesStatus::from_code(&x.status));
        match status {
            Some(DuesStatus::Paid) => list.paid += 1,
            Some(DuesStatus::Unpaid) => list.unpaid += 1,
            Some(DuesStatus::Excused) => list.excused += 1,
            None => list.not_recorded += 1,
        }
        list.total_amount += rec.and_then(|x| x.amount).unwrap_or(0);
        let months = unpaid.get(&r.member.id).map(Vec::as_slice).unwrap_or(&[]);
        if !officer && !actor.is_member(r.member.id) {
            continue;
        }
        list.rows.push(DuesRow {
            member: MemberRef {
                id: r.member.id,
                name: r.member.full_name.clone(),
            },
            unit_name: r.unit_name.clone(),
            status: status.map(|s| s.code().to_string()),
            status_label: status.map_or("Chưa ghi", |s| s.label()).to_string(),
            amount: rec.and_then(|x| x.amount),
            paid_on: rec.and_then(|x| x.paid_on),
            reason: rec.map(|x| x.reason.clone()).unwrap_or_default(),
            exempt: r.standing == Standing::Exempt,
            working_away: away,
            unpaid_in_year: months.len() as u32,
            flagged: !rules::trigger_months(months, n).is_empty(),
        });
    }
    Ok(list)
}

/// A checked month of one member, ready to write.
pub(crate) struct CleanEntry {
    pub(crate) member_id: i64,
    pub(crate) month: NaiveDate,
    pub(crate) status: DuesStatus,
    pub(crate) amount: Option<i64>,
    pub(crate) paid_on: Option<NaiveDate>,
    pub(crate) reason: String,
}

/// Checks one member's month; `away`: working away that month, which excuses an unpaid month
/// when `away_excused`. The error is the Vietnamese message.
pub(crate) fn clean_entry(
    member_id: i64,
    month: NaiveDate,
    amount: Option<i64>,
    paid_on: Option<NaiveDate>,
    reason: &str,
    away: bool,
    away_excused: bool,
) -> Result<CleanEntry, &'static str> {
    let reason = reason.trim();
    if reason.chars().count() > 255 {
        return Err("lý do không quá 255 ký tự");
    }
    let mut status = rules::check_entry(month, amount, paid_on, reason, App::today())?;
    let mut reason = reason.to_string();
    if status == DuesStatus::Unpaid && away && away_excused {
        status = DuesStatus::Excused;
        reason = "Đi làm ăn xa".into();
    }
    // Unpaid is a month's outcome: the month under way has not ended.
    if status == DuesStatus::Unpaid && month == rules::month_of(App::today()) {
        return Err("tháng này chưa hết, chưa ghi được là chưa nộp");
    }
    Ok(CleanEntry {
        member_id,
        month,
        status,
        amount: if status == DuesStatus::Paid {
            amount
        } else {
            None
        },
        paid_on: if status == DuesStatus::Paid {
            paid_on
        } else {
            None
        },
        reason: if status == DuesStatus::Paid {
            String::new()
        } else {
            reason
        },
    })
}

/// Writes checked months of cell `cell` in `tx`, replacing what each member had for the month:
/// a month at a time, in a few statements whatever the number of members, with one audit line
/// per month holding the rows before and after.
pub(crate) async fn write(
    tx: &impl ConnectionTrait,
    actor: &Actor,
    cell: &Manages<unit::Model>,
    entries: &[CleanEntry],
) -> AppResult<()> {
    let months: std::collections::BTreeSet<NaiveDate> = entries.iter().map(|x| x.month).collect();
    for month in months {
        let of_month: Vec<&CleanEntry> = entries.iter().filter(|x| x.month == month).collect();
        let ids: Vec<i64> = of_month.iter().map(|x| x.member_id).collect();
        let before: Vec<party_due::Model> = crate::lookup::by_ids_where::<party_due::Entity, _>(
            tx,
            party_due::Column::MemberId,
            &ids,
            Condition::all().add(party_due::Column::Month.eq(month)),
        )
        .await?;
        let replaced: Vec<i64> = before.iter().map(|r| r.id).collect();
        crate::lookup::delete_by_ids::<party_due::Entity, _>(tx, party_due::Column::Id, &replaced)
            .await?;
        let now = chrono::Utc::now();
        let rows: Vec<party_due::ActiveModel> = of_month
            .iter()
            .map(|x| party_due::ActiveModel {
                member_id: Set(x.member_id),
                unit_id: Set(cell.id),
                month: Set(x.month),
                status: Set(x.status.code().to_string()),
                amount: Set(x.amount),
                paid_on: Set(x.paid_on),
                reason: Set(x.reason.clone()),
                recorded_by: Set(Some(actor.user_id().get())),
                recorded_at: Set(now),
                ..Default::default()
            })
            .collect();
        party_due::Entity::insert_many(rows).exec(tx).await?;
        let after: Vec<(i64, &str, Option<i64>)> = of_month
            .iter()
            .map(|x| (x.member_id, x.status.code(), x.amount))
            .collect();
        audit::record(
            tx,
            Some(actor),
            "unit.dues",
            "unit",
            Some(cell.id),
            Some(&before),
            Some(&serde_json::json!({"month": month, "rows": after})),
        )
        .await?;
    }
    Ok(())
}

/// The cell if the actor may record its dues (checked before an upload is read).
pub async fn may_record(app: &App, actor: &Actor, cell_id: i64) -> AppResult<UnitRef> {
    let cell = actor.manages(dues_cell(app, actor, cell_id).await?)?;
    Ok(UnitRef {
        id: cell.id,
        name: cell.name.clone(),
    })
}

/// Records cell `cell_id`'s month for the members listed, all at once or not at all.
pub async fn record(
    app: &App,
    actor: &Actor,
    cell_id: i64,
    input: DuesInput,
) -> AppResult<DuesList> {
    let cell = actor.manages(dues_cell(app, actor, cell_id).await?)?;
    let mut e = Invalid::new();
    let month = month_field(&mut e, "month", &input.month);
    if input.entries.is_empty() {
        e.push("entries", "Chưa ghi đảng phí của đảng viên nào.");
    }
    let Some(month) = month else {
        return Err(AppError::Invalid(e));
    };
    let payers = payers(app, &cell, month).await?;
    let by_id: HashMap<i64, &(RollEntry, bool)> =
        payers.iter().map(|p| (p.0.member.id, p)).collect();
    let away_excused = crate::rules::members::rules_for(&app.db, &cell, month)
        .await?
        .removal
        .working_away_dues_excused;
    let mut seen = HashSet::new();
    let mut clean = Vec::new();
    for (i, x) in input.entries.iter().enumerate() {
        let field = format!("entries[{i}]");
        let Some((r, away)) = by_id.get(&x.member_id) else {
            e.push(
                &field,
                format!(
                    "Dòng {}: đảng viên không nộp đảng phí tại chi bộ trong tháng này.",
                    i + 1
                ),
            );
            continue;
        };
        if !seen.insert(x.member_id) {
            e.push(&field, format!("{}: ghi hai lần.", r.member.full_name));
            continue;
        }
        let mut dates = Invalid::new();
        let paid_on =
            validate::date_field(&mut dates, &field, "ngày nộp", x.paid_on.as_deref(), false);
        if !dates.errors.is_empty() {
            e.push(
                &field,
                format!("{}: ngày nộp không hợp lệ.", r.member.full_name),
            );
            continue;
        }
        match clean_entry(
            x.member_id,
            month,
            x.amount,
            paid_on,
            &x.reason,
            *away,
            away_excused,
        ) {
            Ok(c) => clean.push(c),
            Err(msg) => e.push(&field, format!("{}: {msg}.", r.member.full_name)),
        }
    }
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    write(&tx, actor, &cell, &clean).await?;
    tx.commit().await?;
    list(
        app,
        actor,
        cell_id,
        Some(&month.format("%Y-%m").to_string()),
    )
    .await
}
