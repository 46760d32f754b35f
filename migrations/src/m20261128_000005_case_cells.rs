//! A coarse location cell on every case, so the duplicate search at intake reads a handful of
//! index entries instead of every case of the class along a strip of longitude.
//!
//! `cell` numbers a grid of 0.001° × 0.001° squares (about 111 m × 95 m in China), row-major from
//! (−90°, −180°): `floor((lat + 90) · 1000) · 400 000 + floor((lon + 180) · 1000)`. The same formula
//! lives in `cases::duplicates::cell`; existing rows are filled in here.

use sea_orm_migration::prelude::*;

use crate::helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cases {
    Table,
    Cell,
}

/// Adds `cases.cell`, fills it and indexes it (also the way back from its removal in `000008`).
pub(crate) async fn add_cells(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.alter_table(
        Table::alter()
            .table(Cases::Table)
            .add_column(ColumnDef::new(Cases::Cell).big_integer().not_null().default(0))
            .to_owned(),
    )
    .await?;
    // Coordinates are shifted to be positive, so truncation (SQLite's CAST) is the floor.
    let fill = match m.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => {
            "UPDATE cases SET cell = floor((lat + 90) * 1000)::bigint * 400000 + floor((lon + 180) * 1000)::bigint"
        }
        _ => {
            "UPDATE cases SET cell = CAST((lat + 90) * 1000 AS INTEGER) * 400000 + CAST((lon + 180) * 1000 AS INTEGER)"
        }
    };
    m.get_connection().execute_unprepared(fill).await?;
    index(m, "ix_cases_class_cell", Cases::Table, &["tenant_id", "class_code", "cell"], false).await
}

/// Removes what [`add_cells`] added.
pub(crate) async fn drop_cells(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.drop_index(Index::drop().name("ix_cases_class_cell").table(Cases::Table).to_owned()).await?;
    m.alter_table(Table::alter().table(Cases::Table).drop_column(Cases::Cell).to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_cells(m).await?;
        m.drop_index(Index::drop().name("ix_cases_class_lon").table(Alias::new("cases")).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        index(m, "ix_cases_class_lon", Alias::new("cases"), &["tenant_id", "class_code", "lon"], false).await?;
        drop_cells(m).await
    }
}
