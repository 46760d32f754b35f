//! Photos of cases: content-addressed files (SHA-256) on disk, recorded per tenant.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Photos {
    Table,
    Id,
    TenantId,
    Sha256,
    ContentType,
    Size,
    UploadedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Photos::Table)
                .col(pk_uuid(Photos::Id))
                .col(uuid(Photos::TenantId))
                .col(string_len(Photos::Sha256, 64))
                .col(string_len(Photos::ContentType, 32))
                .col(big_integer(Photos::Size))
                .col(uuid_null(Photos::UploadedBy))
                .col(timestamp_with_time_zone(Photos::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_photos_tenant")
                .table(Photos::Table)
                .col(Photos::TenantId)
                .col(Photos::Sha256)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Photos::Table).to_owned()).await
    }
}
