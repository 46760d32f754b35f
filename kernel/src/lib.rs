//! UrbanGrid's shared vocabulary.
//!
//! Everything here is plain Rust: no web framework, no database. The HTTP layer turns
//! [`Error`] into an RFC 7807 problem document; domain crates return it; nobody else invents
//! error codes.

pub mod codes;
pub mod error;
pub mod ids;
pub mod page;
pub mod patch;
pub mod spreadsheet;
pub mod validate;
pub mod vocab;

pub use codes::{DivisionLevel, TenantCode};
pub use error::{Error, ErrorCode, FieldError, Result};
pub use page::{Page, PageRequest};
pub use validate::Validator;
pub use vocab::{Term, Vocabulary};
