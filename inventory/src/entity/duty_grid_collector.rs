use sea_orm::entity::prelude::*;

/// A collector (监督员) assigned to a duty grid.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "duty_grid_collectors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub duty_grid_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub tenant_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
