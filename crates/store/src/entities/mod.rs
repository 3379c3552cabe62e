//! SeaORM entities, one module a table. Dates are `NaiveDate`, instants UTC.

macro_rules! entity {
    ($module:ident, $table:literal, { $($(#[$doc:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        pub mod $module {
            use sea_orm::entity::prelude::*;
            #[allow(unused_imports)]
            use chrono::{DateTime, NaiveDate, Utc};

            #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
            #[sea_orm(table_name = $table)]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i64,
                $($(#[$doc])* pub $field: $ty,)*
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }
    };
}

entity!(unit, "units", {
    parent_id: Option<i64>,
    path: String,
    depth: i32,
    name: String,
    search_key: String,
    kind: String,
    cell_type: Option<String>,
    established_on: NaiveDate,
    dissolved_on: Option<NaiveDate>,
    successor_id: Option<i64>,
    created_at: DateTime<Utc>,
    /// The superior committee member who follows the cell.
    follower_member_id: Option<i64>,
    /// The name's Vietnamese collation key (`chibo_domain::text::collation_key`): name order.
    sort_key: String,
});

entity!(unit_version, "unit_versions", {
    unit_id: i64,
    parent_id: Option<i64>,
    path: String,
    name: String,
    kind: String,
    cell_type: Option<String>,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
});

entity!(unit_event, "unit_events", {
    kind: String,
    effective_on: NaiveDate,
    unit_id: i64,
    other_unit_id: Option<i64>,
    note: Option<String>,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
});

entity!(member, "members", {
    full_name: String,
    search_key: String,
    sort_key: String,
    date_of_birth: NaiveDate,
    sex: String,
    ethnicity: String,
    citizen_id: Option<String>,
    phone: Option<String>,
    admission_date: NaiveDate,
    official_date: Option<NaiveDate>,
    card_number: Option<String>,
    history_number: Option<String>,
    badge_number: Option<String>,
    initial_status: String,
    status: String,
    unit_id: i64,
    unit_path: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
});

entity!(member_unit, "member_units", {
    member_id: i64,
    unit_id: i64,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    reason: String,
    /// `home` or `temporary` (`chibo_domain::member::RollKind`).
    kind: String,
});

entity!(member_event, "member_events", {
    member_id: i64,
    kind: String,
    effective_on: NaiveDate,
    until: Option<NaiveDate>,
    reason: String,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
});

entity!(position, "positions", {
    member_id: i64,
    unit_id: i64,
    kind: String,
    term_from: NaiveDate,
    term_to: Option<NaiveDate>,
});

entity!(rule_set, "rule_sets", {
    code: String,
    name: String,
    unit_id: Option<i64>,
    effective_from: NaiveDate,
    body: String,
    builtin: bool,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
});

entity!(member_rule_set, "member_rule_sets", {
    code: String,
    name: String,
    unit_id: Option<i64>,
    effective_from: NaiveDate,
    /// `chibo_domain::rules::MemberRules` as JSON.
    body: String,
    builtin: bool,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
});

entity!(meeting, "meetings", {
    unit_id: i64,
    kind: String,
    combined: bool,
    topic: String,
    meeting_date: NaiveDate,
    start_time: String,
    place: String,
    rule_set_id: i64,
    status: String,
    published_at: Option<DateTime<Utc>>,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
    /// One agenda item per line; empty means the rule set's procedure.
    agenda: Option<String>,
    /// The secret in the meeting's QR code.
    checkin_code: Option<String>,
    /// Why a cancelled meeting was cancelled (by the cell, or its cell dissolved or merged).
    cancelled_reason: Option<String>,
    /// The day a postponed meeting was first set for.
    postponed_from: Option<NaiveDate>,
    /// Why it was moved, as the members see it.
    postponed_reason: Option<String>,
    /// The year and number of the meeting's resolution ("Số 05-NQ/CB"), given when it is
    /// recorded as held: unique in the cell and year.
    resolution_year: Option<i32>,
    resolution_number: Option<i32>,
});

entity!(meeting_away, "meeting_away", {
    meeting_id: i64,
    member_id: i64,
    /// When the member confirmed reading the meeting's documents.
    read_at: Option<DateTime<Utc>>,
    /// Their written opinion on the draft resolution, sent before the meeting.
    opinion: Option<String>,
    opinion_at: Option<DateTime<Utc>>,
});

entity!(meeting_attendance, "meeting_attendance", {
    meeting_id: i64,
    member_id: i64,
    presence: String,
    reason: Option<String>,
    recorded_at: DateTime<Utc>,
    /// Set when the member checked in with the QR code.
    checked_in_at: Option<DateTime<Utc>>,
});

entity!(meeting_record, "meeting_records", {
    meeting_id: i64,
    end_time: Option<String>,
    chair_member_id: Option<i64>,
    /// Why the chair is neither the secretary nor the deputy, when so.
    chair_reason: Option<String>,
    secretary_member_id: Option<i64>,
    documents_posted_on: Option<NaiveDate>,
    draft_resolution: Option<String>,
    resolution_text: Option<String>,
    votes_for: Option<i32>,
    votes_against: Option<i32>,
    votes_abstain: Option<i32>,
    updated_at: DateTime<Utc>,
    /// The hash of the minutes as both signed them (`crate::signed`).
    signed_hash: Option<String>,
});

entity!(meeting_task, "meeting_tasks", {
    meeting_id: i64,
    member_id: i64,
    what: String,
    due_on: NaiveDate,
    status: String,
    progress: Option<String>,
    updated_at: DateTime<Utc>,
});

entity!(meeting_score, "meeting_scores", {
    meeting_id: i64,
    criterion: String,
    points: i32,
    reason: Option<String>,
    scored_by: Option<i64>,
    updated_at: DateTime<Utc>,
});

entity!(meeting_approval, "meeting_approvals", {
    meeting_id: i64,
    member_id: i64,
    role: String,
    approved_at: DateTime<Utc>,
});

entity!(meeting_amendment, "meeting_amendments", {
    meeting_id: i64,
    body: String,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
});

entity!(meeting_step, "meeting_steps", {
    meeting_id: i64,
    step: String,
    done_at: String,
});

entity!(meeting_speech, "meeting_speeches", {
    meeting_id: i64,
    member_id: i64,
    summary: String,
});

entity!(thematic_topic, "thematic_topics", {
    unit_id: i64,
    year: i32,
    quarter: i32,
    title: String,
    writer_member_id: Option<i64>,
    created_at: DateTime<Utc>,
});

entity!(meeting_document, "meeting_documents", {
    meeting_id: i64,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    sha256: String,
    /// The file itself when kept in the database.
    data: Option<Vec<u8>>,
    /// The file's name under the upload directory when kept on disk.
    stored_path: Option<String>,
    uploaded_by: Option<i64>,
    uploaded_at: DateTime<Utc>,
});

entity!(meeting_guest, "meeting_guests", {
    meeting_id: i64,
    /// Set when the guest is a party member in chibo (e.g. the superior committee member).
    member_id: Option<i64>,
    full_name: String,
    /// Position, e.g. "Ủy viên Ban Thường vụ Đảng ủy xã".
    title: String,
    created_at: DateTime<Utc>,
});

entity!(meeting_preparation, "meeting_preparations", {
    meeting_id: i64,
    held_on: NaiveDate,
    /// JSON array of the member ids of the committee members present.
    attendee_ids: String,
    /// What the committee agreed: content, agenda, assignments.
    content: String,
    updated_at: DateTime<Utc>,
});

entity!(member_badge, "member_badges", {
    member_id: i64,
    years: i32,
    awarded_on: NaiveDate,
    /// `none`, `seriously_ill` or `posthumous`.
    early: String,
    /// The awarding decision (number and date, as written).
    decision: String,
    /// Given outside the occasions, in a special case the provincial standing committee
    /// decided.
    special: bool,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
});

entity!(member_discipline, "member_disciplines", {
    member_id: i64,
    /// `reprimand`, `warning` or `dismissal`.
    kind: String,
    decided_on: NaiveDate,
    decision: String,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
});

entity!(holiday, "holidays", {
    day: NaiveDate,
    name: String,
    /// `off` (a day off: make-up, swapped or any day the government adds) or `working` (a
    /// weekend day made a working day). The statutory holidays are computed, not stored.
    kind: String,
});

entity!(holiday_year, "holiday_years", {
    /// A year whose make-up and swapped days an administrator has entered.
    year: i32,
    confirmed_by: Option<i64>,
    confirmed_at: DateTime<Utc>,
});

entity!(party_age_gap, "party_age_gaps", {
    member_id: i64,
    /// `removed`, `expelled`, `lost_contact` or `transfer` (`chibo_domain::member::GapKind`).
    kind: String,
    from_on: NaiveDate,
    /// The first day counted again.
    to_on: NaiveDate,
    note: String,
});

entity!(party_due, "party_dues", {
    member_id: i64,
    /// The cell that recorded it.
    unit_id: i64,
    /// The month's first day.
    month: NaiveDate,
    /// `paid`, `unpaid` or `excused` (`chibo_domain::dues::DuesStatus`).
    status: String,
    /// In đồng, when paid.
    amount: Option<i64>,
    paid_on: Option<NaiveDate>,
    /// Why it is not paid, when excused.
    reason: String,
    recorded_by: Option<i64>,
    recorded_at: DateTime<Utc>,
});

entity!(transfer, "transfers", {
    member_id: i64,
    /// `temporary` or `permanent`.
    kind: String,
    /// `work`, `residence` or `training`.
    reason: String,
    from_unit_id: i64,
    /// The receiving cell when it is in chibo.
    to_unit_id: Option<i64>,
    /// Where the member goes (outside chibo, or a note).
    destination: String,
    /// Temporary: the first day away. Permanent: the day the member moved.
    moved_on: NaiveDate,
    /// Temporary: the planned last day.
    ends_on: Option<NaiveDate>,
    /// Permanent: the day the member applied.
    applied_on: Option<NaiveDate>,
    /// The introduction letter's date.
    letter_on: Option<NaiveDate>,
    /// The receiving organisation took the member in (or confirmed it, outside chibo).
    received_on: Option<NaiveDate>,
    /// Temporary: the member came back.
    returned_on: Option<NaiveDate>,
    /// `open`, `completed` or `cancelled`.
    status: String,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
});

entity!(exemption, "exemptions", {
    member_id: i64,
    requested_on: NaiveDate,
    reason: String,
    /// `requested`, `granted`, `rejected` or `revoked`.
    status: String,
    /// The cell meeting that decided.
    meeting_id: Option<i64>,
    decided_on: Option<NaiveDate>,
    /// Reported to the grassroots committee.
    reported_on: Option<NaiveDate>,
    /// The member asked to take up party work again.
    revoke_requested_on: Option<NaiveDate>,
    revoke_meeting_id: Option<i64>,
    revoked_on: Option<NaiveDate>,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
    /// A temporary exemption (e.g. while working away) ends on this day.
    until: Option<NaiveDate>,
});

entity!(cadre_task, "cadre_tasks", {
    /// The committee that gave the task.
    unit_id: i64,
    /// The cadre.
    member_id: i64,
    year: i32,
    task: String,
    due_on: NaiveDate,
    /// `assigned`, `in_progress`, `done`, `not_done`.
    status: String,
    evidence: String,
    done_on: Option<NaiveDate>,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
});

entity!(course, "courses", {
    /// The organisation whose programme the course belongs to.
    unit_id: i64,
    name: String,
    /// Who ran it (e.g. "Trung tâm Chính trị huyện").
    organiser: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    topics: String,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
});

entity!(course_participant, "course_participants", {
    course_id: i64,
    member_id: i64,
    completed: bool,
});

entity!(inspection, "inspections", {
    /// The superior committee that inspects.
    unit_id: i64,
    /// The cell inspected.
    cell_id: i64,
    /// `inspection` (kiểm tra) or `supervision` (giám sát).
    kind: String,
    planned_on: NaiveDate,
    /// What is inspected.
    content: String,
    /// `planned`, `done`, `cancelled`.
    status: String,
    done_on: Option<NaiveDate>,
    result: String,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
});

entity!(inspection_recommendation, "inspection_recommendations", {
    inspection_id: i64,
    text: String,
    due_on: NaiveDate,
    /// `open` or `done`.
    status: String,
    done_on: Option<NaiveDate>,
    follow_up: String,
});

entity!(member_review, "member_reviews", {
    member_id: i64,
    year: i32,
    /// The cell that reviewed the member.
    cell_id: i64,
    /// The grassroots organisation whose excellent quota the review counts in.
    org_id: i64,
    score: i32,
    /// `excellent`, `good`, `completed`, `not_completed`.
    level: String,
    updated_by: Option<i64>,
    updated_at: DateTime<Utc>,
    /// Tasks given in the year, done on time, exceeded (Quy định 366); NULL before they were
    /// recorded.
    tasks_given: Option<i32>,
    tasks_on_time: Option<i32>,
    tasks_exceeded: Option<i32>,
    /// Set when the superior committee gave the level itself: why. The cell's scoring then
    /// keeps that level.
    superior_reason: Option<String>,
});

entity!(unit_review, "unit_reviews", {
    unit_id: i64,
    year: i32,
    score: i32,
    level: String,
    /// The superior committee's decision (number and date as written).
    decision: String,
    decided_on: NaiveDate,
    updated_by: Option<i64>,
    updated_at: DateTime<Utc>,
});

entity!(candidate, "candidates", {
    /// The cell that proposes the candidate.
    unit_id: i64,
    full_name: String,
    date_of_birth: NaiveDate,
    sex: String,
    ethnicity: String,
    citizen_id: Option<String>,
    phone: Option<String>,
    /// See `chibo_domain::admission::Stage`.
    stage: String,
    class_on: Option<NaiveDate>,
    class_certificate: String,
    applied_on: Option<NaiveDate>,
    introducer_member_id: Option<i64>,
    /// Since when the introducer has worked, studied or lived with the candidate.
    introducer_known_since: Option<NaiveDate>,
    failed_votes: i32,
    voted_on: Option<NaiveDate>,
    decided_on: Option<NaiveDate>,
    decision: String,
    ceremony_on: Option<NaiveDate>,
    /// The member record made by the admission decision.
    member_id: Option<i64>,
    reviewed_on: Option<NaiveDate>,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
    /// The cell's failed votes to recognise the member as official.
    recognition_failed_votes: i32,
    /// The day the cell's recognition vote passed, or its last failure sent the case up.
    recognition_voted_on: Option<NaiveDate>,
    /// Whether the superior committee extended its deadline to decide.
    recognition_extended: bool,
});

entity!(candidate_vote, "candidate_votes", {
    candidate_id: i64,
    held_on: NaiveDate,
    votes_for: i32,
    official_members: i32,
    passed: bool,
    /// `admission` or `recognition`.
    purpose: String,
});

// The programmes issue's tables: figures kept per meeting, programmes and their reports.
mod access;
mod reports;
pub use access::*;
pub use reports::*;
