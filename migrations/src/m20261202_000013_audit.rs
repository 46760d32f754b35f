//! The audit trail (操作日志 / 登录日志) and the atomic login-attempt counters.
//!
//! * `audit_records`: append-only, one hash chain per tenant (`seq` 1, 2, 3 … with each row's
//!   hash covering the previous row's), so an edited, removed or reordered row is found by
//!   recomputing the chain. Rows older than the retention period are purged from the oldest end
//!   only; the oldest remaining row's `prev_hash` is then the chain's anchor.
//! * `login_attempts`: one counter row per account and per client address, incremented with a
//!   single upsert *before* the password is checked, so concurrent guesses are counted one after
//!   the other (the row is locked by the upsert) and only the allowed number is evaluated.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditRecords {
    Table,
    Id,
    TenantId,
    Seq,
    At,
    ActorId,
    Actor,
    Kind,
    Target,
    Source,
    RequestId,
    Summary,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum LoginAttempts {
    Table,
    Key,
    WindowStart,
    Count,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuditRecords::Table)
                .col(big_pk_auto(AuditRecords::Id))
                .col(uuid(AuditRecords::TenantId))
                .col(big_integer(AuditRecords::Seq))
                .col(timestamp_with_time_zone(AuditRecords::At))
                .col(uuid_null(AuditRecords::ActorId))
                .col(string_len(AuditRecords::Actor, 100))
                .col(string_len(AuditRecords::Kind, 48))
                .col(string_len(AuditRecords::Target, 160))
                .col(string_len(AuditRecords::Source, 64))
                .col(string_len_null(AuditRecords::RequestId, 64))
                .col(text(AuditRecords::Summary))
                .col(string_len(AuditRecords::PrevHash, 64))
                .col(string_len(AuditRecords::Hash, 64))
                .to_owned(),
        )
        .await?;
        crate::helpers::index(m, "ux_audit_records_tenant_seq", AuditRecords::Table, &["tenant_id", "seq"], true)
            .await?;
        crate::helpers::index(m, "ix_audit_records_tenant_at", AuditRecords::Table, &["tenant_id", "at"], false)
            .await?;
        crate::helpers::index(m, "ix_audit_records_at", AuditRecords::Table, &["at"], false).await?;

        m.create_table(
            Table::create()
                .table(LoginAttempts::Table)
                .col(string_len(LoginAttempts::Key, 160).primary_key())
                .col(timestamp_with_time_zone(LoginAttempts::WindowStart))
                .col(big_integer(LoginAttempts::Count))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(LoginAttempts::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(AuditRecords::Table).to_owned()).await
    }
}
