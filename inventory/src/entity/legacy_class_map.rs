use sea_orm::entity::prelude::*;

/// A legacy (CJ/T 214) 4-digit class mapped to its GB/T 47678.5 class.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "legacy_class_map")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub legacy_standard: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub legacy_code: String,
    pub legacy_name: String,
    pub code: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
