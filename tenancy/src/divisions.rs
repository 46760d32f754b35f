//! The GB/T 2260 administrative divisions we ship (the 2023 list of provinces, prefecture-level
//! cities and county-level areas), used to check a new tenant's code and name.
//!
//! The list changes every year or two (districts merge, counties become districts), so a code
//! that is not in it can still be created, but only on purpose: the caller says `unlisted` and
//! supplies the name (the audit trail records who created it).

use std::collections::HashMap;
use std::sync::LazyLock;

/// The edition of the shipped list, named in error messages.
pub const EDITION: &str = "2023";

const TSV: &str = include_str!("../data/admin-divisions-2023.tsv");

/// One division as the list names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Division {
    pub code: &'static str,
    pub name: &'static str,
    /// `province`, `city` or `county`.
    pub level: &'static str,
    pub parent_code: &'static str,
}

static BY_CODE: LazyLock<HashMap<&'static str, Division>> = LazyLock::new(|| {
    TSV.lines()
        .skip(1)
        .filter_map(|line| {
            let mut f = line.split('\t');
            let (level, code, name, parent_code) = (f.next()?, f.next()?, f.next()?, f.next()?);
            Some((code, Division { code, name, level, parent_code: parent_code.trim_end() }))
        })
        .collect()
});

/// The listed division with this code, if any.
pub fn lookup(code: &str) -> Option<Division> {
    BY_CODE.get(code).copied()
}

/// The listed divisions in list order (code order), filtered: beneath `parent` (its direct
/// children), at `level`, and whose code starts with or name contains `q`.
pub fn search(parent: Option<&str>, level: Option<&str>, q: Option<&str>) -> Vec<Division> {
    let mut out: Vec<Division> = BY_CODE
        .values()
        .filter(|d| parent.is_none_or(|p| d.parent_code == p))
        .filter(|d| level.is_none_or(|l| d.level == l))
        .filter(|d| q.is_none_or(|q| d.code.starts_with(q) || d.name.contains(q) || tenant_name(d).contains(q)))
        .copied()
        .collect();
    out.sort_by_key(|d| d.code);
    out
}

/// The name a tenant of this division carries. The four municipalities (直辖市) list their
/// city level as 市辖区 ("the municipality's districts"); their city tenant carries the
/// municipality's own name (上海市).
pub fn tenant_name(d: &Division) -> &'static str {
    match lookup(d.parent_code) {
        Some(parent) if d.name == "市辖区" => parent.name,
        _ => d.name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_lists_a_citys_counties_and_finds_by_name() {
        let nanjing = search(Some("320100"), None, None);
        assert!(nanjing.iter().any(|d| d.code == "320115" && d.name == "江宁区"), "{nanjing:?}");
        assert!(nanjing.iter().all(|d| d.parent_code == "320100" && d.level == "county"));
        assert!(nanjing.windows(2).all(|w| w[0].code < w[1].code));
        let cities = search(None, Some("city"), Some("南京"));
        assert_eq!(cities.iter().map(|d| d.code).collect::<Vec<_>>(), ["320100"]);
        assert!(search(Some("999999"), None, None).is_empty());
    }

    #[test]
    fn the_list_has_every_level_and_real_names() {
        let jiangning = lookup("320115").expect("江宁区 is listed");
        assert_eq!((jiangning.name, jiangning.level, jiangning.parent_code), ("江宁区", "county", "320100"));
        assert_eq!(lookup("320100").map(|d| d.name), Some("南京市"));
        assert_eq!(lookup("320000").map(|d| d.level), Some("province"));
        assert!(lookup("320199").is_none());
        assert_eq!(lookup("310100").map(|d| tenant_name(&d)), Some("上海市"));
        assert!(BY_CODE.len() > 3000, "{}", BY_CODE.len());
    }
}
