//! Rows of each kind inside a cell, made for the authorization walk to fill its paths with.

use chibo_store::entities::{member, position, user};
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::common::*;

#[derive(Clone, Copy)]
pub struct Ids {
    pub unit: i64,
    pub member: i64,
    pub position: i64,
    pub rule_set: i64,
    pub member_rule_set: i64,
    pub meeting: i64,
    pub task: i64,
    pub file: i64,
    pub guest: i64,
    pub transfer: i64,
    pub holiday: i64,
    pub exemption: i64,
    pub cadre_task: i64,
    pub course: i64,
    pub inspection: i64,
    pub recommendation: i64,
    pub candidate: i64,
    pub programme: i64,
    pub review_report: i64,
    pub token: i64,
    pub notification: i64,
    pub outbox: i64,
}

/// A fresh API token of `username` (each revocation gets one of its own).
pub async fn new_token(t: &TestApp, username: &str) -> i64 {
    t.token(username).await;
    chibo_store::entities::api_token::Entity::find()
        .filter(
            chibo_store::entities::api_token::Column::UserId.eq(user::Entity::find()
                .filter(user::Column::Username.eq(username))
                .one(&t.app.db)
                .await
                .unwrap()
                .unwrap()
                .id),
        )
        .all(&t.app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|tk| tk.id)
        .max()
        .unwrap()
}

/// A notice told to member `member_id`.
pub async fn new_notification(t: &TestApp, member_id: i64) -> i64 {
    use chibo_store::sea_orm::{ActiveModelTrait, Set};
    chibo_store::entities::notification::ActiveModel {
        member_id: Set(Some(member_id)),
        kind: Set("meeting_published".into()),
        title: Set("Thông báo sinh hoạt".into()),
        body: Set(String::new()),
        link: Set("/".into()),
        meeting_id: Set(None),
        created_at: Set(chrono::Utc::now()),
        read_at: Set(None),
        ..Default::default()
    }
    .insert(&t.app.db)
    .await
    .unwrap()
    .id
}

