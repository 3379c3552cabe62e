//! Periods entered by hand that do not count towards a member's party age (issue 12, defect
//! 9; domain.md §3): a gap between leaving one cell and joining the next, lost contact or an
//! old removal of an imported re-admitted member, from before they joined this cell, where no
//! status event can show it. The status events' own gaps (removal, expulsion, lost contact
//! recorded here) are merged with these, so no day is deducted twice.

use std::collections::HashMap;

use chibo_domain::member::{self as rules, GapKind};
use chibo_domain::{Invalid, validate};
use chibo_store::entities::party_age_gap;
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use chibo_store::write_tx;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Actor;
use crate::membership::member_edit::manageable;
use crate::membership::members::{MemberDetail, detail, domain_events, events_of, status_of};
use crate::{App, AppResult, audit};

/// A member may have at most this many periods entered.
pub const MAX_GAPS: usize = 50;

/// One period entered by hand.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GapView {
    pub kind: String,
    pub kind_label: String,
    pub from: NaiveDate,
    /// The first day counted again.
    pub to: NaiveDate,
    pub days: i64,
    pub note: String,
}

/// One period as typed: dates `YYYY-MM-DD` or `dd/mm/yyyy`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct GapInput {
    /// `removed`, `expelled`, `lost_contact` or `transfer`.
    pub kind: String,
    pub from: Option<String>,
    /// The first day counted again.
    pub to: Option<String>,
    pub note: String,
}

/// The whole list of a member's periods entered by hand; it replaces the stored one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct GapsInput {
    pub gaps: Vec<GapInput>,
}

pub(crate) fn view(g: &party_age_gap::Model) -> GapView {
    GapView {
        kind: g.kind.clone(),
        kind_label: GapKind::from_code(&g.kind)
            .map(|k| k.label().to_string())
            .unwrap_or_else(|| g.kind.clone()),
        from: g.from_on,
        to: g.to_on,
        days: (g.to_on - g.from_on).num_days(),
        note: g.note.clone(),
    }
}

/// The periods entered for the members matched by `of` (a condition on `member_id`: one id or
/// a page's batch), oldest first, by member.
pub(crate) async fn recorded_by_member(
    db: &impl ConnectionTrait,
    of: Condition,
) -> AppResult<HashMap<i64, Vec<party_age_gap::Model>>> {
    let rows = party_age_gap::Entity::find()
        .filter(of)
        .order_by_asc(party_age_gap::Column::FromOn)
        .order_by_asc(party_age_gap::Column::Id)
        .all(db)
        .await?;
    let mut by: HashMap<i64, Vec<party_age_gap::Model>> = HashMap::new();
    for r in rows {
        by.entry(r.member_id).or_default().push(r);
    }
    Ok(by)
}

/// The periods deducted from party age: those of the status events and those entered, merged.
pub(crate) fn deducted(
    from_events: Vec<(NaiveDate, Option<NaiveDate>)>,
    recorded: &[party_age_gap::Model],
) -> Vec<(NaiveDate, Option<NaiveDate>)> {
    let mut all = from_events;
    all.extend(recorded.iter().map(|g| (g.from_on, Some(g.to_on))));
    rules::merge_gaps(all)
}

