//! Accounts and their roles: administrators only (and each user's own password).

use std::collections::HashMap;

use chibo_domain::Invalid;
use chibo_domain::cursor::Cursor;
use chibo_domain::ids::UserId;
use chibo_domain::org::UnitKind;
use chibo_store::entities::{member, user, user_role};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use chibo_store::write_tx;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::auth;
use crate::access::auth::hash_password;
use crate::access::{Actor, Admin, Role};
use crate::org::units;
use crate::{App, AppError, AppResult, audit};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoleView {
    pub id: i64,
    pub role: Role,
    pub role_label: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
}

/// An account as shown and audited: never with its password hash.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub member_id: Option<i64>,
    pub is_active: bool,
    /// The account signs in with a code from an authenticator app as well as its password.
    pub second_factor: bool,
    pub roles: Vec<RoleView>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewUser {
    /// 3–64 characters: lower-case letters, digits, `.`, `_`, `-`.
    pub username: String,
    pub display_name: String,
    /// At least 8 characters, not a common password nor one holding the username.
    pub password: String,
    pub member_id: Option<i64>,
    /// A first role, optional.
    pub role: Option<String>,
    pub unit_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct RoleInput {
    /// `admin`, `org_board`, `committee`, `cell_secretary`, `cell_deputy`, `cell_committee`, `member`.
    pub role: String,
    pub unit_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct PasswordInput {
    /// Required when changing one's own password.
    pub current_password: Option<String>,
    pub new_password: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ActiveInput {
    pub is_active: bool,
}

async fn user_view(app: &App, u: user::Model) -> AppResult<UserView> {
    Ok(user_views(app, vec![u]).await?.remove(0))
}

/// Accounts with their roles, the roles and their units read once for all of them (a page of
/// accounts: its ids are bounded by the page size).
pub(crate) async fn user_views(app: &App, users: Vec<user::Model>) -> AppResult<Vec<UserView>> {
    let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    let roles =
        crate::lookup::by_ids::<user_role::Entity, _>(&app.db, user_role::Column::UserId, &ids)
            .await?;
    let unit_ids: Vec<i64> = roles.iter().filter_map(|r| r.unit_id).collect();
    let unit_names = crate::lookup::unit_names(&app.db, &unit_ids).await?;
    let mut by_user: HashMap<i64, Vec<RoleView>> = HashMap::new();
    let mut roles = roles;
    roles.sort_by_key(|r| r.id);
    for r in roles {
        let Some(role) = Role::from_code(&r.role) else {
            continue;
        };
        by_user.entry(r.user_id).or_default().push(RoleView {
            id: r.id,
            role,
            role_label: role.label().to_string(),
            unit_id: r.unit_id,
            unit_name: r.unit_id.and_then(|id| unit_names.get(&id).cloned()),
        });
    }
    Ok(users
        .into_iter()
        .map(|u| UserView {
            roles: by_user.remove(&u.id).unwrap_or_default(),
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            member_id: u.member_id,
            is_active: u.is_active,
            second_factor: u.totp_secret.is_some(),
        })
        .collect())
}

/// A page of accounts in username order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<UserView>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// Accounts in username order, `per_page` of them after `after` (a keyset on the unique
/// username, as cheap deep in a nation's accounts as on the first page).
pub async fn list(
    app: &App,
    _admin: &Admin<'_>,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<UserPage> {
    let per_page = per_page.clamp(1, 500);
    let mut q = user::Entity::find();
    if let Some(c) = after {
        q = q.filter(user::Column::Username.gt(c.key.as_str()));
    }
    let mut rows = q
        .order_by_asc(user::Column::Username)
        .limit(per_page + 1)
        .all(&app.db)
        .await?;
    let next = crate::lookup::cut_page(&mut rows, per_page, |u| {
        Cursor::new(u.username.clone(), u.id).encode()
    });
    Ok(UserPage {
        items: user_views(app, rows).await?,
        next,
    })
}

pub async fn get(app: &App, _admin: &Admin<'_>, id: UserId) -> AppResult<UserView> {
    let u = user::Entity::find_by_id(id.get())
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    user_view(app, u).await
}

/// The password policy (`chibo_domain::password`) for the account `username`.
fn check_password(e: &mut Invalid, field: &str, p: &str, username: &str) {
    if let Some(problem) = chibo_domain::password::password_problem(p, username) {
        e.push(field, problem);
    }
}

async fn check_role(
    app: &App,
    e: &mut Invalid,
    role: &str,
    unit_id: Option<i64>,
) -> AppResult<Option<Role>> {
    let Some(role) = Role::from_code(role.trim()) else {
        e.push("role", "Vai trò không hợp lệ.");
        return Ok(None);
    };
    match (role, unit_id) {
        (Role::Admin, _) => {}
        (_, None) => e.push("unit_id", "Vui lòng chọn đơn vị cho vai trò này."),
        (_, Some(id)) => match units::find(&app.db, id).await? {
            None => e.push("unit_id", "Không tìm thấy đơn vị."),
            Some(u) => {
                let holds = UnitKind::from_code(&u.kind).is_some_and(|k| k.is_cell());
                let cell_role = matches!(
                    role,
                    Role::CellSecretary | Role::CellDeputy | Role::CellCommittee | Role::Member
                );
                if cell_role && !holds {
                    e.push("unit_id", "Vai trò của chi bộ phải gắn với một chi bộ.");
                }
                if u.dissolved_on.is_some() {
                    e.push("unit_id", "Đơn vị đã giải thể.");
                }
            }
        },
    }
    Ok(Some(role))
}

/// Why an account could not be written although its checks passed: its name or its member
/// was taken by a request that ran at the same time.
async fn taken(app: &App, username: &str) -> AppResult<AppError> {
    let name_taken = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .count(&app.db)
        .await?
        > 0;
    Ok(if name_taken {
        AppError::invalid("username", "Tên đăng nhập đã được sử dụng.")
    } else {
        AppError::invalid("member_id", "Đảng viên này đã có tài khoản đăng nhập.")
    })
}

pub async fn create(app: &App, admin: &Admin<'_>, input: NewUser) -> AppResult<UserView> {
    let actor: &Actor = admin;
    let mut e = Invalid::new();
    let username = input.username.trim().to_lowercase();
    if username.len() < 3
        || username.len() > 64
        || !username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
    {
        e.push("username", "Tên đăng nhập gồm 3–64 ký tự: chữ thường không dấu, chữ số, dấu chấm, gạch dưới hoặc gạch ngang.");
    } else if user::Entity::find()
        .filter(user::Column::Username.eq(&username))
        .count(&app.db)
        .await?
        > 0
    {
        e.push("username", "Tên đăng nhập đã được sử dụng.");
    }
    let display_name = chibo_domain::validate::required_text(
        &mut e,
        "display_name",
        "họ tên hiển thị",
        &input.display_name,
        255,
    );
    check_password(&mut e, "password", &input.password, &username);
    if let Some(mid) = input.member_id
        && member::Entity::find_by_id(mid)
            .one(&app.db)
            .await?
            .is_none()
    {
        e.push("member_id", "Không tìm thấy đảng viên.");
    } else if let Some(mid) = input.member_id
        && let Some(other) = user::Entity::find()
            .filter(user::Column::MemberId.eq(mid))
            .one(&app.db)
            .await?
    {
        e.push(
            "member_id",
            format!(
                "Đảng viên này đã có tài khoản đăng nhập ({}).",
                other.username
            ),
        );
    }
    let role = match input.role.as_deref().filter(|r| !r.trim().is_empty()) {
        Some(r) => check_role(app, &mut e, r, input.unit_id).await?,
        None => None,
    };
    e.into_result()?;
    let hash = hash_password(&input.password)?;
    let tx = write_tx(&app.db).await?;
    let inserted = user::ActiveModel {
        username: Set(username.clone()),
        display_name: Set(display_name),
        password_hash: Set(hash),
        member_id: Set(input.member_id),
        is_active: Set(true),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await;
    let u = match inserted {
        Ok(u) => u,
        // Another request took the name or linked the member since the checks above.
        Err(err) if chibo_store::is_unique_violation(&err) => {
            tx.rollback().await?;
            return Err(taken(app, &username).await?);
        }
        Err(err) => return Err(err.into()),
    };
    if let Some(role) = role {
        user_role::ActiveModel {
            user_id: Set(u.id),
            role: Set(role.code().to_string()),
            unit_id: Set(if role == Role::Admin {
                None
            } else {
                input.unit_id
            }),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
    }
    let after = serde_json::json!({"username": u.username, "display_name": u.display_name, "member_id": u.member_id, "role": role.map(|r| r.code()), "unit_id": input.unit_id});
    audit::record(
        &tx,
        Some(actor),
        "user.create",
        "user",
        Some(u.id),
        None::<&()>,
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    user_view(app, u).await
}

pub async fn add_role(
    app: &App,
    admin: &Admin<'_>,
    user_id: UserId,
    input: RoleInput,
) -> AppResult<UserView> {
    let actor: &Actor = admin;
    let u = user::Entity::find_by_id(user_id.get())
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut e = Invalid::new();
    let role = check_role(app, &mut e, &input.role, input.unit_id).await?;
    e.into_result()?;
    let role = role.expect("checked");
    let unit_id = if role == Role::Admin {
        None
    } else {
        input.unit_id
    };
    let tx = write_tx(&app.db).await?;
    let r = user_role::ActiveModel {
        user_id: Set(u.id),
        role: Set(role.code().to_string()),
        unit_id: Set(unit_id),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "user.role_add",
        "user",
        Some(u.id),
        None::<&()>,
        Some(&r),
    )
    .await?;
    tx.commit().await?;
    user_view(app, u).await
}

pub async fn remove_role(
    app: &App,
    admin: &Admin<'_>,
    user_id: UserId,
    role_id: i64,
) -> AppResult<UserView> {
    let actor: &Actor = admin;
    let u = user::Entity::find_by_id(user_id.get())
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let r = user_role::Entity::find_by_id(role_id)
        .one(&app.db)
        .await?
        .filter(|r| r.user_id == u.id)
        .ok_or(AppError::NotFound)?;
    if r.role == "admin" && u.id == actor.user_id.get() {
        return Err(AppError::invalid(
            "role",
            "Không thể tự gỡ quyền quản trị của chính mình.",
        ));
    }
    let tx = write_tx(&app.db).await?;
    user_role::Entity::delete_by_id(r.id).exec(&tx).await?;
    audit::record(
        &tx,
        Some(actor),
        "user.role_remove",
        "user",
        Some(u.id),
        Some(&r),
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    user_view(app, u).await
}

/// Sets a password: an administrator for anyone, a user for themselves with the current one.
/// All of that user's sessions and API tokens end, so nothing stolen outlives the old password.
pub async fn set_password(
    app: &App,
    actor: &Actor,
    user_id: UserId,
    input: PasswordInput,
) -> AppResult<()> {
    let own = actor.user_id == user_id;
    if !own {
        actor.admin()?;
    }
    let u = user::Entity::find_by_id(user_id.get())
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut e = Invalid::new();
    if own
        && !actor.is_admin()
        && !auth::check_current_password(app, &u, input.current_password.as_deref().unwrap_or(""))
            .await?
    {
        e.push("current_password", "Mật khẩu hiện tại không đúng.");
    }
    check_password(&mut e, "new_password", &input.new_password, &u.username);
    e.into_result()?;
    let hash = hash_password(&input.new_password)?;
    let tx = write_tx(&app.db).await?;
    let id = u.id;
    let mut am = u.into_active_model();
    am.password_hash = Set(hash);
    am.update(&tx).await?;
    auth::end_all_access(&tx, id).await?;
    audit::record(
        &tx,
        Some(actor),
        "user.password",
        "user",
        Some(id),
        None::<&()>,
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_active(
    app: &App,
    admin: &Admin<'_>,
    user_id: UserId,
    input: ActiveInput,
) -> AppResult<UserView> {
    let actor: &Actor = admin;
    let u = user::Entity::find_by_id(user_id.get())
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if u.id == actor.user_id.get() && !input.is_active {
        return Err(AppError::invalid(
            "is_active",
            "Không thể tự khóa tài khoản của chính mình.",
        ));
    }
    let tx = write_tx(&app.db).await?;
    let before = u.is_active;
    let id = u.id;
    let mut am = u.into_active_model();
    am.is_active = Set(input.is_active);
    let after = am.update(&tx).await?;
    if !input.is_active {
        auth::end_all_access(&tx, id).await?;
    }
    audit::record(
        &tx,
        Some(actor),
        "user.active",
        "user",
        Some(id),
        Some(&before),
        Some(&input.is_active),
    )
    .await?;
    tx.commit().await?;
    user_view(app, after).await
}

/// Creates the first administrator from the command line: no actor exists yet. The password
/// passes the policy like any other.
pub async fn bootstrap_admin(
    app: &App,
    username: &str,
    display_name: &str,
    password: &str,
) -> AppResult<user::Model> {
    let mut e = Invalid::new();
    check_password(&mut e, "password", password, username);
    let username = username.trim().to_lowercase();
    if user::Entity::find()
        .filter(user::Column::Username.eq(&username))
        .count(&app.db)
        .await?
        > 0
    {
        e.push("username", "Tên đăng nhập đã được sử dụng.");
    }
    e.into_result()?;
    let tx = write_tx(&app.db).await?;
    let u = user::ActiveModel {
        username: Set(username),
        display_name: Set(display_name.to_string()),
        password_hash: Set(hash_password(password)?),
        member_id: Set(None),
        is_active: Set(true),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    user_role::ActiveModel {
        user_id: Set(u.id),
        role: Set(Role::Admin.code().to_string()),
        unit_id: Set(None),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        None,
        "user.bootstrap_admin",
        "user",
        Some(u.id),
        None::<&()>,
        Some(&u.username),
    )
    .await?;
    tx.commit().await?;
    Ok(u)
}
