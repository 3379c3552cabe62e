//! Early warnings over a unit's subtree and a period, each with its reason and a link to its
//! evidence (the cell, or the meeting): months and quarters without the required meeting,
//! attendance below the threshold two regular meetings running, tasks not followed up,
//! documents late, meetings too short or without the full procedure, members left without a
//! task, admissions and transfers past a deadline, cells below three official members or
//! without a secretary. Counted by `chibo_store::indicators::warnings`.

use chibo_domain::cursor::Cursor;
use chibo_domain::indicators::{Warning, tenths_text};
use chibo_store::entities::unit;
use chibo_store::indicators::Grouping;
use chibo_store::indicators::warnings::{self as store, AsOf, WarningRow};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Actor;
use crate::refs::UnitRef;
use crate::reports::Period;
use crate::reports::indicators::{reported_unit, scope_of};
use crate::{App, AppError, AppResult};

/// Warnings of each kind listed on the dashboard before "Xem tất cả".
pub const FIRST: u64 = 5;
/// Warnings of one kind on a page.
pub const PER_PAGE: u64 = 50;

/// How many warnings of a kind.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WarningCount {
    pub kind: String,
    pub label: String,
    pub count: u64,
}

/// One warning with its reason and its evidence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WarningLine {
    pub kind: String,
    pub cell: UnitRef,
    pub on: NaiveDate,
    pub meeting_id: Option<i64>,
    /// What is wrong, in a sentence.
    pub reason: String,
    /// The page that shows the evidence: the meeting, or the cell.
    pub evidence: String,
}

/// The warnings of a subtree over a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Warnings {
    pub unit_id: i64,
    pub unit: UnitRef,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Every kind with its count.
    pub kinds: Vec<WarningCount>,
    /// Without `kind`: the newest few of each kind; with it, a page of that kind, newest
    /// first.
    pub items: Vec<WarningLine>,
    /// With `kind`: pass as `after` for the next page; absent on the last.
    pub next: Option<String>,
}

fn cursor_of(r: &WarningRow) -> String {
    Cursor::new(format!("{}|{}", r.on, r.tiebreak()), r.cell_id).encode()
}

/// The last row of a page as far as the keyset needs it: its day, cell and tiebreak.
fn row_of(c: &Cursor) -> AppResult<WarningRow> {
    let bad = || AppError::invalid("after", "Tham số after không hợp lệ.");
    let (on, tiebreak) = c.key.split_once('|').ok_or_else(bad)?;
    Ok(WarningRow {
        cell_id: c.id,
        on: on.parse().map_err(|_| bad())?,
        meeting_id: None,
        number: tiebreak.parse::<i64>().map_err(|_| bad())?,
    })
}

/// The removal triggers' rules with their sources, for the warnings' reasons.
pub(crate) struct RemovalBasis {
    absences: String,
    dues: String,
}

/// Today, the deadlines of the open admissions and transfers as their lists judge them, and
/// the removal triggers: by the members' rules in force for the reported unit today.
pub(crate) async fn as_of(app: &App, unit: &unit::Model) -> AppResult<(AsOf, RemovalBasis)> {
    as_of_on(app, unit, App::today()).await
}

/// [`as_of`] as judged on day `today` (the worker's jobs look a few days ahead).
pub(crate) async fn as_of_on(
    app: &App,
    unit: &unit::Model,
    today: NaiveDate,
) -> AppResult<(AsOf, RemovalBasis)> {
    let mut transfers = crate::workflows::transfers::ctx(app, unit).await?;
    transfers.today = today;
    let admissions = crate::workflows::admissions::overdue_starts_on(
        &transfers.all.admission,
        &transfers.holidays,
        today,
    );
    let removal = transfers.all.removal;
    let removal_basis = RemovalBasis {
        absences: format!(
            "{} liên tiếp hoặc {} trong năm",
            transfers.all.basis("removal.absences_in_a_row"),
            transfers.all.basis("removal.absent_months_a_year")
        ),
        dues: format!(
            "{} trong năm",
            transfers.all.basis("removal.unpaid_dues_months_a_year")
        ),
    };
    let transfers = crate::workflows::transfers::overdue_starts(&transfers);
    let as_of = AsOf {
        absences_in_a_row: removal.absences_in_a_row,
        absent_months_a_year: removal.absent_months_a_year,
        unpaid_dues_months_a_year: removal.unpaid_dues_months_a_year,
        today,
        voted: admissions.voted,
        decided: admissions.decided,
        probation: admissions.probation,
        recognition: admissions.recognition,
        recognition_extended: admissions.recognition_extended,
        transfer_apply: transfers.apply,
        transfer_present: transfers.present,
        walk_members_above: app.config.walk_members_above,
    };
    Ok((as_of, removal_basis))
}

