//! Migrations run up → down → up on the suite's backend and leave the same schema: the same
//! tables, columns (type, nullability, default), indexes and constraints, not only the same
//! table names.

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use tests::{Backend, fresh_database};

/// Rows of a catalogue query, each rendered as one line.
async fn lines(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    rows.iter().map(|r| r.try_get::<String>("", "line").unwrap()).collect()
}

/// Everything of the schema that a migration sets, one line per object, sorted. The migration
/// ledger is left out (its rows record when each migration ran).
async fn schema(db: &DatabaseConnection) -> Vec<String> {
    let queries: &[&str] = match db.get_database_backend() {
        DbBackend::Postgres => &[
            "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || \
             CASE WHEN is_nullable = 'YES' THEN ' null' ELSE ' not null' END || \
             COALESCE(' default ' || column_default, '') AS line \
             FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'seaql_migrations'",
            "SELECT 'index ' || tablename || ' ' || indexdef AS line FROM pg_indexes \
             WHERE schemaname = 'public' AND tablename <> 'seaql_migrations'",
            "SELECT 'constraint ' || c.conrelid::regclass::text || ' ' || c.conname || ' ' || \
             pg_get_constraintdef(c.oid) AS line FROM pg_constraint c \
             JOIN pg_namespace n ON n.oid = c.connamespace \
             WHERE n.nspname = 'public' AND c.conrelid::regclass::text <> 'seaql_migrations'",
            "SELECT 'trigger ' || event_object_table || ' ' || trigger_name || ' ' || action_timing || ' ' || \
             event_manipulation AS line FROM information_schema.triggers WHERE trigger_schema = 'public'",
            "SELECT 'function ' || p.proname || ' ' || md5(p.prosrc) AS line FROM pg_proc p \
             JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'",
        ],
        // SQLite: columns and foreign keys from its pragmas (a column re-added by an `ALTER TABLE`
        // lands last, so the CREATE text of a table depends on history; the column set does not),
        // indexes and triggers by their CREATE statements.
        _ => &[
            "SELECT 'column ' || m.name || '.' || p.name || ' ' || p.type || \
             CASE WHEN p.\"notnull\" THEN ' not null' ELSE ' null' END || \
             COALESCE(' default ' || p.dflt_value, '') || ' pk' || p.pk AS line \
             FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'seaql_migrations'",
            "SELECT 'foreign key ' || m.name || '.' || f.\"from\" || ' -> ' || f.\"table\" || '.' || f.\"to\" || \
             ' on delete ' || f.on_delete AS line \
             FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'",
            "SELECT type || ' ' || name || ' ' || COALESCE(sql, '') AS line FROM sqlite_master \
             WHERE type IN ('index', 'trigger', 'view') AND tbl_name <> 'seaql_migrations'",
        ],
    };
    let mut all = Vec::new();
    for q in queries {
        all.extend(lines(db, q).await);
    }
    all.sort();
    all
}

async fn tables(db: &DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT table_name AS line FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"
        }
        _ => "SELECT name AS line FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1",
    };
    lines(db, sql).await
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
    let first = schema(&db).await;
    let names = tables(&db).await;
    assert!(names.contains(&"tenants".to_owned()) && names.contains(&"casbin_rule".to_owned()), "{names:?}");
    assert!(first.iter().any(|l| l.contains("index")), "the dump sees indexes: {first:?}");
    assert!(!names.contains(&"login_failures".to_owned()), "the unused login_failures table is dropped");
    Migrator::down(&db, None).await.unwrap();
    assert_eq!(tables(&db).await, ["seaql_migrations"], "down leaves only the migration ledger");
    assert!(schema(&db).await.is_empty(), "down leaves no index, constraint, trigger or function behind");
    Migrator::up(&db, None).await.unwrap();
    let again = schema(&db).await;
    let missing: Vec<_> = first.iter().filter(|l| !again.contains(l)).collect();
    let extra: Vec<_> = again.iter().filter(|l| !first.contains(l)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "schema differs after up → down → up: missing {missing:#?}, extra {extra:#?}"
    );
    assert!(Migrator::get_pending_migrations(&db).await.unwrap().is_empty());
}

/// Each migration's `down` undoes exactly its own `up`: stepping down one at a time and up again
/// returns, at every step, to the schema that step had on the way up.
#[tokio::test]
async fn each_down_undoes_its_up() {
    let (backend, url, dir, _scratch) = fresh_database().await;
    let url = match backend {
        Backend::Postgres => url.unwrap(),
        Backend::Sqlite => {
            std::fs::create_dir_all(&dir).unwrap();
            format!("sqlite://{}?mode=rwc", dir.join("m.sqlite").display())
        }
    };
    let db = Database::connect(&url).await.unwrap();
    let count = Migrator::migrations().len() as u32;
    let mut on_the_way_up = vec![schema(&db).await];
    for _ in 0..count {
        Migrator::up(&db, Some(1)).await.unwrap();
        on_the_way_up.push(schema(&db).await);
    }
    for step in (0..count as usize).rev() {
        Migrator::down(&db, Some(1)).await.unwrap();
        let now = schema(&db).await;
        let before = &on_the_way_up[step];
        let missing: Vec<_> = before.iter().filter(|l| !now.contains(l)).collect();
        let extra: Vec<_> = now.iter().filter(|l| !before.contains(l)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "undoing migration {} left the schema different: missing {missing:#?}, extra {extra:#?}",
            step + 1
        );
    }
}
