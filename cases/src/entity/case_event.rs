use sea_orm::entity::prelude::*;

/// One event of a case, linked to the previous one by its hash.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "case_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: Uuid,
    pub case_id: Uuid,
    pub seq: i32,
    pub action: String,
    pub actor_id: Option<String>,
    pub role: Option<String>,
    pub at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    /// The deadline of the stage the case entered with this event (see [`workflow::Event::due`]).
    pub due: Option<DateTimeUtc>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
