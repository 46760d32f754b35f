//! Cases (案件): the projection row, the append-only hash-chained event log, idempotency keys
//! of intake, per-tenant settings (work calendar, time limits) and the responsibility list
//! (权责清单) that suggests the department for a dispatch.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
    TenantId,
    Number,
    State,
    Source,
    Kind,
    ClassCode,
    Description,
    Address,
    Lon,
    Lat,
    GridCode,
    CommunityCode,
    StreetCode,
    DutyGridId,
    ComponentId,
    ReporterId,
    Urgent,
    DepartmentId,
    Overdue,
    Deadline,
    TrackingCode,
    Projection,
    LastHash,
    CreatedAt,
    UpdatedAt,
    ClosedAt,
}

#[derive(DeriveIden)]
enum CaseEvents {
    Table,
    Id,
    TenantId,
    CaseId,
    Seq,
    Action,
    ActorId,
    Role,
    At,
    Payload,
    PrevHash,
    Hash,
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
enum TenantSettings {
    Table,
    TenantId,
    Name,
    Value,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Responsibilities {
    Table,
    Id,
    TenantId,
    ClassCode,
    StreetCode,
    CommunityCode,
    GridCode,
    DepartmentId,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Cases::Table)
                .col(pk_uuid(Cases::Id))
                .col(uuid(Cases::TenantId))
                .col(string_len(Cases::Number, 32))
                .col(string_len(Cases::State, 24))
                .col(string_len(Cases::Source, 24))
                .col(string_len(Cases::Kind, 16))
                .col(string_len(Cases::ClassCode, 8))
                .col(string_len(Cases::Description, 2000))
                .col(string_len_null(Cases::Address, 256))
                .col(double(Cases::Lon))
                .col(double(Cases::Lat))
                .col(string_len(Cases::GridCode, 15))
                .col(string_len(Cases::CommunityCode, 12))
                .col(string_len(Cases::StreetCode, 9))
                .col(uuid_null(Cases::DutyGridId))
                .col(string_len_null(Cases::ComponentId, 17))
                .col(uuid_null(Cases::ReporterId))
                .col(boolean(Cases::Urgent))
                .col(uuid_null(Cases::DepartmentId))
                .col(boolean(Cases::Overdue))
                .col(timestamp_with_time_zone_null(Cases::Deadline))
                .col(string_len_null(Cases::TrackingCode, 24))
                .col(text(Cases::Projection))
                .col(string_len(Cases::LastHash, 64))
                .col(timestamp_with_time_zone(Cases::CreatedAt))
                .col(timestamp_with_time_zone(Cases::UpdatedAt))
                .col(timestamp_with_time_zone_null(Cases::ClosedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_cases_tenant")
                        .from(Cases::Table, Cases::TenantId)
                        .to(Tenants::Table, Tenants::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        index(m, "ux_cases_number", Cases::Table, &["tenant_id", "number"], true).await?;
        index(m, "ix_cases_state", Cases::Table, &["tenant_id", "state"], false).await?;
        index(m, "ix_cases_department", Cases::Table, &["tenant_id", "department_id"], false).await?;
        index(m, "ix_cases_created", Cases::Table, &["tenant_id", "created_at"], false).await?;
        index(m, "ux_cases_tracking", Cases::Table, &["tracking_code"], true).await?;
        // Duplicate hints look for the same class near a point.
        index(m, "ix_cases_class_lon", Cases::Table, &["tenant_id", "class_code", "lon"], false).await?;

        m.create_table(
            Table::create()
                .table(CaseEvents::Table)
                .col(big_pk_auto(CaseEvents::Id))
                .col(uuid(CaseEvents::TenantId))
                .col(uuid(CaseEvents::CaseId))
                .col(integer(CaseEvents::Seq))
                .col(string_len(CaseEvents::Action, 32))
                .col(string_len_null(CaseEvents::ActorId, 64))
                .col(string_len_null(CaseEvents::Role, 32))
                .col(timestamp_with_time_zone(CaseEvents::At))
                .col(text(CaseEvents::Payload))
                .col(string_len(CaseEvents::PrevHash, 64))
                .col(string_len(CaseEvents::Hash, 64))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_case_events_case")
                        .from(CaseEvents::Table, CaseEvents::CaseId)
                        .to(Cases::Table, Cases::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        // Two writers appending to one case race for the same seq; the loser fails and retries.
        index(m, "ux_case_events_seq", CaseEvents::Table, &["case_id", "seq"], true).await?;
        index(m, "ix_case_events_tenant_at", CaseEvents::Table, &["tenant_id", "at"], false).await?;

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

        m.create_table(
            Table::create()
                .table(TenantSettings::Table)
                .col(uuid(TenantSettings::TenantId))
                .col(string_len(TenantSettings::Name, 64))
                .col(text(TenantSettings::Value))
                .col(timestamp_with_time_zone(TenantSettings::UpdatedAt))
                .primary_key(Index::create().col(TenantSettings::TenantId).col(TenantSettings::Name))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Responsibilities::Table)
                .col(pk_uuid(Responsibilities::Id))
                .col(uuid(Responsibilities::TenantId))
                .col(string_len(Responsibilities::ClassCode, 8))
                .col(string_len_null(Responsibilities::StreetCode, 9))
                .col(string_len_null(Responsibilities::CommunityCode, 12))
                .col(string_len_null(Responsibilities::GridCode, 15))
                .col(uuid(Responsibilities::DepartmentId))
                .to_owned(),
        )
        .await?;
        index(m, "ix_responsibilities_class", Responsibilities::Table, &["tenant_id", "class_code"], false).await?;
        // Case numbers on PostgreSQL come from a sequence: no row lock serialises intake.
        if m.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            m.get_connection().execute_unprepared("CREATE SEQUENCE case_number_seq").await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            m.get_connection().execute_unprepared("DROP SEQUENCE IF EXISTS case_number_seq").await?;
        }
        for table in [
            Responsibilities::Table.into_iden(),
            TenantSettings::Table.into_iden(),
            IdempotencyKeys::Table.into_iden(),
            CaseEvents::Table.into_iden(),
            Cases::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
