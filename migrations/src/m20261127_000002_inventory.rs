//! A county's spatial frame and inventory: the catalogue (national classes and local
//! extensions), the legacy class mapping, streets, communities, unit grids, duty grids, the
//! component census with its change history, and import jobs.
//!
//! Geometry is stored as GeoJSON text with its bounding box in plain columns, so both backends
//! hold the same data; exact spatial work happens in memory with `geo` (see the `spatial` crate).

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CatalogClasses {
    Table,
    Id,
    Standard,
    Kind,
    MajorCode,
    MajorName,
    Code,
    Name,
    NameEn,
    TenantId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LegacyClassMap {
    Table,
    LegacyStandard,
    LegacyCode,
    LegacyName,
    Kind,
    Code,
}

#[derive(DeriveIden)]
enum Streets {
    Table,
    Id,
    TenantId,
    Code,
    Name,
}

#[derive(DeriveIden)]
enum Communities {
    Table,
    Id,
    TenantId,
    Code,
    Name,
    StreetCode,
}

#[derive(DeriveIden)]
enum UnitGrids {
    Table,
    Id,
    TenantId,
    Code,
    LegacyCode,
    Name,
    StreetCode,
    CommunityCode,
    DutyGridId,
    Geometry,
    AreaM2,
    MinLon,
    MinLat,
    MaxLon,
    MaxLat,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DutyGrids {
    Table,
    Id,
    TenantId,
    Code,
    Name,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DutyGridCollectors {
    Table,
    DutyGridId,
    UserId,
    TenantId,
}

#[derive(DeriveIden)]
enum Components {
    Table,
    Id,
    TenantId,
    ComponentId,
    LegacyId,
    ClassCode,
    Name,
    DeptCode,
    DeptName,
    OwnerCode,
    OwnerName,
    MaintCode,
    MaintName,
    GridCode,
    Status,
    InitialDate,
    ChangeDate,
    DataSource,
    Note,
    StreetCode,
    StreetName,
    CommunityCode,
    CommunityName,
    Lon,
    Lat,
    Geometry,
    Extra,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ComponentHistory {
    Table,
    Id,
    TenantId,
    ComponentId,
    Version,
    Action,
    ActorId,
    JobId,
    At,
    Changes,
}

#[derive(DeriveIden)]
enum ImportJobs {
    Table,
    Id,
    TenantId,
    Kind,
    Format,
    Mode,
    DryRun,
    Status,
    FilePath,
    RowsRead,
    RowsValid,
    RowsWritten,
    RowsFailed,
    Errors,
    Message,
    CreatedBy,
    CreatedAt,
    StartedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

fn tenant_fk(from: (impl IntoIden, impl IntoIden), name: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(Tenants::Table, Tenants::Id)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CatalogClasses::Table)
                .col(pk_uuid(CatalogClasses::Id))
                .col(string_len(CatalogClasses::Standard, 40))
                .col(string_len(CatalogClasses::Kind, 16))
                .col(string_len(CatalogClasses::MajorCode, 2))
                .col(string_len(CatalogClasses::MajorName, 50))
                .col(string_len(CatalogClasses::Code, 8))
                .col(string_len(CatalogClasses::Name, 60))
                .col(string_len_null(CatalogClasses::NameEn, 100))
                .col(uuid_null(CatalogClasses::TenantId))
                .col(timestamp_with_time_zone(CatalogClasses::CreatedAt))
                .foreign_key(&mut tenant_fk((CatalogClasses::Table, CatalogClasses::TenantId), "fk_catalog_tenant"))
                .to_owned(),
        )
        .await?;
        index(m, "ux_catalog_key", CatalogClasses::Table, &["standard", "kind", "code"], true).await?;
        index(m, "ix_catalog_tenant", CatalogClasses::Table, &["tenant_id"], false).await?;

        m.create_table(
            Table::create()
                .table(LegacyClassMap::Table)
                .col(string_len(LegacyClassMap::LegacyStandard, 40))
                .col(string_len(LegacyClassMap::LegacyCode, 8))
                .col(string_len(LegacyClassMap::LegacyName, 60))
                .col(string_len(LegacyClassMap::Kind, 16))
                .col(string_len(LegacyClassMap::Code, 8))
                .primary_key(
                    Index::create()
                        .col(LegacyClassMap::LegacyStandard)
                        .col(LegacyClassMap::Kind)
                        .col(LegacyClassMap::LegacyCode),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Streets::Table)
                .col(pk_uuid(Streets::Id))
                .col(uuid(Streets::TenantId))
                .col(string_len(Streets::Code, 9))
                .col(string_len(Streets::Name, 100))
                .foreign_key(&mut tenant_fk((Streets::Table, Streets::TenantId), "fk_streets_tenant"))
                .to_owned(),
        )
        .await?;
        index(m, "ux_streets_code", Streets::Table, &["tenant_id", "code"], true).await?;

        m.create_table(
            Table::create()
                .table(Communities::Table)
                .col(pk_uuid(Communities::Id))
                .col(uuid(Communities::TenantId))
                .col(string_len(Communities::Code, 12))
                .col(string_len(Communities::Name, 100))
                .col(string_len(Communities::StreetCode, 9))
                .foreign_key(&mut tenant_fk((Communities::Table, Communities::TenantId), "fk_communities_tenant"))
                .to_owned(),
        )
        .await?;
        index(m, "ux_communities_code", Communities::Table, &["tenant_id", "code"], true).await?;

        m.create_table(
            Table::create()
                .table(DutyGrids::Table)
                .col(pk_uuid(DutyGrids::Id))
                .col(uuid(DutyGrids::TenantId))
                .col(string_len(DutyGrids::Code, 32))
                .col(string_len(DutyGrids::Name, 100))
                .col(timestamp_with_time_zone(DutyGrids::CreatedAt))
                .col(timestamp_with_time_zone(DutyGrids::UpdatedAt))
                .foreign_key(&mut tenant_fk((DutyGrids::Table, DutyGrids::TenantId), "fk_duty_grids_tenant"))
                .to_owned(),
        )
        .await?;
        index(m, "ux_duty_grids_code", DutyGrids::Table, &["tenant_id", "code"], true).await?;

        m.create_table(
            Table::create()
                .table(DutyGridCollectors::Table)
                .col(uuid(DutyGridCollectors::DutyGridId))
                .col(uuid(DutyGridCollectors::UserId))
                .col(uuid(DutyGridCollectors::TenantId))
                .primary_key(Index::create().col(DutyGridCollectors::DutyGridId).col(DutyGridCollectors::UserId))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_duty_collectors_grid")
                        .from(DutyGridCollectors::Table, DutyGridCollectors::DutyGridId)
                        .to(DutyGrids::Table, DutyGrids::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        index(m, "ix_duty_collectors_user", DutyGridCollectors::Table, &["tenant_id", "user_id"], false).await?;

        m.create_table(
            Table::create()
                .table(UnitGrids::Table)
                .col(pk_uuid(UnitGrids::Id))
                .col(uuid(UnitGrids::TenantId))
                .col(string_len(UnitGrids::Code, 15))
                .col(string_len_null(UnitGrids::LegacyCode, 15))
                .col(string_len_null(UnitGrids::Name, 100))
                .col(string_len(UnitGrids::StreetCode, 9))
                .col(string_len(UnitGrids::CommunityCode, 12))
                .col(uuid_null(UnitGrids::DutyGridId))
                .col(text(UnitGrids::Geometry))
                .col(double(UnitGrids::AreaM2))
                .col(double(UnitGrids::MinLon))
                .col(double(UnitGrids::MinLat))
                .col(double(UnitGrids::MaxLon))
                .col(double(UnitGrids::MaxLat))
                .col(timestamp_with_time_zone(UnitGrids::CreatedAt))
                .col(timestamp_with_time_zone(UnitGrids::UpdatedAt))
                .foreign_key(&mut tenant_fk((UnitGrids::Table, UnitGrids::TenantId), "fk_unit_grids_tenant"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_unit_grids_duty")
                        .from(UnitGrids::Table, UnitGrids::DutyGridId)
                        .to(DutyGrids::Table, DutyGrids::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        index(m, "ux_unit_grids_code", UnitGrids::Table, &["tenant_id", "code"], true).await?;
        index(m, "ix_unit_grids_community", UnitGrids::Table, &["tenant_id", "community_code"], false).await?;
        index(m, "ix_unit_grids_duty", UnitGrids::Table, &["tenant_id", "duty_grid_id"], false).await?;

        m.create_table(
            Table::create()
                .table(Components::Table)
                .col(pk_uuid(Components::Id))
                .col(uuid(Components::TenantId))
                .col(string_len(Components::ComponentId, 17))
                .col(string_len_null(Components::LegacyId, 16))
                .col(string_len(Components::ClassCode, 5))
                .col(string_len(Components::Name, 30))
                .col(string_len(Components::DeptCode, 18))
                .col(string_len(Components::DeptName, 100))
                .col(string_len_null(Components::OwnerCode, 18))
                .col(string_len_null(Components::OwnerName, 100))
                .col(string_len_null(Components::MaintCode, 18))
                .col(string_len_null(Components::MaintName, 100))
                .col(string_len(Components::GridCode, 15))
                .col(string_len(Components::Status, 10))
                .col(date(Components::InitialDate))
                .col(date_null(Components::ChangeDate))
                .col(string_len_null(Components::DataSource, 30))
                .col(string_len_null(Components::Note, 1000))
                .col(string_len_null(Components::StreetCode, 9))
                .col(string_len_null(Components::StreetName, 50))
                .col(string_len_null(Components::CommunityCode, 12))
                .col(string_len_null(Components::CommunityName, 50))
                .col(double(Components::Lon))
                .col(double(Components::Lat))
                .col(text_null(Components::Geometry))
                .col(text_null(Components::Extra))
                .col(integer(Components::Version))
                .col(timestamp_with_time_zone(Components::CreatedAt))
                .col(timestamp_with_time_zone(Components::UpdatedAt))
                .foreign_key(&mut tenant_fk((Components::Table, Components::TenantId), "fk_components_tenant"))
                .to_owned(),
        )
        .await?;
        index(m, "ux_components_id", Components::Table, &["tenant_id", "component_id"], true).await?;
        index(m, "ix_components_class", Components::Table, &["tenant_id", "class_code"], false).await?;
        index(m, "ix_components_grid", Components::Table, &["tenant_id", "grid_code"], false).await?;
        index(m, "ix_components_lon", Components::Table, &["tenant_id", "lon"], false).await?;

        m.create_table(
            Table::create()
                .table(ComponentHistory::Table)
                .col(big_pk_auto(ComponentHistory::Id))
                .col(uuid(ComponentHistory::TenantId))
                .col(string_len(ComponentHistory::ComponentId, 17))
                .col(integer(ComponentHistory::Version))
                .col(string_len(ComponentHistory::Action, 16))
                .col(uuid_null(ComponentHistory::ActorId))
                .col(uuid_null(ComponentHistory::JobId))
                .col(timestamp_with_time_zone(ComponentHistory::At))
                .col(text(ComponentHistory::Changes))
                .to_owned(),
        )
        .await?;
        index(m, "ix_component_history", ComponentHistory::Table, &["tenant_id", "component_id", "version"], false)
            .await?;

        m.create_table(
            Table::create()
                .table(ImportJobs::Table)
                .col(pk_uuid(ImportJobs::Id))
                .col(uuid(ImportJobs::TenantId))
                .col(string_len(ImportJobs::Kind, 32))
                .col(string_len(ImportJobs::Format, 16))
                .col(string_len(ImportJobs::Mode, 16))
                .col(boolean(ImportJobs::DryRun))
                .col(string_len(ImportJobs::Status, 16))
                .col(text(ImportJobs::FilePath))
                .col(big_integer(ImportJobs::RowsRead))
                .col(big_integer(ImportJobs::RowsValid))
                .col(big_integer(ImportJobs::RowsWritten))
                .col(big_integer(ImportJobs::RowsFailed))
                .col(text(ImportJobs::Errors))
                .col(text_null(ImportJobs::Message))
                .col(uuid_null(ImportJobs::CreatedBy))
                .col(timestamp_with_time_zone(ImportJobs::CreatedAt))
                .col(timestamp_with_time_zone_null(ImportJobs::StartedAt))
                .col(timestamp_with_time_zone_null(ImportJobs::FinishedAt))
                .foreign_key(&mut tenant_fk((ImportJobs::Table, ImportJobs::TenantId), "fk_import_jobs_tenant"))
                .to_owned(),
        )
        .await?;
        index(m, "ix_import_jobs_status", ImportJobs::Table, &["status"], false).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ImportJobs::Table.into_iden(),
            ComponentHistory::Table.into_iden(),
            Components::Table.into_iden(),
            UnitGrids::Table.into_iden(),
            DutyGridCollectors::Table.into_iden(),
            DutyGrids::Table.into_iden(),
            Communities::Table.into_iden(),
            Streets::Table.into_iden(),
            LegacyClassMap::Table.into_iden(),
            CatalogClasses::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
