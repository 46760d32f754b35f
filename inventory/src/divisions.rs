//! Official names of streets/towns (all of China) and communities (Nanjing), from the National
//! Bureau of Statistics' 2023 division codes (`data/streets-2023.tsv`,
//! `data/communities-nanjing-2023.tsv`). Used to name streets and communities when imported grids
//! carry only codes, and to build the demo frame.

use std::collections::HashMap;
use std::sync::OnceLock;

const STREETS_TSV: &str = include_str!("../data/streets-2023.tsv");
const COMMUNITIES_TSV: &str = include_str!("../data/communities-nanjing-2023.tsv");

/// code → name of a TSV whose first two columns are code and name.
fn code_names(tsv: &'static str) -> HashMap<&'static str, &'static str> {
    tsv.lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((f.next()?, f.next()?))
        })
        .collect()
}

fn streets() -> &'static HashMap<&'static str, &'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| code_names(STREETS_TSV))
}

fn communities() -> &'static HashMap<&'static str, &'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| code_names(COMMUNITIES_TSV))
}

/// The official name of a 9-digit street/town code.
pub fn street_name(code: &str) -> Option<&'static str> {
    streets().get(code).copied()
}

/// The official name of a 12-digit community code (Nanjing only).
pub fn community_name(code: &str) -> Option<&'static str> {
    communities().get(code).copied()
}

/// The streets of a county, in code order.
pub fn streets_of(county: &str) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<_> = streets().iter().filter(|(c, _)| c.starts_with(county)).map(|(c, n)| (*c, *n)).collect();
    out.sort();
    out
}

/// The communities of a street, in code order (Nanjing only).
pub fn communities_of(street: &str) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<_> = communities().iter().filter(|(c, _)| c.starts_with(street)).map(|(c, n)| (*c, *n)).collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nanjing_names() {
        assert_eq!(street_name("320115001"), Some("东山街道"));
        assert_eq!(community_name("320102002001"), Some("梅园新村社区居委会"));
        assert!(streets_of("320115").len() >= 10);
        assert!(!communities_of("320102002").is_empty());
    }
}
