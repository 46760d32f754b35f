//! PostgreSQL compresses the large values a case writes with lz4 instead of pglz.
//!
//! A value is compressed when its row passes about 2 KB: an intake's stored response once it lists
//! a few likely duplicates, a case's projection and packed timeline as its history grows. pglz
//! was the largest single item of PostgreSQL's CPU time under intake load (2 % of the machine's
//! samples); lz4 compresses several times faster for a slightly larger result (see
//! BENCHMARKS.md, "Case intake under load"). Rows already stored keep their pglz values, which
//! PostgreSQL still reads. A server built without lz4 keeps pglz. SQLite compresses nothing: no
//! change.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, column)
const VALUES: [(&str, &str); 3] = [("idempotency_keys", "response"), ("cases", "projection"), ("cases", "timeline")];

/// Sets the compression of every column of [`VALUES`] to `method`, unless the server lacks it.
async fn compress_with(m: &SchemaManager<'_>, method: &str) -> Result<(), DbErr> {
    if m.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return Ok(());
    }
    let alters: String = VALUES
        .iter()
        .map(|(table, column)| format!("ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method};"))
        .collect();
    m.get_connection()
        .execute_unprepared(&format!(
            "DO $$ BEGIN {alters} EXCEPTION WHEN feature_not_supported THEN \
             RAISE NOTICE 'compression method {method} not supported: values keep the default'; END $$"
        ))
        .await
        .map(|_| ())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        compress_with(m, "lz4").await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        compress_with(m, "default").await
    }
}
