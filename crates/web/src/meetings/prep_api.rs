use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use chibo_app::meetings::attendance;
use chibo_app::meetings::attendance::{CheckInInput, CheckedIn};
use chibo_app::meetings::away::{self, MyAway, OpinionInput};
use chibo_app::meetings::detail;
use chibo_app::meetings::detail::PastResolution;
use chibo_app::meetings::lookup;
use chibo_app::meetings::lookup::MeetingView;
use chibo_app::meetings::notice::{
    DocumentView, FollowerView, MeetingDocuments, MeetingGuests, PreparationView,
};
use chibo_app::meetings::preparation;
use chibo_app::meetings::preparation::{FollowerInput, GuestInput, PreparationInput};
use chibo_app::meetings::schedule;
use chibo_app::meetings::schedule::NoticeInput;
use chibo_app::meetings::uploads;
use chibo_app::refs::MemberChoices;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::extract::form::ApiJson;
use crate::extract::path::PathId;
use crate::extract::query::{ApiQuery, NameSearch};
use crate::extract::session::ApiUser;
use crate::state::AppState;
use crate::upload::FileUpload;

/// Changes the notice (topic, place, start time, agenda) until the meeting is held.
#[utoipa::path(put, path = "/api/v1/meetings/{id}/notice", tag = "meetings", params(("id" = i64, Path)), request_body = NoticeInput,
    responses((status = 200, body = MeetingView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn notice(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<NoticeInput>,
) -> Result<Json<MeetingView>, ApiError> {
    Ok(Json(schedule::update_notice(&s.app, &a, id, b).await?))
}

/// Attaches a document to the meeting (the notice shows whether documents came in time).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/files", tag = "meetings", params(("id" = i64, Path)),
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = DocumentView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn upload(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    form: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<DocumentView>), ApiError> {
    uploads::may_upload(&s.app, &a, id).await?;
    let (name, bytes) = crate::upload::read_file(form, s.app.config.upload_max_bytes).await?;
    Ok((
        StatusCode::CREATED,
        Json(uploads::upload_document(&s.app, &a, id, &name, &bytes).await?),
    ))
}

/// Downloads a meeting document (whoever may see the meeting).
#[utoipa::path(get, path = "/api/v1/files/{id}", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 200, description = "The file, with the type it was accepted as (`chibo_domain::files`)", content(
        (Vec<u8> = "application/pdf"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (Vec<u8> = "application/msword"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (Vec<u8> = "application/vnd.ms-excel"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        (Vec<u8> = "application/vnd.oasis.opendocument.text"),
        (Vec<u8> = "application/vnd.oasis.opendocument.spreadsheet"),
        (Vec<u8> = "image/jpeg"),
        (Vec<u8> = "image/png"),
        (Vec<u8> = "text/plain"),
    )), (status = 404, body = ErrorBody)))]
pub async fn download(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let (d, bytes) = uploads::document_file(&s.app, &a, id).await?;
    Ok(crate::upload::file_response(
        bytes,
        &d.content_type,
        &d.file_name,
    ))
}

/// Removes a document before the meeting is held.
#[utoipa::path(delete, path = "/api/v1/files/{id}", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 200, body = MeetingDocuments), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_file(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Json<MeetingDocuments>, ApiError> {
    Ok(Json(uploads::delete_document(&s.app, &a, id).await?))
}

