use sea_orm::entity::prelude::*;

/// A class of the catalogue: national (tenant_id NULL) or a local extension of a tenant.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "catalog_classes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub standard: String,
    pub kind: String,
    pub major_code: String,
    pub major_name: String,
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    pub tenant_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