/// Why a warning is raised, in words; `member` names the member of a removal trigger.
/// `removal`: the removal triggers' rules with their sources.
pub(crate) fn reason(
    kind: Warning,
    r: &WarningRow,
    cell: &str,
    member: &str,
    removal: &RemovalBasis,
) -> String {
    let day = r.on.format("%d/%m/%Y");
    match kind {
        Warning::MissedMonth => format!(
            "{cell} không tổ chức sinh hoạt thường kỳ tháng {}/{}.",
            r.on.month(),
            r.on.year()
        ),
        Warning::MissedQuarter => format!(
            "{cell} không sinh hoạt chuyên đề quý {}/{}.",
            r.on.month0() / 3 + 1,
            r.on.year()
        ),
        Warning::LowAttendanceTwice => format!(
            "Buổi thường kỳ ngày {day}: {}% đảng viên dự, kỳ trước cũng dưới tỷ lệ quy định.",
            tenths_text(r.number)
        ),
        Warning::TasksNotFollowedUp => format!(
            "{} nhiệm vụ giao tại buổi ngày {day} chưa được kiểm tra ở kỳ sinh hoạt sau.",
            r.number
        ),
        Warning::DocumentsLate => {
            format!("Tài liệu buổi sinh hoạt ngày {day} không gửi trước đủ thời gian quy định.")
        }
        Warning::TooShort => format!("Buổi sinh hoạt ngày {day} không đủ thời lượng tối thiểu."),
        Warning::IncompleteProcedure => {
            format!("Buổi sinh hoạt ngày {day} không thực hiện đủ, đúng trình tự các bước.")
        }
        Warning::MembersWithoutTask => format!(
            "Buổi thường kỳ ngày {day}: {} đảng viên không được phân công nhiệm vụ.",
            r.number
        ),
        Warning::OverdueAdmission => {
            format!("{cell}: hồ sơ kết nạp hoặc chuyển đảng chính thức (từ ngày {day}) đã quá hạn.")
        }
        Warning::OverdueTransfer => {
            format!("{cell}: chuyển sinh hoạt đảng (từ ngày {day}) đã quá hạn một bước.")
        }
        Warning::RepeatedAbsence => format!(
            "{cell}: đồng chí {member} vắng sinh hoạt không có lý do ({day}) đến mức phải xem \
             xét xóa tên: {}.",
            removal.absences
        ),
        Warning::UnpaidDues => format!(
            "{cell}: đồng chí {member} không nộp đảng phí, không có lý do, đủ số tháng phải xem \
             xét xóa tên vào tháng {}/{}: {}.",
            r.on.month(),
            r.on.year(),
            removal.dues
        ),
        Warning::CopiedMinutes => format!(
            "Biên bản buổi thường kỳ ngày {day} giống {}% biên bản kỳ trước.",
            tenths_text(r.number)
        ),
        Warning::AgencyPartyTime => format!(
            "Buổi sinh hoạt ngày {day} chỉ dành {}% thời gian cho công tác đảng, thời sự.",
            tenths_text(r.number)
        ),
        Warning::BelowThreeOfficial => format!("{cell} có dưới ba đảng viên chính thức."),
        Warning::NoSecretary => format!("{cell} chưa có bí thư."),
    }
}

