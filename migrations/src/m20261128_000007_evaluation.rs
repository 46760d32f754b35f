//! Evaluation: each event keeps the deadline it set (so evaluation reads the rules in force when it
//! happened), each case its events packed for evaluation, an index to find the cases alive in a period, and directives — the centre's
//! source-governance recommendations to a responsible agency and the city's supervision orders to
//! a county — with their responses.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CaseEvents {
    Table,
    Due,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Timeline,
}

#[derive(DeriveIden)]
enum Directives {
    Table,
    Id,
    TenantId,
    IssuerTenantId,
    Kind,
    CaseId,
    Pattern,
    DepartmentId,
    Addressee,
    Title,
    Body,
    DueAt,
    Status,
    Response,
    RespondedAt,
    RespondedBy,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(CaseEvents::Table)
                .add_column(ColumnDef::new(CaseEvents::Due).timestamp_with_time_zone().null())
                .to_owned(),
        )
        .await?;
        // The case's events packed for evaluation (see `evaluation::timeline`); the server fills it
        // for cases stored before this migration.
        m.alter_table(
            Table::alter().table(Cases::Table).add_column(ColumnDef::new(Cases::Timeline).binary().null()).to_owned(),
        )
        .await?;
        // Evaluation reads the cases touched in a period: open ones, and those changed since its start.
        index(m, "ix_cases_updated", Cases::Table, &["tenant_id", "updated_at"], false).await?;

        m.create_table(
            Table::create()
                .table(Directives::Table)
                .col(pk_uuid(Directives::Id))
                .col(uuid(Directives::TenantId))
                .col(uuid(Directives::IssuerTenantId))
                .col(string_len(Directives::Kind, 16))
                .col(uuid_null(Directives::CaseId))
                .col(text_null(Directives::Pattern))
                .col(uuid_null(Directives::DepartmentId))
                .col(string_len(Directives::Addressee, 128))
                .col(string_len(Directives::Title, 200))
                .col(text(Directives::Body))
                .col(timestamp_with_time_zone(Directives::DueAt))
                .col(string_len(Directives::Status, 16))
                .col(text_null(Directives::Response))
                .col(timestamp_with_time_zone_null(Directives::RespondedAt))
                .col(uuid_null(Directives::RespondedBy))
                .col(uuid(Directives::CreatedBy))
                .col(timestamp_with_time_zone(Directives::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_directives_tenant")
                        .from(Directives::Table, Directives::TenantId)
                        .to(Tenants::Table, Tenants::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        index(m, "ix_directives_tenant_created", Directives::Table, &["tenant_id", "created_at"], false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Directives::Table).to_owned()).await?;
        m.drop_index(Index::drop().name("ix_cases_updated").table(Cases::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(Cases::Table).drop_column(Cases::Timeline).to_owned()).await?;
        m.alter_table(Table::alter().table(CaseEvents::Table).drop_column(CaseEvents::Due).to_owned()).await
    }
}
