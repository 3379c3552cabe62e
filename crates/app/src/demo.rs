//! The demo organisation: fictional names only. One province; a district dissolved on
//! 1 Jul 2025 whose two communes merged into a new commune; an urban ward with a grassroots
//! committee; twelve cells of every type, one split into party groups; about 200 members.

use chibo_domain::org::UnitKind;
use chibo_store::entities::unit;
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};
use chibo_store::write_tx;
use chrono::{Datelike, NaiveDate};

use crate::members::{self, MemberInput, PositionInput, StatusEventInput};
use crate::scope::{Actor, Grant, Role};
use crate::users::{self, NewUser};
use crate::{App, AppResult, units};

pub const DEMO_PASSWORD: &str = "chibo-demo-2026";

#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub username: &'static str,
    pub description: &'static str,
}

pub const DEMO_LOGINS: &[DemoLogin] = &[
    DemoLogin {
        username: "admin",
        description: "Quản trị hệ thống",
    },
    DemoLogin {
        username: "bantochuc",
        description: "Ban Tổ chức Tỉnh ủy (xem toàn tỉnh)",
    },
    DemoLogin {
        username: "xaphulam",
        description: "Cấp ủy viên Đảng ủy xã Phú Lâm",
    },
    DemoLogin {
        username: "bithu.dongtam",
        description: "Bí thư Chi bộ thôn Đồng Tâm",
    },
    DemoLogin {
        username: "dangvien.dongtam",
        description: "Đảng viên Chi bộ thôn Đồng Tâm",
    },
];

/// A small deterministic generator (xorshift), so the demo and generated data sets are the same
/// on every run with the same seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

pub const FAMILY: &[&str] = &[
    "Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Phan", "Vũ",
    "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Hà", "Đinh", "Lương", "Triệu",
];
pub const HIGHLAND_FAMILY: &[&str] = &["Ma", "Nông", "Hoàng", "Triệu", "Lục", "Hà", "Bàn", "Lò"];
pub const MALE_MIDDLE: &[&str] = &[
    "Văn", "Văn", "Đức", "Hữu", "Minh", "Quang", "Xuân", "Công", "Thế", "Ngọc",
];
pub const FEMALE_MIDDLE: &[&str] = &[
    "Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Minh", "Kim",
];
pub const MALE_GIVEN: &[&str] = &[
    "An", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hùng", "Khánh", "Long", "Minh", "Nam", "Phong",
    "Quân", "Sơn", "Thắng", "Toàn", "Tuấn", "Việt", "Vinh", "Hưng", "Lâm", "Thịnh", "Trung", "Đạt",
];
pub const FEMALE_GIVEN: &[&str] = &[
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hằng", "Hoa", "Hương", "Lan", "Liên", "Linh", "Mai",
    "Nga", "Ngọc", "Nhung", "Oanh", "Phương", "Thảo", "Trang", "Yến", "Ánh", "Huyền",
];

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid demo date")
}

/// The administrator acting for the demo set-up (the first user, made here).
fn system_actor(user_id: i64) -> Actor {
    Actor {
        user_id,
        username: "admin".into(),
        display_name: "Quản trị hệ thống".into(),
        member_id: None,
        grants: vec![Grant {
            role: Role::Admin,
            unit_id: None,
            unit_path: None,
            unit_name: None,
        }],
    }
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
    let u = units::insert_unit(
        &tx,
        parent,
        name,
        kind.code(),
        cell_type.map(str::to_string),
        on,
    )
    .await?;
    units::add_event(&tx, None, "created", u.id, Some(parent.id), None, on).await?;
    tx.commit().await?;
    Ok(u)
}

