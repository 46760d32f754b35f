//! Recurring problems (source governance, 源头治理): the same class again and again in one unit
//! grid, on one component, or within a radius; and the repeat rate — a problem closed and back
//! within N days.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One case, as the recurring-problem analysis needs it.
#[derive(Debug, Clone)]
pub struct Problem {
    pub id: String,
    pub number: String,
    pub county: String,
    /// `component` or `matter`: the catalogue numbers both kinds from 01001, so a class is its
    /// kind and its code together (a 井盖 and a 暴露垃圾 may share a code).
    pub kind: String,
    pub class_code: String,
    pub grid_code: String,
    pub component_id: Option<String>,
    pub lon: f64,
    pub lat: f64,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub department: Option<String>,
    /// Rejected or voided cases (not real problems) are left out by the caller.
    pub valid: bool,
}

/// How places are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlaceBy {
    Grid,
    Component,
    Radius,
}

/// A place where a class recurs.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Hotspot {
    /// `component` or `matter` (the class is the kind and the code together).
    pub kind: String,
    pub class_code: String,
    pub by: PlaceBy,
    /// The unit grid or component id; for a radius, the grid of its centre case.
    pub place: String,
    pub county: String,
    pub lon: f64,
    pub lat: f64,
    /// Cases in the window.
    pub count: usize,
    /// Cases in the window before (same length), at the same place.
    pub previous: usize,
    /// `count − previous`.
    pub trend: i64,
    /// The cases in the window (ids), newest first.
    pub cases: Vec<String>,
}

/// Degrees of latitude per metre (and of longitude at `lat`), for small distances.
fn metres(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let k = 111_320.0;
    let dx = (lon2 - lon1) * k * lat1.to_radians().cos();
    let dy = (lat2 - lat1) * k;
    (dx * dx + dy * dy).sqrt()
}

/// Hotspots of the window `[from, until)`: places with at least `min_count` cases of one class,
/// ranked by count, then by trend.
pub fn hotspots(
    problems: &[Problem],
    by: PlaceBy,
    radius_m: f64,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    min_count: usize,
) -> Vec<Hotspot> {
    let before = from - (until - from);
    let current: Vec<&Problem> =
        problems.iter().filter(|p| p.valid && p.created_at >= from && p.created_at < until).collect();
    let earlier: Vec<&Problem> =
        problems.iter().filter(|p| p.valid && p.created_at >= before && p.created_at < from).collect();
    let mut out = match by {
        PlaceBy::Grid | PlaceBy::Component => {
            let key = |p: &Problem| -> Option<(String, String, String)> {
                let place = if by == PlaceBy::Grid { Some(p.grid_code.clone()) } else { p.component_id.clone() };
                place.map(|pl| (p.kind.clone(), p.class_code.clone(), pl))
            };
            let mut groups: HashMap<(String, String, String), Vec<&Problem>> = HashMap::new();
            for p in &current {
                if let Some(k) = key(p) {
                    groups.entry(k).or_default().push(p);
                }
            }
            let mut prev: HashMap<(String, String, String), usize> = HashMap::new();
            for p in &earlier {
                if let Some(k) = key(p) {
                    *prev.entry(k).or_default() += 1;
                }
            }
            groups
                .into_iter()
                .filter(|(_, v)| v.len() >= min_count)
                .map(|(key, v)| {
                    let previous = prev.get(&key).copied().unwrap_or(0);
                    let (kind, class, place) = key;
                    spot(kind, class, by, place, &v, previous)
                })
                .collect()
        }
        PlaceBy::Radius => radius_spots(&current, &earlier, radius_m, min_count),
    };
    out.sort_by(|a, b| b.count.cmp(&a.count).then(b.trend.cmp(&a.trend)).then(a.place.cmp(&b.place)));
    out
}

fn spot(kind: String, class: String, by: PlaceBy, place: String, v: &[&Problem], previous: usize) -> Hotspot {
    let mut v = v.to_vec();
    v.sort_by_key(|p| std::cmp::Reverse(p.created_at));
    let n = v.len() as f64;
    Hotspot {
        kind,
        class_code: class,
        by,
        place,
        county: v.first().map(|p| p.county.clone()).unwrap_or_default(),
        lon: v.iter().map(|p| p.lon).sum::<f64>() / n,
        lat: v.iter().map(|p| p.lat).sum::<f64>() / n,
        count: v.len(),
        previous,
        trend: v.len() as i64 - previous as i64,
        cases: v.iter().map(|p| p.id.clone()).collect(),
    }
}

