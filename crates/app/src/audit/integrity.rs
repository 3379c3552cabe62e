//! Whether the records were changed behind chibo's back: the audit log's hash chain walked from
//! its first entry, and every signed minutes hashed again (`chibo verify`).

use chibo_store::audit_chain::{self, BreakReason};
use chibo_store::signed;

use crate::{App, AppResult};

/// What `chibo verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integrity {
    pub chain: audit_chain::ChainCheck,
    pub minutes: signed::SignedCheck,
}

impl Integrity {
    /// Whether nothing was found changed.
    pub fn intact(&self) -> bool {
        self.chain.first_break.is_none() && self.minutes.first_changed.is_none()
    }

    /// The findings in Vietnamese, a line each.
    pub fn lines(&self) -> Vec<String> {
        let chain = match &self.chain.first_break {
            None => format!(
                "Nhật ký thao tác: {} mục, chuỗi băm nguyên vẹn.",
                self.chain.entries
            ),
            Some(b) => {
                let why = match b.reason {
                    BreakReason::Changed => "nội dung đã bị sửa",
                    BreakReason::Unlinked => {
                        "không nối với mục liền trước (một mục trước nó đã bị xóa hoặc chèn thêm)"
                    }
                    BreakReason::HeadMismatch => {
                        "là mục cuối theo sổ đầu chuỗi nhưng không còn đúng (các mục cuối đã bị xóa)"
                    }
                };
                format!("Nhật ký thao tác BỊ SỬA: mục #{} {why}.", b.id)
            }
        };
        let minutes = match self.minutes.first_changed {
            None => format!(
                "Biên bản đã ký: {} biên bản, nội dung đúng như khi ký.",
                self.minutes.minutes
            ),
            Some(id) => format!(
                "Biên bản đã ký BỊ SỬA: biên bản buổi sinh hoạt #{id} không còn đúng như khi ký."
            ),
        };
        vec![chain, minutes]
    }
}

/// Walks the chain and hashes every signed minutes again, reading a page at a time.
pub async fn verify(app: &App) -> AppResult<Integrity> {
    Ok(Integrity {
        chain: audit_chain::check(&app.db).await?,
        minutes: signed::check(&app.db).await?,
    })
}
