//! Case numbers per county and day without gaps, and idempotency records per user.
//!
//! **Numbers.** `case_number_counters` holds, per county and local day (`YYYYMMDD` in the
//! county's time zone), how many numbers were issued. The writer of new cases increments the row
//! in the same transaction as the insert, so a number and its case commit or roll back together:
//! no gaps (an auditor reads a gap as a deleted case), and the row lock orders concurrent writers,
//! so numbers follow creation order. `latest_us` is the latest creation time numbered (µs since
//! the epoch: integers compare alike on every backend), and `previous_us` its value before the
//! last increment — an `UPDATE … RETURNING` returns new values only, and the writer needs the old
//! one to tell whether a case it holds was created before one already numbered. Before this,
//! PostgreSQL took numbers from one sequence shared by all counties (in blocks, so a county's
//! numbers interleaved and skipped) and SQLite from a counter per county that never restarted;
//! existing cases' numbers are kept, and each county-day's counter starts after its highest one.
//!
//! **Idempotency records.** A key is scoped to (county, user, key): two users who happen to pick
//! the same key do not see each other's answers. `idempotency_records` replaces
//! `idempotency_keys` (whose key was (county, key)); records expire (the server purges them by
//! `created_at`, hence its index). Records without a user (none are written) are not carried over.

use sea_orm::ConnectionTrait;
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CaseNumberCounters {
    Table,
    TenantId,
    Day,
    Issued,
    LatestUs,
    PreviousUs,
}

#[derive(DeriveIden)]
enum IdempotencyRecords {
    Table,
    TenantId,
    UserId,
    Key,
    RequestHash,
    Status,
    Response,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    TenantId,
    Key,
    UserId,
    RequestHash,
    Status,
    Response,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

/// Compresses `table.response` with lz4 on PostgreSQL, as migration 000010 does for intake's
/// stored responses (a server without lz4 keeps the default).
async fn lz4(m: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    if m.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return Ok(());
    }
    m.get_connection()
        .execute_unprepared(&format!(
            "DO $$ BEGIN ALTER TABLE {table} ALTER COLUMN response SET COMPRESSION lz4; \
             EXCEPTION WHEN feature_not_supported THEN RAISE NOTICE 'lz4 not supported'; END $$"
        ))
        .await
        .map(|_| ())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let postgres = m.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
        m.create_table(
            Table::create()
                .table(CaseNumberCounters::Table)
                .col(uuid(CaseNumberCounters::TenantId))
                .col(string_len(CaseNumberCounters::Day, 8))
                .col(big_integer(CaseNumberCounters::Issued))
                .col(big_integer(CaseNumberCounters::LatestUs))
                .col(big_integer_null(CaseNumberCounters::PreviousUs))
                .primary_key(Index::create().col(CaseNumberCounters::TenantId).col(CaseNumberCounters::Day))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_case_number_counters_tenant")
                        .from(CaseNumberCounters::Table, CaseNumberCounters::TenantId)
                        .to(Tenants::Table, Tenants::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        // Existing numbers are `YYYYMMDD` + a sequence part; each county-day continues after its
        // highest (the creation time is only a lower bound for what comes next).
        let latest = if postgres {
            "(EXTRACT(EPOCH FROM max(created_at)) * 1000000)::bigint"
        } else {
            "COALESCE(CAST((julianday(max(created_at)) - 2440587.5) * 86400000000 AS INTEGER), 0)"
        };
        m.get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO case_number_counters (tenant_id, day, issued, latest_us) \
                 SELECT tenant_id, substr(number, 1, 8), max(CAST(substr(number, 9) AS BIGINT)), {latest} \
                 FROM cases WHERE length(number) > 8 GROUP BY tenant_id, substr(number, 1, 8)"
            ))
            .await?;
        if postgres {
            m.get_connection().execute_unprepared("DROP SEQUENCE IF EXISTS case_number_seq").await?;
        }

        m.create_table(
            Table::create()
                .table(IdempotencyRecords::Table)
                .col(uuid(IdempotencyRecords::TenantId))
                .col(uuid(IdempotencyRecords::UserId))
                .col(string_len(IdempotencyRecords::Key, 128))
                .col(string_len(IdempotencyRecords::RequestHash, 64))
                .col(integer(IdempotencyRecords::Status))
                .col(text(IdempotencyRecords::Response))
                .col(timestamp_with_time_zone(IdempotencyRecords::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(IdempotencyRecords::TenantId)
                        .col(IdempotencyRecords::UserId)
                        .col(IdempotencyRecords::Key),
                )
                .to_owned(),
        )
        .await?;
        index(m, "ix_idempotency_records_created", IdempotencyRecords::Table, &["created_at"], false).await?;
        lz4(m, "idempotency_records").await?;
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO idempotency_records (tenant_id, user_id, key, request_hash, status, response, created_at) \
                 SELECT tenant_id, user_id, key, request_hash, status, response, created_at \
                 FROM idempotency_keys WHERE user_id IS NOT NULL",
            )
            .await?;
        m.drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let postgres = m.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
        // As migration 000003 created it.
        m.create_table(
            Table::create()
                .table(IdempotencyKeys::Table)
                .col(uuid(IdempotencyKeys::TenantId))
                .col(string_len(IdempotencyKeys::Key, 128))
                .col(uuid_null(IdempotencyKeys::UserId))
                .col(string_len(IdempotencyKeys::RequestHash, 64))
                .col(integer(IdempotencyKeys::Status))
                .col(text(IdempotencyKeys::Response))
                .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                .primary_key(Index::create().col(IdempotencyKeys::TenantId).col(IdempotencyKeys::Key))
                .to_owned(),
        )
        .await?;
        lz4(m, "idempotency_keys").await?;
        // Keys two users shared in one county keep one record (the older scope had room for one).
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO idempotency_keys (tenant_id, key, user_id, request_hash, status, response, created_at) \
                 SELECT tenant_id, key, user_id, request_hash, status, response, created_at \
                 FROM idempotency_records WHERE true ORDER BY created_at ON CONFLICT (tenant_id, key) DO NOTHING",
            )
            .await?;
        m.drop_table(Table::drop().table(IdempotencyRecords::Table).to_owned()).await?;

        if postgres {
            // Continues after every number issued, as the sequence would have.
            m.get_connection()
                .execute_unprepared(
                    "CREATE SEQUENCE case_number_seq; \
                     SELECT setval('case_number_seq', GREATEST(1, (SELECT COALESCE(max(issued), 0) FROM case_number_counters)))",
                )
                .await?;
        }
        m.drop_table(Table::drop().table(CaseNumberCounters::Table).to_owned()).await
    }
}
