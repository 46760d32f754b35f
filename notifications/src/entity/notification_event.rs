use sea_orm::entity::prelude::*;

/// Something that happened and is worth telling someone: the outbox row (see the migration).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub kind: String,
    pub case_id: Option<Uuid>,
    pub case_number: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub params: String,
    pub dedupe: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