/// Replaces member `id`'s periods entered by hand with `input` (the cell's managers): each
/// checked, none overlapping another or a period the status events already deduct; nothing is
/// written on an error.
pub async fn set_gaps(
    app: &App,
    actor: &Actor,
    id: i64,
    input: GapsInput,
) -> AppResult<MemberDetail> {
    let (m, u) = manageable(app, actor, id).await?;
    let today = App::today();
    let mut e = Invalid::new();
    if input.gaps.len() > MAX_GAPS {
        e.push(
            "gaps",
            format!("Mỗi đảng viên ghi tối đa {MAX_GAPS} khoảng thời gian."),
        );
    }
    // Each checked period with its place in the input, which the messages name.
    let mut clean: Vec<(usize, GapKind, NaiveDate, NaiveDate, String)> = Vec::new();
    for (i, g) in input.gaps.iter().enumerate() {
        let n = i + 1;
        let field = |f: &str| format!("gaps[{i}].{f}");
        let kind = GapKind::from_code(g.kind.trim());
        if kind.is_none() {
            e.push(
                &field("kind"),
                format!("Dòng {n}: vui lòng chọn lý do không tính tuổi đảng."),
            );
        }
        let from = validate::date_field(
            &mut e,
            &field("from"),
            "ngày bắt đầu",
            g.from.as_deref(),
            true,
        );
        let to = validate::date_field(
            &mut e,
            &field("to"),
            "ngày tính lại tuổi đảng",
            g.to.as_deref(),
            true,
        );
        let note = validate::optional_text(
            &mut e,
            &field("note"),
            "ghi chú",
            Some(g.note.as_str()),
            255,
        );
        let (Some(kind), Some(from), Some(to)) = (kind, from, to) else {
            continue;
        };
        if from < m.admission_date {
            e.push(
                &field("from"),
                format!(
                    "Dòng {n}: khoảng thời gian phải bắt đầu từ ngày vào Đảng ({}) trở đi.",
                    m.admission_date.format("%d/%m/%Y")
                ),
            );
        } else if to <= from {
            e.push(
                &field("to"),
                format!("Dòng {n}: ngày tính lại tuổi đảng phải sau ngày bắt đầu."),
            );
        } else if to > today {
            e.push(
                &field("to"),
                format!("Dòng {n}: ngày tính lại tuổi đảng không được sau ngày hôm nay."),
            );
        } else {
            clean.push((i, kind, from, to, note.unwrap_or_default()));
        }
    }
    let from_events = rules::gaps(
        status_of(&m.initial_status),
        &domain_events(&events_of(&app.db, m.id).await?),
    );
    for (k, (i, _, from, to, _)) in clean.iter().enumerate() {
        let overlaps =
            |a: NaiveDate, b: Option<NaiveDate>| *from < b.unwrap_or(NaiveDate::MAX) && a < *to;
        if let Some((a, _)) = from_events.iter().find(|(a, b)| overlaps(*a, *b)) {
            e.push(
                &format!("gaps[{i}].from"),
                format!(
                    "Dòng {}: trùng với thời gian không tính tuổi đảng đã ghi qua thay đổi tình \
                     trạng từ ngày {}.",
                    i + 1,
                    a.format("%d/%m/%Y")
                ),
            );
        }
        if let Some((j, ..)) = clean[..k]
            .iter()
            .find(|(_, _, a, b, _)| overlaps(*a, Some(*b)))
        {
            e.push(
                &format!("gaps[{i}].from"),
                format!("Dòng {}: trùng với dòng {}.", i + 1, j + 1),
            );
        }
    }
    e.into_result()?;

    let tx = write_tx(&app.db).await?;
    let before = party_age_gap::Entity::find()
        .filter(party_age_gap::Column::MemberId.eq(m.id))
        .order_by_asc(party_age_gap::Column::FromOn)
        .all(&tx)
        .await?;
    party_age_gap::Entity::delete_many()
        .filter(party_age_gap::Column::MemberId.eq(m.id))
        .exec(&tx)
        .await?;
    let mut after = Vec::new();
    for (_, kind, from, to, note) in clean {
        after.push(
            party_age_gap::ActiveModel {
                member_id: Set(m.id),
                kind: Set(kind.code().to_string()),
                from_on: Set(from),
                to_on: Set(to),
                note: Set(note),
                ..Default::default()
            }
            .insert(&tx)
            .await?,
        );
    }
    audit::record(
        &tx,
        Some(actor),
        "member.party_age_gaps",
        "member",
        Some(m.id),
        Some(&before.iter().map(view).collect::<Vec<_>>()),
        Some(&after.iter().map(view).collect::<Vec<_>>()),
    )
    .await?;
    tx.commit().await?;
    detail(app, actor, m, u).await
}