/// Fills an empty database with the demo organisation. Does nothing when units exist.
pub async fn seed(app: &App) -> AppResult<bool> {
    if unit::Entity::find().count(&app.db).await? > 0 {
        return Ok(false);
    }
    crate::rules::ensure_builtins(&app.db).await?;
    let admin_user =
        users::bootstrap_admin(app, "admin", "Quản trị hệ thống", DEMO_PASSWORD).await?;
    let admin = system_actor(admin_user.id);
    let mut rng = Rng(0x5eed_c41b_0d0c_2026);

    let province = units::create_root(
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
    crate::rules::insert_builtin(&app.db, &sheet, Some(province.id)).await?;
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
            let m = members::create(
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
                members::add_event(
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
        for (kind, idx) in kinds.iter().zip(&senior) {
            members::add_position(
                app,
                &admin,
                ids[*idx],
                PositionInput {
                    kind: (*kind).into(),
                    term_from: Some(term.to_string()),
                    term_to: None,
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
        units::merge(
            app,
            &admin,
            old.id,
            units::MergeUnit {
                into_unit_id: phu_lam.id,
                effective_on: on.clone(),
            },
        )
        .await?;
    }
    units::dissolve(
        app,
        &admin,
        district.id,
        units::DissolveUnit {
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
            password: DEMO_PASSWORD.into(),
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
        users::create(app, &admin, a).await?;
    }
    seed_badges(app).await?;
    seed_transfers(app, &admin, &[secretary, member]).await?;
    Ok(true)
}

/// Badges already given for the milestones members passed, except a few left unrecorded (the
/// overdue list has something to show), and one warning that delays a badge.
async fn seed_badges(app: &App) -> AppResult<()> {
    use chibo_domain::badges::BadgeRules;
    use chibo_store::entities::{member, member_badge, member_discipline};
    let rules = BadgeRules::default();
    let last = rules.award_day_before(App::today());
    let ms = member::Entity::find()
        .filter(member::Column::Status.is_in(members::on_roll_codes()))
        .all(&app.db)
        .await?;
    let tx = write_tx(&app.db).await?;
    let now = chrono::Utc::now();
    let mut warned = false;
    for m in &ms {
        let mut given = false;
        for &years in &rules.milestones {
            let reached = chibo_domain::member::add_months(m.admission_date, years * 12);
            let day = rules.award_day_from(reached);
            if !warned && day > last && day <= rules.award_day_from(App::today()) {
                // Reached in time for the next award day, but warned this year.
                member_discipline::ActiveModel {
                    member_id: Set(m.id),
                    kind: Set("warning".into()),
                    decided_on: Set(App::today() - chrono::Duration::days(60)),
                    decision: Set("Quyết định số 12-QĐ/ĐU của Đảng ủy".into()),
                    created_by: Set(None),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(&tx)
                .await?;
                warned = true;
            }
            if day > last || m.id % 9 == 0 && !given {
                break;
            }
            member_badge::ActiveModel {
                member_id: Set(m.id),
                years: Set(years as i32),
                awarded_on: Set(day),
                early: Set("none".into()),
                decision: Set(format!(
                    "Quyết định của Ban Thường vụ Tỉnh ủy ngày {}",
                    (day - chrono::Duration::days(10)).format("%d/%m/%Y")
                )),
                created_by: Set(None),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&tx)
            .await?;
            given = true;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Transfers with something to show: a member of Đồng Tâm attending Bản Nà for a while, one back
/// from a course, one who moved away months ago and has not applied (overdue), one whose letter
/// to Bản Nà was not presented in time (overdue).
async fn seed_transfers(app: &App, admin: &Actor, keep: &[i64]) -> AppResult<()> {
    use crate::transfers::{self, TransferInput, TransferStep};
    use chibo_store::entities::member;
    use chibo_store::sea_orm::QueryOrder;
    let cell = |name: &'static str| async move {
        unit::Entity::find()
            .filter(unit::Column::Name.eq(name))
            .one(&app.db)
            .await?
            .ok_or(crate::AppError::NotFound)
    };
    let (dong_tam, ban_na) = (
        cell("Chi bộ thôn Đồng Tâm").await?,
        cell("Chi bộ thôn Bản Nà").await?,
    );
    let movers: Vec<i64> = member::Entity::find()
        .filter(member::Column::UnitPath.like(chibo_store::path_prefix(&dong_tam.path)))
        .filter(member::Column::Status.eq("active"))
        .order_by_desc(member::Column::SortKey)
        .all(&app.db)
        .await?
        .into_iter()
        .map(|m| m.id)
        .filter(|id| !keep.contains(id))
        .take(4)
        .collect();
    let today = App::today();
    let day = |offset: i64| Some((today + chrono::Duration::days(offset)).to_string());
    let start = |m: i64,
                 kind: &str,
                 reason: &str,
                 to: Option<i64>,
                 dest: &str,
                 from: i64,
                 to_day: Option<i64>| {
        transfers::start(
            app,
            admin,
            m,
            TransferInput {
                kind: kind.into(),
                reason: reason.into(),
                to_unit_id: to,
                destination: dest.into(),
                moved_on: day(from),
                ends_on: to_day.and_then(day),
            },
        )
    };
    let step = |id: i64, what: &str, on: i64| {
        transfers::step(
            app,
            admin,
            id,
            TransferStep {
                step: what.into(),
                on: day(on),
            },
        )
    };
    if let [a, b, c, d] = movers[..] {
        start(a, "temporary", "work", Some(ban_na.id), "", -40, Some(140)).await?;
        let back = start(
            b,
            "temporary",
            "training",
            None,
            "Trường Chính trị tỉnh Hòa Sơn",
            -200,
            Some(-20),
        )
        .await?;
        step(back.id, "return", -18).await?;
        start(
            c,
            "permanent",
            "residence",
            None,
            "Đảng bộ phường Bến Thành, TP Hồ Chí Minh",
            -95,
            None,
        )
        .await?;
        let late = start(d, "permanent", "work", Some(ban_na.id), "", -90, None).await?;
        step(late.id, "apply", -80).await?;
        step(late.id, "letter", -75).await?;
    }
    Ok(())
}

pub const THEMES: &[&str] = &[
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Xây dựng nông thôn mới nâng cao, nông thôn mới kiểu mẫu",
    "Phòng, chống thiên tai, bão lũ ở địa bàn dân cư",
    "Chuyển đổi số và dịch vụ công trực tuyến ở cơ sở",
    "Nâng cao chất lượng sinh hoạt chi bộ",
    "Giữ gìn an ninh trật tự, xây dựng khu dân cư văn hóa",
];

pub const EXCUSES: &[&str] = &[
    "Ốm, điều trị tại nhà",
    "Đi công tác",
    "Việc gia đình",
    "Đi làm ăn xa",
    "Trông cháu ốm",
];

/// Twelve months of meetings for every live cell, with the variety the reviews describe: rural
/// cells with unstable attendance (members working away), a cell that skips months, thematic
/// meetings each quarter; and next month's meetings already announced. Does nothing when there
/// are meetings. Kept apart from [`seed`] so tests that need only the organisation stay fast.
pub async fn seed_meetings(app: &App) -> AppResult<usize> {
    use chibo_store::entities::meeting;
    use chrono::Months;

    use crate::meetings::{self, AttendanceEntry, NewMeeting};

    if meeting::Entity::find().count(&app.db).await? > 0 {
        return Ok(0);
    }
    let admin = crate::auth::actor_by_username(app, "admin")
        .await?
        .ok_or(crate::AppError::NotFound)?;
    let mut cells: Vec<unit::Model> = unit::Entity::find()
        .all(&app.db)
        .await?
        .into_iter()
        .filter(|u| {
            u.dissolved_on.is_none() && UnitKind::from_code(&u.kind).is_some_and(|k| k.is_cell())
        })
        .collect();
    cells.sort_by_key(|u| u.id);
    assign_followers(app, &mut cells).await?;
    // Admitted members join the roll before the year of meetings is written.
    seed_candidates(app, &admin).await?;
    let today = App::today();
    let first = today.with_day(1).expect("first of month");
    let mut rng = Rng(0x0d0c_2026_5eed_c41b);
    let mut made = 0;
    for cell in &cells {
        let kind = cell.cell_type.as_deref().unwrap_or("rural");
        // Attendance probability in percent, the cell's day of the month and its hour.
        let (presence, day, time, place) = match kind {
            "rural" => (80, 15, "19:30", "Nhà văn hóa thôn"),
            "urban" => (92, 20, "19:30", "Nhà văn hóa tổ dân phố"),
            "enterprise" => (88, 10, "16:00", "Hội trường công ty"),
            _ => (96, 5, "14:00", "Phòng họp cơ quan"),
        };
        seed_topics(app, cell, today.year(), &mut rng).await?;
        let skips: &[u32] = if cell.name.contains("Bản Nà") {
            &[3, 7]
        } else if kind == "enterprise" {
            &[5]
        } else {
            &[]
        };
        // From twelve months back to next month.
        for offset in -12i32..=1 {
            let month = if offset < 0 {
                first.checked_sub_months(Months::new(offset.unsigned_abs()))
            } else {
                first.checked_add_months(Months::new(offset as u32))
            };
            let Some(month) = month else { continue };
            let Some(date) = month.with_day(day) else {
                continue;
            };
            if offset < 0 && skips.contains(&offset.unsigned_abs()) || date < cell.established_on {
                continue;
            }
            let regular = NewMeeting {
                kind: "regular".into(),
                combined: false,
                topic: format!(
                    "Kiểm điểm việc thực hiện nghị quyết tháng {}/{}, phương hướng nhiệm vụ tháng tới",
                    month.month(),
                    month.year()
                ),
                meeting_date: Some(date.to_string()),
                start_time: Some(time.into()),
                place: place.into(),
                agenda: None,
            };
            let mut plan = vec![(date, regular)];
            if month.month() % 3 == 0 && matches!(kind, "rural" | "urban" | "school") {
                let thematic_date = month.with_day(25).expect("day 25");
                let theme = THEMES[(month.month() as usize / 3 + cell.id as usize) % THEMES.len()];
                plan.push((
                    thematic_date,
                    NewMeeting {
                        kind: "thematic".into(),
                        topic: theme.to_string(),
                        meeting_date: Some(thematic_date.to_string()),
                        ..plan[0].1.clone()
                    },
                ));
            }
            for (date, input) in plan {
                let m = meetings::schedule(app, &admin, cell.id, input).await?;
                made += 1;
                if date > today {
                    // Announced ahead: members see them on their home page.
                    meetings::publish(app, &admin, m.id).await?;
                    continue;
                }
                let sheet = meetings::get(app, &admin, m.id).await?;
                let mut entries = Vec::new();
                for r in &sheet.sheet {
                    let roll = rng.below(100);
                    let (presence, reason) = if roll < presence {
                        ("present", None)
                    } else if roll < presence + (100 - presence) * 3 / 4 {
                        ("absent_excused", Some(rng.pick(EXCUSES).to_string()))
                    } else {
                        ("absent_unexcused", None)
                    };
                    entries.push(AttendanceEntry {
                        member_id: r.member_id,
                        presence: presence.into(),
                        reason,
                    });
                }
                for r in sheet.apart.iter().filter(|r| r.standing == "exempt") {
                    if rng.chance(20) {
                        entries.push(AttendanceEntry {
                            member_id: r.member_id,
                            presence: "present".into(),
                            reason: None,
                        });
                    }
                }
                // Announced a week ahead, as the notice rules ask.
                let model = meeting::Entity::find_by_id(m.id)
                    .one(&app.db)
                    .await?
                    .ok_or(crate::AppError::NotFound)?;
                let announced = (date - chrono::Duration::days(7))
                    .and_hms_opt(8, 0, 0)
                    .expect("valid time")
                    .and_utc();
                let mut am = model.into_active_model();
                am.published_at = Set(Some(announced));
                let model = am.update(&app.db).await?;
                let tx = write_tx(&app.db).await?;
                meetings::write_attendance(&tx, &model, &entries).await?;
                let working: Vec<i64> = sheet
                    .sheet
                    .iter()
                    .filter(|r| r.standing == "working")
                    .map(|r| r.member_id)
                    .collect();
                record_demo_meeting(&tx, &model, cell, &entries, &working, &mut rng).await?;
                tx.commit().await?;
            }
        }
    }
    seed_exemptions(app, &admin).await?;
    seed_programmes(app).await?;
    seed_reviews(app, &admin).await?;
    Ok(made)
}

/// Candidates in Đồng Tâm at every stage: new, after the class, voted and waiting too long for
/// the decision (overdue), on probation, recognised.
async fn seed_candidates(app: &App, admin: &Actor) -> AppResult<()> {
    use crate::admissions::{self, CandidateInput, CandidateStep};
    let Some(cell) = unit::Entity::find()
        .filter(unit::Column::Name.eq("Chi bộ thôn Đồng Tâm"))
        .one(&app.db)
        .await?
    else {
        return Ok(());
    };
    let rules = chibo_domain::admission::AdmissionRules::default();
    let today = App::today();
    let introducer = crate::meetings::roll(app, &cell, today - chrono::Duration::days(800))
        .await?
        .into_iter()
        .find(|r| {
            !r.visiting
                && rules.may_introduce(r.member.official_date, today - chrono::Duration::days(800))
        })
        .map(|r| r.member.id);
    let day = |d: i64| Some((today + chrono::Duration::days(d)).to_string());
    let people = [
        ("Hoàng Thị Thu", "1999-04-12", "female", "001199004412", 0),
        ("Đinh Văn Khải", "1996-09-02", "male", "001096009902", 1),
        ("Lục Thị Yến", "2000-01-20", "female", "001200001120", 3),
        ("Vi Văn Thắng", "1994-06-15", "male", "001094006615", 5),
        ("Mông Thị Lan", "1992-11-03", "female", "001192011103", 6),
    ];
    for (name, born, sex, cccd, reach) in people {
        let c = admissions::propose(
            app,
            admin,
            cell.id,
            CandidateInput {
                full_name: name.into(),
                date_of_birth: Some(born.into()),
                sex: sex.into(),
                ethnicity: Some("Tày".into()),
                citizen_id: Some(cccd.into()),
                phone: None,
            },
        )
        .await?;
        // (step, days ago, number, votes)
        let plan: [(&str, i64, &str, Option<u32>); 6] = [
            ("class", -460, "GCN-2025-014", None),
            ("file", -450, "", None),
            ("vote", -440, "", Some(30)),
            ("decide", -430, "QĐ 112-QĐ/ĐU", None),
            ("ceremony", -420, "", None),
            ("recognise", -30, "", None),
        ];
        let shift = if reach == 3 {
            300
        } else if reach == 5 {
            60
        } else {
            0
        };
        for (i, (what, ago, number, votes)) in plan.iter().enumerate().take(reach) {
            admissions::step(
                app,
                admin,
                c.id,
                CandidateStep {
                    step: (*what).into(),
                    on: day(ago + if i < 5 { shift } else { 0 }),
                    number: (*number).into(),
                    introducer_member_id: introducer,
                    application: true,
                    history: true,
                    votes_for: *votes,
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// Last year's review: every cell scored its members (a fifth of them at most excellent, a few
/// only completed) and the superior committee decided each cell's level.
async fn seed_reviews(app: &App, admin: &Actor) -> AppResult<()> {
    use crate::classification::{self, CellReviewInput, ReviewInput, ScoreEntry};
    let year = App::today().year() - 1;
    let mut rng = Rng(0x2025_0eda_1e55_c0de);
    let cells: Vec<unit::Model> = unit::Entity::find()
        .filter(unit::Column::DissolvedOn.is_null())
        .all(&app.db)
        .await?
        .into_iter()
        .filter(|u| UnitKind::from_code(&u.kind).is_some_and(|k| k.is_cell()))
        .collect();
    for cell in cells {
        let sheet = classification::sheet(app, admin, cell.id, year).await?;
        let ids: Vec<i64> = sheet
            .rows
            .iter()
            .filter(|r| r.excluded.is_none())
            .map(|r| r.member.id)
            .collect();
        if ids.is_empty() {
            continue;
        }
        // Scores first; then a fifth of those good or better become excellent (the quota).
        let mut scores: Vec<u32> = ids
            .iter()
            .map(|_| {
                if rng.chance(12) {
                    55 + rng.below(14) as u32
                } else {
                    72 + rng.below(17) as u32
                }
            })
            .collect();
        let good = scores.iter().filter(|s| **s >= 70).count();
        for s in scores.iter_mut().filter(|s| **s >= 70).take(good / 5) {
            *s = 90 + rng.below(8) as u32;
        }
        let entries = ids
            .iter()
            .zip(scores)
            .map(|(m, score)| ScoreEntry {
                member_id: *m,
                score,
            })
            .collect();
        let sheet =
            classification::save(app, admin, cell.id, ReviewInput { year, entries }).await?;
        let score = if sheet.cell_excellent_blocked.is_none() && rng.chance(30) {
            92
        } else {
            82
        };
        classification::decide(
            app,
            admin,
            cell.id,
            CellReviewInput {
                year,
                score,
                decision: format!("Quyết định của cấp ủy cấp trên ngày 15/01/{}", year + 1),
                decided_on: Some(format!("{}-01-15", year + 1)),
            },
        )
        .await?;
    }
    Ok(())
}

/// The commune of Phú Lâm's programme records: breakthrough tasks for its cell officers, two
/// training courses most of them completed, and inspections of its cells this year with
/// recommendations, one of them overdue.
async fn seed_programmes(app: &App) -> AppResult<()> {
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
            status: Set(if done.is_some() { "done" } else { "planned" }.into()),
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
                status: Set(if followed { "done" } else { "open" }.into()),
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

/// Two exemption requests in Tân Lập: one the cell granted at its last meeting but has not
/// reported to the commune, one waiting for the next meeting.
async fn seed_exemptions(app: &App, admin: &Actor) -> AppResult<()> {
    use crate::exemptions::{self, ExemptionRequest, ExemptionStep};
    use chibo_store::entities::{meeting, member};
    use chibo_store::sea_orm::QueryOrder;
    let Some(cell) = unit::Entity::find()
        .filter(unit::Column::Name.eq("Chi bộ thôn Tân Lập"))
        .one(&app.db)
        .await?
    else {
        return Ok(());
    };
    let last = meeting::Entity::find()
        .filter(meeting::Column::UnitId.eq(cell.id))
        .filter(meeting::Column::Status.eq("held"))
        .order_by_desc(meeting::Column::MeetingDate)
        .one(&app.db)
        .await?;
    // The oldest members with no status change on record ask.
    let changed: Vec<i64> = chibo_store::entities::member_event::Entity::find()
        .all(&app.db)
        .await?
        .into_iter()
        .map(|e| e.member_id)
        .collect();
    let old: Vec<member::Model> = member::Entity::find()
        .filter(member::Column::UnitPath.like(chibo_store::path_prefix(&cell.path)))
        .filter(member::Column::Status.eq("active"))
        .filter(member::Column::Id.is_not_in(changed))
        .order_by_asc(member::Column::DateOfBirth)
        .all(&app.db)
        .await?;
    if let (Some(last), [a, b, ..]) = (last, &old[..]) {
        let asked = |m: i64, on: NaiveDate, why: &str| {
            exemptions::request(
                app,
                admin,
                m,
                ExemptionRequest {
                    requested_on: Some(on.to_string()),
                    reason: why.into(),
                    until: None,
                },
            )
        };
        let x = asked(
            a.id,
            last.meeting_date - chrono::Duration::days(10),
            "Tuổi cao, sức khỏe yếu, đi lại khó khăn",
        )
        .await?;
        exemptions::step(
            app,
            admin,
            x.id,
            ExemptionStep {
                step: "grant".into(),
                meeting_id: Some(last.id),
                on: None,
            },
        )
        .await?;
        asked(
            b.id,
            App::today() - chrono::Duration::days(3),
            "Bệnh mãn tính, điều trị dài ngày",
        )
        .await?;
        // A member who went to work far away is exempted until the end of the season.
        if let Some(c) = old.get(2) {
            let away_on = last.meeting_date - chrono::Duration::days(20);
            members::add_event(
                app,
                admin,
                c.id,
                StatusEventInput {
                    kind: "working_away".into(),
                    effective_on: Some(away_on.to_string()),
                    until: Some((App::today() + chrono::Duration::days(90)).to_string()),
                    reason: "Đi làm công nhân tại khu công nghiệp tỉnh Bình Dương".into(),
                },
            )
            .await?;
            let x = exemptions::request(
                app,
                admin,
                c.id,
                ExemptionRequest {
                    requested_on: Some((away_on + chrono::Duration::days(2)).to_string()),
                    reason: "Đi làm ăn xa, không về sinh hoạt được".into(),
                    until: Some((App::today() + chrono::Duration::days(90)).to_string()),
                },
            )
            .await?;
            exemptions::step(
                app,
                admin,
                x.id,
                ExemptionStep {
                    step: "grant".into(),
                    meeting_id: Some(last.id),
                    on: None,
                },
            )
            .await?;
        }
    }
    Ok(())
}

pub const RESOLUTIONS: &[&str] = &[
    "Tập trung chỉ đạo thu hoạch, tiêu thụ nông sản; vận động nhân dân vệ sinh môi trường, giữ gìn an ninh trật tự.",
    "Hoàn thành thu nộp đảng phí; rà soát hộ nghèo, cận nghèo; chuẩn bị đón Tết an toàn, tiết kiệm.",
    "Đẩy mạnh chuyển đổi số: hướng dẫn người dân sử dụng dịch vụ công trực tuyến; cập nhật dữ liệu dân cư.",
    "Triển khai kế hoạch phòng, chống thiên tai; phân công đảng viên phụ trách các hộ ở vùng trũng.",
    "Vận động hiến đất làm đường giao thông nông thôn; tổ chức ngày thứ bảy tình nguyện.",
];

pub const TASKS: &[&str] = &[
    "Vận động 5 hộ gia đình được phân công thực hiện nghị quyết",
    "Phụ trách tuyên truyền trên loa truyền thanh thôn",
    "Hướng dẫn các hộ cài đặt ứng dụng dịch vụ công",
    "Theo dõi, báo cáo tình hình an ninh trật tự khu vực phụ trách",
    "Thu nộp đảng phí của tổ đảng",
];

/// Each cell is followed by a member of its superior organisation from another cell (the
/// first in name order), as the superior committee assigns its members.
async fn assign_followers(app: &App, cells: &mut [unit::Model]) -> AppResult<()> {
    use chibo_store::entities::member;
    use chibo_store::sea_orm::QueryOrder;
    let all: Vec<unit::Model> = unit::Entity::find().all(&app.db).await?;
    for cell in cells.iter_mut() {
        let Some(parent) = all.iter().find(|u| Some(u.id) == cell.parent_id) else {
            continue;
        };
        let pick = member::Entity::find()
            .filter(member::Column::UnitPath.like(chibo_store::path_prefix(&parent.path)))
            .filter(member::Column::Status.is_in(members::on_roll_codes()))
            .order_by_asc(member::Column::SortKey)
            .all(&app.db)
            .await?
            .into_iter()
            .find(|m| !m.unit_path.starts_with(&cell.path));
        if let Some(f) = pick {
            let mut am = cell.clone().into_active_model();
            am.follower_member_id = Set(Some(f.id));
            *cell = am.update(&app.db).await?;
        }
    }
    Ok(())
}

const FOLLOWER_TITLE: &str = "Đảng ủy viên, phụ trách chi bộ";

/// The outline and draft resolution sent to members before a demo meeting (a text file).
async fn attach_demo_document(
    tx: &chibo_store::sea_orm::DatabaseTransaction,
    meeting_id: i64,
    draft: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    use sha2::Digest;
    let body = format!(
        "ĐỀ CƯƠNG SINH HOẠT CHI BỘ\n\n1. Thông tin thời sự, quán triệt văn bản cấp trên.\n\
         2. Kiểm điểm việc thực hiện nghị quyết tháng trước.\n3. Phương hướng nhiệm vụ tháng tới.\n\n\
         DỰ THẢO NGHỊ QUYẾT\n{draft}\n"
    )
    .into_bytes();
    chibo_store::entities::meeting_document::ActiveModel {
        meeting_id: Set(meeting_id),
        file_name: Set("de-cuong-va-du-thao-nghi-quyet.txt".into()),
        content_type: Set("text/plain; charset=utf-8".into()),
        size_bytes: Set(body.len() as i64),
        sha256: Set(hex::encode(sha2::Sha256::digest(&body))),
        data: Set(Some(body)),
        stored_path: Set(None),
        uploaded_by: Set(None),
        uploaded_at: Set(at),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    Ok(())
}

/// The record of a demo meeting: complete in agency cells; short meetings, late documents and
/// no tasks in Bản Nà; the same resolution month after month in Tân Lập (vague minutes).
async fn record_demo_meeting(
    tx: &chibo_store::sea_orm::DatabaseTransaction,
    m: &chibo_store::entities::meeting::Model,
    cell: &unit::Model,
    entries: &[crate::meetings::AttendanceEntry],
    working: &[i64],
    rng: &mut Rng,
) -> AppResult<()> {
    use chibo_store::entities::{meeting_record, meeting_score, meeting_task};
    let present: Vec<i64> = entries
        .iter()
        .filter(|e| e.presence == "present")
        .map(|e| e.member_id)
        .collect();
    if present.len() < 2 {
        return Ok(());
    }
    let weak = cell.name.contains("Bản Nà");
    let copied = cell.name.contains("Tân Lập");
    let now = chrono::Utc::now();
    let end = if weak && rng.chance(50) {
        "20:50"
    } else if m.start_time == "14:00" {
        "16:00"
    } else {
        "21:30"
    };
    let end = if m.start_time == "16:00" {
        "18:00"
    } else {
        end
    };
    let resolution = if copied {
        RESOLUTIONS[0].to_string()
    } else {
        RESOLUTIONS[(m.meeting_date.month() as usize + cell.id as usize) % RESOLUTIONS.len()]
            .to_string()
    };
    let against = u32::from(rng.chance(20));
    let votes_for = present.len() as u32 - against;
    meeting_record::ActiveModel {
        meeting_id: Set(m.id),
        end_time: Set(Some(end.to_string())),
        chair_member_id: Set(Some(present[0])),
        secretary_member_id: Set(Some(present[1])),
        documents_posted_on: Set(None),
        draft_resolution: Set((!weak).then(|| resolution.clone())),
        resolution_text: Set(Some(resolution.clone())),
        votes_for: Set(Some(votes_for as i32)),
        votes_against: Set(Some(against as i32)),
        votes_abstain: Set(Some(0)),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    // The committee met five days before (not always in the weak cell); documents reached
    // members two days ahead, on the day itself in the weak cell.
    if !weak || rng.chance(40) {
        chibo_store::entities::meeting_preparation::ActiveModel {
            meeting_id: Set(m.id),
            held_on: Set(m.meeting_date - chrono::Duration::days(5)),
            attendee_ids: Set(serde_json::to_string(&present[..2]).expect("ids")),
            content: Set(
                "Thống nhất nội dung, dự thảo nghị quyết; phân công đồng chí bí thư chủ trì, \
                 chuẩn bị báo cáo kết quả tháng trước."
                    .into(),
            ),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(tx)
        .await?;
    }
    let posted = (m.meeting_date - chrono::Duration::days(if weak { 0 } else { 2 }))
        .and_hms_opt(1, 0, 0)
        .expect("valid time")
        .and_utc();
    attach_demo_document(tx, m.id, &resolution, posted).await?;
    // The superior committee member who follows the cell came to about half the meetings.
    if let Some(f) = cell.follower_member_id
        && rng.chance(50)
    {
        let name = chibo_store::entities::member::Entity::find_by_id(f)
            .one(tx)
            .await?
            .map(|x| x.full_name)
            .unwrap_or_default();
        chibo_store::entities::meeting_guest::ActiveModel {
            meeting_id: Set(m.id),
            member_id: Set(Some(f)),
            full_name: Set(name),
            title: Set(FOLLOWER_TITLE.into()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(tx)
        .await?;
    }
    if !weak {
        // Members working away are left without a task: the gap the reviews name.
        let away: Vec<i64> = entries
            .iter()
            .filter(|e| e.reason.as_deref() == Some("Đi làm ăn xa"))
            .map(|e| e.member_id)
            .collect();
        for (i, member_id) in working
            .iter()
            .copied()
            .filter(|w| !away.contains(w))
            .enumerate()
        {
            let done = m.meeting_date + chrono::Duration::days(25) < App::today();
            meeting_task::ActiveModel {
                meeting_id: Set(m.id),
                member_id: Set(member_id),
                what: Set(TASKS[(i + m.id as usize) % TASKS.len()].to_string()),
                due_on: Set(m.meeting_date + chrono::Duration::days(25)),
                status: Set(if done && rng.chance(85) {
                    "done"
                } else {
                    "open"
                }
                .to_string()),
                progress: Set(
                    done.then(|| "Đã thực hiện, báo cáo tại buổi sinh hoạt sau".to_string())
                ),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(tx)
            .await?;
        }
    }
    // Who spoke: several members in most cells, nobody recorded in the weak cell; Tân Lập
    // writes the same proceedings every month.
    if !weak {
        const SAID: &[&str] = &[
            "Đề nghị chi bộ phân công đảng viên trực tiếp xuống các hộ còn chậm.",
            "Báo cáo kết quả nhiệm vụ tháng trước, đề xuất tháng tới tập trung vệ sinh môi trường.",
            "Góp ý dự thảo: cần nêu rõ thời hạn và người chịu trách nhiệm.",
            "Đồng ý với dự thảo, đề nghị biểu dương các đảng viên hoàn thành tốt nhiệm vụ.",
            "Phản ánh ý kiến của bà con về tuyến đường liên thôn xuống cấp sau mưa lũ.",
            "Đề nghị tổ chức lớp hướng dẫn sử dụng dịch vụ công trực tuyến cho người cao tuổi.",
            "Nêu tình hình thu nộp đảng phí của tổ đảng, còn hai đồng chí nộp chậm.",
            "Đề xuất giao chi đoàn thanh niên phụ trách dọn vệ sinh kênh mương nội đồng.",
            "Báo cáo kết quả vận động các hộ ký cam kết không sử dụng pháo nổ.",
            "Kiến nghị cấp ủy cấp trên hỗ trợ giống cây trồng cho hộ bị thiệt hại.",
            "Tự phê bình chưa hoàn thành nhiệm vụ tháng trước vì đi công tác, xin khắc phục.",
            "Đề nghị bổ sung vào nghị quyết chỉ tiêu cụ thể về số hộ tham gia bảo hiểm y tế.",
        ];
        let n = if copied { 3 } else { 2 + rng.below(3) as usize };
        for (i, speaker) in present.iter().skip(2).take(n).enumerate() {
            let said = if copied {
                SAID[i]
            } else {
                SAID[rng.below(SAID.len() as u64) as usize]
            };
            chibo_store::entities::meeting_speech::ActiveModel {
                meeting_id: Set(m.id),
                member_id: Set(*speaker),
                summary: Set(said.to_string()),
                ..Default::default()
            }
            .insert(tx)
            .await?;
        }
    }
    // Minutes older than three weeks were read back and signed by the chair and the minute-taker.
    if m.meeting_date + chrono::Duration::days(21) < App::today() {
        for (role, member_id) in [("chair", present[0]), ("secretary", present[1])] {
            chibo_store::entities::meeting_approval::ActiveModel {
                meeting_id: Set(m.id),
                member_id: Set(member_id),
                role: Set(role.to_string()),
                approved_at: Set((m.meeting_date + chrono::Duration::days(1))
                    .and_hms_opt(9, 0, 0)
                    .expect("valid time")
                    .and_utc()),
                ..Default::default()
            }
            .insert(tx)
            .await?;
        }
    }
    let judged: &[(&str, u32)] = if weak {
        &[
            ("content", 9),
            ("procedure_order", 3),
            ("speakers", 5),
            ("principles", 5),
            ("current_affairs_time", 2),
            ("self_criticism", 2),
        ]
    } else {
        &[
            ("content", 14),
            ("procedure_order", 5),
            ("speakers", 8),
            ("principles", 5),
            ("current_affairs_time", 4),
            ("self_criticism", 4),
        ]
    };
    for (code, points) in judged {
        meeting_score::ActiveModel {
            meeting_id: Set(m.id),
            criterion: Set((*code).to_string()),
            points: Set(*points as i32),
            reason: Set(None),
            scored_by: Set(None),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(tx)
        .await?;
    }
    Ok(())
}

/// The year's thematic topics: every quarter in most cells, half the year in the weak cell.
async fn seed_topics(app: &App, cell: &unit::Model, year: i32, rng: &mut Rng) -> AppResult<()> {
    use chibo_store::entities::{member, thematic_topic};
    use chibo_store::sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let writers: Vec<i64> = member::Entity::find()
        .filter(member::Column::UnitPath.starts_with(cell.path.as_str()))
        .order_by_asc(member::Column::Id)
        .all(&app.db)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    if writers.is_empty() {
        return Ok(());
    }
    let quarters: &[i32] = if cell.name.contains("Bản Nà") {
        &[1, 2]
    } else {
        &[1, 2, 3, 4]
    };
    for q in quarters {
        thematic_topic::ActiveModel {
            unit_id: Set(cell.id),
            year: Set(year),
            quarter: Set(*q),
            title: Set(THEMES[(*q as usize + cell.id as usize) % THEMES.len()].to_string()),
            writer_member_id: Set(Some(writers[rng.below(writers.len() as u64) as usize])),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&app.db)
        .await?;
    }
    Ok(())
}
