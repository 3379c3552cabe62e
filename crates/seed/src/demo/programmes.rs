//! Demo breakthrough tasks, training courses and inspections.

use chibo_app::{App, AppResult};
use chibo_domain::org::UnitKind;
use chibo_domain::programme::{InspectionStatus, RecommendationStatus};
use chibo_store::entities::unit;
use chibo_store::sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use chibo_store::write_tx;
use chrono::{Datelike, NaiveDate};

/// The commune of Phú Lâm's programme records: breakthrough tasks for its cell officers, two
/// training courses most of them completed, and inspections of its cells this year with
/// recommendations, one of them overdue.
pub(crate) async fn seed_programmes(app: &App) -> AppResult<()> {
    use chibo_store::entities::{
        cadre_task, course, course_participant, inspection, inspection_recommendation, position,
    };
    let Some(commune) = unit::Entity::find()
        .filter(unit::Column::Name.eq("Đảng bộ xã Phú Lâm"))
        .one(&app.db)
        .await?
    else {
        return Ok(());
    };
    let today = App::today();
    let year = today.year();
    let jan = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d).expect("valid date");
    let cells: Vec<unit::Model> = unit::Entity::find()
        .filter(unit::Column::Path.like(chibo_store::path_prefix(&commune.path)))
        .filter(unit::Column::DissolvedOn.is_null())
        .all(&app.db)
        .await?
        .into_iter()
        .filter(|u| UnitKind::from_code(&u.kind).is_some_and(|k| k.is_cell()))
        .collect();
    let officers: Vec<i64> = position::Entity::find()
        .filter(position::Column::UnitId.is_in(cells.iter().map(|c| c.id).collect::<Vec<_>>()))
        .filter(position::Column::TermTo.is_null())
        .all(&app.db)
        .await?
        .into_iter()
        .map(|p| p.member_id)
        .collect();
    let now = chrono::Utc::now();
    let tx = write_tx(&app.db).await?;
    const TASKS: &[(&str, &str)] = &[
        (
            "Vận động 100% hộ trong thôn cài đặt ứng dụng dịch vụ công",
            "done",
        ),
        (
            "Xây dựng mô hình \"Dân vận khéo\" trong thu gom rác thải",
            "in_progress",
        ),
        ("Hoàn thành kiên cố hóa 1,5 km đường nội đồng", "done"),
        ("Giảm 50% số hộ cận nghèo trong chi bộ", "in_progress"),
        ("Thành lập tổ hợp tác trồng dược liệu", "not_done"),
    ];
    for (i, member_id) in officers.iter().take(TASKS.len()).enumerate() {
        let (task, status) = TASKS[i];
        let due = if i % 2 == 0 {
            jan(9, 30)
        } else {
            today - chrono::Duration::days(10)
        };
        cadre_task::ActiveModel {
            unit_id: Set(commune.id),
            member_id: Set(*member_id),
            year: Set(year),
            task: Set(task.into()),
            due_on: Set(due),
            status: Set(status.into()),
            evidence: Set(if status == "done" {
                "Báo cáo kết quả của chi bộ, xác nhận của Đảng ủy xã".into()
            } else {
                String::new()
            }),
            done_on: Set((status == "done").then_some(due.min(today))),
            created_by: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
    }
    for (name, start, trainees) in [
        (
            "Bồi dưỡng nghiệp vụ công tác đảng cho bí thư, phó bí thư chi bộ",
            jan(3, 10),
            0usize..officers.len() / 2,
        ),
        (
            "Bồi dưỡng kỹ năng tổ chức sinh hoạt chi bộ cho chi ủy viên",
            jan(8, 5),
            officers.len() / 2..officers.len().saturating_sub(2),
        ),
    ] {
        let c = course::ActiveModel {
            unit_id: Set(commune.id),
            name: Set(name.into()),
            organiser: Set("Trung tâm Chính trị xã Phú Lâm".into()),
            starts_on: Set(start),
            ends_on: Set(start + chrono::Duration::days(3)),
            topics: Set("Quy trình, nội dung sinh hoạt chi bộ; ghi biên bản, ra nghị quyết".into()),
            created_by: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
        for (k, member_id) in officers[trainees].iter().enumerate() {
            course_participant::ActiveModel {
                course_id: Set(c.id),
                member_id: Set(*member_id),
                completed: Set(k % 5 != 4),
                ..Default::default()
            }
            .insert(&tx)
            .await?;
        }
    }
    for (i, cell) in cells.iter().take(4).enumerate() {
        let planned = jan(4 + 2 * i as u32, 15);
        let done = (planned < today && i < 3).then_some(planned + chrono::Duration::days(2));
        let ins = inspection::ActiveModel {
            unit_id: Set(commune.id),
            cell_id: Set(cell.id),
            kind: Set(if i % 2 == 0 { "inspection" } else { "supervision" }.into()),
            planned_on: Set(planned),
            content: Set("Việc thực hiện quy trình, nội dung sinh hoạt chi bộ theo Hướng dẫn 42".into()),
            status: Set(if done.is_some() { InspectionStatus::Done } else { InspectionStatus::Planned }.code().into()),
            done_on: Set(done),
            result: Set(if done.is_some() { "Chi bộ duy trì sinh hoạt định kỳ; biên bản còn sơ sài, chưa phân công nhiệm vụ cụ thể.".into() } else { String::new() }),
            created_by: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
        if let Some(d) = done {
            let followed = i == 0;
            inspection_recommendation::ActiveModel {
                inspection_id: Set(ins.id),
                text: Set(
                    "Ghi biên bản đầy đủ ý kiến phát biểu; giao nhiệm vụ cụ thể cho từng đảng viên"
                        .into(),
                ),
                due_on: Set(d + chrono::Duration::days(60)),
                status: Set(if followed {
                    RecommendationStatus::Done
                } else {
                    RecommendationStatus::Open
                }
                .code()
                .into()),
                done_on: Set(followed.then_some(d + chrono::Duration::days(30))),
                follow_up: Set(if followed {
                    "Từ tháng sau biên bản ghi đủ ý kiến, mỗi đảng viên có nhiệm vụ".into()
                } else {
                    String::new()
                }),
                ..Default::default()
            }
            .insert(&tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Hà Nội's Đề án 11 and Tuyên Quang's Đề án 16, with the targets their texts set, recorded as
/// two programmes of the demo province; the commune of Phú Lâm implements Đề án 11 with a
/// stricter attendance target, its sister wards not yet (the board sees who has issued theirs).
pub(crate) async fn seed_schemes(app: &App) -> AppResult<()> {
    use chibo_app::programmes::programme::{self, ProgrammeInput, ReviewInput, TargetInput};
    use chibo_app::programmes::review;
    let (Some(province), Some(commune)) = (
        unit::Entity::find()
            .filter(unit::Column::Name.eq("Đảng bộ tỉnh Hòa Sơn"))
            .one(&app.db)
            .await?,
        unit::Entity::find()
            .filter(unit::Column::Name.eq("Đảng bộ xã Phú Lâm"))
            .one(&app.db)
            .await?,
    ) else {
        return Ok(());
    };
    let Some(admin) = chibo_app::access::auth::actor_by_username(app, "admin").await? else {
        return Ok(());
    };
    let target = |indicator: &str, comparison: &str, value: &str| TargetInput {
        indicator: Some(indicator.into()),
        comparison: Some(comparison.into()),
        value: Some(value.into()),
    };
    let review = |due_on: &str, title: &str| ReviewInput {
        due_on: Some(due_on.into()),
        title: title.into(),
    };
    let de_an_11 = programme::create(
        app,
        &admin,
        province.id,
        ProgrammeInput {
            parent_id: None,
            kind: Some("de_an".into()),
            code: "11-ĐA/TU".into(),
            title: "Nâng cao chất lượng sinh hoạt chi bộ trong tình hình mới".into(),
            issued_on: Some("2021-12-06".into()),
            starts_on: Some("2021-12-06".into()),
            ends_on: Some("2030-12-31".into()),
            targets: vec![
                target("cell_months_met", "at_least", "100"),
                target("cells_thematic_quarterly", "at_least", "100"),
                target("meetings_full_procedure", "at_least", "100"),
                target("attendance_rate", "at_least", "90"),
                target("members_tasked", "at_least", "100"),
                target("officers_trained", "at_least", "100"),
                target("documents_on_time", "at_least", "100"),
            ],
            reviews: vec![
                review("2024-06-10", "Sơ kết 3 năm thực hiện Đề án"),
                review("2026-12-15", "Sơ kết 5 năm thực hiện Đề án"),
                review("2030-12-15", "Tổng kết Đề án"),
            ],
        },
    )
    .await?;
    programme::create(
        app,
        &admin,
        province.id,
        ProgrammeInput {
            parent_id: None,
            kind: Some("de_an".into()),
            code: "16-ĐA/TU".into(),
            title: "Nâng cao chất lượng sinh hoạt chi bộ gắn với giao nhiệm vụ đổi mới, đột phá"
                .into(),
            issued_on: Some("2020-01-03".into()),
            starts_on: Some("2020-01-03".into()),
            ends_on: Some("2027-12-31".into()),
            targets: vec![
                target("cell_months_met", "at_least", "100"),
                target("attendance_rate", "more_than", "80"),
                target("cells_good_or_better", "more_than", "90"),
                target("members_good_or_better", "more_than", "85"),
            ],
            reviews: vec![review("2021-07-23", "Đánh giá kết quả thực hiện Đề án")],
        },
    )
    .await?;
    programme::create(
        app,
        &admin,
        commune.id,
        ProgrammeInput {
            parent_id: Some(de_an_11.id),
            kind: Some("ke_hoach".into()),
            code: "45-KH/ĐU".into(),
            title: "Kế hoạch thực hiện Đề án 11-ĐA/TU của Tỉnh ủy".into(),
            issued_on: Some("2022-01-15".into()),
            starts_on: Some("2022-01-15".into()),
            ends_on: Some("2030-12-31".into()),
            targets: vec![target("attendance_rate", "at_least", "95")],
            reviews: vec![review("2026-12-10", "Sơ kết việc thực hiện kế hoạch")],
        },
    )
    .await?;
    // The board's draft of the five-year review, its figures counted whenever it is read.
    let draft = review::draft(app, &admin, de_an_11.id, None).await?;
    review::create(
        app,
        &admin,
        de_an_11.id,
        review::ReportInput {
            number: "120-BC/TU".into(),
            signer_name: "Trần Quốc Minh".into(),
            assessment: "Các cấp ủy đã cụ thể hóa Đề án bằng kế hoạch của mình; nền nếp sinh \
                         hoạt chi bộ được duy trì, nội dung sinh hoạt thiết thực hơn."
                .into(),
            weaknesses: "Một số chi bộ sinh hoạt còn hình thức, chưa đủ các bước theo quy định; \
                         việc kiểm tra thực hiện nhiệm vụ được giao ở kỳ sau chưa thường xuyên."
                .into(),
            directions: "Tiếp tục thực hiện nghiêm Đề án; mỗi chi bộ sinh hoạt chuyên đề ít nhất \
                         một lần mỗi quý; cấp ủy cấp trên dự sinh hoạt với chi bộ yếu kém."
                .into(),
            ..draft
        },
    )
    .await?;
    Ok(())
}
