//! The page routes of what reaches members beyond the pages: calendar feeds, notices and their
//! choices, who a meeting's notice reached, and the administrator's outbox.

use axum::http::Method;
use axum::routing::{get, post};

use super::{Handler, PageRoute, route};

/// The calendar feeds: the member's own, a cell's, the feed itself (its secret is the key, so
/// it is public) and a meeting's `.ics`.
pub(super) fn calendar() -> Vec<(PageRoute, Handler)> {
    use crate::calendar::page as calendar;
    let r = route;
    use Method as M;
    vec![
        r(M::GET, "/account/calendar", false, get(calendar::mine)),
        r(
            M::POST,
            "/account/calendar",
            false,
            post(calendar::make_mine),
        ),
        r(
            M::POST,
            "/account/calendar/stop",
            false,
            post(calendar::stop_mine),
        ),
        r(M::GET, "/units/{id}/calendar", false, get(calendar::cell)),
        r(
            M::POST,
            "/units/{id}/calendar",
            false,
            post(calendar::make_cell),
        ),
        r(
            M::POST,
            "/units/{id}/calendar/stop",
            false,
            post(calendar::stop_cell),
        ),
        r(M::GET, "/lich/{file}", true, get(calendar::feed)),
        r(
            M::GET,
            "/meetings/{id}/lich.ics",
            false,
            get(calendar::meeting),
        ),
    ]
}

/// What members are told: their list and choices, a meeting's reach, the outbox.
pub(super) fn notices() -> Vec<(PageRoute, Handler)> {
    use crate::notices::page as notices;
    let r = route;
    use Method as M;
    vec![
        r(M::GET, "/thong-bao", false, get(notices::list)),
        r(M::GET, "/thong-bao/chua-doc", false, get(notices::unread)),
        r(
            M::POST,
            "/thong-bao/doc-het",
            false,
            post(notices::read_all),
        ),
        r(M::GET, "/thong-bao/{id}", false, get(notices::open)),
        r(
            M::GET,
            "/account/notifications",
            false,
            get(notices::choices),
        ),
        r(
            M::POST,
            "/account/notifications",
            false,
            post(notices::save_choices),
        ),
        r(
            M::GET,
            "/meetings/{id}/reached",
            false,
            get(notices::meeting_reached),
        ),
        r(
            M::GET,
            "/meetings/{id}/reached/print",
            false,
            get(notices::invitations),
        ),
        r(M::GET, "/admin/outbox", false, get(notices::admin_outbox)),
        r(
            M::POST,
            "/admin/outbox/{id}/retry",
            false,
            post(notices::retry),
        ),
    ]
}
