//! sea-orm models of the notification tables (schema:
//! `migrations/src/m20261204_000017_notifications.rs`).

pub mod notification;
pub mod notification_event;

tenancy::tenant_owned!(
    notification::Entity => notification::Column::TenantId,
    notification_event::Entity => notification_event::Column::TenantId,
);
