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
                        "là mục cuối còn lại, nhưng sổ đầu chuỗi ghi nhiều mục hơn (các mục sau nó đã bị xóa)"
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

/// Seals the entries written since the last seal, walks the chain and hashes every signed
/// minutes again, reading a page at a time.
pub async fn verify(app: &App) -> AppResult<Integrity> {
    audit_chain::seal(&app.db).await?;
    Ok(Integrity {
        chain: audit_chain::check(&app.db).await?,
        minutes: signed::check(&app.db).await?,
    })
}

/// Seals the audit log's new entries every two seconds, for as long as the server or worker
/// runs (see `chibo_store::audit_chain`). A failed seal is logged and tried again.
pub async fn keep_sealing(app: App) {
    loop {
        if let Err(e) = audit_chain::seal(&app.db).await {
            tracing::warn!(error = %e, "audit chain: sealing failed");
        }
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }
}