/// `token_owner`: whose API token the `{id}` of a token route is.
pub async fn ids_in(t: &TestApp, cell_name: &str, token_owner: &str) -> Ids {
    let unit = t.unit_id(cell_name).await;
    let m = member::Entity::find()
        .filter(member::Column::UnitId.eq(unit))
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap();
    let p = position::Entity::find()
        .filter(position::Column::UnitId.eq(unit))
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap();
    // A rule set attached to the cell: visible inside the scope only.
    let rule_set = {
        use chibo_store::sea_orm::{ActiveModelTrait, Set};
        chibo_store::entities::rule_set::ActiveModel {
            code: Set(format!("test-{unit}")),
            name: Set("Quy định thử".into()),
            unit_id: Set(Some(unit)),
            effective_from: Set(chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
            body: Set(serde_json::to_string(&chibo_domain::rules::builtins()[1].rules).unwrap()),
            builtin: Set(false),
            created_by: Set(None),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&t.app.db)
        .await
        .unwrap()
        .id
    };
    // A set of members' rules attached to the cell: visible inside the scope only.
    let member_rule_set = {
        use chibo_store::sea_orm::{ActiveModelTrait, Set};
        chibo_store::entities::member_rule_set::ActiveModel {
            code: Set(format!("test-{unit}")),
            name: Set("Quy định đảng viên thử".into()),
            unit_id: Set(Some(unit)),
            effective_from: Set(chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
            body: Set(serde_json::to_string(&chibo_domain::rules::MemberRules::default()).unwrap()),
            builtin: Set(false),
            created_by: Set(None),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&t.app.db)
        .await
        .unwrap()
        .id
    };
    // A published meeting of the cell, already held.
    let meeting = {
        use chibo_store::sea_orm::{ActiveModelTrait, Set};
        chibo_store::entities::meeting::ActiveModel {
            unit_id: Set(unit),
            kind: Set("regular".into()),
            combined: Set(false),
            topic: Set("Sinh hoạt thường kỳ".into()),
            meeting_date: Set(chrono::NaiveDate::from_ymd_opt(2026, 10, 15).unwrap()),
            start_time: Set("19:30".into()),
            place: Set("Nhà văn hóa".into()),
            rule_set_id: Set(rule_set),
            status: Set("published".into()),
            published_at: Set(Some(chrono::Utc::now())),
            created_by: Set(None),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&t.app.db)
        .await
        .unwrap()
        .id
    };
    let task = {
        use chibo_store::sea_orm::{ActiveModelTrait, Set};
        chibo_store::entities::meeting_task::ActiveModel {
            meeting_id: Set(meeting),
            member_id: Set(m.id),
            what: Set("Vận động hội viên".into()),
            due_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 11, 15).unwrap()),
            status: Set("open".into()),
            progress: Set(None),
            updated_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&t.app.db)
        .await
        .unwrap()
        .id
    };
    let inspection = {
        use chibo_store::sea_orm::{ActiveModelTrait, Set};
        chibo_store::entities::inspection::ActiveModel {
            unit_id: Set(unit),
            cell_id: Set(unit),
            kind: Set("inspection".into()),
            planned_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()),
            content: Set("Kiểm tra".into()),
            status: Set("planned".into()),
            done_on: Set(None),
            result: Set(String::new()),
            created_by: Set(None),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&t.app.db)
        .await
        .unwrap()
        .id
    };
    Ids {
        unit,
        member: m.id,
        position: p.id,
        rule_set,
        member_rule_set,
        meeting,
        task,
        file: new_file(t, meeting).await,
        guest: new_guest(t, meeting).await,
        transfer: {
            use chibo_store::sea_orm::{ActiveModelTrait, Set};
            chibo_store::entities::transfer::ActiveModel {
                member_id: Set(m.id),
                kind: Set("permanent".into()),
                reason: Set("work".into()),
                from_unit_id: Set(m.unit_id),
                to_unit_id: Set(None),
                destination: Set("Ngoài hệ thống".into()),
                moved_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()),
                ends_on: Set(None),
                applied_on: Set(None),
                letter_on: Set(None),
                received_on: Set(None),
                returned_on: Set(None),
                status: Set("open".into()),
                created_by: Set(None),
                created_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(&t.app.db)
            .await
            .unwrap()
            .id
        },
        holiday: new_holiday(t).await,
        programme: {
            use chibo_store::sea_orm::{ActiveModelTrait, Set};
            chibo_store::entities::programme::ActiveModel {
                unit_id: Set(unit),
                parent_id: Set(None),
                kind: Set("ke_hoach".into()),
                code: Set("01-KH/CB".into()),
                title: Set("Kế hoạch nâng cao chất lượng sinh hoạt".into()),
                issued_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()),
                starts_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()),
                ends_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()),
                created_by: Set(None),
                created_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(&t.app.db)
            .await
            .unwrap()
            .id
        },
        review_report: {
            use chibo_store::sea_orm::{ActiveModelTrait, Set};
            let programme = chibo_store::entities::programme::Entity::find()
                .filter(chibo_store::entities::programme::Column::UnitId.eq(unit))
                .one(&t.app.db)
                .await
                .unwrap()
                .unwrap();
            let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
            chibo_store::entities::review_report::ActiveModel {
                programme_id: Set(programme.id),
                unit_id: Set(unit),
                title: Set("Báo cáo sơ kết".into()),
                number: Set("01-BC/CB".into()),
                place: Set("Phú Lâm".into()),
                report_on: Set(day(11, 30)),
                period_from: Set(day(1, 5)),
                period_to: Set(day(10, 31)),
                situation: Set(String::new()),
                assessment: Set(String::new()),
                weaknesses: Set(String::new()),
                directions: Set(String::new()),
                signer_role: Set("T/M CHI BỘ".into()),
                signer_name: Set("Bí thư".into()),
                updated_by: Set(None),
                updated_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(&t.app.db)
            .await
            .unwrap()
            .id
        },
        token: new_token(t, token_owner).await,
        notification: new_notification(t, m.id).await,
        outbox: failed_message(t, m.id).await.id,
        cadre_task: {
            use chibo_store::sea_orm::{ActiveModelTrait, Set};
            chibo_store::entities::cadre_task::ActiveModel {
                unit_id: Set(unit),
                member_id: Set(m.id),
                year: Set(2026),
                task: Set("Nhiệm vụ đột phá".into()),
                due_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
                status: Set("assigned".into()),
                evidence: Set(String::new()),
                done_on: Set(None),
                created_by: Set(None),
                created_at: Set(chrono::Utc::now()),
                updated_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(&t.app.db)
            .await
            .unwrap()
            .id
        },
        course: {
            use chibo_store::sea_orm::{ActiveModelTrait, Set};
            chibo_store::entities::course::ActiveModel {
                unit_id: Set(unit),
                name: Set("Lớp bồi dưỡng".into()),
                organiser: Set("Trung tâm".into()),
                starts_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()),
                ends_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()),
                topics: Set(String::new()),
                created_by: Set(None),
                created_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(&t.app.db)
            .await
            .unwrap()
            .id
        },
        inspection,
        recommendation: {
            use chibo_store::sea_orm::{ActiveModelTrait, Set};
            chibo_store::entities::inspection_recommendation::ActiveModel {
                inspection_id: Set(inspection),
                text: Set("Kiến nghị".into()),
                due_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
                status: Set("open".into()),
                done_on: Set(None),
                follow_up: Set(String::new()),
                ..Default::default()
            }
            .insert(&t.app.db)
            .await
            .unwrap()
            .id
        },
        candidate: {
            use chibo_store::sea_orm::{ActiveModelTrait, Set};
            chibo_store::entities::candidate::ActiveModel {
                unit_id: Set(unit),
                full_name: Set("Quần chúng ưu tú".into()),
                date_of_birth: Set(chrono::NaiveDate::from_ymd_opt(1995, 5, 5).unwrap()),
                sex: Set("male".into()),
                ethnicity: Set("Kinh".into()),
                citizen_id: Set(None),
                phone: Set(None),
                stage: Set("candidate".into()),
                class_on: Set(None),
                class_certificate: Set(String::new()),
                applied_on: Set(None),
                introducer_member_id: Set(None),
                failed_votes: Set(0),
                voted_on: Set(None),
                decided_on: Set(None),
                decision: Set(String::new()),
                ceremony_on: Set(None),
                member_id: Set(None),
                reviewed_on: Set(None),
                created_by: Set(None),
                created_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(&t.app.db)
            .await
            .unwrap()
            .id
        },
        exemption: {
            use chibo_store::sea_orm::{ActiveModelTrait, Set};
            chibo_store::entities::exemption::ActiveModel {
                member_id: Set(m.id),
                requested_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()),
                reason: Set("Tuổi cao".into()),
                status: Set("requested".into()),
                meeting_id: Set(None),
                decided_on: Set(None),
                reported_on: Set(None),
                revoke_requested_on: Set(None),
                revoke_meeting_id: Set(None),
                revoked_on: Set(None),
                created_by: Set(None),
                created_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(&t.app.db)
            .await
            .unwrap()
            .id
        },
    }
}

