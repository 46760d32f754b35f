//! Migrations run up → down → up on the suite's backend and leave the same schema.

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use tests::{Backend, fresh_database};

async fn tables(db: &sea_orm::DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"
        }
        _ => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1",
    };
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "name").unwrap())
        .collect()
}

#[tokio::test]
async fn up_down_up() {
    let (backend, url, dir, _scratch) = fresh_database().await;
    let url = match backend {
        Backend::Postgres => url.unwrap(),
        Backend::Sqlite => {
            std::fs::create_dir_all(&dir).unwrap();
            format!("sqlite://{}?mode=rwc", dir.join("m.sqlite").display())
        }
    };
    let db = Database::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let first = tables(&db).await;
    assert!(first.contains(&"tenants".to_owned()) && first.contains(&"casbin_rule".to_owned()), "{first:?}");
    Migrator::down(&db, None).await.unwrap();
    let empty = tables(&db).await;
    assert_eq!(empty, ["seaql_migrations"], "down leaves only the migration ledger");
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(tables(&db).await, first);
    assert!(Migrator::get_pending_migrations(&db).await.unwrap().is_empty());
}
