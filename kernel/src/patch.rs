//! PATCH semantics: a field that is absent leaves the value alone; `null` clears it.

use serde::{Deserialize, Deserializer};

/// Use with `#[serde(default, deserialize_with = "kernel::patch::double_option")]` on an
/// `Option<Option<T>>`: absent → `None`, `null` → `Some(None)`, a value → `Some(Some(v))`.
pub fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}
