//! A training course's page: its facts, its participants a page at a time in name order, and
//! the form that adds participants and marks who completed it (one page of them at a time).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chibo_app::Actor;
use chibo_app::programmes::courses;
use chibo_app::programmes::courses::{CourseDetail, ParticipantsInput};
use chibo_app::refs::{MemberChoices, MemberRef};
use chibo_domain::cursor::Cursor;
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::form::Form;
use crate::extract::path::PathId;
use crate::extract::query::PageQuery;
use crate::extract::session::PageUser;
use crate::fmt::VnDate;
use crate::programmes::page::first_officers;
use crate::render::{Nav, render_status, see_other};
use crate::state::AppState;
use crate::typed::{Refusal, refused};

/// A course page's query: the page of participants, and whether a save was just confirmed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CourseQuery {
    after: Option<Cursor>,
    #[serde(rename = "da-luu")]
    saved: Option<String>,
}

#[derive(Template)]
#[template(path = "course.html")]
struct CoursePage {
    nav: Nav,
    d: CourseDetail,
    officers: MemberChoices,
    /// Not the first page of participants.
    later: bool,
    /// This page's cursor ("" on the first page), posted by the form so a refusal comes back
    /// on the page it was sent from.
    after: String,
    /// The participants form as ticked and chosen when it was refused.
    refused: Refusal,
    /// The members a refused form had chosen to add, shown chosen even beyond the first
    /// choices.
    picked: Vec<MemberRef>,
    saved: bool,
}

impl CoursePage {
    /// Whether a participant's box is ticked: as sent when the form was refused, else as
    /// recorded.
    fn completed(&self, member_id: &i64, stored: &bool) -> bool {
        // Only the participants the refused form showed: another page's are as recorded.
        let id = member_id.to_string();
        if self.refused.open("participants") && self.refused.typed.has("shown_ids", &id) {
            return self.refused.typed.has("completed_ids", &id);
        }
        *stored
    }

    /// The first choices without those already shown as picked.
    fn other_officers(&self) -> Vec<&MemberRef> {
        let picked: Vec<i64> = self.picked.iter().map(|m| m.id).collect();
        self.officers
            .items
            .iter()
            .filter(|o| !picked.contains(&o.id))
            .collect()
    }
}

async fn render_course(
    s: &AppState,
    a: &Actor,
    id: i64,
    after: Option<&Cursor>,
    (refused, saved): (Refusal, bool),
) -> Result<Response, PageError> {
    let d = courses::course(&s.app, a, id, after, courses::PARTICIPANTS_PER_PAGE).await?;
    let officers = first_officers(s, a, d.course.unit.id, d.can_manage).await?;
    let chosen = refused.typed.ids("member_ids");
    let picked = if refused.open("participants") && !chosen.is_empty() {
        chibo_app::org::edit::on_roll_named(&s.app, a, d.course.unit.id, &chosen).await?
    } else {
        vec![]
    };
    render_status(
        refused.status(),
        &CoursePage {
            nav: Nav::of(a),
            d,
            officers,
            later: after.is_some(),
            after: after.map(|c| c.encode()).unwrap_or_default(),
            refused,
            picked,
            saved,
        },
    )
}

pub async fn course(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    PageQuery(q): PageQuery<CourseQuery>,
) -> Result<Response, PageError> {
    let saved = (Refusal::default(), q.saved.is_some());
    render_course(&s, &a, id, q.after.as_ref(), saved).await
}

/// What the participants form posts: the members added, and for the participants shown on the
/// page (`shown_ids`) the boxes ticked as completed; the others shown are not completed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ParticipantsForm {
    member_ids: Vec<i64>,
    shown_ids: Vec<i64>,
    completed_ids: Vec<i64>,
}

pub async fn participants(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<ParticipantsForm>,
) -> Result<Response, PageError> {
    let not_completed_ids = input
        .shown_ids
        .iter()
        .filter(|m| !input.completed_ids.contains(m))
        .copied()
        .collect();
    let change = ParticipantsInput {
        member_ids: input.member_ids,
        completed_ids: input.completed_ids,
        not_completed_ids,
    };
    match refused(
        courses::set_participants(&s.app, &a, id, change).await,
        &values,
        &[],
    )? {
        Ok(_) => Ok(see_other(&format!("/courses/{id}?da-luu=1"))),
        Err(typed) => {
            let refused = (Refusal::of("participants", typed), false);
            render_course(&s, &a, id, values.from_page().as_ref(), refused).await
        }
    }
}
