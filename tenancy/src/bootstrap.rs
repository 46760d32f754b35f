//! What an empty database needs before anyone can log in: the platform root tenant `000000`,
//! its administrator `admin`, and the default role permissions.

use kernel::{Error, Result, TenantCode};
use rand::seq::{IndexedRandom, SliceRandom};
use sea_orm::{DatabaseConnection, TransactionTrait};

use crate::db::OrInternal;
use crate::roles::Role;
use crate::user::{ValidNewUser, insert};

pub const PLATFORM_NAME: &str = "UrbanGrid 平台";
pub const PLATFORM_ADMIN: &str = "admin";

/// A random password that satisfies the strength rule (20 characters, all four classes).
pub fn random_password() -> String {
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGIT: &[u8] = b"23456789";
    const SYMBOL: &[u8] = b"-_.!@#%+=";
    let mut rng = rand::rng();
    let all: Vec<u8> = [LOWER, UPPER, DIGIT, SYMBOL].concat();
    let mut chars: Vec<u8> =
        [LOWER, UPPER, DIGIT, SYMBOL].iter().filter_map(|set| set.choose(&mut rng).copied()).collect();
    while chars.len() < 20 {
        if let Some(c) = all.choose(&mut rng) {
            chars.push(*c);
        }
    }
    chars.shuffle(&mut rng);
    String::from_utf8(chars).unwrap_or_default()
}

/// Creates the platform tenant and its administrator on an empty database.
///
/// Returns the generated password when none was configured, so the caller can print it once.
pub async fn ensure_platform(db: &DatabaseConnection, admin_password: Option<String>) -> Result<Option<String>> {
    crate::authz::ensure_default_policies(db).await?;
    if crate::tenant::any_exists(db).await? {
        return Ok(None);
    }
    let (password, generated) = match admin_password {
        Some(p) => {
            crate::password::check_strength(&p, PLATFORM_ADMIN)
                .map_err(|reason| Error::invalid("URBANGRID_ADMIN_PASSWORD", reason))?;
            (p, false)
        }
        None => (random_password(), true),
    };
    let hash = crate::password::hash(password.clone()).await?;
    let txn = db.begin().await.or_internal()?;
    let root = crate::tenant::insert_raw(&txn, TenantCode::PLATFORM, PLATFORM_NAME, None).await?;
    let admin = ValidNewUser {
        username: PLATFORM_ADMIN.into(),
        display_name: "平台管理员".into(),
        password: password.clone(),
        department_id: None,
        roles: vec![Role::PlatformAdmin],
        contacts: Default::default(),
    };
    insert(&txn, &root, admin, hash).await?;
    txn.commit().await.or_internal()?;
    tracing::info!("platform tenant 000000 and its administrator `admin` created");
    Ok(generated.then_some(password))
}
