//! Keyset pagination: `limit` plus an opaque `cursor`, in a stable order (ascending id; our ids
//! are UUIDv7, so that is creation order).

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{Error, Result};

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 500;

/// Query parameters of every list endpoint.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageRequest {
    /// How many items to return (1–500, default 50).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page; absent for the first page.
    pub cursor: Option<String>,
}

impl PageRequest {
    pub fn limit(&self) -> Result<u64> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(Error::invalid("limit", format!("must be between 1 and {MAX_LIMIT}"))),
        }
    }

    /// The id after which the page starts.
    pub fn after(&self) -> Result<Option<Uuid>> {
        match &self.cursor {
            None => Ok(None),
            Some(c) if c.is_empty() => Ok(None),
            Some(c) => Uuid::parse_str(c)
                .map(Some)
                .map_err(|_| Error::invalid("cursor", "is not a cursor returned by this list")),
        }
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` fetched rows: the extra row only says that more exist.
    pub fn from_rows(mut rows: Vec<T>, limit: u64, id_of: impl Fn(&T) -> Uuid) -> Self {
        let more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if more { rows.last().map(|r| id_of(r).to_string()) } else { None };
        Self { items: rows, next_cursor }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next_cursor: self.next_cursor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_row_yields_cursor_of_last_kept_row() {
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let page = Page::from_rows(ids.clone(), 2, |u| *u);
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.next_cursor, Some(ids[1].to_string()));
        let last = Page::from_rows(ids[..2].to_vec(), 2, |u| *u);
        assert_eq!(last.next_cursor, None);
    }

    #[test]
    fn limit_out_of_range_names_the_field() {
        let err = PageRequest { limit: Some(0), cursor: None }.limit().unwrap_err();
        assert_eq!(err.fields[0].field, "limit");
    }
}
