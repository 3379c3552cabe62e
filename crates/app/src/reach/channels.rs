//! The channels a message leaves by: email over SMTP (plain text with an HTML alternative, in
//! UTF-8), and SMS through an HTTP gateway of the kind Vietnamese brand-name SMS providers
//! offer (a URL template, and a body template for a POST). chibo speaks plain SMTP and HTTP
//! to them: on a server, the relay (Postfix, or the provider's own relay reached through a
//! local one) and the gateway (directly, or through a local TLS proxy) are configured in
//! docs/van-hanh.md.
//!
//! Each message carries its outbox id (the email's `Message-ID`, the gateway's `{id}`), so a
//! message sent again after a worker died mid-delivery is known for the same one downstream.

use std::time::Duration;

use bytes::Bytes;
use chibo_domain::notify::Channel;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::outbox::Claimed;

/// How long one delivery may take, all of it, before it counts as failed.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// An SMTP relay.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
    /// `chibo <thongbao@tinhuy.example.vn>`.
    pub from: String,
}

/// An HTTP SMS gateway: `url` with `{phone}`, `{text}` and `{id}` (filled in, the text
/// percent-encoded); with `body`, a POST of that body (the same fields filled in, the text
/// JSON-escaped when `content_type` is JSON), else a GET.
#[derive(Debug, Clone)]
pub struct SmsConfig {
    pub url: String,
    pub body: Option<String>,
    pub content_type: String,
}

/// The channels this server delivers by.
#[derive(Clone, Default)]
pub struct Channels {
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
    sms: Option<SmsConfig>,
}

impl Channels {
    /// The channels configured (`None`: not delivered by this server).
    pub fn new(smtp: Option<SmtpConfig>, sms: Option<SmsConfig>) -> Result<Channels, String> {
        let smtp = match smtp {
            None => None,
            Some(c) => {
                let from: Mailbox = c
                    .from
                    .parse()
                    .map_err(|e| format!("địa chỉ gửi thư không hợp lệ ({}): {e}", c.from))?;
                let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&c.host)
                    .port(c.port)
                    .timeout(Some(TIMEOUT));
                if let (Some(u), Some(p)) = (c.username, c.password) {
                    b = b.credentials(Credentials::new(u, p));
                }
                Some((b.build(), from))
            }
        };
        Ok(Channels { smtp, sms })
    }

    /// Delivers one message, within [`TIMEOUT`] all told; `Err` says why not, in words an
    /// administrator reads.
    pub async fn send(&self, m: &Claimed) -> Result<(), String> {
        let send = async {
            match Channel::from_code(&m.channel) {
                Some(Channel::Email) => self.email(m).await,
                Some(Channel::Sms) => self.sms(m).await,
                None => Err(format!("kênh không rõ: {}", m.channel)),
            }
        };
        tokio::time::timeout(TIMEOUT, send)
            .await
            .unwrap_or_else(|_| Err("không gửi xong trong 60 giây".into()))
    }

    async fn email(&self, m: &Claimed) -> Result<(), String> {
        let (transport, from) = self
            .smtp
            .as_ref()
            .ok_or("máy chủ này chưa cấu hình gửi thư (CHIBO_SMTP_HOST)")?;
        let to: Mailbox = m
            .address
            .parse()
            .map_err(|e| format!("địa chỉ thư không hợp lệ: {e}"))?;
        let host = from.email.domain();
        let email = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(m.subject.as_str())
            .message_id(Some(message_id(m.id, host)))
            .multipart(
                MultiPart::alternative()
                    .singlepart(part(ContentType::TEXT_PLAIN, m.body.clone())?)
                    .singlepart(part(ContentType::TEXT_HTML, html_of(&m.subject, &m.body))?),
            )
            .map_err(|e| format!("không tạo được thư: {e}"))?;
        transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| format!("máy chủ thư từ chối: {e}"))
    }

    async fn sms(&self, m: &Claimed) -> Result<(), String> {
        let c = self
            .sms
            .as_ref()
            .ok_or("máy chủ này chưa cấu hình cổng SMS (CHIBO_SMS_URL)")?;
        let id = m.id.to_string();
        let url = fill(&c.url, &m.address, &percent(&m.body), &id);
        let req = match &c.body {
            None => http::Request::get(&url).body(Full::new(Bytes::new())),
            Some(body) => {
                let text = if c.content_type.contains("json") {
                    let quoted = serde_json::to_string(&m.body).unwrap_or_default();
                    quoted[1..quoted.len() - 1].to_string()
                } else {
                    percent(&m.body)
                };
                http::Request::post(&url)
                    .header(http::header::CONTENT_TYPE, &c.content_type)
                    .body(Full::new(Bytes::from(fill(body, &m.address, &text, &id))))
            }
        }
        .map_err(|e| format!("địa chỉ cổng SMS không hợp lệ: {e}"))?;
        let client = Client::builder(TokioExecutor::new()).build_http();
        let res = client
            .request(req)
            .await
            .map_err(|e| format!("không gọi được cổng SMS: {e}"))?;
        let status = res.status();
        if status.is_success() {
            return Ok(());
        }
        let body: String = res
            .into_body()
            .collect()
            .await
            .map(|b| {
                String::from_utf8_lossy(&b.to_bytes())
                    .chars()
                    .take(300)
                    .collect()
            })
            .unwrap_or_default();
        Err(format!("cổng SMS trả lời {status}: {body}"))
    }
}

