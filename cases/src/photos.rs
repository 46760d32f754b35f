//! Photos: the type is sniffed from the content (JPEG, PNG, WebP — whatever the client claims),
//! the size is limited, and the bytes are stored once per tenant under their SHA-256 (on disk or
//! in an object store, see [`crate::storage`]). A photo is served only through a case that
//! references it, to users who may see that case.

use kernel::{Error, ErrorCode, Result};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tenancy::TenantRef;
use tenancy::{InTenant, TenantOwned};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::OrInternal;
use crate::entity::{case_event, photo};
use crate::storage::PhotoStore;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Photo {
    /// Put this id in a report's or a feedback's `photos`.
    pub id: Uuid,
    /// `image/jpeg`, `image/png` or `image/webp`, from the content.
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

/// The image type of the bytes, by their signature.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some("image/png"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        _ => None,
    }
}

/// Stores an uploaded photo of a tenant.
pub async fn store(
    db: &DatabaseConnection,
    store: &PhotoStore,
    tenant: &TenantRef,
    uploader: Option<Uuid>,
    bytes: &[u8],
) -> Result<Photo> {
    let content_type = sniff(bytes)
        .ok_or_else(|| Error::new(ErrorCode::UnsupportedMedia, "the content is not a JPEG, PNG or WebP image"))?;
    let sha = hex::encode(Sha256::digest(bytes));
    store.put(tenant.code().as_str(), &sha, content_type, bytes).await?;
    let m = photo::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant.id().0),
        sha256: Set(sha),
        content_type: Set(content_type.to_owned()),
        size: Set(bytes.len() as i64),
        uploaded_by: Set(uploader),
        created_at: Set(crate::now()),
    };
    let m = photo::Entity::insert(m).exec_with_returning(db).await.or_internal()?;
    Ok(Photo { id: m.id, content_type: m.content_type, size: m.size, sha256: m.sha256 })
}

/// Checks that photo ids are photos of the tenant; reports each bad one.
pub async fn check_ids<C: sea_orm::ConnectionTrait>(db: &C, tenant: &impl InTenant, ids: &[String]) -> Result<()> {
    check_fields(db, tenant, &[("photos", ids)]).await
}

/// [`check_ids`] for several fields of photo ids (`photos`, `after_photos`), each bad id named
/// by its field and position.
pub async fn check_fields<C: sea_orm::ConnectionTrait>(
    db: &C,
    tenant: &impl InTenant,
    fields: &[(&str, &[String])],
) -> Result<()> {
    let mut v = kernel::Validator::new();
    for (field, ids) in fields {
        for (i, id) in ids.iter().enumerate() {
            let found = match Uuid::parse_str(id) {
                Ok(u) => photo::Entity::find_by_id_in(tenant, u).one(db).await.or_internal()?.is_some(),
                Err(_) => false,
            };
            if !found {
                v.add(format!("{field}[{i}]"), "no such uploaded photo in this county");
            }
        }
    }
    v.finish()
}

/// The bytes and type of a photo referenced by a case the actor may see.
pub async fn read(
    db: &DatabaseConnection,
    store: &PhotoStore,
    scope: &tenancy::TenantScope,
    actor: &workflow::Actor,
    case_id: Uuid,
    photo_id: Uuid,
) -> Result<(String, Vec<u8>)> {
    let c = crate::query::find_visible(db, scope, actor, case_id).await?;
    let referenced =
        case_event::Entity::find().filter(case_event::Column::CaseId.eq(c.id)).all(db).await.or_internal()?.iter().any(
            |e| {
                serde_json::from_str::<serde_json::Value>(&e.payload).ok().is_some_and(|p| {
                    // A report's photos, a 自处置's after photos, a feedback's photos.
                    ["photos", "after_photos"]
                        .iter()
                        .filter_map(|f| p.get(f).and_then(|ph| ph.as_array()))
                        .any(|list| list.iter().any(|v| v.as_str() == Some(photo_id.to_string().as_str())))
                })
            },
        );
    let p = photo::Entity::find_by_id_in(scope, photo_id)
        .one(db)
        .await
        .or_internal()?
        .filter(|_| referenced)
        .ok_or_else(|| Error::not_found("photo"))?;
    let bytes = store.get(scope.tenant().code().as_str(), &p.sha256).await?;
    Ok((p.content_type, bytes))
}

#[cfg(test)]
mod tests {
    use super::sniff;

    #[test]
    fn sniffs_by_signature_not_by_name() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b"<svg onload=alert(1)>"), None);
    }
}
