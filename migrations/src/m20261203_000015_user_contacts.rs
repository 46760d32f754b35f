//! A user's contact details: mobile phone, e-mail and staff number (工号), each optional. A staff
//! number is unique within its tenant.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    TenantId,
    Mobile,
    Email,
    StaffNumber,
}

const STAFF_INDEX: &str = "users_tenant_staff_number";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for (column, len) in [(Users::Mobile, 20), (Users::Email, 254), (Users::StaffNumber, 32)] {
            m.alter_table(
                Table::alter().table(Users::Table).add_column(ColumnDef::new(column).string_len(len).null()).to_owned(),
            )
            .await?;
        }
        // NULLs are distinct in a unique index on both databases: many users without a number.
        m.create_index(
            Index::create()
                .name(STAFF_INDEX)
                .table(Users::Table)
                .col(Users::TenantId)
                .col(Users::StaffNumber)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(STAFF_INDEX).table(Users::Table).to_owned()).await?;
        for column in [Users::StaffNumber, Users::Email, Users::Mobile] {
            m.alter_table(Table::alter().table(Users::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
