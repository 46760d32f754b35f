//! Cases as the in-memory index of recent open cases (`cases::recent`) needs them.
//!
//! - The location cell of `000005` goes: the duplicate search no longer reads the database, no
//!   query reads `cases.cell` any more, and every new case paid for the column and its index.
//! - `cases.replica`: the server that last wrote the row (NULL: a tool — the history writer of
//!   demo data, a migration). A server catching up with the others' changes reads only rows
//!   another server wrote, instead of reading its own writes back.

use sea_orm_migration::prelude::*;

use crate::m20261128_000005_case_cells::{add_cells, drop_cells};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cases {
    Table,
    Replica,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_cells(m).await?;
        m.alter_table(
            Table::alter().table(Cases::Table).add_column(ColumnDef::new(Cases::Replica).uuid().null()).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Cases::Table).drop_column(Cases::Replica).to_owned()).await?;
        add_cells(m).await
    }
}
