use sea_orm::entity::prelude::*;

/// One audit record, a link of its tenant's hash chain (see [`crate::audit`]).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_records")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: Uuid,
    /// 1, 2, 3 … within the tenant.
    pub seq: i64,
    pub at: DateTimeUtc,
    pub actor_id: Option<Uuid>,
    /// The actor's user name (or the account a failed login named).
    pub actor: String,
    pub kind: String,
    pub target: String,
    pub source: String,
    pub request_id: Option<String>,
    /// JSON: the before/after summary.
    pub summary: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
