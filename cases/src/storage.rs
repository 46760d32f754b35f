//! Where photo bytes are kept: the local disk (the default) or an S3-compatible object store
//! (MinIO, Ceph, Alibaba OSS, Huawei OBS, AWS S3 …), named by content: `photos/<county>/<sha256>`.
//!
//! Objects are written before the database row that names them, so a row always has its bytes;
//! a failed request can leave an unreferenced object behind, never a reference without one. The
//! same bytes uploaded twice are one object.

use kernel::{Error, Result};
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use std::path::{Path, PathBuf};
use std::time::Duration;
use uuid::Uuid;

/// How long a signed request stays valid (it is sent at once).
const SIGNATURE_TTL: Duration = Duration::from_secs(60);

/// Connection details of an S3-compatible store.
#[derive(Debug, Clone)]
pub struct S3Settings {
    /// e.g. `http://minio.internal:9000` or `https://oss-cn-hangzhou.aliyuncs.com`.
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
    /// Path-style URLs (`endpoint/bucket/key`, MinIO's default) rather than virtual hosts.
    pub path_style: bool,
}

/// The photo store of the deployment.
#[derive(Debug, Clone)]
pub enum PhotoStore {
    Disk(PathBuf),
    S3(S3Store),
}

/// An S3 bucket and the credentials to use it.
#[derive(Debug, Clone)]
pub struct S3Store {
    bucket: Bucket,
    credentials: Credentials,
    client: reqwest::Client,
}

fn key(tenant_code: &str, sha: &str) -> String {
    format!("photos/{tenant_code}/{sha}")
}

impl PhotoStore {
    /// Photos under `<data_dir>/photos/`.
    pub fn disk(data_dir: &Path) -> Self {
        PhotoStore::Disk(data_dir.to_path_buf())
    }

    /// An S3-compatible store; fails on settings that cannot form a URL.
    pub fn s3(s: &S3Settings) -> Result<Self> {
        let endpoint =
            s.endpoint.parse().map_err(|e| Error::internal(anyhow::anyhow!("s3 endpoint `{}`: {e}", s.endpoint)))?;
        let style = if s.path_style { UrlStyle::Path } else { UrlStyle::VirtualHost };
        let bucket = Bucket::new(endpoint, style, s.bucket.clone(), s.region.clone())
            .map_err(|e| Error::internal(anyhow::anyhow!("s3 bucket `{}`: {e}", s.bucket)))?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| Error::internal(anyhow::anyhow!("http client: {e}")))?;
        Ok(PhotoStore::S3(S3Store { bucket, credentials: Credentials::new(&s.access_key, &s.secret_key), client }))
    }

    /// Checks at start-up that the store is usable (the bucket exists and answers).
    pub async fn check(&self) -> Result<()> {
        match self {
            PhotoStore::Disk(_) => Ok(()),
            PhotoStore::S3(s) => {
                let url = s.bucket.head_bucket(Some(&s.credentials)).sign(SIGNATURE_TTL);
                let r = s.client.head(url).send().await.map_err(|e| s3_error("HEAD bucket", e))?;
                if r.status().is_success() {
                    Ok(())
                } else {
                    Err(Error::internal(anyhow::anyhow!(
                        "s3 bucket `{}` is not usable: HTTP {}",
                        s.bucket.name(),
                        r.status()
                    )))
                }
            }
        }
    }

    /// Stores the bytes of a photo (once: the name is the content's hash).
    pub async fn put(&self, tenant_code: &str, sha: &str, content_type: &str, bytes: &[u8]) -> Result<()> {
        match self {
            PhotoStore::Disk(dir) => {
                let path = dir.join(key(tenant_code, sha));
                if path.exists() {
                    return Ok(());
                }
                let parent = path.parent().ok_or_else(|| Error::internal(anyhow::anyhow!("no parent")))?;
                tokio::fs::create_dir_all(parent).await.map_err(Error::internal)?;
                // Write then rename: a reader never sees half a file.
                let tmp = path.with_extension(format!("tmp-{}", Uuid::new_v4().simple()));
                tokio::fs::write(&tmp, bytes).await.map_err(Error::internal)?;
                tokio::fs::rename(&tmp, &path).await.map_err(Error::internal)
            }
            PhotoStore::S3(s) => {
                let object = key(tenant_code, sha);
                let url = s.bucket.put_object(Some(&s.credentials), &object).sign(SIGNATURE_TTL);
                let r = s
                    .client
                    .put(url)
                    .header("content-type", content_type)
                    .body(bytes.to_vec())
                    .send()
                    .await
                    .map_err(|e| s3_error("PUT object", e))?;
                if r.status().is_success() {
                    Ok(())
                } else {
                    Err(Error::internal(anyhow::anyhow!("s3 PUT {object}: HTTP {}", r.status())))
                }
            }
        }
    }

    /// The bytes of a stored photo.
    pub async fn get(&self, tenant_code: &str, sha: &str) -> Result<Vec<u8>> {
        match self {
            PhotoStore::Disk(dir) => tokio::fs::read(dir.join(key(tenant_code, sha))).await.map_err(Error::internal),
            PhotoStore::S3(s) => {
                let object = key(tenant_code, sha);
                let url = s.bucket.get_object(Some(&s.credentials), &object).sign(SIGNATURE_TTL);
                let r = s.client.get(url).send().await.map_err(|e| s3_error("GET object", e))?;
                if !r.status().is_success() {
                    return Err(Error::internal(anyhow::anyhow!("s3 GET {object}: HTTP {}", r.status())));
                }
                Ok(r.bytes().await.map_err(|e| s3_error("GET object body", e))?.to_vec())
            }
        }
    }
}

fn s3_error(what: &str, e: reqwest::Error) -> Error {
    Error::internal(anyhow::anyhow!("s3 {what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_named_by_county_and_content() {
        let store = PhotoStore::s3(&S3Settings {
            endpoint: "http://127.0.0.1:9000".into(),
            bucket: "urbangrid".into(),
            region: "us-east-1".into(),
            access_key: "k".into(),
            secret_key: "s".into(),
            path_style: true,
        })
        .unwrap();
        let PhotoStore::S3(s) = store else { panic!("not s3") };
        let url = s.bucket.get_object(Some(&s.credentials), &key("320115", "ab12")).sign(SIGNATURE_TTL);
        assert!(url.as_str().starts_with("http://127.0.0.1:9000/urbangrid/photos/320115/ab12?"), "{url}");
        assert!(url.query().unwrap_or_default().contains("X-Amz-Signature="), "signed: {url}");
    }

    #[tokio::test]
    async fn disk_store_round_trips_and_writes_once() {
        let dir = std::env::temp_dir().join(format!("ug-photos-{}", Uuid::new_v4().simple()));
        let store = PhotoStore::disk(&dir);
        store.put("320115", "abc", "image/png", b"one").await.unwrap();
        store.put("320115", "abc", "image/png", b"two").await.unwrap();
        assert_eq!(store.get("320115", "abc").await.unwrap(), b"one");
        assert!(store.get("320102", "abc").await.is_err(), "another county's name is another object");
        let _ = std::fs::remove_dir_all(dir);
    }
}
