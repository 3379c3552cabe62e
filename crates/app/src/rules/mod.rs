//! Rule sets: the built-in sets, sets an administrator adds without code, and which set judges a
//! unit's meeting on a date.

pub mod calendar;
pub mod members;

use chibo_domain::Invalid;
use chibo_domain::cursor::Cursor;
use chibo_domain::org::path_ids;
use chibo_domain::rules::{self as domain, Candidate, RuleSet};
use chibo_domain::validate;
use chibo_store::entities::{rule_set, unit};
use chibo_store::sea_orm::sea_query::Query;
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use chibo_store::write_tx;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::{Actor, Admin};
use crate::org::units;
use crate::refs::UnitRef;
use crate::{App, AppError, AppResult, audit};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleSetView {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// Where it applies: `null` for the whole country.
    pub unit: Option<UnitRef>,
    pub effective_from: NaiveDate,
    pub builtin: bool,
    /// The rules: meeting kinds, durations, lead time, procedure, thresholds, votes, scoring sheet.
    #[schema(value_type = Object)]
    pub rules: RuleSet,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewRuleSet {
    /// 3–64 characters: lower-case letters, digits and `-`.
    pub code: String,
    pub name: String,
    /// Attach to a unit (a province, a commune…); `null` for the whole country.
    pub unit_id: Option<i64>,
    /// `YYYY-MM-DD`.
    pub effective_from: Option<String>,
    /// The rules, in the same shape as `rules` of a rule set (copy one and change it).
    #[schema(value_type = Object)]
    pub rules: serde_json::Value,
}

fn parse(body: &str) -> AppResult<RuleSet> {
    serde_json::from_str(body)
        .map_err(|e| AppError::Internal(format!("stored rule set unreadable: {e}")))
}

async fn rule_set_view(db: &impl ConnectionTrait, r: rule_set::Model) -> AppResult<RuleSetView> {
    let unit = match r.unit_id {
        Some(id) => units::find(db, id).await?,
        None => None,
    };
    view_of(r, unit.as_ref())
}

/// The view of rule set `r` attached to `unit` (read by the caller, one query for a list).
fn view_of(r: rule_set::Model, unit: Option<&unit::Model>) -> AppResult<RuleSetView> {
    Ok(RuleSetView {
        rules: parse(&r.body)?,
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

/// Inserts the national built-in sets that are missing (at start-up; idempotent).
pub async fn ensure_builtins(db: &impl ConnectionTrait) -> AppResult<()> {
    for b in domain::builtins().into_iter().filter(|b| b.national) {
        let exists = rule_set::Entity::find()
            .filter(rule_set::Column::Code.eq(b.code))
            .count(db)
            .await?
            > 0;
        if !exists {
            insert_builtin(db, &b, None).await?;
        }
    }
    Ok(())
}

/// Attaches a built-in set (the provincial template) to a unit.
pub async fn insert_builtin(
    db: &impl ConnectionTrait,
    b: &domain::Builtin,
    unit_id: Option<i64>,
) -> AppResult<rule_set::Model> {
    let code = match unit_id {
        Some(u) => format!("{}-{u}", b.code),
        None => b.code.to_string(),
    };
    Ok(rule_set::ActiveModel {
        code: Set(code),
        name: Set(b.name.to_string()),
        unit_id: Set(unit_id),
        effective_from: Set(b.effective_from),
        body: Set(serde_json::to_string(&b.rules).map_err(|e| AppError::Internal(e.to_string()))?),
        builtin: Set(true),
        created_by: Set(None),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Sets on a page of either list of rule sets when the caller does not say.
pub const PER_PAGE: u64 = 50;

/// A page of the meeting rule sets that concern the actor, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleSetPage {
    pub items: Vec<RuleSetView>,
    /// Pass as `after` for the later sets; absent on the last page.
    pub next: Option<String>,
}

/// The rule sets that concern the actor, `per_page` after `after`: the national ones and those
/// of units above or below their grants, oldest first, each with its unit, filtered, joined and
/// cut in one statement.
pub async fn list(
    app: &App,
    actor: &Actor,
    after: Option<&Cursor>,
    per_page: u64,
) -> AppResult<RuleSetPage> {
    use rule_set::Column as C;
    let columns = SetColumns {
        unit: C::UnitId,
        from: C::EffectiveFrom,
        id: C::Id,
    };
    let key = |r: &rule_set::Model| (r.effective_from, r.id);
    let (items, next) = concerning_page::<rule_set::Entity, _>(
        &app.db, actor, columns, after, per_page, key, view_of,
    )
    .await?;
    Ok(RuleSetPage { items, next })
}

/// The newest national set: where a new set starts from unless another is chosen.
pub async fn newest_national(app: &App) -> AppResult<Option<RuleSetView>> {
    use rule_set::Column as C;
    newest_national_of::<rule_set::Entity>(&app.db, C::UnitId, [C::EffectiveFrom, C::Id])
        .await?
        .map(|r| view_of(r, None))
        .transpose()
}

/// The columns of a table of sets (either kind) that its lists order and filter by.
pub(crate) struct SetColumns<C> {
    /// The unit a set is attached to, null for a national set.
    pub(crate) unit: C,
    pub(crate) from: C,
    pub(crate) id: C,
}

/// A page of the sets of `E` (either kind) that concern the actor, oldest first by `from` and
/// `id`, each viewed with its unit, and the cursor of the next page: national (`unit` null), or
/// attached to a unit above or below their grants. Filtered, joined and cut in one statement,
/// never after reading them all.
pub(crate) async fn concerning_page<E: EntityTrait, V>(
    db: &impl ConnectionTrait,
    actor: &Actor,
    c: SetColumns<E::Column>,
    after: Option<&Cursor>,
    per_page: u64,
    key: impl Fn(&E::Model) -> (NaiveDate, i64),
    view: impl Fn(E::Model, Option<&unit::Model>) -> AppResult<V>,
) -> AppResult<(Vec<V>, Option<String>)> {
    let per_page = per_page.clamp(1, 500);
    let concerned = Query::select()
        .column(unit::Column::Id)
        .from(unit::Entity)
        .cond_where(actor.concerned_units())
        .to_owned();
    let mut q = E::find().filter(
        Condition::any()
            .add(c.unit.is_null())
            .add(c.unit.in_subquery(concerned)),
    );
    if let Some(a) = after {
        q = q.filter(crate::paging::later_than(a, c.from, c.id)?);
    }
    let mut rows = q
        .select_also(unit::Entity)
        .join(
            JoinType::LeftJoin,
            E::belongs_to(unit::Entity)
                .from(c.unit)
                .to(unit::Column::Id)
                .into(),
        )
        .order_by_asc(c.from)
        .order_by_asc(c.id)
        .limit(per_page + 1)
        .all(db)
        .await?;
    let next = crate::lookup::cut_page(&mut rows, per_page, |(r, _)| {
        let (from, id) = key(r);
        Cursor::new(from.to_string(), id).encode()
    });
    rows.into_iter()
        .map(|(r, u)| view(r, u.as_ref()))
        .collect::<AppResult<_>>()
        .map(|items| (items, next))
}

/// The newest national set of `E` (either kind), by `[from, id]`.
pub(crate) async fn newest_national_of<E: EntityTrait>(
    db: &impl ConnectionTrait,
    unit_column: E::Column,
    [from, id]: [E::Column; 2],
) -> AppResult<Option<E::Model>> {
    Ok(E::find()
        .filter(unit_column.is_null())
        .order_by_desc(from)
        .order_by_desc(id)
        .one(db)
        .await?)
}

/// The unit a set is attached to, if it concerns the actor; `NotFound` otherwise.
pub(crate) async fn attached_unit(
    app: &App,
    actor: &Actor,
    unit_id: Option<i64>,
) -> AppResult<Option<unit::Model>> {
    match unit_id {
        None => Ok(None),
        Some(uid) => match units::find(&app.db, uid).await? {
            Some(u) if actor.concerned_by(&u) => Ok(Some(u)),
            _ => Err(AppError::NotFound),
        },
    }
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<RuleSetView> {
    let r = rule_set::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let unit = attached_unit(app, actor, r.unit_id).await?;
    view_of(r, unit.as_ref())
}

/// The checked heading of a new set of either kind: its code (unique in `table`), name,
/// effective date and the unit it is attached to.
pub(crate) struct Heading {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) effective_from: Option<NaiveDate>,
    pub(crate) unit: Option<unit::Model>,
}

/// Checks a new set's heading into `e`; `code_taken` says whether a code is already used.
pub(crate) async fn check_heading(
    app: &App,
    e: &mut Invalid,
    code: &str,
    name: &str,
    unit_id: Option<i64>,
    effective_from: Option<&str>,
    code_taken: impl std::future::Future<Output = AppResult<bool>>,
) -> AppResult<Heading> {
    let code = code.trim().to_lowercase();
    if code.len() < 3
        || code.len() > 64
        || !code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        e.push(
            "code",
            "Mã bộ quy định gồm 3–64 ký tự: chữ thường không dấu, chữ số, dấu gạch ngang.",
        );
    } else if code_taken.await? {
        e.push("code", "Mã bộ quy định đã tồn tại.");
    }
    let name = validate::required_text(e, "name", "tên bộ quy định", name, 255);
    let effective_from = validate::date_field(
        e,
        "effective_from",
        "ngày có hiệu lực",
        effective_from,
        true,
    );
    let mut unit = None;
    if let Some(uid) = unit_id {
        match units::find(&app.db, uid).await? {
            None => e.push("unit_id", "Không tìm thấy đơn vị áp dụng."),
            Some(u) if u.dissolved_on.is_some() => e.push("unit_id", "Đơn vị áp dụng đã giải thể."),
            Some(u) => unit = Some(u),
        }
    }
    Ok(Heading {
        code,
        name,
        effective_from,
        unit,
    })
}

/// Adds a rule set (administrators): checked field by field, nothing written on error.
pub async fn create(app: &App, admin: &Admin<'_>, input: NewRuleSet) -> AppResult<RuleSetView> {
    let actor: &Actor = admin;
    let mut e = Invalid::new();
    let taken = async {
        Ok(rule_set::Entity::find()
            .filter(rule_set::Column::Code.eq(input.code.trim().to_lowercase()))
            .count(&app.db)
            .await?
            > 0)
    };
    let Heading {
        code,
        name,
        effective_from: from,
        unit: attached_to,
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
    // The admission vote moved to the members' rules: a set still carrying one would lose it
    // without a word.
    if input.rules.pointer("/vote/admission").is_some() {
        e.push(
            "rules.vote.admission",
            "Tỷ lệ biểu quyết kết nạp, công nhận chính thức nay thuộc quy định về công tác đảng \
             viên (/member-rule-sets); hãy bỏ mục này.",
        );
    }
    let rules = match serde_json::from_value::<RuleSet>(input.rules.clone()) {
        Ok(r) => {
            if let Err(inv) = r.check() {
                for f in inv.errors {
                    e.push(&format!("rules.{}", f.field), f.message);
                }
            }
            Some(r)
        }
        Err(err) => {
            e.push("rules", format!("Nội dung quy định không đúng cấu trúc: {err}. Hãy sao chép một bộ quy định có sẵn rồi sửa."));
            None
        }
    };
    e.into_result()?;
    let rules = rules.expect("checked");
    let tx = write_tx(&app.db).await?;
    let r = rule_set::ActiveModel {
        code: Set(code),
        name: Set(name),
        unit_id: Set(input.unit_id),
        effective_from: Set(from.expect("checked")),
        body: Set(serde_json::to_string(&rules).map_err(|e| AppError::Internal(e.to_string()))?),
        builtin: Set(false),
        created_by: Set(Some(actor.user_id().get())),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    // The meetings it now judges and not yet signed are judged by it (issue 12).
    chibo_store::meeting_stats::rule_set_added(
        &tx,
        r.id,
        attached_to.as_ref().map(|u| u.path.as_str()),
        attached_to.as_ref().map_or(-1, |u| u.depth),
        r.effective_from,
    )
    .await?;
    audit::record(
        &tx,
        Some(actor),
        "rule_set.create",
        "rule_set",
        Some(r.id),
        None::<&()>,
        Some(&r),
    )
    .await?;
    tx.commit().await?;
    rule_set_view(&app.db, r).await
}

/// The set that judges a meeting of unit `unit_id` on `date`, if any is in force.
pub async fn in_force(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    date: NaiveDate,
) -> AppResult<Option<RuleSetView>> {
    let u = actor.visible(units::find(&app.db, unit_id).await?)?;
    in_force_for(&app.db, &u, date).await
}

pub(crate) async fn in_force_for(
    db: &impl ConnectionTrait,
    u: &unit::Model,
    date: NaiveDate,
) -> AppResult<Option<RuleSetView>> {
    let sets = LineageSets::read(db, u, date).await?;
    match sets.on(date) {
        Some((row, _)) => Ok(Some(rule_set_view(db, row.clone()).await?)),
        None => Ok(None),
    }
}

/// The rule sets that may judge a unit's meetings up to a day: the national ones and those of
/// its own lineage (a handful of ids, its depth), read once, to choose from for any day up to
/// it without another query (a year plan asks for each month).
pub(crate) struct LineageSets {
    lineage: Vec<i64>,
    sets: Vec<(rule_set::Model, RuleSet)>,
}

impl LineageSets {
    pub(crate) async fn read(
        db: &impl ConnectionTrait,
        u: &unit::Model,
        until: NaiveDate,
    ) -> AppResult<LineageSets> {
        let lineage = path_ids(&u.path);
        let rows = rule_set::Entity::find()
            .filter(rule_set::Column::EffectiveFrom.lte(until))
            .filter(
                Condition::any()
                    .add(rule_set::Column::UnitId.is_null())
                    .add(rule_set::Column::UnitId.is_in(lineage.clone())),
            )
            .all(db)
            .await?;
        let sets = rows
            .into_iter()
            .map(|r| parse(&r.body).map(|rules| (r, rules)))
            .collect::<AppResult<_>>()?;
        Ok(LineageSets { lineage, sets })
    }

    /// The set in force on `date` (no later than the day they were read up to).
    pub(crate) fn on(&self, date: NaiveDate) -> Option<&(rule_set::Model, RuleSet)> {
        let candidates: Vec<Candidate> = self
            .sets
            .iter()
            .map(|(r, rules)| Candidate {
                id: r.id,
                unit_id: r.unit_id,
                effective_from: r.effective_from,
                rules,
            })
            .collect();
        let chosen = domain::in_force(&candidates, &self.lineage, date)?.id;
        self.sets.iter().find(|(r, _)| r.id == chosen)
    }
}
