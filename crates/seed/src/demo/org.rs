//! The demo province's tree, its members with their history, officers and logins.

use chibo_app::access::auth;
use chibo_app::access::users;
use chibo_app::access::users::NewUser;
use chibo_app::membership::member_edit;
use chibo_app::membership::member_edit::MemberInput;
use chibo_app::membership::member_events;
use chibo_app::membership::member_events::StatusEventInput;
use chibo_app::membership::members;
use chibo_app::membership::positions;
use chibo_app::membership::positions::PositionInput;
use chibo_app::org::restructure;
use chibo_app::org::{edit, founding};
use chibo_app::{App, AppResult};
use chibo_domain::org::UnitKind;
use chibo_store::entities::unit;
use chibo_store::sea_orm::{EntityTrait, PaginatorTrait};
use chibo_store::write_tx;
use chrono::NaiveDate;

use crate::demo::DEMO_PASSWORD;
use crate::demo::names::{
    FAMILY, FEMALE_GIVEN, FEMALE_MIDDLE, HIGHLAND_FAMILY, MALE_GIVEN, MALE_MIDDLE, Rng,
};
use crate::demo::workflows::{seed_badges, seed_transfers};

pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid demo date")
}

struct CellPlan {
    name: &'static str,
    kind: UnitKind,
    cell_type: &'static str,
    founded: NaiveDate,
    members: usize,
    highland: bool,
    groups: &'static [&'static str],
}

async fn child(
    app: &App,
    parent: &unit::Model,
    name: &str,
    kind: UnitKind,
    cell_type: Option<&str>,
    on: NaiveDate,
) -> AppResult<unit::Model> {
    let tx = write_tx(&app.db).await?;
    let u = founding::insert_unit(
        &tx,
        parent,
        name,
        kind.code(),
        cell_type.map(str::to_string),
        on,
    )
    .await?;
    edit::add_event(&tx, None, "created", u.id, Some(parent.id), None, on).await?;
    tx.commit().await?;
    Ok(u)
}

