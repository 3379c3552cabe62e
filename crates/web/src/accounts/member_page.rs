//! An officer's account made from their member page (administrators), page and API: no one
//! types a member's or a unit's number.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chibo_app::access::member_accounts::{self, MemberAccountInput, MemberAccounts};
use chibo_app::access::users::UserView;

use crate::error::{ApiError, ErrorBody, PageError};
use crate::extract::form::{ApiJson, Form};
use crate::extract::path::PathId;
use crate::extract::session::{ApiUser, PageUser};
use crate::members::page::after_member_form;
use crate::state::AppState;

/// `POST /members/{id}/account`: back to the member's page, with the new account listed, or
/// with the form as typed (but the password) and each error beside its field.
pub async fn create(
    State(s): State<AppState>,
    PageUser(a): PageUser,
    PathId(id): PathId,
    Form { input, values }: Form<MemberAccountInput>,
) -> Result<Response, PageError> {
    let r = member_accounts::create(&s.app, &a.admin()?, id, input).await;
    after_member_form(&s, &a, id, r, "account", &values, |_| {
        format!("/members/{id}?da-luu=tai-khoan#tai-khoan")
    })
    .await
}

/// A member's login accounts and, when there is none, the login name, role and cell a new one
/// would take (administrators).
#[utoipa::path(get, path = "/api/v1/members/{id}/accounts", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = MemberAccounts), (status = 404, body = ErrorBody)))]
pub async fn accounts_of_member(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Json<MemberAccounts>, ApiError> {
    Ok(Json(
        member_accounts::of_member(&s.app, &a.admin()?, id).await?,
    ))
}

/// Makes a member's account, named as the member, with a cell role on the cell the member
/// attends or holds office in (administrators; one account per member).
#[utoipa::path(post, path = "/api/v1/members/{id}/accounts", tag = "users", params(("id" = i64, Path)),
    request_body = MemberAccountInput,
    responses((status = 201, body = UserView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_for_member(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<MemberAccountInput>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(member_accounts::create(&s.app, &a.admin()?, id, b).await?),
    ))
}
