//! Which uploaded files chibo accepts: the kinds of documents a cell sends before a meeting,
//! recognised by their first bytes as well as their name, so a renamed program is refused.

/// A kind of document chibo accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileKind {
    pub extension: &'static str,
    pub content_type: &'static str,
    pub label: &'static str,
    magic: Magic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Magic {
    Pdf,
    Zip,
    Ole,
    Jpeg,
    Png,
    Text,
}

const KINDS: &[FileKind] = &[
    kind("pdf", "application/pdf", "PDF", Magic::Pdf),
    kind(
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word",
        Magic::Zip,
    ),
    kind("doc", "application/msword", "Word 97–2003", Magic::Ole),
    kind(
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel",
        Magic::Zip,
    ),
    kind(
        "xls",
        "application/vnd.ms-excel",
        "Excel 97–2003",
        Magic::Ole,
    ),
    kind(
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "PowerPoint",
        Magic::Zip,
    ),
    kind(
        "odt",
        "application/vnd.oasis.opendocument.text",
        "OpenDocument",
        Magic::Zip,
    ),
    kind(
        "ods",
        "application/vnd.oasis.opendocument.spreadsheet",
        "OpenDocument",
        Magic::Zip,
    ),
    kind("jpg", "image/jpeg", "ảnh JPEG", Magic::Jpeg),
    kind("jpeg", "image/jpeg", "ảnh JPEG", Magic::Jpeg),
    kind("png", "image/png", "ảnh PNG", Magic::Png),
    kind("txt", "text/plain; charset=utf-8", "văn bản", Magic::Text),
];

const fn kind(
    extension: &'static str,
    content_type: &'static str,
    label: &'static str,
    magic: Magic,
) -> FileKind {
    FileKind {
        extension,
        content_type,
        label,
        magic,
    }
}

/// The extensions accepted, for messages and the file picker (`.pdf, .docx, …`).
pub fn accepted_extensions() -> String {
    KINDS
        .iter()
        .map(|k| format!(".{}", k.extension))
        .collect::<Vec<_>>()
        .join(", ")
}

fn matches(magic: Magic, bytes: &[u8]) -> bool {
    match magic {
        Magic::Pdf => bytes.starts_with(b"%PDF-"),
        Magic::Zip => bytes.starts_with(b"PK\x03\x04"),
        Magic::Ole => bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]),
        Magic::Jpeg => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        Magic::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        Magic::Text => std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0),
    }
}

/// Checks an upload: size within `max_bytes`, an accepted extension, and content that is what
/// the extension says. The error is the Vietnamese message for the user.
pub fn check_upload(file_name: &str, bytes: &[u8], max_bytes: usize) -> Result<FileKind, String> {
    let name = file_name.trim();
    if name.is_empty() {
        return Err("Tệp tải lên phải có tên.".into());
    }
    if name.chars().count() > 255 {
        return Err("Tên tệp quá dài (tối đa 255 ký tự).".into());
    }
    if bytes.is_empty() {
        return Err(format!("Tệp \"{name}\" rỗng."));
    }
    if bytes.len() > max_bytes {
        return Err(format!(
            "Tệp \"{name}\" lớn {} MB, vượt giới hạn {} MB.",
            mb(bytes.len()),
            mb(max_bytes)
        ));
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    let Some(k) = KINDS.iter().find(|k| k.extension == ext) else {
        return Err(format!(
            "Không nhận loại tệp của \"{name}\". Chỉ nhận: {}.",
            accepted_extensions()
        ));
    };
    if !matches(k.magic, bytes) {
        return Err(format!(
            "Nội dung tệp \"{name}\" không phải là tệp {} như phần mở rộng .{ext}.",
            k.label
        ));
    }
    Ok(*k)
}

/// Megabytes with one decimal, Vietnamese style ("10,5").
fn mb(bytes: usize) -> String {
    let tenths = (bytes as u64 * 10).div_ceil(1024 * 1024);
    if tenths.is_multiple_of(10) {
        format!("{}", tenths / 10)
    } else {
        format!("{},{}", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_documents_by_name_and_content() {
        assert_eq!(
            check_upload("Dự thảo NQ.PDF", b"%PDF-1.7 ...", 100)
                .unwrap()
                .content_type,
            "application/pdf"
        );
        assert_eq!(
            check_upload("de-dan.docx", b"PK\x03\x04rest", 100)
                .unwrap()
                .extension,
            "docx"
        );
        assert!(check_upload("ghi-chu.txt", "Nội dung".as_bytes(), 100).is_ok());
    }

    #[test]
    fn refuses_what_it_should() {
        let e = check_upload("virus.exe", b"MZ\x90\x00", 100).unwrap_err();
        assert!(e.contains("Chỉ nhận"), "{e}");
        let e = check_upload("bao-cao.pdf", b"MZ\x90\x00", 100).unwrap_err();
        assert!(e.contains("không phải là tệp PDF"), "{e}");
        let e = check_upload("lon.pdf", &vec![b'%'; 2 * 1024 * 1024], 1024 * 1024).unwrap_err();
        assert!(e.contains("vượt giới hạn 1 MB"), "{e}");
        assert!(check_upload("rong.pdf", b"", 100).is_err());
        assert!(check_upload("", b"%PDF-", 100).is_err());
        assert!(check_upload("khong-duoi", b"%PDF-", 100).is_err());
        assert!(check_upload("nhi-phan.txt", b"a\x00b", 100).is_err());
    }

    #[test]
    fn megabytes_round_up() {
        assert_eq!(mb(10 * 1024 * 1024), "10");
        assert_eq!(mb(10 * 1024 * 1024 + 1), "10,1");
    }
}
