use sea_orm::entity::prelude::*;

/// A census component (管理部件) with the 18 standard attributes of GB/T 47678.5 表2.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "components")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub component_id: String,
    pub legacy_id: Option<String>,
    pub class_code: String,
    pub name: String,
    pub dept_code: String,
    pub dept_name: String,
    pub owner_code: Option<String>,
    pub owner_name: Option<String>,
    pub maint_code: Option<String>,
    pub maint_name: Option<String>,
    pub grid_code: String,
    pub status: String,
    pub initial_date: Date,
    pub change_date: Option<Date>,
    pub data_source: Option<String>,
    pub note: Option<String>,
    pub street_code: Option<String>,
    pub street_name: Option<String>,
    pub community_code: Option<String>,
    pub community_name: Option<String>,
    pub lon: f64,
    pub lat: f64,
    #[sea_orm(column_type = "Text")]
    pub geometry: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub extra: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
