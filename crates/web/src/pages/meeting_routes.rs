//! The page routes of a cell's meetings: the list and the year's plan, a meeting from its
//! notice to its signed minutes, tasks, documents, guests and check-in.

use axum::http::Method;
use axum::routing::{get, post};

use super::{Handler, PageRoute, route};
use crate::meetings::page as meetings;
use crate::meetings::prep_page as meeting_prep;

pub(super) fn routes() -> Vec<(PageRoute, Handler)> {
    let r = route;
    use Method as M;
    vec![
        r(M::GET, "/units/{id}/meetings", false, get(meetings::list)),
        r(
            M::POST,
            "/units/{id}/meetings",
            false,
            post(meetings::schedule),
        ),
        r(M::GET, "/meetings/{id}", false, get(meetings::show)),
        r(
            M::POST,
            "/meetings/{id}/publish",
            false,
            post(meetings::publish),
        ),
        r(
            M::POST,
            "/meetings/{id}/cancel",
            false,
            post(meetings::cancel),
        ),
        r(
            M::POST,
            "/meetings/{id}/postpone",
            false,
            post(meetings::postpone),
        ),
        r(
            M::POST,
            "/meetings/{id}/attendance",
            false,
            post(meetings::attendance),
        ),
        r(
            M::POST,
            "/meetings/{id}/record",
            false,
            post(meetings::record),
        ),
        r(
            M::POST,
            "/meetings/{id}/tasks",
            false,
            post(meetings::add_task),
        ),
        r(
            M::POST,
            "/meetings/{id}/tasks/copy",
            false,
            post(meetings::copy_tasks),
        ),
        r(
            M::POST,
            "/meetings/{id}/score",
            false,
            post(meetings::score),
        ),
        r(M::GET, "/tasks", false, get(meetings::my_tasks)),
        r(M::GET, "/units/{id}/plan", false, get(meetings::plan)),
        r(
            M::POST,
            "/units/{id}/plan",
            false,
            post(meetings::add_topic),
        ),
        r(M::POST, "/meetings/{id}/steps", false, post(meetings::step)),
        r(
            M::POST,
            "/meetings/{id}/speeches",
            false,
            post(meetings::speech),
        ),
        r(
            M::POST,
            "/meetings/{id}/approve",
            false,
            post(meetings::approve),
        ),
        r(
            M::POST,
            "/meetings/{id}/amendments",
            false,
            post(meetings::amend),
        ),
        r(M::GET, "/meetings/{id}/print", false, get(meetings::print)),
        r(
            M::GET,
            "/meetings/{id}/minutes.docx",
            false,
            get(meetings::minutes_docx),
        ),
        r(
            M::GET,
            "/meetings/{id}/resolution.docx",
            false,
            get(meetings::resolution_docx),
        ),
        r(
            M::POST,
            "/tasks/{id}/progress",
            false,
            post(meetings::task_progress),
        ),
        r(
            M::POST,
            "/meetings/{id}/notice",
            false,
            post(meeting_prep::notice),
        ),
        r(
            M::POST,
            "/meetings/{id}/files",
            false,
            post(meeting_prep::upload).layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        r(M::GET, "/files/{id}", false, get(meeting_prep::download)),
        r(
            M::POST,
            "/files/{id}/delete",
            false,
            post(meeting_prep::delete_file),
        ),
        r(
            M::POST,
            "/meetings/{id}/preparation",
            false,
            post(meeting_prep::preparation),
        ),
        r(
            M::POST,
            "/meetings/{id}/guests",
            false,
            post(meeting_prep::add_guest),
        ),
        r(
            M::POST,
            "/guests/{id}/delete",
            false,
            post(meeting_prep::remove_guest),
        ),
        r(M::GET, "/meetings/{id}/qr", false, get(meeting_prep::qr)),
        r(
            M::GET,
            "/meetings/{id}/check-in",
            false,
            get(meeting_prep::check_in_form),
        ),
        r(
            M::POST,
            "/meetings/{id}/check-in",
            false,
            post(meeting_prep::check_in),
        ),
        r(
            M::POST,
            "/meetings/{id}/da-doc",
            false,
            post(meeting_prep::away_read),
        ),
        r(
            M::POST,
            "/meetings/{id}/y-kien",
            false,
            post(meeting_prep::away_opinion),
        ),
        r(
            M::POST,
            "/units/{id}/follower",
            false,
            post(meeting_prep::set_follower),
        ),
        r(
            M::GET,
            "/units/{id}/follower-choices",
            false,
            get(meeting_prep::follower_choices),
        ),
        r(
            M::GET,
            "/resolutions",
            false,
            get(meeting_prep::resolutions),
        ),
    ]
}
