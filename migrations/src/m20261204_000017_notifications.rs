//! Notifications (the console's bell) and their outbox.
//!
//! * `notification_events`: one row per thing that happened and is worth telling someone — a task
//!   dispatched, a deadline turning yellow or red, a 督办, an approval waiting, an import finished —
//!   written in the transaction of the change that caused it. It is the outbox the webhooks read
//!   (stable `id`, `kind`, `tenant_id`, `created_at`; its `params` say what happened, never a
//!   rendered text). `dedupe` makes a timer's notice once-only (a deadline turning yellow is noted
//!   once per stage, however many servers sweep): unique per tenant, NULL for everything else
//!   (NULLs are distinct in a unique index on both databases).
//! * `notifications`: one row per recipient of an event, with the event's fields copied (the bell
//!   lists and counts without a join) and `read_at`. Listed newest first by `(user_id, id)`; the
//!   unread count reads a partial index of the unread rows only.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum NotificationEvents {
    Table,
    Id,
    TenantId,
    Kind,
    CaseId,
    CaseNumber,
    Params,
    Dedupe,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    TenantId,
    EventId,
    UserId,
    Kind,
    CaseId,
    CaseNumber,
    Params,
    CreatedAt,
    ReadAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(NotificationEvents::Table)
                .col(uuid(NotificationEvents::Id).primary_key())
                .col(uuid(NotificationEvents::TenantId))
                .col(string_len(NotificationEvents::Kind, 32))
                .col(uuid_null(NotificationEvents::CaseId))
                .col(string_len_null(NotificationEvents::CaseNumber, 32))
                .col(text(NotificationEvents::Params))
                .col(string_len_null(NotificationEvents::Dedupe, 160))
                .col(timestamp_with_time_zone(NotificationEvents::CreatedAt))
                .to_owned(),
        )
        .await?;
        // The outbox is read per tenant in id (= time) order.
        crate::helpers::index(
            m,
            "ix_notification_events_tenant_id",
            NotificationEvents::Table,
            &["tenant_id", "id"],
            false,
        )
        .await?;
        crate::helpers::index(
            m,
            "ux_notification_events_dedupe",
            NotificationEvents::Table,
            // Dedupe first: the yellow pass asks for keys across tenants.
            &["dedupe", "tenant_id"],
            true,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Notifications::Table)
                .col(uuid(Notifications::Id).primary_key())
                .col(uuid(Notifications::TenantId))
                .col(uuid(Notifications::EventId))
                .col(uuid(Notifications::UserId))
                .col(string_len(Notifications::Kind, 32))
                .col(uuid_null(Notifications::CaseId))
                .col(string_len_null(Notifications::CaseNumber, 32))
                .col(text(Notifications::Params))
                .col(timestamp_with_time_zone(Notifications::CreatedAt))
                .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                .to_owned(),
        )
        .await?;
        crate::helpers::index(m, "ix_notifications_user_id", Notifications::Table, &["user_id", "id"], false).await?;
        // The unread count and the unread filter: only unread rows are in it.
        m.create_index(
            Index::create()
                .name("ix_notifications_unread")
                .table(Notifications::Table)
                .col(Notifications::UserId)
                .col(Notifications::Id)
                .and_where(Expr::col(Notifications::ReadAt).is_null())
                .to_owned(),
        )
        .await?;
        crate::helpers::index(m, "ix_notifications_event", Notifications::Table, &["event_id"], false).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Notifications::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(NotificationEvents::Table).to_owned()).await
    }
}
