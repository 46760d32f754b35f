use sea_orm::entity::prelude::*;

/// A background import with its progress and the first errors.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "import_jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub kind: String,
    pub format: String,
    pub mode: String,
    pub dry_run: bool,
    pub status: String,
    #[sea_orm(column_type = "Text")]
    pub file_path: String,
    pub rows_read: i64,
    pub rows_valid: i64,
    pub rows_written: i64,
    pub rows_failed: i64,
    pub written_through_line: Option<i64>,
    pub encoding: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub errors: String,
    #[sea_orm(column_type = "Text")]
    pub message: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
