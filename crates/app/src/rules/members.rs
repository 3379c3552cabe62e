//! Sets of members' rules (issue 12): admission, transfers, badges, classification, the removal
//! trigger and working days, each figure with its source; the built-in sets and those an
//! administrator adds in a form, national or attached to a unit; and which set is in force for
//! a unit on a date, by the same rule as the meeting rules. The sets are few (a handful per
//! province at most), so a request reads them all once ([`MemberRuleBook`]) and chooses for
//! every row of a list without another query.

use std::collections::{BTreeMap, HashMap};

use chibo_domain::Invalid;
use chibo_domain::calendar::Holidays;
use chibo_domain::classification::ClassificationRules;
use chibo_domain::cursor::Cursor;
use chibo_domain::org::path_ids;
use chibo_domain::rules::figures::{self, Figure};
use chibo_domain::rules::{self as domain, Candidate, MemberRules};
use chibo_store::entities::{member_rule_set, unit};
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use chibo_store::write_tx;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::{Actor, Admin};
use crate::org::units;
use crate::refs::UnitRef;
use crate::rules::{Heading, SetColumns, check_heading, concerning_page, newest_national_of};
use crate::{App, AppError, AppResult, audit};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberRuleSetView {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// Where it applies: `null` for the whole country.
    pub unit: Option<UnitRef>,
    pub effective_from: NaiveDate,
    pub builtin: bool,
    /// Every figure: `key`, `group`, `label`, `value` (as read), `input` (as typed), `choices`
    /// and `source`, the text it comes from.
    #[schema(value_type = Vec<Object>)]
    pub figures: Vec<Figure>,
    /// The same figures as data.
    #[schema(value_type = Object)]
    pub rules: MemberRules,
}

/// A new set: a copy of `base_id` (by default the national set in force today) with the
/// figures and sources typed, by key, in the form's format ("60", "2/3", "30, 40", "T7, CN").
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewMemberRuleSet {
    /// 3–64 characters: lower-case letters, digits and `-`.
    pub code: String,
    pub name: String,
    /// Attach to a unit (a province, a commune…); `null` for the whole country.
    pub unit_id: Option<i64>,
    /// `YYYY-MM-DD`.
    pub effective_from: Option<String>,
    /// The set copied; its figures and sources are kept where none is typed.
    pub base_id: Option<i64>,
    /// Figures by key (`admission.decide_within_working_days`: "60").
    pub figures: BTreeMap<String, String>,
    /// Sources by key: the text and point each figure comes from.
    pub sources: BTreeMap<String, String>,
}

fn parse(body: &str) -> AppResult<MemberRules> {
    serde_json::from_str(body)
        .map_err(|e| AppError::Internal(format!("stored member rule set unreadable: {e}")))
}

fn view_of(r: member_rule_set::Model, unit: Option<&unit::Model>) -> AppResult<MemberRuleSetView> {
    let rules = parse(&r.body)?;
    Ok(MemberRuleSetView {
        figures: figures::figures(&rules),
        rules,
        id: r.id,
        code: r.code,
        name: r.name,
        unit: unit.map(|u| UnitRef {
            id: u.id,
            name: u.name.clone(),
        }),
        effective_from: r.effective_from,
        builtin: r.builtin,
    })
}

/// The set chosen for a unit and a date.
#[derive(Debug, Clone)]
pub struct InForce<'a> {
    pub id: i64,
    pub name: &'a str,
    pub rules: &'a MemberRules,
}

/// Every set of members' rules, read once for a request.
pub struct MemberRuleBook {
    sets: Vec<(member_rule_set::Model, MemberRules)>,
}

impl MemberRuleBook {
    pub async fn read(db: &impl ConnectionTrait) -> AppResult<MemberRuleBook> {
        let rows = member_rule_set::Entity::find()
            .order_by_asc(member_rule_set::Column::EffectiveFrom)
            .order_by_asc(member_rule_set::Column::Id)
            .all(db)
            .await?;
        let sets = rows
            .into_iter()
            .map(|r| parse(&r.body).map(|rules| (r, rules)))
            .collect::<AppResult<Vec<_>>>()?;
        if sets.is_empty() {
            return Err(AppError::Internal("no member rule set".into()));
        }
        Ok(MemberRuleBook { sets })
    }

