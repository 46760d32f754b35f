//! Collects every problem of a request before refusing it, so the caller fixes all at once.

use crate::error::{Error, FieldError};

#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.errors.push(FieldError::new(field, reason));
    }

    /// Records the error of a parse and keeps its value when it succeeded.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(reason) => {
                self.add(field, reason);
                None
            }
        }
    }

    /// A required, trimmed, non-empty text of at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            self.add(field, "must not be empty");
        } else if trimmed.chars().count() > max {
            self.add(field, format!("must be at most {max} characters"));
        }
        trimmed.to_owned()
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Ok(())` when nothing was wrong, else a `validation_failed` error listing every field.
    pub fn finish(self) -> Result<(), Error> {
        if self.errors.is_empty() { Ok(()) } else { Err(Error::validation(self.errors)) }
    }
}
