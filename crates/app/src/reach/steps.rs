//! The worker's daily job of steps due and overdue. Each cell's officers are told, once, of
//! every admission, probationary review or transfer step three days before its deadline and
//! again once it is past it, of every member who reached the removal trigger (absences, unpaid
//! dues), of the probationary members whose probation ends within a month, and of the members
//! due for a badge at the next award day. Each committee's and board's account gets a digest
//! of what is overdue below it, every day there is something. The rows are the early
//! warnings' own (`chibo_store::indicators::warnings`, judged on the job's day and three days
//! on), found over each tree's root a page at a time, and the letters are written a hundred
//! at a time (`crate::notify`), so the job's statements grow with what there is to tell, never
//! with the size of the tree. Each page is read outside any transaction and written with its
//! marks (`told_steps`) in a short one of its own: SQLite's write lock is held for a page's
//! letters, not for the job, and a job cut short tells the rest the next day.

use std::collections::HashMap;

use chibo_domain::calendar::last_overdue_start;
use chibo_domain::indicators::Warning;
use chibo_domain::notify::{Message, NoticeKind};
use chibo_store::entities::unit;
use chibo_store::entities::{candidate, transfer};
use chibo_store::indicators::Grouping;
use chibo_store::indicators::told as store;
use chibo_store::indicators::warnings::{AsOf, WarningRow};
use chibo_store::write_tx;
use chrono::{Days, NaiveDate, Utc};

use crate::access::{Role, Scheduled, scheduled_roots};
use crate::notify::{Letter, tell_accounts, tell_officers};
use crate::reports::Period;
use crate::reports::indicators::scheduled_scope;
use crate::reports::warnings::{RemovalBasis, as_of_on, evidence, reason};
use crate::{App, AppResult};

/// The warnings told to the cell's officers, once each.
const TOLD: [Warning; 4] = [
    Warning::OverdueAdmission,
    Warning::OverdueTransfer,
    Warning::RepeatedAbsence,
    Warning::UnpaidDues,
];

/// The warnings counted in the committees' daily digest.
const DIGEST: [Warning; 6] = [
    Warning::OverdueAdmission,
    Warning::OverdueTransfer,
    Warning::RepeatedAbsence,
    Warning::UnpaidDues,
    Warning::NoSecretary,
    Warning::BelowThreeOfficial,
];

/// The removal triggers looked at are those reached in the last this many days: long enough
/// for the dues of a month recorded weeks later and a meeting's sheet closed late (each is
/// told once, `told_steps`), short enough that the first run does not tell a year of old ones;
/// the digest counts them over the same days.
pub const RECENT_DAYS: u64 = 92;

/// Officers are told of a probation this many days before it ends.
pub const PROBATION_NOTICE_DAYS: u64 = 30;

/// Officers are told of an admission's or a transfer's step this many days before it is late.
pub const DUE_NOTICE_DAYS: u64 = 3;

/// Officers are told of the badges due this many days before the award day.
pub const BADGE_NOTICE_DAYS: i64 = 30;

/// Rows read at a time.
const PAGE: u64 = 200;

/// What one run told.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Told {
    /// Steps told to cells' officers (a letter to every officer of the cell): steps overdue,
    /// probations ending and members at the removal trigger.
    pub cells: usize,
    /// Admissions' and transfers' steps due within [`DUE_NOTICE_DAYS`] told to their cells'
    /// officers.
    pub due: usize,
    /// Members due for a badge told to their cells' officers.
    pub badges: usize,
    /// Digests to committees' and boards' accounts.
    pub digests: usize,
}

/// Runs the job for `today` (once a day: the worker claims it first). What a page tells and
/// marks as told commits together, or neither does.
pub async fn run(app: &App, today: NaiveDate) -> AppResult<Told> {
    let mut told = Told::default();
    for root in scheduled_roots(&app.db).await? {
        let (as_of, removal) = as_of_on(app, &root, today).await?;
        let (soon, _) = as_of_on(app, &root, today + Days::new(DUE_NOTICE_DAYS)).await?;
        let period = Period {
            from: today - Days::new(RECENT_DAYS),
            to: today,
        };
        let scope = scheduled_scope(app, &root, &period, Grouping::Whole).await?;
        for kind in TOLD {
            told.cells += tell_warnings(app, &scope, kind, &as_of, &removal, today).await?;
        }
        for kind in [Warning::OverdueAdmission, Warning::OverdueTransfer] {
            told.due += tell_due(app, &scope, kind, (&as_of, &soon), today).await?;
        }
        told.cells += tell_probations(app, &root, today).await?;
        told.badges += tell_badges(app, &root, today).await?;
        told.digests += digest(app, &scope, &as_of, today).await?;
    }
    Ok(told)
}