    /// The set in force for the unit at `path` on `date`: the closest attached, then the most
    /// recent; before the oldest national set, that one (records older than any set the
    /// project ships are judged by the oldest rules it knows).
    pub fn for_path(&self, path: &str, date: NaiveDate) -> InForce<'_> {
        let candidates: Vec<Candidate<MemberRules>> = self
            .sets
            .iter()
            .map(|(r, rules)| Candidate {
                id: r.id,
                unit_id: r.unit_id,
                effective_from: r.effective_from,
                rules,
            })
            .collect();
        let chosen = domain::in_force(&candidates, &path_ids(path), date).map(|c| c.id);
        let (r, rules) = chosen
            .and_then(|id| self.sets.iter().find(|(r, _)| r.id == id))
            .or_else(|| self.sets.iter().find(|(r, _)| r.unit_id.is_none()))
            .unwrap_or(&self.sets[0]);
        InForce {
            id: r.id,
            name: &r.name,
            rules,
        }
    }

    pub fn for_unit(&self, u: &unit::Model, date: NaiveDate) -> InForce<'_> {
        self.for_path(&u.path, date)
    }
}

/// The rules in force for unit `u` on `date`, read for one use.
pub(crate) async fn rules_for(
    db: &impl ConnectionTrait,
    u: &unit::Model,
    date: NaiveDate,
) -> AppResult<MemberRules> {
    Ok(MemberRuleBook::read(db)
        .await?
        .for_unit(u, date)
        .rules
        .clone())
}

/// The rules in force for unit `u` today and the working days they count: what the overdue
/// lists and warnings of `u`'s subtree are judged by.
pub(crate) async fn deadlines_for(
    app: &App,
    u: &unit::Model,
) -> AppResult<(MemberRules, Holidays)> {
    let rules = rules_for(&app.db, u, App::today()).await?;
    let h = rules
        .working_days
        .apply(crate::rules::calendar::holidays(app).await?);
    Ok((rules, h))
}

/// Working days by the sets that count them: the holidays once, each set's weekly days off
/// applied once, for a list whose rows fall under different sets.
pub(crate) struct WorkingDays {
    base: Holidays,
    by_set: HashMap<i64, Holidays>,
}

impl WorkingDays {
    pub(crate) async fn read(app: &App) -> AppResult<WorkingDays> {
        Ok(WorkingDays {
            base: crate::rules::calendar::holidays(app).await?,
            by_set: HashMap::new(),
        })
    }

    pub(crate) fn of(&mut self, set: &InForce<'_>) -> &Holidays {
        self.by_set
            .entry(set.id)
            .or_insert_with(|| set.rules.working_days.apply(self.base.clone()))
    }
}

/// The classification rules of `year` for cell `cell_id`: those in force for it on 31
/// December of the year (the review is of the whole year, whenever it is entered).
pub(crate) async fn year_classification(
    app: &App,
    cell_id: i64,
    year: i32,
) -> AppResult<(ClassificationRules, String, Vec<String>)> {
    let u = units::find(&app.db, cell_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let book = MemberRuleBook::read(&app.db).await?;
    let end = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(AppError::NotFound)?;
    let set = book.for_unit(&u, end);
    let r = set.rules;
    let mut basis: Vec<String> = [
        ("Hoàn thành xuất sắc", "classification.excellent_from"),
        ("Hoàn thành tốt", "classification.good_from"),
        ("Hoàn thành", "classification.completed_from"),
        ("Tỷ lệ xuất sắc tối đa", "classification.excellent_quota"),
        ("Tính trên", "classification.quota_base"),
    ]
    .iter()
    .map(|(what, key)| format!("{what}: {}", r.basis(key)))
    .collect();
    if r.classification.task_conditions {
        basis.push(format!(
            "Xuất sắc cần 100% nhiệm vụ đúng hạn và số vượt mức {}; hoàn thành: số chậm {}",
            r.basis("classification.excellent_exceeded"),
            r.basis("classification.completed_late_at_most")
        ));
    }
    Ok((r.classification, set.name.to_string(), basis))
}

/// A page of the sets of members' rules that concern the actor, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberRuleSetPage {
    pub items: Vec<MemberRuleSetView>,
    /// Pass as `after` for the later sets; absent on the last page.
    pub next: Option<String>,
}

