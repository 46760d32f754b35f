use sea_orm::entity::prelude::*;

/// One change of a component: who, when, what (field → [old, new]).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "component_history")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: Uuid,
    pub component_id: String,
    pub version: i32,
    pub action: String,
    pub actor_id: Option<Uuid>,
    pub job_id: Option<Uuid>,
    pub at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub changes: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
