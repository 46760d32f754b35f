//! Composite scores (综合指标值), grades and ranks from tallies and a scheme.

use crate::engine::{Evaluation, Row};
use crate::indicator::{Group, Indicator, SubjectKind, Tally};
use crate::scheme::{Rule, Scheme};

/// Rounds for display: two decimals.
fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The composite of one subject: the weighted points of its components. A rate with nothing to
/// divide by gives no points and its weight goes to the others; with no component at all there
/// is no score.
pub fn composite(scheme: &Scheme, kind: SubjectKind, subject: &str, t: &Tally) -> (Option<f64>, Option<String>) {
    let Some(parts) = scheme.weights.get(&kind.group()) else { return (None, None) };
    let class = (kind.group() == Group::Region).then(|| scheme.region_class(subject)).flatten();
    let (mut sum, mut weights) = (0.0, 0.0);
    for p in parts {
        let Some(v) = p.indicator.value(t, &scheme.options) else { continue };
        let points = match &p.rule {
            Rule::Rate => v.clamp(0.0, 100.0),
            Rule::Inverse => (100.0 - v).clamp(0.0, 100.0),
            Rule::Ladder(name) => {
                let l = class.and_then(|c| c.ladders.get(name)).or_else(|| scheme.ladders.get(name));
                match l {
                    Some(l) => l.points(v),
                    None => continue,
                }
            }
        };
        sum += points * p.weight;
        weights += p.weight;
    }
    if weights <= 0.0 {
        return (None, class.map(|c| c.name.clone()));
    }
    let mut score = sum / weights;
    if kind == SubjectKind::Department {
        score += (t.get(Indicator::Claims) as f64 * scheme.claim_bonus).min(scheme.claim_bonus_cap);
    }
    (Some(round2(score)), class.map(|c| c.name.clone()))
}

pub fn grade(scheme: &Scheme, score: f64) -> Option<String> {
    scheme.grades.iter().find(|b| score >= b.min).map(|b| b.grade.clone())
}

/// The table of one subject kind, ranked by score (then by subject code for a stable order).
pub fn table(eval: &Evaluation, scheme: &Scheme, kind: SubjectKind) -> Vec<Row> {
    let mut rows: Vec<Row> =
        eval.subjects(kind).filter(|(s, _)| !s.is_empty()).map(|(subject, t)| row(scheme, kind, subject, t)).collect();
    rank(&mut rows);
    rows
}

pub fn row(scheme: &Scheme, kind: SubjectKind, subject: &str, t: &Tally) -> Row {
    let indicators = kind
        .indicators()
        .iter()
        .map(|i| {
            let v = match i.value(t, &scheme.options) {
                // Counts as integers.
                Some(v) if i.is_count() || !i.is_rate() && v.fract() == 0.0 => serde_json::Value::from(v as u64),
                Some(v) => serde_json::Value::from(round2(v)),
                None => serde_json::Value::Null,
            };
            (i.key(), v)
        })
        .collect();
    let (score, region_class) = composite(scheme, kind, subject, t);
    Row {
        kind,
        subject: subject.to_owned(),
        name: None,
        county: None,
        county_name: None,
        indicators,
        grade: score.and_then(|s| grade(scheme, s)),
        score,
        rank: None,
        region_class,
    }
}

/// Sorts by score (highest first; unscored last) and numbers the ranks (ties share a rank).
pub fn rank(rows: &mut [Row]) {
    rows.sort_by(|a, b| {
        b.score
            .unwrap_or(f64::MIN)
            .total_cmp(&a.score.unwrap_or(f64::MIN))
            .then_with(|| a.subject.cmp(&b.subject))
            .then_with(|| a.county.cmp(&b.county))
    });
    let mut last: Option<(f64, u32)> = None;
    for (i, r) in rows.iter_mut().enumerate() {
        let Some(s) = r.score else { continue };
        let rank = match last {
            Some((prev, rank)) if prev == s => rank,
            _ => i as u32 + 1,
        };
        r.rank = Some(rank);
        last = Some((s, rank));
    }
}
