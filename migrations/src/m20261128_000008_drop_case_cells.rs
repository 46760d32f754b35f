//! The location cell of `000005` goes: the duplicate search at intake now looks up recent open
//! cases in memory (`cases::recent`), and no query reads `cases.cell` any more, while every new
//! case paid for the column and its index.

use sea_orm_migration::prelude::*;

use crate::m20261128_000005_case_cells::{add_cells, drop_cells};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_cells(m).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_cells(m).await
    }
}
