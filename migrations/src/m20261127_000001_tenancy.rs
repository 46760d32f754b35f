//! Tenants, departments, users, sessions and refresh tokens, login failures (dropped in
//! `m20261203_000016`), casbin rules,
//! and the version counters that tell replicas to reload in-memory state.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    Code,
    Name,
    Level,
    ParentId,
    Status,
    TimeZone,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Departments {
    Table,
    Id,
    TenantId,
    Name,
    Uscc,
    ParentId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    TenantId,
    Username,
    DisplayName,
    PasswordHash,
    Status,
    DepartmentId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    TenantId,
    UserId,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    SessionId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum LoginFailures {
    Table,
    Id,
    Account,
    Source,
    At,
}

#[derive(DeriveIden)]
enum CasbinRule {
    Table,
    Id,
    Ptype,
    V0,
    V1,
    V2,
    V3,
    V4,
    V5,
}

#[derive(DeriveIden)]
enum SyncVersions {
    Table,
    Name,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Tenants::Table)
                .col(pk_uuid(Tenants::Id))
                .col(string_len_uniq(Tenants::Code, 6))
                .col(string_len(Tenants::Name, 100))
                .col(string_len(Tenants::Level, 16))
                .col(uuid_null(Tenants::ParentId))
                .col(string_len(Tenants::Status, 16))
                .col(string_len(Tenants::TimeZone, 64))
                .col(timestamp_with_time_zone(Tenants::CreatedAt))
                .col(timestamp_with_time_zone(Tenants::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_tenants_parent")
                        .from(Tenants::Table, Tenants::ParentId)
                        .to(Tenants::Table, Tenants::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_tenants_parent").table(Tenants::Table).col(Tenants::ParentId).to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Departments::Table)
                .col(pk_uuid(Departments::Id))
                .col(uuid(Departments::TenantId))
                .col(string_len(Departments::Name, 100))
                .col(string_len(Departments::Uscc, 18))
                .col(uuid_null(Departments::ParentId))
                .col(timestamp_with_time_zone(Departments::CreatedAt))
                .col(timestamp_with_time_zone(Departments::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_departments_tenant")
                        .from(Departments::Table, Departments::TenantId)
                        .to(Tenants::Table, Tenants::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_departments_parent")
                        .from(Departments::Table, Departments::ParentId)
                        .to(Departments::Table, Departments::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_departments_tenant_uscc")
                .table(Departments::Table)
                .col(Departments::TenantId)
                .col(Departments::Uscc)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(pk_uuid(Users::Id))
                .col(uuid(Users::TenantId))
                .col(string_len(Users::Username, 64))
                .col(string_len(Users::DisplayName, 100))
                .col(string_len(Users::PasswordHash, 255))
                .col(string_len(Users::Status, 16))
                .col(uuid_null(Users::DepartmentId))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .col(timestamp_with_time_zone(Users::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_users_tenant")
                        .from(Users::Table, Users::TenantId)
                        .to(Tenants::Table, Tenants::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_users_department")
                        .from(Users::Table, Users::DepartmentId)
                        .to(Departments::Table, Departments::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_users_tenant_username")
                .table(Users::Table)
                .col(Users::TenantId)
                .col(Users::Username)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(pk_uuid(Sessions::Id))
                .col(uuid(Sessions::TenantId))
                .col(uuid(Sessions::UserId))
                .col(timestamp_with_time_zone(Sessions::CreatedAt))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .col(timestamp_with_time_zone_null(Sessions::RevokedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_sessions_user")
                        .from(Sessions::Table, Sessions::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_sessions_user").table(Sessions::Table).col(Sessions::UserId).to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RefreshTokens::Table)
                .col(pk_uuid(RefreshTokens::Id))
                .col(uuid(RefreshTokens::SessionId))
                .col(string_len_uniq(RefreshTokens::TokenHash, 64))
                .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
                .col(timestamp_with_time_zone(RefreshTokens::ExpiresAt))
                .col(timestamp_with_time_zone_null(RefreshTokens::UsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_refresh_tokens_session")
                        .from(RefreshTokens::Table, RefreshTokens::SessionId)
                        .to(Sessions::Table, Sessions::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(LoginFailures::Table)
                .col(big_pk_auto(LoginFailures::Id))
                .col(string_len(LoginFailures::Account, 80))
                .col(string_len(LoginFailures::Source, 64))
                .col(timestamp_with_time_zone(LoginFailures::At))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_login_failures_account")
                .table(LoginFailures::Table)
                .col(LoginFailures::Account)
                .col(LoginFailures::At)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_login_failures_source")
                .table(LoginFailures::Table)
                .col(LoginFailures::Source)
                .col(LoginFailures::At)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CasbinRule::Table)
                .col(big_pk_auto(CasbinRule::Id))
                .col(string_len(CasbinRule::Ptype, 12))
                .col(string_len(CasbinRule::V0, 128).default(""))
                .col(string_len(CasbinRule::V1, 128).default(""))
                .col(string_len(CasbinRule::V2, 128).default(""))
                .col(string_len(CasbinRule::V3, 128).default(""))
                .col(string_len(CasbinRule::V4, 128).default(""))
                .col(string_len(CasbinRule::V5, 128).default(""))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_casbin_rule")
                .table(CasbinRule::Table)
                .col(CasbinRule::Ptype)
                .col(CasbinRule::V0)
                .col(CasbinRule::V1)
                .col(CasbinRule::V2)
                .col(CasbinRule::V3)
                .col(CasbinRule::V4)
                .col(CasbinRule::V5)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(SyncVersions::Table)
                .col(string_len(SyncVersions::Name, 64).primary_key())
                .col(big_integer(SyncVersions::Version))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SyncVersions::Table.into_iden(),
            CasbinRule::Table.into_iden(),
            LoginFailures::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            Sessions::Table.into_iden(),
            Users::Table.into_iden(),
            Departments::Table.into_iden(),
            Tenants::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