/// Fills an empty database with the demo organisation. Does nothing when units exist.
pub async fn seed(app: &App) -> AppResult<bool> {
    if unit::Entity::find().count(&app.db).await? > 0 {
        return Ok(false);
    }
    chibo_app::rules::ensure_builtins(&app.db).await?;
    let admin_user = users::bootstrap_admin(app, "admin", "Quản trị hệ thống", THROWAWAY).await?;
    let admin = auth::actor_by_username(app, &admin_user.username)
        .await?
        .ok_or(chibo_app::AppError::NotFound)?;
    let mut rng = Rng(0x5eed_c41b_0d0c_2026);

    let province = edit::create_root(
        &app.db,
        "Đảng bộ tỉnh Hòa Sơn",
        UnitKind::Province,
        d(1991, 1, 1),
    )
    .await?;
    // The province scores meetings with its own points sheet from 1 Jan 2026.
    let mut sheet = chibo_domain::rules::builtins()
        .into_iter()
        .find(|b| !b.national)
        .expect("a provincial template");
    sheet.effective_from = d(2026, 1, 1);
    chibo_app::rules::insert_builtin(&app.db, &sheet, Some(province.id)).await?;
    let district = child(
        app,
        &province,
        "Đảng bộ huyện Phú Lâm",
        UnitKind::District,
        None,
        d(1991, 1, 1),
    )
    .await?;
    let tan_phu = child(
        app,
        &district,
        "Đảng bộ xã Tân Phú",
        UnitKind::Commune,
        None,
        d(1991, 1, 1),
    )
    .await?;
    let tan_hoa = child(
        app,
        &district,
        "Đảng bộ xã Tân Hòa",
        UnitKind::Commune,
        None,
        d(1991, 1, 1),
    )
    .await?;
    let ward = child(
        app,
        &province,
        "Đảng bộ phường Hòa Bình",
        UnitKind::Commune,
        None,
        d(2025, 7, 1),
    )
    .await?;
    let agency = child(
        app,
        &ward,
        "Đảng bộ cơ quan Ủy ban nhân dân phường Hòa Bình",
        UnitKind::Grassroots,
        None,
        d(2025, 7, 1),
    )
    .await?;

    let plans: Vec<(&unit::Model, CellPlan)> = vec![
        (
            &tan_phu,
            CellPlan {
                name: "Chi bộ thôn Đồng Tâm",
                kind: UnitKind::Cell,
                cell_type: "rural",
                founded: d(1995, 3, 1),
                members: 40,
                highland: false,
                groups: &["Tổ đảng số 1", "Tổ đảng số 2", "Tổ đảng số 3"],
            },
        ),
        (
            &tan_phu,
            CellPlan {
                name: "Chi bộ thôn Bản Nà",
                kind: UnitKind::Cell,
                cell_type: "rural",
                founded: d(1998, 5, 1),
                members: 17,
                highland: true,
                groups: &[],
            },
        ),
        (
            &tan_phu,
            CellPlan {
                name: "Chi bộ Trường Trung học cơ sở Tân Phú",
                kind: UnitKind::Cell,
                cell_type: "school",
                founded: d(2005, 9, 1),
                members: 11,
                highland: false,
                groups: &[],
            },
        ),
        (
            &tan_hoa,
            CellPlan {
                name: "Chi bộ thôn Tân Lập",
                kind: UnitKind::Cell,
                cell_type: "rural",
                founded: d(1996, 2, 1),
                members: 19,
                highland: false,
                groups: &[],
            },
        ),
        (
            &tan_hoa,
            CellPlan {
                name: "Chi bộ Trạm Y tế xã Tân Hòa",
                kind: UnitKind::Cell,
                cell_type: "public_service",
                founded: d(2008, 1, 1),
                members: 7,
                highland: false,
                groups: &[],
            },
        ),
        (
            &tan_hoa,
            CellPlan {
                name: "Chi bộ Công ty Cổ phần Chè Phú Lâm",
                kind: UnitKind::Cell,
                cell_type: "enterprise",
                founded: d(2012, 6, 1),
                members: 12,
                highland: true,
                groups: &[],
            },
        ),
        (
            &ward,
            CellPlan {
                name: "Chi bộ Tổ dân phố số 1",
                kind: UnitKind::Cell,
                cell_type: "urban",
                founded: d(2025, 7, 1),
                members: 27,
                highland: false,
                groups: &[],
            },
        ),
        (
            &ward,
            CellPlan {
                name: "Chi bộ Tổ dân phố số 5",
                kind: UnitKind::Cell,
                cell_type: "urban",
                founded: d(2025, 7, 1),
                members: 21,
                highland: false,
                groups: &[],
            },
        ),
        (
            &ward,
            CellPlan {
                name: "Chi bộ Khu dân cư Bờ Sông",
                kind: UnitKind::Cell,
                cell_type: "urban",
                founded: d(2025, 7, 1),
                members: 16,
                highland: false,
                groups: &[],
            },
        ),
        (
            &ward,
            CellPlan {
                name: "Chi bộ Trường Tiểu học Hòa Bình",
                kind: UnitKind::Cell,
                cell_type: "school",
                founded: d(2025, 7, 1),
                members: 9,
                highland: false,
                groups: &[],
            },
        ),
        (
            &agency,
            CellPlan {
                name: "Chi bộ Văn phòng",
                kind: UnitKind::Cell,
                cell_type: "agency",
                founded: d(2025, 7, 1),
                members: 10,
                highland: false,
                groups: &[],
            },
        ),
        (
            &agency,
            CellPlan {
                name: "Chi bộ Địa chính - Xây dựng",
                kind: UnitKind::Cell,
                cell_type: "agency",
                founded: d(2025, 7, 1),
                members: 8,
                highland: false,
                groups: &[],
            },
        ),
        // Three members, the last two still probationary (or one, at worst): the board sees
        // a cell below three official members.
        (
            &agency,
            CellPlan {
                name: "Chi bộ Trung tâm Văn hóa - Thể thao",
                kind: UnitKind::Cell,
                cell_type: "public_service",
                founded: d(2025, 7, 1),
                members: 3,
                highland: false,
                groups: &[],
            },
        ),
    ];

    let today = App::today();
    let mut serial = 0u64;
    let mut dongtam: Option<(i64, i64, i64)> = None;
    for (parent, plan) in &plans {
        let cell = child(
            app,
            parent,
            plan.name,
            plan.kind,
            Some(plan.cell_type),
            plan.founded,
        )
        .await?;
        let mut groups = Vec::new();
        for g in plan.groups {
            groups.push(child(app, &cell, g, UnitKind::Group, None, d(2019, 1, 1)).await?);
        }
        let mut ids = Vec::new();
        let mut admitted = Vec::new();
        for i in 0..plan.members {
            serial += 1;
            let male = rng.chance(if plan.cell_type == "school" { 35 } else { 62 });
            let family = if plan.highland && rng.chance(70) {
                rng.pick(HIGHLAND_FAMILY)
            } else {
                rng.pick(FAMILY)
            };
            let middle = rng.pick(if male { MALE_MIDDLE } else { FEMALE_MIDDLE });
            let given = rng.pick(if male { MALE_GIVEN } else { FEMALE_GIVEN });
            let name = format!("{family} {middle} {given}");
            // Rural cells are older; schools and agencies younger.
            let birth_year = match plan.cell_type {
                "rural" | "urban" => 1938 + rng.below(60) as i32,
                _ => 1966 + rng.below(34) as i32,
            };
            let dob = d(
                birth_year,
                1 + rng.below(12) as u32,
                1 + rng.below(28) as u32,
            );
            let mut admission = d(
                birth_year + 20 + rng.below(16) as i32,
                1 + rng.below(12) as u32,
                1 + rng.below(28) as u32,
            );
            // The last members of most cells joined within the year and are still probationary.
            let probationary = i >= plan.members - 2 && !serial.is_multiple_of(3);
            if probationary || admission > today {
                admission = today - chrono::Duration::days(60 + rng.below(250) as i64);
            }
            let official = chibo_domain::member::add_months(admission, 12);
            let ethnicity = if plan.highland && family != "Nguyễn" && family != "Trần" {
                rng.pick(&["Tày", "Dao", "Nùng", "Tày"])
            } else {
                "Kinh"
            };
            let unit_id = if groups.is_empty() {
                cell.id
            } else {
                groups[i % groups.len()].id
            };
            let initial = if i == 5 && plan.cell_type == "urban" {
                "transferred_in_temp"
            } else {
                "active"
            };
            let century_sex = match (birth_year >= 2000, male) {
                (false, true) => 0,
                (false, false) => 1,
                (true, true) => 2,
                (true, false) => 3,
            };
            let m = member_edit::create(
                app,
                &admin,
                MemberInput {
                    full_name: name,
                    date_of_birth: Some(dob.to_string()),
                    sex: if male { "male" } else { "female" }.into(),
                    ethnicity: Some(ethnicity.into()),
                    citizen_id: Some(format!(
                        "008{century_sex}{:02}{:06}",
                        birth_year % 100,
                        100_000 + serial * 37
                    )),
                    phone: rng
                        .chance(85)
                        .then(|| format!("09{:08}", 12_000_000 + serial * 7919 % 87_000_000)),
                    admission_date: Some(admission.to_string()),
                    official_date: (official <= today).then(|| official.to_string()),
                    card_number: (official <= today)
                        .then(|| format!("52.{:06}", 10_000 + serial * 13)),
                    history_number: Some(format!("LL-{:05}", serial)),
                    badge_number: None,
                    unit_id: Some(unit_id),
                    initial_status: Some(initial.into()),
                },
            )
            .await?;
            ids.push(m.id);
            admitted.push(admission);
        }
        // Life happens: exemptions for the elderly, members working away, transfers, a death.
        let events: &[(usize, &str, NaiveDate, &str)] = match plan.cell_type {
            "rural" => &[
                (
                    3,
                    "exemption_granted",
                    d(2024, 3, 12),
                    "Tuổi cao, sức yếu; tự nguyện đề nghị, chi bộ đồng ý.",
                ),
                (
                    4,
                    "working_away",
                    d(2025, 2, 10),
                    "Đi làm ăn xa tại Bình Dương.",
                ),
                (
                    6,
                    "working_away",
                    d(2025, 9, 1),
                    "Đi làm công nhân tại Khu công nghiệp Quế Võ.",
                ),
                (
                    7,
                    "temp_transfer_out",
                    d(2026, 3, 1),
                    "Đi học lớp trung cấp lý luận chính trị 8 tháng.",
                ),
            ],
            "urban" => &[
                (3, "exemption_granted", d(2025, 10, 2), "Tuổi cao, sức yếu."),
                (4, "deceased", d(2026, 4, 18), "Từ trần."),
            ],
            _ => &[(
                3,
                "temp_transfer_out",
                d(2026, 5, 4),
                "Biệt phái công tác 6 tháng.",
            )],
        };
        for (idx, kind, on, reason) in events {
            if *idx < ids.len() && *on <= today && admitted[*idx] < *on {
                member_events::add_event(
                    app,
                    &admin,
                    ids[*idx],
                    StatusEventInput {
                        kind: (*kind).into(),
                        effective_on: Some(on.to_string()),
                        until: None,
                        reason: (*reason).into(),
                    },
                )
                .await?;
            }
        }
        // Officers: the longest-serving members whose status did not change are chosen.
        let term = if plan.founded > d(2025, 7, 1) {
            plan.founded
        } else {
            d(2025, 7, 15)
        };
        let mut changed: Vec<usize> = events.iter().map(|e| e.0).collect();
        if plan.cell_type == "urban" {
            changed.push(5); // temporarily transferred in: not an officer here
        }
        let mut senior: Vec<usize> = (0..ids.len())
            .filter(|i| !changed.contains(i) && admitted[*i] < term)
            .collect();
        senior.sort_by_key(|i| admitted[*i]);
        let kinds: &[&str] = if plan.members < 9 {
            &["secretary", "deputy_secretary"]
        } else {
            &["secretary", "deputy_secretary", "committee_member"]
        };
        // The health station's secretary stood down two months ago and no one has been
        // elected since: the board sees a cell without a secretary.
        let vacant = plan.name == "Chi bộ Trạm Y tế xã Tân Hòa";
        for (kind, idx) in kinds.iter().zip(&senior) {
            let term_to = (vacant && *kind == "secretary").then(|| {
                (App::today() - chrono::Duration::days(60)).max(term + chrono::Duration::days(1))
            });
            positions::add_position(
                app,
                &admin,
                ids[*idx],
                PositionInput {
                    kind: (*kind).into(),
                    term_from: Some(term.to_string()),
                    term_to: term_to.map(|d| d.to_string()),
                },
            )
            .await?;
        }
        if plan.name == "Chi bộ thôn Đồng Tâm" {
            dongtam = Some((
                cell.id,
                ids[senior[0]],
                ids[senior.last().copied().unwrap_or(10)],
            ));
        }
    }

    // 1 Jul 2025: the district level ends; its two communes merge into the new commune Phú Lâm.
    let phu_lam = child(
        app,
        &province,
        "Đảng bộ xã Phú Lâm",
        UnitKind::Commune,
        None,
        d(2025, 7, 1),
    )
    .await?;
    let on = Some(d(2025, 7, 1).to_string());
    for old in [&tan_phu, &tan_hoa] {
        restructure::merge(
            app,
            &admin,
            old.id,
            restructure::MergeUnit {
                into_unit_id: Some(phu_lam.id),
                effective_on: on.clone(),
            },
        )
        .await?;
    }
    restructure::dissolve(
        app,
        &admin,
        district.id,
        restructure::DissolveUnit {
            reason: "Kết thúc hoạt động cấp huyện theo chủ trương sắp xếp đơn vị hành chính".into(),
            effective_on: on.clone(),
        },
    )
    .await?;

    // Accounts.
    let (dongtam_id, secretary, member) = dongtam.expect("the demo has Đồng Tâm");
    let account =
        |username: &str, display: &str, member_id: Option<i64>, role: &str, unit_id: i64| NewUser {
            username: username.into(),
            display_name: display.into(),
            password: THROWAWAY.into(),
            member_id,
            role: Some(role.into()),
            unit_id: Some(unit_id),
        };
    let accounts = [
        account(
            "bantochuc",
            "Trần Thị Hồng Nhung",
            None,
            "org_board",
            province.id,
        ),
        account("xaphulam", "Lê Văn Thịnh", None, "committee", phu_lam.id),
        account(
            "bithu.dongtam",
            "",
            Some(secretary),
            "cell_secretary",
            dongtam_id,
        ),
        account("dangvien.dongtam", "", Some(member), "member", dongtam_id),
    ];
    for mut a in accounts {
        // Accounts of members show the member's name.
        if let Some(id) = a.member_id {
            a.display_name = members::get(app, &admin, id).await?.full_name;
        }
        users::create(app, &admin.admin()?, a).await?;
    }
    give_demo_password(app).await?;
    seed_badges(app).await?;
    seed_transfers(app, &admin, &[secretary, member]).await?;
    Ok(true)
}

/// What the demo's accounts are made with: the policy refuses the demo's own password, which
/// everyone reads, so they are made with this and then given it directly.
const THROWAWAY: &str = "tạm thời: lúa xanh ngoài đồng";

/// Every account of the demo gets the demo's password ([`DEMO_PASSWORD`]), as `generate`'s do.
async fn give_demo_password(app: &App) -> AppResult<()> {
    use chibo_store::entities::user;
    use chibo_store::sea_orm::sea_query::Expr;
    let hash = auth::hash_password(DEMO_PASSWORD)?;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .exec(&app.db)
        .await?;
    Ok(())
}