/// A UTF-8 part in base64: it passes every relay unchanged, whatever its lines.
fn part(kind: ContentType, text: String) -> Result<SinglePart, String> {
    let body = Body::new_with_encoding(text, ContentTransferEncoding::Base64)
        .map_err(|_| "không mã hóa được nội dung thư".to_string())?;
    Ok(SinglePart::builder().header(kind).body(body))
}

/// The `Message-ID` of outbox message `id`: the same at every attempt.
pub fn message_id(id: i64, host: &str) -> String {
    format!("<chibo-outbox-{id}@{host}>")
}

fn fill(template: &str, phone: &str, text: &str, id: &str) -> String {
    template
        .replace("{phone}", phone)
        .replace("{text}", text)
        .replace("{id}", id)
}

/// `s` encoded for a query string or a form body (UTF-8, a space as `+`).
fn percent(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The HTML alternative of a plain message: escaped, a paragraph per line, its address a link.
pub fn html_of(title: &str, body: &str) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let lines: String = body
        .lines()
        .map(|l| {
            let l = esc(l);
            match l.find("http") {
                Some(at) => format!(
                    "<p>{}<a href=\"{}\">{}</a></p>",
                    &l[..at],
                    &l[at..],
                    &l[at..]
                ),
                None => format!("<p>{l}</p>"),
            }
        })
        .collect();
    format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family:sans-serif\">{lines}</body></html>",
        esc(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vietnamese_text_is_percent_encoded_byte_by_byte() {
        assert_eq!(percent("Hủy họp"), "H%E1%BB%A7y+h%E1%BB%8Dp");
        assert_eq!(
            fill(
                "http://gw/send?to={phone}&msg={text}&ref={id}",
                "0912345678",
                "a%20b",
                "7"
            ),
            "http://gw/send?to=0912345678&msg=a%20b&ref=7"
        );
    }

    #[test]
    fn the_html_alternative_escapes_and_links() {
        let h = html_of(
            "Thông báo",
            "Nội dung: <b>họp</b>\nXem chi tiết: https://x.vn/meetings/7",
        );
        assert!(h.contains("<p>Nội dung: &lt;b&gt;họp&lt;/b&gt;</p>"));
        assert!(h.contains("<p>Xem chi tiết: <a href=\"https://x.vn/meetings/7\">"));
    }
}
