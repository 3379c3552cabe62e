//! Files in and out: reading one uploaded file from a multipart form without holding more than
//! the allowed size, and answering a download with its file name.

use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chibo_app::AppError;
use utoipa::ToSchema;

fn unreadable() -> AppError {
    AppError::invalid("file", "Không đọc được tệp tải lên; vui lòng chọn lại tệp.")
}

/// The first file field of the form (`file`): its name and bytes. Stops reading as soon as the
/// file passes `max_bytes`, so an oversized upload is refused without being held in memory.
pub async fn read_file(
    form: Result<Multipart, MultipartRejection>,
    max_bytes: usize,
) -> Result<(String, Vec<u8>), AppError> {
    let mut form = form.map_err(|_| {
        AppError::invalid(
            "file",
            "Tệp phải được gửi bằng biểu mẫu multipart/form-data, trường \"file\".",
        )
    })?;
    while let Some(mut field) = form.next_field().await.map_err(|_| unreadable())? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("").to_string();
        if name.is_empty() {
            return Err(AppError::invalid("file", "Vui lòng chọn tệp cần tải lên."));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
            if bytes.len() + chunk.len() > max_bytes {
                return Err(AppError::invalid(
                    "file",
                    format!(
                        "Tệp \"{name}\" vượt giới hạn {} MB.",
                        max_bytes / (1024 * 1024)
                    ),
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok((name, bytes));
    }
    Err(AppError::invalid("file", "Vui lòng chọn tệp cần tải lên."))
}

/// A download: always an attachment (never shown in the page), with the Vietnamese name kept.
pub fn file_response(bytes: Vec<u8>, content_type: &str, file_name: &str) -> Response {
    sent_file(bytes, content_type, file_name, "attachment")
}

/// A meeting document as a page link opens it: a PDF or a picture in the phone's own viewer
/// (inline), anything else, or when `download` is asked, as a file to save. Only the types an
/// upload accepts reach here, none of which runs script.
pub fn document_response(
    bytes: Vec<u8>,
    content_type: &str,
    file_name: &str,
    download: bool,
) -> Response {
    let viewable = matches!(content_type, "application/pdf" | "image/jpeg" | "image/png");
    let disposition = if viewable && !download {
        "inline"
    } else {
        "attachment"
    };
    sent_file(bytes, content_type, file_name, disposition)
}

fn sent_file(bytes: Vec<u8>, content_type: &str, file_name: &str, disposition: &str) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}

/// The multipart form of an upload: one field `file`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct FileUpload {
    /// The file (meeting documents: PDF, Word, Excel, PowerPoint, OpenDocument, JPEG, PNG or
    /// UTF-8 text, 10 MB by default; member imports: XLSX or UTF-8 CSV, 20 MB).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The media type of a `.docx` file.
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The media type of an `.xlsx` file.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