/// The page that shows warning `r`'s evidence: its meeting, the list it is on, the member.
pub(crate) fn evidence(kind: Warning, r: &WarningRow) -> String {
    match (kind, r.meeting_id) {
        (_, Some(m)) => format!("/meetings/{m}"),
        (Warning::OverdueAdmission, None) => format!("/units/{}/candidates", r.cell_id),
        (Warning::OverdueTransfer, None) => format!("/units/{}/transfers", r.cell_id),
        (Warning::RepeatedAbsence, None) => format!("/members/{}", r.number),
        (Warning::UnpaidDues, None) => {
            format!("/units/{}/dues?thang={}", r.cell_id, r.on.format("%Y-%m"))
        }
        (_, None) => format!("/units/{}", r.cell_id),
    }
}

/// How many warnings of each kind unit `unit_id`'s subtree has over `period`.
pub async fn counts(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    period: Period,
) -> AppResult<Vec<WarningCount>> {
    let unit = reported_unit(app, actor, unit_id, &period).await?;
    let scope = scope_of(app, &unit, &period, Grouping::Whole).await?;
    Ok(store::counts(&app.db, &scope, &as_of(app, &unit).await?.0)
        .await?
        .into_iter()
        .map(count_of)
        .collect())
}

fn count_of((k, count): (Warning, u64)) -> WarningCount {
    WarningCount {
        kind: k.code().into(),
        label: k.label().into(),
        count,
    }
}

/// The warnings of unit `unit_id`'s subtree over `period`: every kind counted, and the newest
/// few of each, or (with `kind`) a page of one kind.
pub async fn warnings(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    period: Period,
    kind: Option<Warning>,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<Warnings> {
    let unit = reported_unit(app, actor, unit_id, &period).await?;
    let scope = scope_of(app, &unit, &period, Grouping::Whole).await?;
    let (as_of, removal) = as_of(app, &unit).await?;
    let after = after.map(row_of).transpose()?;
    let mut rows: Vec<(Warning, WarningRow)> = Vec::new();
    let mut next = None;
    let kinds = match kind {
        Some(k) => {
            let per_page = per_page.clamp(1, 500);
            let mut page =
                store::page(&app.db, &scope, k, &as_of, after.as_ref(), per_page + 1).await?;
            if page.len() as u64 > per_page {
                page.truncate(per_page as usize);
                next = page.last().map(cursor_of);
            }
            rows.extend(page.into_iter().map(|r| (k, r)));
            store::counts(&app.db, &scope, &as_of).await?
        }
        None => store::overview(&app.db, &scope, &as_of, FIRST)
            .await?
            .into_iter()
            .map(|(k, n, first)| {
                rows.extend(first.into_iter().map(|r| (k, r)));
                (k, n)
            })
            .collect(),
    };
    let ids: Vec<i64> = rows.iter().map(|(_, r)| r.cell_id).collect();
    let cells = crate::lookup::units_by_id(&app.db, &ids).await?;
    let absent: Vec<i64> = rows
        .iter()
        .filter(|(k, _)| matches!(k, Warning::RepeatedAbsence | Warning::UnpaidDues))
        .map(|(_, r)| r.number)
        .collect();
    let members = crate::lookup::member_names(&app.db, &absent).await?;
    let items = rows
        .into_iter()
        .map(|(k, r)| {
            let name = cells
                .get(&r.cell_id)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            WarningLine {
                kind: k.code().into(),
                reason: reason(
                    k,
                    &r,
                    &name,
                    members.get(&r.number).map_or("", String::as_str),
                    &removal,
                ),
                evidence: evidence(k, &r),
                cell: UnitRef {
                    id: r.cell_id,
                    name,
                },
                on: r.on,
                meeting_id: r.meeting_id,
            }
        })
        .collect();
    Ok(Warnings {
        unit_id: unit.id,
        unit: UnitRef::of(&unit),
        from: period.from,
        to: period.to,
        kinds: kinds.into_iter().map(count_of).collect(),
        items,
        next,
    })
}
