//! Documents attached to a meeting: checked on upload, kept on disk or in the database, served
//! only to those who may see the meeting.

use chibo_domain::files;
use chibo_domain::meeting::MeetingStatus;
use chibo_domain::notify::NoticeKind;
use chibo_store::entities::meeting_document;
use chibo_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use chrono::Utc;
use sha2::{Digest, Sha256};

use crate::access::{Actor, MeetingOf};
use crate::meetings::figures::MeetingTx;
use crate::meetings::lookup;
use crate::meetings::notice::{self, DocumentView, MeetingDocuments, document_view};
use crate::meetings::signatures;
use crate::{App, AppError, AppResult, audit};

/// Documents kept per meeting at most.
pub const MAX_DOCUMENTS_PER_MEETING: u64 = 30;

/// Whether the actor may attach documents to the meeting now (checked before reading a file).
pub async fn may_upload(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    let MeetingOf {
        meeting: m,
        cell: _,
    } = lookup::manageable(app, actor, id).await?.into_inner();
    signatures::ensure_open(app, m.id).await
}

/// Opens a zip-kind document (DOCX, XLSX, PPTX, ODT, ODS) and measures what it unpacks to,
/// off the request threads: up to 200 MB of decompression for a hostile file.
async fn check_archive(name: &str, extension: &'static str, bytes: &[u8]) -> AppResult<()> {
    use chibo_export::archive::{ArchiveLimits, check_document};
    let owned = bytes.to_vec();
    let checked = tokio::task::spawn_blocking(move || {
        check_document(extension, &owned, &ArchiveLimits::DOCUMENTS)
    })
    .await
    .map_err(|err| AppError::Internal(format!("kiểm tra tệp nén: {err}")))?;
    checked.map_err(|e| AppError::invalid("file", e.message(name)))
}

/// Attaches a document to a meeting (checked for size and type), kept in the database or in
/// the configured directory.
pub async fn upload_document(
    app: &App,
    actor: &Actor,
    id: i64,
    file_name: &str,
    bytes: &[u8],
) -> AppResult<DocumentView> {
    may_upload(app, actor, id).await?;
    let m = lookup::find(app, id).await?;
    let name = chibo_domain::text::clean(file_name)
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    let kind = files::check_upload(&name, bytes, app.config.upload_max_bytes)
        .map_err(|msg| AppError::invalid("file", msg))?;
    if kind.is_archive() {
        check_archive(&name, kind.extension, bytes).await?;
    }
    let count = meeting_document::Entity::find()
        .filter(meeting_document::Column::MeetingId.eq(m.id))
        .count(&app.db)
        .await?;
    if count >= MAX_DOCUMENTS_PER_MEETING {
        return Err(AppError::invalid(
            "file",
            format!("Mỗi buổi sinh hoạt đính kèm tối đa {MAX_DOCUMENTS_PER_MEETING} tệp."),
        ));
    }
    let sha = hex::encode(Sha256::digest(bytes));
    // A file on disk is named by its content, so writing it twice is harmless and a failed
    // transaction leaves at most an unreferenced copy.
    let (data, stored_path) = match &app.config.upload_dir {
        None => (Some(bytes.to_vec()), None),
        Some(dir) => {
            let path = dir.join(&sha);
            if !path.exists() {
                std::fs::create_dir_all(dir)
                    .and_then(|_| std::fs::write(&path, bytes))
                    .map_err(|err| AppError::Internal(format!("lưu tệp: {err}")))?;
            }
            (None, Some(sha.clone()))
        }
    };
    let tx = MeetingTx::begin(app, &m).await?;
    let saved = meeting_document::ActiveModel {
        meeting_id: Set(m.id),
        file_name: Set(name),
        content_type: Set(kind.content_type.to_string()),
        size_bytes: Set(bytes.len() as i64),
        sha256: Set(sha),
        data: Set(data),
        stored_path: Set(stored_path),
        uploaded_by: Set(Some(actor.user_id().get())),
        uploaded_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&*tx)
    .await?;
    let view = document_view(saved);
    audit::record(
        &*tx,
        Some(actor),
        "meeting.document.upload",
        "meeting",
        Some(m.id),
        None::<&()>,
        Some(&serde_json::json!({
            "document_id": view.id,
            "file_name": view.file_name,
            "size_bytes": view.size_bytes,
        })),
    )
    .await?;
    // Documents reach members who were told of the meeting (once in half an hour).
    if lookup::meeting_status(&m) == MeetingStatus::Published {
        let label = lookup::kind_label_of(app, &m).await?;
        crate::notify::meeting_event(app, &*tx, &m, NoticeKind::DocumentsPosted, label).await?;
    }
    tx.commit().await?;
    Ok(view)
}

/// A document's name, type and bytes, for whoever may see the meeting.
pub async fn document_file(
    app: &App,
    actor: &Actor,
    doc_id: i64,
) -> AppResult<(DocumentView, Vec<u8>)> {
    let d = meeting_document::Entity::find_by_id(doc_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    // Only whether the actor sees the meeting, not the whole meeting page.
    lookup::visible_meeting(app, actor, d.meeting_id).await?;
    let bytes = match (&d.data, &d.stored_path, &app.config.upload_dir) {
        (Some(b), _, _) => b.clone(),
        (None, Some(p), Some(dir)) => std::fs::read(dir.join(p))
            .map_err(|err| AppError::Internal(format!("đọc tệp {p}: {err}")))?,
        _ => {
            return Err(AppError::Internal(
                "tệp được lưu ngoài cơ sở dữ liệu nhưng chưa cấu hình thư mục tải lên".into(),
            ));
        }
    };
    Ok((document_view(d), bytes))
}

/// Removes a document before the meeting is held (afterwards it is part of the record);
/// answers with the documents left.
pub async fn delete_document(app: &App, actor: &Actor, doc_id: i64) -> AppResult<MeetingDocuments> {
    let d = meeting_document::Entity::find_by_id(doc_id)
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let h = lookup::manageable(app, actor, d.meeting_id).await?;
    let m = &h.meeting;
    if lookup::meeting_status(m) == MeetingStatus::Held {
        return Err(AppError::invalid(
            "file",
            "Buổi sinh hoạt đã diễn ra; tài liệu đã gửi được lưu cùng hồ sơ, không xóa được.",
        ));
    }
    let tx = MeetingTx::begin(app, m).await?;
    meeting_document::Entity::delete_by_id(d.id)
        .exec(&*tx)
        .await?;
    audit::record(
        &*tx,
        Some(actor),
        "meeting.document.delete",
        "meeting",
        Some(m.id),
        Some(&serde_json::json!({ "document_id": d.id, "file_name": d.file_name })),
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(MeetingDocuments {
        meeting_id: m.id,
        documents: notice::documents_of(app, &h).await?,
    })
}
