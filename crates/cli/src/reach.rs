//! The channels a server delivers by, read from the environment (docs/van-hanh.md): an SMTP
//! relay (`CHIBO_SMTP_*`), an HTTP SMS gateway (`CHIBO_SMS_*`), and how long a worker's claim
//! on the outbox lasts (`CHIBO_OUTBOX_LEASE_SECONDS`). No channel is required: a server
//! without them still keeps chibo's own list of notices.

use anyhow::{Context, Result};
use chibo_app::reach::channels::{Channels, SmsConfig, SmtpConfig};
use chibo_app::{Config, ReachConfig};

fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The SMTP relay, when `CHIBO_SMTP_HOST` is set.
fn smtp() -> Result<Option<SmtpConfig>> {
    let Some(host) = var("CHIBO_SMTP_HOST") else {
        return Ok(None);
    };
    let port = match var("CHIBO_SMTP_PORT") {
        Some(p) => p
            .parse()
            .ok()
            .filter(|p| *p > 0)
            .context("CHIBO_SMTP_PORT phải là số cổng (ví dụ 25 hoặc 587)")?,
        None => 25,
    };
    let from = var("CHIBO_SMTP_FROM")
        .context("hãy đặt CHIBO_SMTP_FROM, địa chỉ gửi thư (ví dụ: chibo <thongbao@tinhuy.vn>)")?;
    Ok(Some(SmtpConfig {
        host,
        port,
        username: var("CHIBO_SMTP_USERNAME"),
        password: var("CHIBO_SMTP_PASSWORD"),
        from,
    }))
}

/// How long a worker's claim on a batch of the outbox lasts (`CHIBO_OUTBOX_LEASE_SECONDS`,
/// ten minutes when unset). Shorter than a batch's delivery (five messages of up to a minute
/// each) lets a slow worker's batch go to another while it still delivers: the tests shorten
/// it to see a killed worker's batch taken over.
fn lease_seconds() -> Result<i64> {
    let Some(v) = var("CHIBO_OUTBOX_LEASE_SECONDS") else {
        return Ok(chibo_app::reach::outbox::LEASE_SECONDS);
    };
    let seconds = v
        .parse::<i64>()
        .ok()
        .filter(|s| (1..=86_400).contains(s))
        .context("CHIBO_OUTBOX_LEASE_SECONDS phải là số giây từ 1 đến 86400 (mặc định 600)")?;
    if seconds < chibo_app::reach::outbox::LEASE_SECONDS / 2 {
        eprintln!(
            "Cảnh báo: CHIBO_OUTBOX_LEASE_SECONDS={seconds} ngắn hơn thời gian gửi một lô tin \
             (tới 5 phút): khi có nhiều bộ gửi, một tin có thể bị gửi hai lần."
        );
    }
    Ok(seconds)
}

/// The SMS gateway, when `CHIBO_SMS_URL` is set.
fn sms() -> Result<Option<SmsConfig>> {
    let Some(url) = var("CHIBO_SMS_URL") else {
        return Ok(None);
    };
    anyhow::ensure!(
        url.starts_with("http://") && url.contains("{phone}"),
        "CHIBO_SMS_URL phải bắt đầu bằng http:// và có {{phone}} (xem docs/van-hanh.md)"
    );
    let body = var("CHIBO_SMS_BODY");
    anyhow::ensure!(
        url.contains("{text}") || body.as_deref().is_some_and(|b| b.contains("{text}")),
        "CHIBO_SMS_URL hoặc CHIBO_SMS_BODY phải có {{text}}, chỗ đặt nội dung tin nhắn"
    );
    Ok(Some(SmsConfig {
        url,
        body,
        content_type: var("CHIBO_SMS_CONTENT_TYPE")
            .unwrap_or_else(|| "application/x-www-form-urlencoded".into()),
    }))
}

/// The channels from the environment, and `config` told which are delivered and the address
/// messages link to (`public_url`, else the address served).
pub fn configure(config: &mut Config, public_url: Option<&str>, served: &str) -> Result<Channels> {
    let (smtp, sms) = (smtp()?, sms()?);
    anyhow::ensure!(
        public_url.is_some() || (smtp.is_none() && sms.is_none()),
        "hãy đặt CHIBO_PUBLIC_URL (địa chỉ đảng viên truy cập, ví dụ https://chibo.tinh.vn): \
         thư và SMS mang liên kết tới đó"
    );
    config.reach = ReachConfig {
        public_url: public_url
            .unwrap_or(served)
            .trim_end_matches('/')
            .to_string(),
        email: smtp.is_some(),
        sms: sms.is_some(),
        lease_seconds: lease_seconds()?,
    };
    Channels::new(smtp, sms).map_err(|e| anyhow::anyhow!(e))
}
