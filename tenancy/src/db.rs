//! Database plumbing shared by the tenancy modules: error mapping and version counters.

use kernel::{Error, Result};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set, SqlErr};

use crate::entity::sync_version;

/// Maps storage errors to internal errors (the cause is logged, not shown), recording where in
/// our code the failing call was made.
pub trait OrInternal<T> {
    fn or_internal(self) -> Result<T>;
}

impl<T> OrInternal<T> for std::result::Result<T, DbErr> {
    #[track_caller]
    fn or_internal(self) -> Result<T> {
        match self {
            Ok(v) => Ok(v),
            Err(e) => Err(Error::internal(e)),
        }
    }
}

/// Whether the error is a unique-constraint violation.
pub fn is_unique_violation(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Maps a unique violation to `already_exists` on `field`; anything else is internal.
#[track_caller]
pub fn unique_or_internal(e: DbErr, field: &str, reason: &str) -> Error {
    if is_unique_violation(&e) { Error::already_exists(field, reason) } else { Error::internal(e) }
}

/// Bumps the named version counter (creating it at 1) inside the caller's transaction, and notes
/// the bump so that this process's [`crate::versions::Versions`] snapshot is re-read after the
/// request.
pub async fn bump_version<C: ConnectionTrait>(db: &C, name: &str) -> Result<()> {
    crate::versions::note_bump();
    bump_counter(db, name, 1).await
}

/// Adds `by` to the named counter (creating it at `by`) without touching the version snapshot:
/// for plain counters such as case numbers.
pub async fn bump_counter<C: ConnectionTrait>(db: &C, name: &str, by: i64) -> Result<()> {
    let row = sync_version::ActiveModel { name: Set(name.to_owned()), version: Set(by) };
    sync_version::Entity::insert(row)
        .on_conflict(
            OnConflict::column(sync_version::Column::Name)
                .value(
                    sync_version::Column::Version,
                    Expr::col((sync_version::Entity, sync_version::Column::Version)).add(by),
                )
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .or_internal()?;
    Ok(())
}

/// The current value of the named counter (0 when it was never bumped).
pub async fn read_version<C: ConnectionTrait>(db: &C, name: &str) -> Result<i64> {
    Ok(sync_version::Entity::find()
        .filter(sync_version::Column::Name.eq(name))
        .one(db)
        .await
        .or_internal()?
        .map_or(0, |v| v.version))
}
