//! Two indexes of `cases` hold only the rows that have the value.
//!
//! A new case has no department (it is dispatched later) and, unless it came from the public, no
//! tracking code; every report used to add an entry for NULL to both indexes, which no query
//! reads (lookups are by a department or a code, never for "none"). As partial indexes they keep
//! the same lookups and the same uniqueness of tracking codes, and intake writes two index
//! entries fewer per case.
//!
//! The partial indexes get names of their own: on SQLite the statements of a migration may run on
//! different pooled connections, and one that has not yet seen a `DROP INDEX` refuses to create an
//! index of the same name.

use sea_orm_migration::prelude::*;

use crate::helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Cases {
    Table,
    DepartmentId,
    TrackingCode,
}

/// (full index, partial index, columns, unique, the column that must be set)
const INDEXES: [(&str, &str, &[&str], bool, Cases); 2] = [
    ("ix_cases_department", "ix_cases_department_set", &["tenant_id", "department_id"], false, Cases::DepartmentId),
    ("ux_cases_tracking", "ux_cases_tracking_set", &["tracking_code"], true, Cases::TrackingCode),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (full, partial, cols, unique, set) in INDEXES {
            let mut stmt = Index::create();
            stmt.name(partial).table(Cases::Table).and_where(Expr::col(set).is_not_null());
            for c in cols {
                stmt.col(Alias::new(*c));
            }
            if unique {
                stmt.unique();
            }
            m.create_index(stmt.to_owned()).await?;
            m.drop_index(Index::drop().name(full).table(Cases::Table).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (full, partial, cols, unique, _) in INDEXES {
            index(m, full, Cases::Table, cols, unique).await?;
            m.drop_index(Index::drop().name(partial).table(Cases::Table).to_owned()).await?;
        }
        Ok(())
    }
}
