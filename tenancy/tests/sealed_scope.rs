//! The sealed tenant scope holds only while code uses it. Two source checks over the crates that
//! touch tenant rows (tenancy, inventory, cases, evaluation, oversight, api):
//! - no public function takes a bare tenant id (`tenant: Uuid`, `county_id: TenantId`, …): it
//!   takes a `TenantScope`, a `TenantRef`, a `SystemScope` or `&impl InTenant` instead, so a
//!   caller cannot name another tenant without the authorizer (or a named system job);
//! - hand-written `.filter(<entity>::Column::TenantId.eq(..))` are replaced by the
//!   `TenantOwned` helpers; the few left carry an "Allowed bare filter" comment saying why, and
//!   there are at most [`ALLOWED_BARE_FILTERS`] of them.
//!
//! Crate-private functions (`pub(crate)`, private) may keep ids: their callers are in the crate.

#![allow(clippy::unwrap_used)] // a test: a failure to read the sources is a failure

use std::path::{Path, PathBuf};

const CRATES: [&str; 6] = ["tenancy", "inventory", "cases", "evaluation", "oversight", "api"];

/// The commented hand-written tenant filters left (idempotency records keyed by tenant, user and
/// key; the grid cache's load by the id it took from a `TenantRef`).
const ALLOWED_BARE_FILTERS: usize = 3;

const MARKER: &str = "Allowed bare filter";

fn sources() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let mut out = Vec::new();
    for c in CRATES {
        let mut stack = vec![root.join(c).join("src")];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&p).unwrap();
                    out.push((p.strip_prefix(&root).unwrap().to_path_buf(), text));
                }
            }
        }
    }
    assert!(out.len() > 50, "found the sources ({} files)", out.len());
    out
}

/// The text between the parenthesis at `open` and its match.
fn parenthesised(s: &str, open: usize) -> &str {
    let mut depth = 0;
    for (i, ch) in s[open..].char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &s[open + 1..open + i];
                }
            }
            _ => {}
        }
    }
    &s[open + 1..]
}

/// Splits parameters at top-level commas.
fn params(list: &str) -> Vec<&str> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, ch) in list.char_indices() {
        match ch {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(list[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(list[start..].trim());
    out.retain(|p| !p.is_empty());
    out
}

/// Whether a parameter is a bare tenant id: an id-typed parameter named for a tenant, or any
/// `TenantId`.
fn bare_tenant(param: &str) -> bool {
    let Some((name, ty)) = param.split_once(':') else { return false };
    let name = name.trim().trim_start_matches("mut ").trim().to_lowercase();
    let ty: String = ty.chars().filter(|c| !c.is_whitespace()).collect();
    let ty = ty.trim_start_matches('&');
    let inner = ty.strip_prefix("Option<").and_then(|t| t.strip_suffix('>')).unwrap_or(ty);
    let id = matches!(inner, "Uuid" | "uuid::Uuid" | "[Uuid]");
    let tenant_id = matches!(inner, "TenantId" | "ids::TenantId" | "kernel::ids::TenantId");
    tenant_id || (id && ["tenant", "county", "city", "parent"].iter().any(|t| name.starts_with(t)))
}

/// `path:line: fn(param)` for each public function taking a bare tenant id.
fn bare_tenant_parameters(path: &Path, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for needle in ["pub fn ", "pub async fn "] {
        for (at, _) in text.match_indices(needle) {
            let rest = &text[at + needle.len()..];
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            let Some(open) = rest.find('(') else { continue };
            for p in params(parenthesised(rest, open)) {
                if bare_tenant(p) {
                    let line = text[..at].lines().count() + 1;
                    out.push(format!("{}:{line}: {name}({p})", path.display()));
                }
            }
        }
    }
    out
}

#[test]
fn the_check_sees_bare_tenant_parameters() {
    let sample = "pub async fn get<C: X>(db: &C, tenant: Uuid, name: &str) {}\n\
                  pub fn a(x: &TenantScope, county_id: uuid::Uuid) {}\n\
                  pub fn b(t: kernel::ids::TenantId) {}\n\
                  pub(crate) fn c(tenant: Uuid) {}\n\
                  pub fn d(scope: &impl InTenant, id: Uuid) {}\n";
    let found = bare_tenant_parameters(Path::new("x.rs"), sample);
    assert_eq!(found.len(), 3, "{found:#?}");
}

#[test]
fn no_public_function_takes_a_bare_tenant_id() {
    let found: Vec<String> = sources().iter().flat_map(|(p, t)| bare_tenant_parameters(p, t)).collect();
    assert!(
        found.is_empty(),
        "public functions taking a bare tenant id (take &TenantScope, &TenantRef, &SystemScope or \
         &impl InTenant; or make them crate-private):\n{}",
        found.join("\n")
    );
}

#[test]
fn hand_written_tenant_filters_are_few_and_commented() {
    let mut all = Vec::new();
    let mut uncommented = Vec::new();
    for (path, text) in sources() {
        if path.ends_with("tenancy/src/scoped.rs") {
            continue;
        }
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            if l.contains("TenantId.eq(") && !l.trim_start().starts_with("//") {
                let at = format!("{}:{}", path.display(), i + 1);
                if !lines[i.saturating_sub(4)..i].iter().any(|p| p.contains(MARKER)) {
                    uncommented.push(at.clone());
                }
                all.push(at);
            }
        }
    }
    assert!(
        uncommented.is_empty(),
        "hand-written tenant filters: use TenantOwned (find_in, find_by_id_in, filter_in, update_many_in, \
         delete_in), or say why not in a comment containing \"{MARKER}\" just above:\n{}",
        uncommented.join("\n")
    );
    assert!(
        all.len() <= ALLOWED_BARE_FILTERS,
        "{} hand-written tenant filters, {ALLOWED_BARE_FILTERS} allowed:\n{}",
        all.len(),
        all.join("\n")
    );
}
