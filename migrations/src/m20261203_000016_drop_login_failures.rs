//! Drops `login_failures`: login throttling counts in `login_attempts` (atomically, before the
//! password is checked), and nothing has read or written the old table since. `down` recreates
//! it exactly as `m20261127_000001_tenancy` made it (empty: its rows were never used).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LoginFailures {
    Table,
    Id,
    Account,
    Source,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Dropping the table drops its two indexes with it.
        m.drop_table(Table::drop().table(LoginFailures::Table).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
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
        for (name, column) in
            [("ix_login_failures_account", LoginFailures::Account), ("ix_login_failures_source", LoginFailures::Source)]
        {
            m.create_index(
                Index::create().name(name).table(LoginFailures::Table).col(column).col(LoginFailures::At).to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
