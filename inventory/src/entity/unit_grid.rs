use sea_orm::entity::prelude::*;

/// A unit grid (单元网格) with its GeoJSON geometry and bounding box.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "unit_grids")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub code: String,
    pub legacy_code: Option<String>,
    pub name: Option<String>,
    pub street_code: String,
    pub community_code: String,
    pub duty_grid_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub geometry: String,
    pub area_m2: f64,
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