/// Greedy clusters: the case with the most same-class neighbours within the radius becomes a
/// centre and takes its neighbours; repeat while a centre has `min_count` cases.
fn radius_spots(current: &[&Problem], earlier: &[&Problem], radius_m: f64, min_count: usize) -> Vec<Hotspot> {
    // Buckets of about the radius, so neighbours are in the 3×3 buckets around a case.
    let step = (radius_m / 111_320.0).max(1e-6);
    let bucket = |p: &Problem| ((p.lon / step).floor() as i64, (p.lat / step).floor() as i64);
    let mut by_class: HashMap<(&str, &str), Vec<&Problem>> = HashMap::new();
    for p in current {
        by_class.entry((p.kind.as_str(), p.class_code.as_str())).or_default().push(p);
    }
    let mut out = Vec::new();
    for ((kind, class), list) in by_class {
        let mut buckets: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
        for (i, p) in list.iter().enumerate() {
            buckets.entry(bucket(p)).or_default().push(i);
        }
        let near = |i: usize, taken: &[bool]| -> Vec<usize> {
            let (bx, by) = bucket(list[i]);
            let mut v = Vec::new();
            for dx in -1..=1 {
                for dy in -1..=1 {
                    for &j in buckets.get(&(bx + dx, by + dy)).map(Vec::as_slice).unwrap_or_default() {
                        if !taken[j] && metres(list[i].lon, list[i].lat, list[j].lon, list[j].lat) <= radius_m {
                            v.push(j);
                        }
                    }
                }
            }
            v
        };
        let mut taken = vec![false; list.len()];
        loop {
            let best = (0..list.len())
                .filter(|&i| !taken[i])
                .map(|i| (near(i, &taken), i))
                .max_by(|a, b| a.0.len().cmp(&b.0.len()).then(b.1.cmp(&a.1)));
            let Some((members, centre)) = best else { break };
            if members.len() < min_count {
                break;
            }
            for &j in &members {
                taken[j] = true;
            }
            let c = list[centre];
            let previous = earlier
                .iter()
                .filter(|p| p.kind == kind && p.class_code == class && metres(c.lon, c.lat, p.lon, p.lat) <= radius_m)
                .count();
            let v: Vec<&Problem> = members.iter().map(|&j| list[j]).collect();
            let mut s = spot(kind.to_owned(), class.to_owned(), PlaceBy::Radius, c.grid_code.clone(), &v, previous);
            (s.lon, s.lat) = (c.lon, c.lat);
            out.push(s);
        }
    }
    out
}

/// The repeat rate of one department and class.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Repeat {
    pub department: String,
    /// The department's name (filled by the caller).
    pub department_name: Option<String>,
    /// `component` or `matter` (the class is the kind and the code together).
    pub kind: String,
    pub class_code: String,
    /// Cases closed in the period.
    pub closed: usize,
    /// Of those, how many came back: a new case of the class in the same unit grid (or on the
    /// same component) within the days after closing.
    pub repeated: usize,
    /// Percent.
    pub rate: f64,
    /// The closed cases that came back (ids).
    pub cases: Vec<String>,
}

