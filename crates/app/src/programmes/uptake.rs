//! Which units below a programme's issuer have issued their own programme implementing it (Hà
//! Nội's Đề án 11 asks every district and grassroots committee for one; Tuyên Quang asked every
//! grassroots organisation for a thematic resolution): the issuer's direct sub-units a page at a
//! time, each with the programme it issued or none, and the count over the whole subtree.

use std::collections::HashMap;

use chibo_domain::cursor::Cursor;
use chibo_domain::org::UnitKind;
use chibo_store::entities::{programme, unit};
use chibo_store::sea_orm::sea_query::Query;
use chibo_store::sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use chibo_store::subtree::Subtree;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppResult;
use crate::access::Actor;
use crate::org::units::{self, page_in_name_order};
use crate::programmes::programme::{ProgrammeRef, concerning, programme_ref};
use crate::refs::UnitRef;

/// Sub-units listed on a page.
pub const PER_PAGE: u64 = 50;

/// A sub-unit of the issuer and the programme it issued under this one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UptakeLine {
    pub unit: UnitRef,
    pub kind_label: String,
    /// Null: not issued yet.
    pub programme: Option<ProgrammeRef>,
}

/// A page of the issuer's sub-units, with the counts over the subtree.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Uptake {
    pub programme: ProgrammeRef,
    pub issuer: UnitRef,
    /// Programmes implementing this one, issued anywhere below the issuer.
    pub issued_below: u64,
    /// Direct sub-units (not party groups), and those that issued theirs.
    pub units: u64,
    pub units_issued: u64,
    pub items: Vec<UptakeLine>,
    /// Pass as `after` for the next page; absent on the last.
    pub next: Option<String>,
}

/// The sub-units of programme `programme_id`'s issuer, `per_page` after `after`, each with the
/// programme it issued under it. The actor must read the issuer's subtree.
pub async fn uptake(
    app: &crate::App,
    actor: &Actor,
    programme_id: i64,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<Uptake> {
    let (p, _) = concerning(app, actor, programme_id).await?;
    let issuer = actor.visible(units::find(&app.db, p.unit_id).await?)?;
    let sub_units = || {
        unit::Entity::find()
            .filter(unit::Column::ParentId.eq(issuer.id))
            .filter(unit::Column::DissolvedOn.is_null())
            .filter(unit::Column::Kind.ne(UnitKind::Group.code()))
    };
    let (page, next) = page_in_name_order(&app.db, sub_units(), after, per_page).await?;
    let ids: Vec<i64> = page.iter().map(|u| u.id).collect();
    let issued: HashMap<i64, programme::Model> = programme::Entity::find()
        .filter(programme::Column::ParentId.eq(p.id))
        .filter(programme::Column::UnitId.is_in(ids))
        .order_by_asc(programme::Column::Id)
        .all(&app.db)
        .await?
        .into_iter()
        .map(|x| (x.unit_id, x))
        .collect();
    let subtree = Subtree::of(&issuer);
    let implementing = || programme::Entity::find().filter(programme::Column::ParentId.eq(p.id));
    let issued_below = implementing()
        .filter(programme::Column::UnitId.in_subquery(subtree.units()))
        .count(&app.db)
        .await?;
    let issuers = Query::select()
        .column(programme::Column::UnitId)
        .from(programme::Entity)
        .and_where(programme::Column::ParentId.eq(p.id))
        .to_owned();
    let units_issued = sub_units()
        .filter(unit::Column::Id.in_subquery(issuers))
        .count(&app.db)
        .await?;
    let units = sub_units().count(&app.db).await?;
    Ok(Uptake {
        programme: programme_ref(&p),
        issuer: UnitRef::of(&issuer),
        issued_below,
        units,
        units_issued,
        items: page
            .into_iter()
            .map(|u| UptakeLine {
                kind_label: UnitKind::from_code(&u.kind)
                    .map_or("", |k| k.label())
                    .into(),
                programme: issued.get(&u.id).map(programme_ref),
                unit: UnitRef {
                    id: u.id,
                    name: u.name,
                },
            })
            .collect(),
        next,
    })
}
