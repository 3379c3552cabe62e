//! Accounts to try a generated organisation with: one for every role at a few chosen units.

use chibo_app::access::auth;
use chibo_app::{App, Role};
use chibo_domain::org::UnitKind;
use chibo_store::entities::{user, user_role};
use chrono::Utc;
use sea_orm::Set;

use super::GenerateError;
use super::bulk::Batch;
use super::org::Unit;
use super::people::People;

struct Account {
    username: String,
    display: String,
    member: Option<i64>,
    role: Role,
    unit: Option<i64>,
    /// What the account is, as printed.
    what: String,
}

/// Accounts at a few chosen units (password `chibo-demo-2026`): the administrator, the
/// organisation board at the root, the committee of the first commune, the secretary and a
/// member of that commune's largest cell.
pub async fn write_logins(
    app: &App,
    units: &[Unit],
    people: &People,
) -> Result<Vec<(String, String)>, GenerateError> {
    let hash = auth::hash_password(crate::demo::DEMO_PASSWORD)?;
    let now = Utc::now();
    let root = &units[0];
    let province = units
        .iter()
        .find(|u| u.kind == UnitKind::Province)
        .unwrap_or(root);
    let commune = units
        .iter()
        .find(|u| u.kind == UnitKind::Commune && u.dissolved_on.is_none())
        .unwrap_or(province);
    let cell = units
        .iter()
        .filter(|u| u.kind == UnitKind::Cell && u.parent_id == Some(commune.id))
        .max_by_key(|u| people.by_cell.get(&u.id).map_or(0, |r| r.len()))
        .unwrap_or(commune);
    let (secretary, _) = people.officers.get(&cell.id).copied().unwrap_or((0, None));
    let member = people
        .by_cell
        .get(&cell.id)
        .and_then(|r| {
            people.members[r.clone()]
                .iter()
                .find(|p| p.id != secretary && p.status == "active")
        })
        .map(|p| p.id);
    let name_of = |id: i64| {
        people
            .members
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.full_name.clone())
            .unwrap_or_default()
    };
    let accounts: Vec<Account> = vec![
        Account {
            username: "admin".into(),
            display: "Quản trị hệ thống".into(),
            member: None,
            role: Role::Admin,
            unit: None,
            what: "quản trị hệ thống".into(),
        },
        Account {
            username: "bantochuc".into(),
            display: "Ban Tổ chức".into(),
            member: None,
            role: Role::OrgBoard,
            unit: Some(root.id),
            what: format!("Ban Tổ chức, {}", root.name),
        },
        Account {
            username: "capuy.xa".into(),
            display: format!("Cấp ủy {}", commune.name),
            member: None,
            role: Role::Committee,
            unit: Some(commune.id),
            what: format!("cấp ủy viên, {}", commune.name),
        },
        Account {
            username: "bithu.chibo".into(),
            display: name_of(secretary),
            member: Some(secretary),
            role: Role::CellSecretary,
            unit: Some(cell.id),
            what: format!("bí thư, {} ({})", cell.name, commune.name),
        },
        Account {
            username: "dangvien".into(),
            display: member.map(name_of).unwrap_or_default(),
            member,
            role: Role::Member,
            unit: Some(cell.id),
            what: format!("đảng viên, {}", cell.name),
        },
    ];
    let tx = super::bulk::load_tx(&app.db).await?;
    let mut users: Batch<user::ActiveModel> = Batch::new();
    let mut roles: Batch<user_role::ActiveModel> = Batch::new();
    let mut out = Vec::new();
    for (i, a) in accounts.into_iter().enumerate() {
        let Account {
            username,
            display,
            member: member_id,
            role,
            unit: unit_id,
            what,
        } = a;
        let id = i as i64 + 1;
        users.push(user::ActiveModel {
            id: Set(id),
            username: Set(username.clone()),
            display_name: Set(display),
            password_hash: Set(hash.clone()),
            member_id: Set(member_id),
            is_active: Set(true),
            created_at: Set(now),
            totp_secret: Set(None),
            totp_last_step: Set(None),
        });
        roles.push(user_role::ActiveModel {
            id: Set(id),
            user_id: Set(id),
            role: Set(role.code().into()),
            unit_id: Set(unit_id),
        });
        out.push((username, what));
    }
    users.flush(&tx).await?;
    roles.flush(&tx).await?;
    tx.commit().await?;
    Ok(out)
}