/// Repeat rates per department and class for cases closed in `[from, until)`.
pub fn repeats(problems: &[Problem], from: DateTime<Utc>, until: DateTime<Utc>, within_days: i64) -> Vec<Repeat> {
    let window = Duration::days(within_days);
    let mut by_place: HashMap<(&str, &str, &str), Vec<&Problem>> = HashMap::new();
    for p in problems.iter().filter(|p| p.valid) {
        by_place.entry((p.kind.as_str(), p.class_code.as_str(), p.grid_code.as_str())).or_default().push(p);
        if let Some(c) = &p.component_id {
            by_place.entry((p.kind.as_str(), p.class_code.as_str(), c.as_str())).or_default().push(p);
        }
    }
    let mut groups: HashMap<(String, String, String), Repeat> = HashMap::new();
    for p in problems.iter().filter(|p| p.valid) {
        let (Some(closed), Some(dep)) = (p.closed_at, &p.department) else { continue };
        if closed < from || closed >= until {
            continue;
        }
        let again = |place: &str| {
            by_place.get(&(p.kind.as_str(), p.class_code.as_str(), place)).is_some_and(|v| {
                v.iter().any(|q| q.id != p.id && q.created_at > closed && q.created_at <= closed + window)
            })
        };
        let repeated = again(&p.grid_code) || p.component_id.as_deref().is_some_and(again);
        let g = groups.entry((dep.clone(), p.kind.clone(), p.class_code.clone())).or_insert_with(|| Repeat {
            department: dep.clone(),
            department_name: None,
            kind: p.kind.clone(),
            class_code: p.class_code.clone(),
            closed: 0,
            repeated: 0,
            rate: 0.0,
            cases: Vec::new(),
        });
        g.closed += 1;
        if repeated {
            g.repeated += 1;
            g.cases.push(p.id.clone());
        }
    }
    let mut out: Vec<Repeat> = groups
        .into_values()
        .map(|mut r| {
            r.rate = ((r.repeated as f64 * 100.0 / r.closed as f64) * 100.0).round() / 100.0;
            r
        })
        .collect();
    out.sort_by(|a, b| {
        b.rate.total_cmp(&a.rate).then(b.repeated.cmp(&a.repeated)).then(a.department.cmp(&b.department))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(id: &str, class: &str, grid: &str, lon: f64, day: i64, closed: Option<i64>) -> Problem {
        let t0: DateTime<Utc> = "2026-10-01T00:00:00Z".parse().unwrap();
        Problem {
            id: id.into(),
            number: id.into(),
            county: "320115".into(),
            kind: "matter".into(),
            class_code: class.into(),
            grid_code: grid.into(),
            component_id: None,
            lon,
            lat: 31.9,
            created_at: t0 + Duration::days(day),
            closed_at: closed.map(|d| t0 + Duration::days(d)),
            department: Some("d1".into()),
            valid: true,
        }
    }

    #[test]
    fn a_component_class_and_a_matter_class_with_one_code_are_different_problems() {
        let t0: DateTime<Utc> = "2026-10-01T00:00:00Z".parse().unwrap();
        let mut ps = vec![
            p("a", "01001", "g1", 118.8000, 1, Some(2)),
            p("b", "01001", "g1", 118.8001, 3, None),
            p("c", "01001", "g1", 118.8002, 4, None),
        ];
        ps[1].kind = "component".into();
        ps[2].kind = "component".into();
        let until = t0 + Duration::days(10);
        let spots = hotspots(&ps, PlaceBy::Grid, 100.0, t0, until, 2);
        assert_eq!(spots.len(), 1);
        assert_eq!((spots[0].kind.as_str(), spots[0].count), ("component", 2));
        assert_eq!(hotspots(&ps, PlaceBy::Radius, 50.0, t0, until, 3).len(), 0);
        // The matter case closed on day 2 did not come back: what followed was a component's.
        let r = repeats(&ps, t0, until, 7);
        assert_eq!((r[0].kind.as_str(), r[0].closed, r[0].repeated), ("matter", 1, 0));
    }

    #[test]
    fn hotspots_count_places_with_trend_and_radius_clusters() {
        let t0: DateTime<Utc> = "2026-10-01T00:00:00Z".parse().unwrap();
        let ps = vec![
            p("a", "06010", "g1", 118.8000, 1, None),
            p("b", "06010", "g1", 118.8001, 2, None),
            p("c", "06010", "g1", 118.8002, 3, None),
            p("d", "06010", "g2", 118.9000, 4, None),
            p("e", "06012", "g1", 118.8000, 5, None),
            // The window before: one in g1.
            p("z", "06010", "g1", 118.8000, -3, None),
        ];
        let until = t0 + Duration::days(10);
        let by_grid = hotspots(&ps, PlaceBy::Grid, 100.0, t0, until, 2);
        assert_eq!(by_grid.len(), 1);
        assert_eq!(
            (by_grid[0].place.as_str(), by_grid[0].count, by_grid[0].previous, by_grid[0].trend),
            ("g1", 3, 1, 2)
        );
        assert_eq!(by_grid[0].cases, ["c", "b", "a"]);
        // 0.0002° of longitude is about 19 m: a, b, c are within 50 m; d is 10 km away.
        let near = hotspots(&ps, PlaceBy::Radius, 50.0, t0, until, 2);
        assert_eq!(near.len(), 1);
        assert_eq!(near[0].count, 3);
        assert!(hotspots(&ps, PlaceBy::Radius, 5.0, t0, until, 2).is_empty(), "5 m holds only pairs? no: 11 m apart");
    }

    #[test]
    fn repeats_are_closed_problems_back_within_the_days() {
        let t0: DateTime<Utc> = "2026-10-01T00:00:00Z".parse().unwrap();
        let ps = vec![
            p("a", "06010", "g1", 118.8, 1, Some(2)),
            p("b", "06010", "g1", 118.8, 5, Some(6)), // back 3 days after a closed
            p("c", "06010", "g2", 118.9, 1, Some(2)), // never back
            p("d", "06012", "g2", 118.9, 20, None),   // other class
        ];
        let r = repeats(&ps, t0, t0 + Duration::days(10), 7);
        assert_eq!(r.len(), 1);
        assert_eq!((r[0].closed, r[0].repeated, r[0].rate), (3, 1, 33.33));
        assert_eq!(r[0].cases, ["a"]);
    }
}
