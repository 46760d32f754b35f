use sea_orm::entity::prelude::*;

/// A directive: a source-governance recommendation (`governance`) or a city supervision order
/// (`city_order`), stored in the county it concerns.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "directives")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub issuer_tenant_id: Uuid,
    pub kind: String,
    pub case_id: Option<Uuid>,
    #[sea_orm(column_type = "Text", nullable)]
    pub pattern: Option<String>,
    pub department_id: Option<Uuid>,
    pub addressee: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub due_at: DateTimeUtc,
    pub status: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub response: Option<String>,
    pub responded_at: Option<DateTimeUtc>,
    pub responded_by: Option<Uuid>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
