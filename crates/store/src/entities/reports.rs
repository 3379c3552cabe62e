//! The tables of the board's view: the figures kept about each meeting, the programmes
//! with their targets and review dates, and their review reports.

entity!(meeting_stat, "meeting_stats", {
    meeting_id: i64,
    cell_id: i64,
    meeting_date: NaiveDate,
    kind: String,
    combined: bool,
    held: bool,
    /// Set in the transaction of a change that can alter the figures; cleared when they are
    /// computed again.
    stale: bool,
    /// Members on the sheet the attendance rate divides by.
    sheet_members: i32,
    present: i32,
    /// Members of the sheet given at least one task at the meeting.
    tasked: i32,
    attendance_ok: bool,
    full_procedure: bool,
    has_end_time: bool,
    duration_ok: bool,
    documents_on_time: bool,
    superior_attended: bool,
    /// The scoring sheet's level code, once every criterion is scored.
    level: Option<String>,
    tasks_given: i32,
    /// Tasks of the meeting reviewed (done or reported on) by the cell's next regular meeting.
    tasks_reviewed: i32,
    next_regular_on: Option<NaiveDate>,
    /// How alike the minutes are to the previous regular meeting's, per mille.
    minutes_similarity: Option<i32>,
    /// The share of the meeting's time given to Party work, per mille, from its timed steps.
    party_time: Option<i32>,
    updated_at: DateTime<Utc>,
});

entity!(programme, "programmes", {
    /// The committee that issued it; it applies to this unit's subtree.
    unit_id: i64,
    /// The programme it implements (a district's plan under the city's đề án).
    parent_id: Option<i64>,
    /// `chibo_domain::programme::ProgrammeKind`.
    kind: String,
    /// The number as written: "11-ĐA/TU".
    code: String,
    title: String,
    issued_on: NaiveDate,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
});

entity!(programme_target, "programme_targets", {
    programme_id: i64,
    /// `chibo_domain::indicators::Indicator` code.
    indicator: String,
    /// `chibo_domain::indicators::Comparison` code.
    comparison: String,
    /// The value in tenths (90% is 900).
    tenths: i64,
});

entity!(programme_review, "programme_reviews", {
    programme_id: i64,
    due_on: NaiveDate,
    /// "Sơ kết 3 năm", "Tổng kết".
    title: String,
});

entity!(review_report, "review_reports", {
    programme_id: i64,
    /// The unit reporting; it lies in the programme's subtree.
    unit_id: i64,
    title: String,
    /// "Số 120-BC/TU".
    number: String,
    place: String,
    report_on: NaiveDate,
    period_from: NaiveDate,
    period_to: NaiveDate,
    /// The prose sections: situation, overall assessment, weaknesses and causes, directions.
    situation: String,
    assessment: String,
    weaknesses: String,
    directions: String,
    signer_role: String,
    signer_name: String,
    updated_by: Option<i64>,
    updated_at: DateTime<Utc>,
});