/// Tells the officers of the letters' cells on `today` and marks `rows` told under `kind`, in
/// one transaction.
async fn send(
    app: &App,
    notice: NoticeKind,
    today: NaiveDate,
    letters: &[Letter],
    kind: &str,
    rows: &[WarningRow],
) -> AppResult<()> {
    let tx = write_tx(&app.db).await?;
    tell_officers(app, &tx, notice, today, letters).await?;
    store::mark_told(&tx, kind, rows, Utc::now()).await?;
    tx.commit().await?;
    Ok(())
}

/// A row of a warning with what its letter says: its cell's name, whom it is about, and the
/// page of its evidence.
struct Described<'r> {
    row: &'r WarningRow,
    cell: String,
    who: String,
    path: String,
}

/// Each of `rows` (of warning `kind`) [`Described`]: two or three reads for the page.
async fn described<'r>(
    app: &App,
    kind: Warning,
    rows: &'r [WarningRow],
) -> AppResult<Vec<Described<'r>>> {
    let cells =
        crate::lookup::unit_names(&app.db, &rows.iter().map(|r| r.cell_id).collect::<Vec<_>>())
            .await?;
    let who = who(app, kind, rows).await?;
    Ok(rows
        .iter()
        .map(|r| Described {
            row: r,
            cell: cells.get(&r.cell_id).cloned().unwrap_or_default(),
            who: who.get(&r.number).cloned().unwrap_or_default(),
            path: evidence(kind, r),
        })
        .collect())
}

/// Whom each row of `kind` is about, by its number: the candidate of an admission, the
/// member of a transfer or a removal trigger.
async fn who(app: &App, kind: Warning, rows: &[WarningRow]) -> AppResult<HashMap<i64, String>> {
    let numbers: Vec<i64> = rows.iter().map(|r| r.number).collect();
    Ok(match kind {
        Warning::OverdueAdmission => {
            crate::lookup::by_ids::<candidate::Entity, _>(&app.db, candidate::Column::Id, &numbers)
                .await?
                .into_iter()
                .map(|c| (c.id, c.full_name))
                .collect()
        }
        Warning::OverdueTransfer => {
            let transfers = crate::lookup::by_ids::<transfer::Entity, _>(
                &app.db,
                transfer::Column::Id,
                &numbers,
            )
            .await?;
            let names = crate::lookup::member_names(
                &app.db,
                &transfers.iter().map(|t| t.member_id).collect::<Vec<_>>(),
            )
            .await?;
            transfers
                .into_iter()
                .map(|t| (t.id, names.get(&t.member_id).cloned().unwrap_or_default()))
                .collect()
        }
        _ => crate::lookup::member_names(&app.db, &numbers).await?,
    })
}

/// Tells the officers of each row of `kind` not told yet; answers how many rows.
async fn tell_warnings(
    app: &App,
    scope: &chibo_store::indicators::Scope<'_>,
    kind: Warning,
    as_of: &AsOf,
    removal: &RemovalBasis,
    today: NaiveDate,
) -> AppResult<usize> {
    let removal_trigger = matches!(kind, Warning::RepeatedAbsence | Warning::UnpaidDues);
    let notice = if removal_trigger {
        NoticeKind::RemovalTrigger
    } else {
        NoticeKind::StepOverdue
    };
    let mut told = 0;
    let mut after: Option<WarningRow> = None;
    loop {
        let rows = store::untold_page(&app.db, scope, kind, as_of, after.as_ref(), PAGE).await?;
        let Some(last) = rows.last().cloned() else {
            return Ok(told);
        };
        let letters: Vec<Letter> = described(app, kind, &rows)
            .await?
            .into_iter()
            .map(
                |Described {
                     row: r,
                     cell,
                     who,
                     path,
                 }| {
                    let (cell, who) = (cell.as_str(), who.as_str());
                    let (title, about) = if removal_trigger {
                        (
                            format!("Đảng viên đến mức phải xem xét xóa tên: {who}"),
                            String::new(),
                        )
                    } else {
                        (
                            format!("{}: {who}, {cell}", kind.label()),
                            format!("\nĐồng chí: {who}"),
                        )
                    };
                    let body = format!(
                        "{}{about}\nXem chi tiết: {}",
                        reason(kind, r, cell, who, removal),
                        crate::notify::link(app, &path)
                    );
                    Letter::new(app, r.cell_id, &Message { title, body }, &path)
                },
            )
            .collect();
        send(app, notice, today, &letters, kind.code(), &rows).await?;
        told += rows.len();
        after = Some(last);
    }
}

