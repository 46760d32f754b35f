use sea_orm::entity::prelude::*;

/// A case: denormalised columns for lists and filters, and the full projection of its events.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub number: String,
    pub state: String,
    pub source: String,
    pub kind: String,
    pub class_code: String,
    pub description: String,
    pub address: Option<String>,
    pub lon: f64,
    pub lat: f64,
    pub grid_code: String,
    pub community_code: String,
    pub street_code: String,
    pub duty_grid_id: Option<Uuid>,
    pub component_id: Option<String>,
    pub reporter_id: Option<Uuid>,
    pub urgent: bool,
    pub department_id: Option<Uuid>,
    pub overdue: bool,
    pub deadline: Option<DateTimeUtc>,
    pub tracking_code: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub projection: String,
    pub last_hash: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The server that last wrote the row ([`crate::recent::RecentCases::replica`]); `None` for
    /// rows written by a tool (demo data, generated histories).
    pub replica: Option<Uuid>,
    pub closed_at: Option<DateTimeUtc>,
    /// The events packed for evaluation ([`evaluation::timeline`]); appended with each event.
    pub timeline: Option<Vec<u8>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
