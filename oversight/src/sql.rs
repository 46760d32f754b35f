//! Plain SQL for the wide reads of evaluation (one statement per table, no per-row queries).

use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement, Value};

use kernel::Result;
use tenancy::db::OrInternal;

/// A statement written with PostgreSQL's `$1, $2 …` placeholders, rewritten for SQLite
/// (`?1, ?2 …`, which SQLite numbers the same way).
pub fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => sql.to_owned(),
        _ => sql.replace('$', "?"),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

pub async fn all<T: FromQueryResult, C: ConnectionTrait>(db: &C, sql: &str, values: Vec<Value>) -> Result<Vec<T>> {
    let stmt = statement(db.get_database_backend(), sql, values);
    T::find_by_statement(stmt).all(db).await.or_internal()
}
