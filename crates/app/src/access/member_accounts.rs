//! Accounts made from a member's own record (administrators): the cell officers who keep the
//! meetings get their login without anyone typing a member's or a unit's number. The account
//! takes the member's name, a login name offered from it, and the role their office gives them
//! in their cell (a member's role in their own cell when they hold none).

use chibo_domain::member::PositionKind;
use chibo_domain::text::username_of;
use chibo_store::entities::{member, position, user};
use chibo_store::sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::users::{self, NewUser, UserView};
use crate::access::{Admin, Role};
use crate::org::units;
use crate::refs::UnitRef;
use crate::{App, AppError, AppResult};

/// The roles an account made here may take: those of a cell.
pub const CELL_ROLES: [Role; 4] = [
    Role::CellSecretary,
    Role::CellDeputy,
    Role::CellCommittee,
    Role::Member,
];

/// A member's accounts, and what a new one would be.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberAccounts {
    pub member_id: i64,
    pub member_name: String,
    /// The accounts linked to the member (at most one is made here).
    pub accounts: Vec<UserView>,
    /// What the form offers when the member has no account yet.
    pub offer: Option<AccountOffer>,
}

/// A new account's values as offered: every one may be changed before it is made.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountOffer {
    /// The given name and the initials, not taken by another account.
    pub username: String,
    /// From the member's highest office in a cell today, else `member`.
    pub role: Role,
    /// The cell of that office, else the cell the member attends.
    pub unit_id: i64,
    /// The cells the role may be on: the one the member attends and those of their offices.
    pub units: Vec<UnitRef>,
}

/// A new account for a member: the name shown is the member's.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct MemberAccountInput {
    /// 3–64 characters: lower-case letters, digits, `.`, `_`, `-`.
    pub username: String,
    /// At least 8 characters; the member changes it after the first login.
    pub password: String,
    /// `cell_secretary`, `cell_deputy`, `cell_committee` or `member`.
    pub role: String,
    /// One of the offer's `units`.
    pub unit_id: Option<i64>,
}

/// The role an office in a cell gives.
fn role_of(kind: PositionKind) -> Role {
    match kind {
        PositionKind::Secretary => Role::CellSecretary,
        PositionKind::DeputySecretary => Role::CellDeputy,
        PositionKind::CommitteeMember => Role::CellCommittee,
    }
}

/// The member's accounts and, when there is none, what a new one would be.
pub async fn of_member(app: &App, _admin: &Admin<'_>, member_id: i64) -> AppResult<MemberAccounts> {
    let m = member::Entity::find_by_id(member_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = user::Entity::find()
        .filter(user::Column::MemberId.eq(member_id))
        .order_by_asc(user::Column::Username)
        .all(&app.db)
        .await?;
    let accounts = users::user_views(app, rows).await?;
    let offer = if accounts.is_empty() {
        Some(offer(app, &m).await?)
    } else {
        None
    };
    Ok(MemberAccounts {
        member_id,
        member_name: m.full_name,
        accounts,
        offer,
    })
}

async fn offer(app: &App, m: &member::Model) -> AppResult<AccountOffer> {
    let today = App::today();
    let offices: Vec<(PositionKind, i64)> = position::Entity::find()
        .filter(position::Column::MemberId.eq(m.id))
        .filter(position::Column::TermFrom.lte(today))
        .filter(
            Condition::any()
                .add(position::Column::TermTo.is_null())
                .add(position::Column::TermTo.gt(today)),
        )
        .all(&app.db)
        .await?
        .into_iter()
        .filter_map(|p| PositionKind::from_code(&p.kind).map(|k| (k, p.unit_id)))
        .collect();
    // A member of a party group attends its cell: the cell's roles are on the cell.
    let home = match units::find(&app.db, m.unit_id).await? {
        Some(u) => crate::membership::members::cell_of(&app.db, &u).await?.id,
        None => m.unit_id,
    };
    let mut units = vec![home];
    for (_, u) in &offices {
        if !units.contains(u) {
            units.push(*u);
        }
    }
    let names = crate::lookup::unit_names(&app.db, &units).await?;
    let units: Vec<UnitRef> = units
        .into_iter()
        .map(|id| UnitRef {
            name: names.get(&id).cloned().unwrap_or_default(),
            id,
        })
        .collect();
    // The highest office: secretary, then deputy, then committee member.
    let (role, unit_id) = offices
        .iter()
        .map(|(k, u)| (role_of(*k), *u))
        .min_by_key(|(r, _)| CELL_ROLES.iter().position(|c| c == r))
        .unwrap_or((Role::Member, home));
    Ok(AccountOffer {
        username: free_username(app, &username_of(&m.full_name)).await?,
        role,
        unit_id,
        units,
    })
}

/// `base`, or `base` followed by the first number that makes it free.
async fn free_username(app: &App, base: &str) -> AppResult<String> {
    let taken: Vec<String> = user::Entity::find()
        .select_only()
        .column(user::Column::Username)
        .filter(user::Column::Username.starts_with(base))
        .limit(1000)
        .into_tuple()
        .all(&app.db)
        .await?;
    Ok(std::iter::once(base.to_string())
        .chain((2..).map(|n| format!("{base}{n}")))
        .find(|u| !taken.contains(u))
        .expect("an unbounded list of names has a free one"))
}

/// Makes the member's account with the role chosen on one of the member's cells (audited as
/// every account made).
pub async fn create(
    app: &App,
    admin: &Admin<'_>,
    member_id: i64,
    input: MemberAccountInput,
) -> AppResult<UserView> {
    let current = of_member(app, admin, member_id).await?;
    let Some(offer) = current.offer else {
        return Err(AppError::invalid(
            "member_id",
            "Đảng viên này đã có tài khoản đăng nhập.",
        ));
    };
    let mut e = chibo_domain::Invalid::new();
    let role = input.role.trim();
    if !CELL_ROLES.iter().any(|r| r.code() == role) {
        e.push("role", "Vui lòng chọn vai trò trong chi bộ.");
    }
    match input.unit_id {
        Some(u) if offer.units.iter().any(|x| x.id == u) => {}
        _ => e.push(
            "unit_id",
            "Vui lòng chọn chi bộ nơi đảng viên sinh hoạt hoặc giữ chức vụ.",
        ),
    }
    e.into_result()?;
    users::create(
        app,
        admin,
        NewUser {
            username: input.username,
            display_name: current.member_name,
            password: input.password,
            member_id: Some(member_id),
            role: Some(role.to_string()),
            unit_id: input.unit_id,
        },
    )
    .await
}