/// A holiday on a day no other has (each removal gets one of its own).
pub async fn new_holiday(t: &TestApp) -> i64 {
    use chibo_store::sea_orm::{ActiveModelTrait, PaginatorTrait, Set};
    let n = chibo_store::entities::holiday::Entity::find()
        .count(&t.app.db)
        .await
        .unwrap();
    chibo_store::entities::holiday::ActiveModel {
        day: Set(
            chrono::NaiveDate::from_ymd_opt(2040, 1, 1).unwrap() + chrono::Duration::days(n as i64)
        ),
        name: Set("Nghỉ bù".into()),
        ..Default::default()
    }
    .insert(&t.app.db)
    .await
    .unwrap()
    .id
}

/// A document attached to the meeting (each removal gets one of its own).
pub async fn new_file(t: &TestApp, meeting: i64) -> i64 {
    use chibo_store::sea_orm::{ActiveModelTrait, Set};
    chibo_store::entities::meeting_document::ActiveModel {
        meeting_id: Set(meeting),
        file_name: Set("tai-lieu.txt".into()),
        content_type: Set("text/plain; charset=utf-8".into()),
        size_bytes: Set(2),
        sha256: Set(String::new()),
        data: Set(Some(b"ok".to_vec())),
        stored_path: Set(None),
        uploaded_by: Set(None),
        uploaded_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&t.app.db)
    .await
    .unwrap()
    .id
}

pub async fn new_guest(t: &TestApp, meeting: i64) -> i64 {
    use chibo_store::sea_orm::{ActiveModelTrait, Set};
    chibo_store::entities::meeting_guest::ActiveModel {
        meeting_id: Set(meeting),
        member_id: Set(None),
        full_name: Set("Nguyễn Văn Khách".into()),
        title: Set("Bí thư Đoàn xã".into()),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&t.app.db)
    .await
    .unwrap()
    .id
}
