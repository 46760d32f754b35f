pub mod directive;

tenancy::tenant_owned!(directive::Entity => directive::Column::TenantId);
