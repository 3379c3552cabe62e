//! Pure types and rules of chibo: no I/O here, so every rule is testable as a function.

pub mod admission;
pub mod badges;
pub mod bounded;
pub mod calendar;
pub mod classification;
pub mod cursor;
pub mod dues;
pub mod error;
pub mod exemption;
pub mod files;
pub mod ids;
pub mod indicators;
pub mod meeting;
pub mod meeting_checks;
pub mod member;
pub mod notify;
pub mod org;
pub mod password;
pub mod programme;
pub mod rules;
pub mod text;
pub mod transfers;
pub mod validate;
pub mod workflow;

pub use error::{FieldError, Invalid};