/// The sets that concern the actor, `per_page` after `after`: the national ones and those of
/// units above or below their grants, oldest first, each with its unit, in one statement.
pub async fn list(
    app: &App,
    actor: &Actor,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<MemberRuleSetPage> {
    use member_rule_set::Column as C;
    let columns = SetColumns {
        unit: C::UnitId,
        from: C::EffectiveFrom,
        id: C::Id,
    };
    let key = |r: &member_rule_set::Model| (r.effective_from, r.id);
    let (items, next) = concerning_page::<member_rule_set::Entity, _>(
        &app.db, actor, columns, after, per_page, key, view_of,
    )
    .await?;
    Ok(MemberRuleSetPage { items, next })
}

/// The newest national set: where a new set starts from unless another is chosen.
pub async fn newest_national(app: &App) -> AppResult<Option<MemberRuleSetView>> {
    use member_rule_set::Column as C;
    newest_national_of::<member_rule_set::Entity>(&app.db, C::UnitId, [C::EffectiveFrom, C::Id])
        .await?
        .map(|r| view_of(r, None))
        .transpose()
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<MemberRuleSetView> {
    let r = member_rule_set::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let unit = crate::rules::attached_unit(app, actor, r.unit_id).await?;
    view_of(r, unit.as_ref())
}

/// The set in force for unit `unit_id` on `date`.
pub async fn in_force(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    date: NaiveDate,
) -> AppResult<MemberRuleSetView> {
    let u = actor.visible(units::find(&app.db, unit_id).await?)?;
    let id = MemberRuleBook::read(&app.db).await?.for_unit(&u, date).id;
    get(app, actor, id).await
}

/// Adds a set (administrators): a copy of its base with the figures and sources typed, each
/// checked and named in Vietnamese; nothing is written on an error.
pub async fn create(
    app: &App,
    admin: &Admin<'_>,
    input: NewMemberRuleSet,
) -> AppResult<MemberRuleSetView> {
    let actor: &Actor = admin;
    let mut e = Invalid::new();
    let taken = async {
        Ok(member_rule_set::Entity::find()
            .filter(member_rule_set::Column::Code.eq(input.code.trim().to_lowercase()))
            .count(&app.db)
            .await?
            > 0)
    };
    let Heading {
        code,
        name,
        effective_from,
        unit,
    } = check_heading(
        app,
        &mut e,
        &input.code,
        &input.name,
        input.unit_id,
        input.effective_from.as_deref(),
        taken,
    )
    .await?;
    let base = match input.base_id {
        Some(id) => match member_rule_set::Entity::find_by_id(id).one(&app.db).await? {
            Some(r) => Some(parse(&r.body)?),
            None => {
                e.push("base_id", "Không tìm thấy bộ quy định dùng làm gốc.");
                None
            }
        },
        None => {
            let book = MemberRuleBook::read(&app.db).await?;
            Some(book.for_path("", App::today()).rules.clone())
        }
    };
    let rules = base.and_then(|b| {
        figures::with_inputs(&b, &input.figures, &input.sources)
            .map_err(|inv| {
                for f in inv.errors {
                    e.push(&f.field, f.message);
                }
            })
            .ok()
    });
    e.into_result()?;
    let rules = rules.expect("checked");
    let tx = write_tx(&app.db).await?;
    let r = member_rule_set::ActiveModel {
        code: Set(code),
        name: Set(name),
        unit_id: Set(unit.as_ref().map(|u| u.id)),
        effective_from: Set(effective_from.expect("checked")),
        body: Set(serde_json::to_string(&rules).map_err(|e| AppError::Internal(e.to_string()))?),
        builtin: Set(false),
        created_by: Set(Some(actor.user_id().get())),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "member_rule_set.create",
        "member_rule_set",
        Some(r.id),
        None::<&()>,
        Some(&r),
    )
    .await?;
    tx.commit().await?;
    view_of(r, unit.as_ref())
}
