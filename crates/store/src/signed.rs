//! The content hash of signed minutes. Once the chair and the secretary have both signed, the
//! minutes change only through an amendment (a row of its own), so what they signed is hashed
//! into `meeting_records.signed_hash`: the meeting's heading, its record (chair, secretary,
//! resolution, votes), who attended and why not, and the speeches. `chibo verify` hashes them
//! again and names the first meeting whose signed minutes were changed behind chibo's back.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::entities::{meeting, meeting_attendance, meeting_record, meeting_speech};

#[derive(Serialize)]
struct Signed<'a> {
    version: u32,
    meeting_id: i64,
    kind: &'a str,
    date: String,
    start_time: &'a str,
    place: &'a str,
    topic: &'a str,
    end_time: Option<&'a str>,
    chair: Option<i64>,
    chair_reason: Option<&'a str>,
    secretary: Option<i64>,
    draft_resolution: Option<&'a str>,
    resolution: Option<&'a str>,
    votes: [Option<i32>; 3],
    attendance: Vec<(i64, &'a str, Option<&'a str>)>,
    speeches: Vec<(i64, i64, &'a str)>,
}

/// The hash of a meeting's signed minutes, from its rows (in any order).
pub fn minutes_hash(
    m: &meeting::Model,
    r: &meeting_record::Model,
    attendance: &[&meeting_attendance::Model],
    speeches: &[&meeting_speech::Model],
) -> String {
    let mut present: Vec<_> = attendance
        .iter()
        .map(|a| (a.member_id, a.presence.as_str(), a.reason.as_deref()))
        .collect();
    present.sort();
    let mut said: Vec<_> = speeches
        .iter()
        .map(|s| (s.id, s.member_id, s.summary.as_str()))
        .collect();
    said.sort();
    let signed = Signed {
        version: 1,
        meeting_id: m.id,
        kind: &m.kind,
        date: m.meeting_date.to_string(),
        start_time: &m.start_time,
        place: &m.place,
        topic: &m.topic,
        end_time: r.end_time.as_deref(),
        chair: r.chair_member_id,
        chair_reason: r.chair_reason.as_deref(),
        secretary: r.secretary_member_id,
        draft_resolution: r.draft_resolution.as_deref(),
        resolution: r.resolution_text.as_deref(),
        votes: [r.votes_for, r.votes_against, r.votes_abstain],
        attendance: present,
        speeches: said,
    };
    let json = serde_json::to_string(&signed).unwrap_or_default();
    hex::encode(Sha256::digest(json.as_bytes()))
}

/// The hashes of the signed minutes of the meetings `ids` (a page of them) as their rows stand,
/// read in four statements.
async fn hashes_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<HashMap<i64, String>, DbErr> {
    let meetings = meeting::Entity::find()
        .filter(meeting::Column::Id.is_in(ids.to_vec()))
        .all(conn)
        .await?;
    let records = meeting_record::Entity::find()
        .filter(meeting_record::Column::MeetingId.is_in(ids.to_vec()))
        .all(conn)
        .await?;
    let attendance = meeting_attendance::Entity::find()
        .filter(meeting_attendance::Column::MeetingId.is_in(ids.to_vec()))
        .all(conn)
        .await?;
    let speeches = meeting_speech::Entity::find()
        .filter(meeting_speech::Column::MeetingId.is_in(ids.to_vec()))
        .all(conn)
        .await?;
    let mut out = HashMap::new();
    for m in &meetings {
        let Some(r) = records.iter().find(|r| r.meeting_id == m.id) else {
            continue;
        };
        let a: Vec<_> = attendance.iter().filter(|a| a.meeting_id == m.id).collect();
        let s: Vec<_> = speeches.iter().filter(|s| s.meeting_id == m.id).collect();
        out.insert(m.id, minutes_hash(m, r, &a, &s));
    }
    Ok(out)
}

/// Seals a meeting's minutes as they stand, in `conn`'s transaction (when both have signed).
pub async fn seal<C: ConnectionTrait>(conn: &C, meeting_id: i64) -> Result<(), DbErr> {
    let hash = hashes_of(conn, &[meeting_id]).await?.remove(&meeting_id);
    meeting_record::Entity::update_many()
        .col_expr(meeting_record::Column::SignedHash, Expr::value(hash))
        .filter(meeting_record::Column::MeetingId.eq(meeting_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// What a check of the signed minutes found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheck {
    pub minutes: u64,
    /// The first meeting (in record order) whose signed minutes no longer give their hash.
    pub first_changed: Option<i64>,
}

/// Hashes every sealed record again, two hundred meetings at a time.
pub async fn check<C: ConnectionTrait>(conn: &C) -> Result<SignedCheck, DbErr> {
    let mut after = 0i64;
    let mut minutes = 0u64;
    loop {
        let page = meeting_record::Entity::find()
            .filter(meeting_record::Column::Id.gt(after))
            .filter(meeting_record::Column::SignedHash.is_not_null())
            .order_by_asc(meeting_record::Column::Id)
            .limit(200)
            .all(conn)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let ids: Vec<i64> = page.iter().map(|r| r.meeting_id).collect();
        let now = hashes_of(conn, &ids).await?;
        for r in &page {
            minutes += 1;
            if now.get(&r.meeting_id) != r.signed_hash.as_ref() {
                return Ok(SignedCheck {
                    minutes,
                    first_changed: Some(r.meeting_id),
                });
            }
        }
    }
    Ok(SignedCheck {
        minutes,
        first_changed: None,
    })
}

/// Seals the minutes both signed before their hashes were kept (a migration's work).
pub(crate) async fn seal_signed_before<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    use crate::entities::meeting_approval;
    let signed: Vec<i64> = meeting_approval::Entity::find()
        .select_only()
        .column(meeting_approval::Column::MeetingId)
        .group_by(meeting_approval::Column::MeetingId)
        .having(
            Expr::from(Func::count_distinct(Expr::col(
                meeting_approval::Column::Role,
            )))
            .gte(2),
        )
        .into_tuple()
        .all(conn)
        .await?;
    for page in signed.chunks(200) {
        for (id, hash) in hashes_of(conn, page).await? {
            meeting_record::Entity::update_many()
                .col_expr(meeting_record::Column::SignedHash, Expr::value(hash))
                .filter(meeting_record::Column::MeetingId.eq(id))
                .exec(conn)
                .await?;
        }
    }
    Ok(())
}
