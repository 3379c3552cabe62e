//! The routes of the board's view: a unit's dashboard, programmes and warnings, a programme,
//! and its review reports.

use axum::http::Method;
use axum::routing::{get, post};

use super::{Handler, PageRoute, route as r};
use crate::reports::page as reports;
use crate::reports::programme_page as programme;
use crate::reports::review_page as review;

pub(super) fn routes() -> Vec<(PageRoute, Handler)> {
    use Method as M;
    vec![
        r(
            M::GET,
            "/units/{id}/dashboard",
            false,
            get(reports::dashboard),
        ),
        r(
            M::GET,
            "/units/{id}/programmes",
            false,
            get(programme::unit_programmes),
        ),
        r(
            M::GET,
            "/units/{id}/warnings",
            false,
            get(reports::unit_warnings),
        ),
        r(
            M::POST,
            "/units/{id}/programmes",
            false,
            post(programme::create_programme),
        ),
        r(
            M::GET,
            "/programmes/{id}",
            false,
            get(programme::show_programme),
        ),
        r(
            M::POST,
            "/programmes/{id}",
            false,
            post(programme::update_programme),
        ),
        r(
            M::GET,
            "/programmes/{id}/reports",
            false,
            get(review::reports),
        ),
        r(
            M::POST,
            "/programmes/{id}/reports",
            false,
            post(review::create),
        ),
        r(
            M::GET,
            "/review-reports/{id}/report.docx",
            false,
            get(review::docx),
        ),
        r(
            M::GET,
            "/review-reports/{id}/report.xlsx",
            false,
            get(review::xlsx),
        ),
        r(M::GET, "/review-reports/{id}", false, get(review::show)),
        r(M::POST, "/review-reports/{id}", false, post(review::update)),
    ]
}
