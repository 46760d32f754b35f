//! Small helpers shared by the migrations.

use sea_orm_migration::prelude::*;

/// Creates an index on `cols` of `table` (unique if asked).
pub(crate) async fn index(
    m: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    cols: &[&str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for c in cols {
        stmt.col(Alias::new(*c));
    }
    if unique {
        stmt.unique();
    }
    m.create_index(stmt.to_owned()).await
}