/// Tells the officers of each admission's or transfer's step (warning `kind`) that is not late
/// by `now` and will be by `soon`, once a step; answers how many.
async fn tell_due(
    app: &App,
    scope: &chibo_store::indicators::Scope<'_>,
    kind: Warning,
    (now, soon): (&AsOf, &AsOf),
    today: NaiveDate,
) -> AppResult<usize> {
    let told_kind = format!("due_{}", kind.code());
    let what = if kind == Warning::OverdueAdmission {
        "hồ sơ kết nạp, chuyển đảng chính thức"
    } else {
        "một bước chuyển sinh hoạt đảng"
    };
    let mut told = 0;
    let mut after: Option<WarningRow> = None;
    loop {
        let rows = store::soon_page(
            &app.db,
            scope,
            kind,
            (now, soon),
            &told_kind,
            after.as_ref(),
            PAGE,
        )
        .await?;
        let Some(last) = rows.last().cloned() else {
            return Ok(told);
        };
        let letters: Vec<Letter> = described(app, kind, &rows)
            .await?
            .into_iter()
            .map(
                |Described {
                     row: r,
                     cell,
                     who,
                     path,
                 }| {
                    let message = Message {
                        title: format!("Sắp đến hạn: {what} của {who}"),
                        body: format!(
                            "{cell}: {what} của đồng chí {who} (từ ngày {}) sẽ quá hạn trong \
                         {DUE_NOTICE_DAYS} ngày tới nếu chưa làm xong.\nXem chi tiết: {}",
                            r.on.format("%d/%m/%Y"),
                            crate::notify::link(app, &path)
                        ),
                    };
                    Letter::new(app, r.cell_id, &message, &path)
                },
            )
            .collect();
        send(app, NoticeKind::StepDue, today, &letters, &told_kind, &rows).await?;
        told += rows.len();
        after = Some(last);
    }
}

/// Tells the officers of each probationary member whose probation ends within
/// [`PROBATION_NOTICE_DAYS`] (and whose review is not yet overdue, which the warnings tell),
/// once; answers how many.
async fn tell_probations(
    app: &App,
    root: &Scheduled<unit::Model>,
    today: NaiveDate,
) -> AppResult<usize> {
    let (rules, holidays) = crate::rules::members::deadlines_for(app, root).await?;
    let rules = rules.admission;
    // Ceremonies after `overdue` have a review not yet overdue; those up to `soon` end their
    // probation within the notice.
    let overdue = last_overdue_start(today, |d| rules.review_by(d, &holidays));
    let soon = last_overdue_start(today + Days::new(PROBATION_NOTICE_DAYS + 1), |d| {
        rules.probation_ends(d)
    });
    let mut told = 0;
    let mut after = None;
    loop {
        let rows = store::probations_ending(
            &app.db,
            chibo_store::subtree::Subtree::of(root),
            NoticeKind::ProbationDue.code(),
            (overdue, soon),
            after,
            PAGE,
        )
        .await?;
        let Some(last) = rows.last() else {
            return Ok(told);
        };
        after = Some(last.row.number);
        let cells = crate::lookup::unit_names(
            &app.db,
            &rows.iter().map(|r| r.row.cell_id).collect::<Vec<_>>(),
        )
        .await?;
        let letters: Vec<Letter> = rows
            .iter()
            .map(|p| {
                let cell = cells.get(&p.row.cell_id).map_or("", String::as_str);
                let ends = rules.probation_ends(p.row.on).format("%d/%m/%Y");
                let by = rules.review_by(p.row.on, &holidays).format("%d/%m/%Y");
                let path = format!("/units/{}/candidates", p.row.cell_id);
                let message = Message {
                    title: format!("Sắp hết thời gian dự bị: {}", p.full_name),
                    body: format!(
                        "{cell}: đồng chí {} hết thời gian dự bị ngày {ends}. Chi bộ xét, đề \
                         nghị công nhận đảng viên chính thức trước ngày {by}.\nXem chi tiết: {}",
                        p.full_name,
                        crate::notify::link(app, &path)
                    ),
                };
                Letter::new(app, p.row.cell_id, &message, &path)
            })
            .collect();
        let marked: Vec<WarningRow> = rows.iter().map(|p| p.row.clone()).collect();
        let kind = NoticeKind::ProbationDue;
        send(app, kind, today, &letters, kind.code(), &marked).await?;
        told += rows.len();
    }
}

