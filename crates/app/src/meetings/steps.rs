//! The procedure steps of a held meeting ticked with their times (issue 13: the month in
//! minutes): one at a time, or every step done so far from one list in one submit. Steps are
//! done in the rule set's order, each no earlier than the one before; a list is written whole
//! or not at all.

use std::collections::HashMap;

use chibo_domain::Invalid;
use chibo_domain::rules::{self as rules_domain, RuleSet};
use chibo_domain::validate::parse_time;
use chibo_store::entities::{meeting, meeting_step};
use chibo_store::sea_orm::{ActiveModelTrait, Set};
use chrono::NaiveTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::{Actor, MeetingOf};
use crate::meetings::figures::MeetingTx;
use crate::meetings::held::{StepView, steps_done};
use crate::meetings::lookup;
use crate::meetings::signatures::ensure_open;
use crate::{App, AppResult, audit};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct StepInput {
    pub step: String,
    /// `HH:MM`.
    pub done_at: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct StepsInput {
    /// The steps done, each with its time, in any order (they are checked in the procedure's);
    /// a step left out stays open.
    pub steps: Vec<StepInput>,
}

/// Ticks a procedure step with its time.
pub async fn tick_step(app: &App, actor: &Actor, id: i64, input: StepInput) -> AppResult<StepView> {
    // One step's body has its own `step` and `done_at`: its errors are named by them, not by
    // the list's `steps.<code>.` as `tick_steps` names them.
    let prefix = format!("steps.{}.", input.step);
    let mut ticked = tick_steps(app, actor, id, StepsInput { steps: vec![input] })
        .await
        .map_err(|e| e.rename_fields(|f| f.strip_prefix(&prefix).map(str::to_string)))?;
    Ok(ticked.pop().expect("one step ticked"))
}

/// Ticks every step of `input` at once, in the procedure's order whatever the order sent (a
/// form's fields arrive by name), each checked as if ticked alone after the ones before it; all
/// or none.
pub async fn tick_steps(
    app: &App,
    actor: &Actor,
    id: i64,
    input: StepsInput,
) -> AppResult<Vec<StepView>> {
    let MeetingOf {
        meeting: m,
        cell: _,
    } = lookup::manageable(app, actor, id).await?.into_inner();
    ensure_open(app, m.id).await?;
    let (rules, _) = lookup::rule_set_of(app, &m).await?;
    let mut input = input;
    // Steps the procedure does not know sort last, where their error is named.
    input.steps.sort_by_key(|s| {
        rules
            .procedure
            .iter()
            .position(|p| p.code == s.step)
            .unwrap_or(usize::MAX)
    });
    let mut e = Invalid::new();
    if input.steps.is_empty() {
        e.push("steps", "Chưa đánh dấu bước nào.");
    }
    let mut done = steps_done(app, m.id).await?;
    let mut ticked = Vec::new();
    for step in &input.steps {
        let before = e.errors.len();
        let Some((at, label)) = check_step(&mut e, &rules, &m, &done, step) else {
            // Named by its step (`steps.<code>.done_at`), so a form shows it on the step's row.
            for f in &mut e.errors[before..] {
                f.field = format!("steps.{}.{}", step.step, f.field);
            }
            // Later steps would only repeat this one's error.
            break;
        };
        let at = at.format("%H:%M").to_string();
        done.insert(step.step.clone(), at.clone());
        ticked.push((step.step.clone(), label, at));
    }
    e.into_result()?;
    let tx = MeetingTx::begin(app, &m).await?;
    let mut views = Vec::with_capacity(ticked.len());
    for (code, label, at) in ticked {
        let s = meeting_step::ActiveModel {
            meeting_id: Set(m.id),
            step: Set(code),
            done_at: Set(at),
            ..Default::default()
        }
        .insert(&*tx)
        .await?;
        audit::record(
            &*tx,
            Some(actor),
            "meeting.step",
            "meeting",
            Some(m.id),
            None::<&()>,
            Some(&s),
        )
        .await?;
        views.push(StepView {
            label,
            code: s.step,
            done_at: Some(s.done_at),
        });
    }
    tx.commit().await?;
    Ok(views)
}

/// Checks one step against the steps `done` before it: known to the procedure, not done yet,
/// every earlier step done, its time no earlier than the last one's (counted from the start,
/// past midnight if need be). Its time and label, or `None` with the errors pushed.
fn check_step(
    e: &mut Invalid,
    rules: &RuleSet,
    m: &meeting::Model,
    done: &HashMap<String, String>,
    input: &StepInput,
) -> Option<(NaiveTime, String)> {
    let before = e.errors.len();
    let Some(i) = rules.procedure.iter().position(|s| s.code == input.step) else {
        e.push("step", "Bước này không có trong quy trình của bộ quy định.");
        return None;
    };
    let label = rules.procedure[i].label.clone();
    let at = input.done_at.as_deref().and_then(parse_time);
    if at.is_none() {
        e.push(
            "done_at",
            format!("Giờ thực hiện bước \"{label}\" phải có dạng giờ:phút, ví dụ 19:45."),
        );
    }
    if done.contains_key(&input.step) {
        e.push("step", format!("Bước \"{label}\" đã được đánh dấu."));
    }
    if let Some(missing) = rules.procedure[..i]
        .iter()
        .find(|s| !done.contains_key(&s.code))
    {
        e.push(
            "step",
            format!(
                "Các bước làm theo thứ tự: bước \"{}\" chưa được đánh dấu.",
                missing.label
            ),
        );
    }
    if let (Some(start), Some(at)) = (parse_time(&m.start_time), at) {
        // A meeting from 19:30 may tick a step at 00:10.
        let offset = |t| rules_domain::minutes_after(start, t);
        let last = done
            .values()
            .filter_map(|t| parse_time(t))
            .map(offset)
            .max();
        if last.is_some_and(|l| offset(at) < l) || offset(at) > rules_domain::MAX_MEETING_MINUTES {
            e.push(
                "done_at",
                format!("Giờ của bước \"{label}\" không được sớm hơn giờ bắt đầu hay bước trước."),
            );
        }
    }
    (e.errors.len() == before).then(|| (at.expect("checked"), label))
}
