//! Census imports say which records they stored: `import_jobs.written_through_line` is the line
//! (or feature index) up to which every valid record is stored and after which none is. A
//! `partial` import commits its batches in file order, so even a job that broke off part-way
//! reports exactly what it wrote. `import_jobs.encoding` is the text encoding a CSV upload was
//! read in (UTF-8 or GB18030, given or detected), so the job says how its file was understood.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ImportJobs {
    Table,
    WrittenThroughLine,
    Encoding,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        m.alter_table(
            Table::alter()
                .table(ImportJobs::Table)
                .add_column(ColumnDef::new(ImportJobs::WrittenThroughLine).big_integer().null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(ImportJobs::Table)
                .add_column(ColumnDef::new(ImportJobs::Encoding).string().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Plain SQL: both PostgreSQL and SQLite (3.35+) drop a column in place.
        m.get_connection().execute_unprepared("ALTER TABLE import_jobs DROP COLUMN encoding").await?;
        m.get_connection().execute_unprepared("ALTER TABLE import_jobs DROP COLUMN written_through_line").await?;
        Ok(())
    }
}