/// Records the cell committee's preparatory meeting and the draft resolution.
#[utoipa::path(put, path = "/api/v1/meetings/{id}/preparation", tag = "meetings", params(("id" = i64, Path)), request_body = PreparationInput,
    responses((status = 200, body = PreparationView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn preparation(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<PreparationInput>,
) -> Result<Json<PreparationView>, ApiError> {
    Ok(Json(
        preparation::save_preparation(&s.app, &a, id, b).await?,
    ))
}

/// Records a guest (superior committee member or other invited person).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/guests", tag = "meetings", params(("id" = i64, Path)), request_body = GuestInput,
    responses((status = 200, body = MeetingGuests), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_guest(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<GuestInput>,
) -> Result<Json<MeetingGuests>, ApiError> {
    Ok(Json(preparation::add_guest(&s.app, &a, id, b).await?))
}

/// Removes a guest recorded by mistake.
#[utoipa::path(delete, path = "/api/v1/guests/{id}", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 200, body = MeetingGuests), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_guest(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Json<MeetingGuests>, ApiError> {
    Ok(Json(preparation::remove_guest(&s.app, &a, id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct CheckInCode {
    /// Eight letters and digits; members type it or scan the QR code.
    pub code: String,
    /// The path the QR code points to (prefix it with the server's address).
    pub path: String,
}

/// The meeting's check-in code (officers; made on first request once the notice is out).
#[utoipa::path(get, path = "/api/v1/meetings/{id}/check-in-code", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 200, body = CheckInCode), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn check_in_code(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Json<CheckInCode>, ApiError> {
    let code = attendance::check_in_code(&s.app, &a, id).await?;
    Ok(Json(CheckInCode {
        path: crate::render::check_in_path(id, &code),
        code,
    }))
}

/// The signed-in member checks in with the code, once, within the meeting's window.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/check-in", tag = "meetings", params(("id" = i64, Path)), request_body = CheckInInput,
    responses((status = 200, body = CheckedIn), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn check_in(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<CheckInInput>,
) -> Result<Json<CheckedIn>, ApiError> {
    Ok(Json(attendance::check_in(&s.app, &a, id, b).await?))
}

/// A member who cannot come confirms having read the meeting's documents (before it, once the
/// notice is published); their attendance is not changed by it.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/read-confirmation", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 200, body = MyAway), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn confirm_read(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Json<MyAway>, ApiError> {
    Ok(Json(away::confirm_read(&s.app, &a, id).await?))
}

/// A member who cannot come sends (or sends again) a written opinion on the draft resolution;
/// the minutes list it apart.
#[utoipa::path(put, path = "/api/v1/meetings/{id}/opinion", tag = "meetings", params(("id" = i64, Path)), request_body = OpinionInput,
    responses((status = 200, body = MyAway), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn send_opinion(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<OpinionInput>,
) -> Result<Json<MyAway>, ApiError> {
    Ok(Json(away::send_opinion(&s.app, &a, id, b).await?))
}

/// The superior committee member who follows the cell, and their attendance this year.
#[utoipa::path(get, path = "/api/v1/units/{id}/follower", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 200, body = FollowerView), (status = 404, body = ErrorBody)))]
pub async fn follower(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
) -> Result<Json<FollowerView>, ApiError> {
    Ok(Json(
        chibo_app::meetings::notice::follower(&s.app, &a, id).await?,
    ))
}

/// Members of the superior organisation, outside the cell, who may be named to follow it, by
/// name (searched with `q`), for the superior committee.
#[utoipa::path(get, path = "/api/v1/units/{id}/follower-choices", tag = "meetings", params(("id" = i64, Path), NameSearch),
    responses((status = 200, body = MemberChoices), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn follower_choices(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<NameSearch>,
) -> Result<Json<MemberChoices>, ApiError> {
    Ok(Json(
        chibo_app::meetings::notice::follower_choices(
            &s.app,
            &a,
            id,
            q.q.as_deref(),
            q.after.as_ref(),
            q.per_page(),
        )
        .await?,
    ))
}

/// Names (or clears) the superior committee member who follows the cell.
#[utoipa::path(put, path = "/api/v1/units/{id}/follower", tag = "meetings", params(("id" = i64, Path)), request_body = FollowerInput,
    responses((status = 200, body = FollowerView), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_follower(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<FollowerInput>,
) -> Result<Json<FollowerView>, ApiError> {
    Ok(Json(preparation::set_follower(&s.app, &a, id, b).await?))
}

/// Resolutions of your cell over the last twelve months, newest first.
#[utoipa::path(get, path = "/api/v1/me/resolutions", tag = "meetings",
    responses((status = 200, body = Vec<PastResolution>), (status = 401, body = ErrorBody)))]
pub async fn my_resolutions(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
) -> Result<Json<Vec<PastResolution>>, ApiError> {
    Ok(Json(detail::resolutions_for_me(&s.app, &a).await?))
}

/// Published meetings from today on: your cell's and those of the cells you follow.
#[utoipa::path(get, path = "/api/v1/me/meetings", tag = "meetings",
    responses((status = 200, body = Vec<lookup::MeetingView>), (status = 401, body = ErrorBody)))]
pub async fn my_meetings(
    State(s): State<AppState>,
    began: crate::kept::Began,
    ApiUser(a): ApiUser,
    uri: axum::http::Uri,
) -> Result<axum::response::Response, ApiError> {
    crate::kept::page_for(&s, began, &a, &uri, || async {
        let upcoming = detail::upcoming_for_me(&s.app, &a).await?;
        Ok(axum::response::IntoResponse::into_response(Json(upcoming)))
    })
    .await
}
