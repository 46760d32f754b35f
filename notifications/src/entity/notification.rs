use sea_orm::entity::prelude::*;

/// One recipient's copy of a notification event, with its read mark.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub event_id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub case_id: Option<Uuid>,
    pub case_number: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub params: String,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