/// When the next award day is at most [`BADGE_NOTICE_DAYS`] away, tells the officers of each
/// member due for a badge then, once a member and award day; answers how many. The members
/// are the cell's list of badges due (`crate::membership::badges_due`), a page at a time.
async fn tell_badges(
    app: &App,
    root: &Scheduled<unit::Model>,
    today: NaiveDate,
) -> AppResult<usize> {
    let rules = crate::rules::members::rules_for(&app.db, root, today)
        .await?
        .badges;
    let award_on = rules.award_day_from(today);
    if (award_on - today).num_days() > BADGE_NOTICE_DAYS {
        return Ok(0);
    }
    let kind = NoticeKind::BadgeDue;
    let untold = store::member_not_told(kind.code(), award_on);
    let subtree = chibo_store::subtree::Subtree::of(root);
    let day = award_on.format("%d/%m/%Y");
    let mut told = 0;
    let mut after = None;
    loop {
        let rows = crate::membership::badges_due::due_rows(
            app,
            subtree,
            &rules,
            award_on,
            untold.clone(),
            after.as_ref(),
            PAGE,
        )
        .await?;
        let Some((_, last, _)) = rows.last() else {
            return Ok(told);
        };
        after = Some(last.clone());
        // A member of a party group is on their cell's list: the group's parent.
        let units = crate::lookup::units_by_id(
            &app.db,
            &rows.iter().map(|(_, _, u)| *u).collect::<Vec<_>>(),
        )
        .await?;
        let cell_of = |unit: i64| match units.get(&unit) {
            Some(u) if u.kind == "group" => u.parent_id.unwrap_or(unit),
            _ => unit,
        };
        let cells = crate::lookup::unit_names(
            &app.db,
            &rows.iter().map(|(_, _, u)| cell_of(*u)).collect::<Vec<_>>(),
        )
        .await?;
        let mut marked = Vec::new();
        let letters: Vec<Letter> = rows
            .iter()
            .map(|(r, _, unit)| {
                let cell = cell_of(*unit);
                let name = cells.get(&cell).map_or("", String::as_str);
                let path = format!("/units/{cell}/badges?ngay={award_on}");
                let message = Message {
                    title: format!("Đến hạn xét tặng Huy hiệu Đảng: {}", r.full_name),
                    body: format!(
                        "{name}: đồng chí {} đủ {} năm tuổi Đảng, đến hạn xét tặng Huy hiệu {} \
                         năm tuổi Đảng dịp {day}.\nXem danh sách và đề nghị: {}",
                        r.full_name,
                        r.years,
                        r.years,
                        crate::notify::link(app, &path)
                    ),
                };
                marked.push(WarningRow {
                    cell_id: cell,
                    on: award_on,
                    meeting_id: None,
                    number: r.member_id,
                });
                Letter::new(app, cell, &message, &path)
            })
            .collect();
        send(app, kind, today, &letters, kind.code(), &marked).await?;
        told += rows.len();
    }
}

/// The daily digest of every committee's and board's account with something overdue below its
/// unit; answers how many were written.
async fn digest(
    app: &App,
    scope: &chibo_store::indicators::Scope<'_>,
    as_of: &AsOf,
    today: NaiveDate,
) -> AppResult<usize> {
    let roles = [Role::Committee.code(), Role::OrgBoard.code()];
    // (account, unit) → the unit's name and the count of each kind, in the order of `DIGEST`.
    let mut counts: std::collections::BTreeMap<(i64, i64), (String, [u64; DIGEST.len()])> =
        Default::default();
    for (i, kind) in DIGEST.iter().enumerate() {
        for (user, unit, name, n) in
            store::counts_by_account(&app.db, scope, *kind, as_of, &roles).await?
        {
            counts
                .entry((user, unit))
                .or_insert_with(|| (name, [0; DIGEST.len()]))
                .1[i] = n;
        }
    }
    let day = today.format("%d/%m/%Y");
    let letters: Vec<Letter> = counts
        .iter()
        .map(|((user, unit), (name, n))| {
            let lines: Vec<String> = DIGEST
                .iter()
                .zip(n)
                .filter(|(_, n)| **n > 0)
                .map(|(k, n)| format!("- {}: {n}", k.label()))
                .collect();
            let path = format!("/units/{unit}/warnings");
            let message = Message {
                title: format!("Việc quá hạn ngày {day}: {name}"),
                body: format!(
                    "Trong {name} hôm nay có:\n{}\nXem và xử lý: {}",
                    lines.join("\n"),
                    crate::notify::link(app, &path)
                ),
            };
            Letter::new(app, *user, &message, &path)
        })
        .collect();
    let tx = write_tx(&app.db).await?;
    tell_accounts(app, &tx, NoticeKind::OverdueDigest, &letters).await?;
    tx.commit().await?;
    Ok(letters.len())
}
