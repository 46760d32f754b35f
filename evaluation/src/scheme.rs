//! A scoring scheme (考评方案): weights, step ladders, grade bands, region classes and the named
//! options where the sources disagree (standards.md §5.2–5.3). Stored per tenant; a county
//! without its own scheme uses its city's, and a city without one uses [`Scheme::default`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::indicator::{Group, Indicator, SubjectKind};

/// 有效上报: a report that led to 立案 (Unicom), or one that reached 派遣 (eGova).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum ValidReport {
    #[default]
    Filed,
    Dispatched,
}

/// The base of 返工率: 应结案数 (Jinniu, Unicom) or 立案数 (another local rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum ReworkBase {
    #[default]
    DueForClosure,
    Filed,
}

/// The base of 按期结案率: 应结案数 (悟能, Unicom code) or 结案数 (the Unicom comment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum ClosureBase {
    #[default]
    DueForClosure,
    Closed,
}

/// 准确派遣数 = 派遣数 − 回退数 (a return means a wrong dispatch) or − 返工数 (Unicom).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum DispatchError {
    #[default]
    Returns,
    Reworks,
}

/// 超期未结数 (open cases overdue at the period's end): judged by the deadline of the stage each
/// case is in now, or by the disposal deadline of the case (the sources do not say which).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum OpenOverdue {
    /// Overdue when the current stage's deadline (受理, 核实, 立案, 派遣, 处置, 核查, 结案) has
    /// passed; a suspended case has no running deadline unless it was already late when suspended.
    #[default]
    Stage,
    /// By the disposal: while with the department, overdue when its disposal deadline (after
    /// extensions) has passed; once handled, overdue only if the handling was late (the later
    /// stages' deadlines do not count); before dispatch, the current stage's deadline.
    Disposal,
}

/// What 平均处置时长 measures of a finished disposal: the time from its start (dispatch, claim or
/// failed check) to its handling, with or without the time it spent suspended (挂账).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum DisposalHours {
    /// Without suspended time: a suspension stops the disposal clock, so it stops this one too.
    #[default]
    ExcludingSuspended,
    /// Elapsed time, suspended time included.
    Elapsed,
}

/// Choices where the sources disagree; each is named so a city can follow its own rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Options {
    pub valid_report: ValidReport,
    /// Self-handled reports (自处置, closed without 立案) also count as 有效上报 (one reading of
    /// "有效"); by default they do not — they never reach 立案 or 派遣 — and are counted apart as
    /// 自处置数.
    pub self_handled_valid: bool,
    pub rework_rate_base: ReworkBase,
    pub on_time_closure_base: ClosureBase,
    pub accurate_dispatch_minus: DispatchError,
    /// Cases suspended (挂账/缓办) before their deadline also leave 应结案数 while suspended (Jinhua),
    /// not only the disposal indicators (which they always leave: the disposal clock stops). By
    /// default a suspended case stays due for closure at the deadline it had when suspended. A
    /// case suspended after its deadline had passed was already late: it settled then, either way.
    pub suspended_leave_closure: bool,
    /// A department's 立案数 leaves out cases suspended at the period's end (Unicom's variant).
    pub region_filed_excludes_suspended: bool,
    pub overdue_open_by: OpenOverdue,
    pub disposal_hours: DisposalHours,
}

/// Whether a higher or a lower value is better for a ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Steps are upper bounds: value ≤ bound earns the points (fewer is better).
    AtMost,
    /// Steps are lower bounds: value ≥ bound earns the points (more is better).
    AtLeast,
}

/// A step ladder (e.g. ≤ 50 → 100, ≤ 100 → 90, …, else 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Ladder {
    pub direction: Direction,
    /// (bound, points), from the best step down.
    pub steps: Vec<(f64, f64)>,
    /// Points when no step is reached.
    pub otherwise: f64,
}

impl Ladder {
    pub fn points(&self, value: f64) -> f64 {
        self.steps
            .iter()
            .find(|(bound, _)| match self.direction {
                Direction::AtMost => value <= *bound,
                Direction::AtLeast => value >= *bound,
            })
            .map(|(_, p)| *p)
            .unwrap_or(self.otherwise)
    }
}

/// How an indicator's value becomes points (0–100).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// A percentage counts as its points.
    Rate,
    /// 100 − the percentage (for rates where lower is better, e.g. 返工率, 漏报率).
    Inverse,
    /// Points from the named ladder (of the subject's region class, if it has one).
    Ladder(String),
}

/// One weighted part of a composite score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = SchemeWeight)]
#[serde(deny_unknown_fields)]
pub struct Component {
    pub indicator: Indicator,
    /// Percent of the composite; the weights of a subject sum to 100.
    pub weight: f64,
    pub rule: Rule,
}

/// A grade band: a composite score at least `min` earns `grade`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub grade: String,
    pub min: f64,
}

/// A class of regions judged by their own thresholds (dense and sparse areas), by code prefix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionClass {
    pub name: String,
    /// Region codes (street, community or grid codes, or their prefixes) in this class.
    pub codes: Vec<String>,
    /// Ladders replacing the scheme's ladders of the same name.
    #[serde(default)]
    pub ladders: BTreeMap<String, Ladder>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    pub name: String,
    #[serde(default)]
    pub options: Options,
    pub ladders: BTreeMap<String, Ladder>,
    /// The composite of each subject group (region, department, collector, acceptor,
    /// shift_leader, dispatcher).
    pub weights: BTreeMap<Group, Vec<Component>>,
    /// From the best grade down.
    pub grades: Vec<Band>,
    #[serde(default)]
    pub region_classes: Vec<RegionClass>,
    /// Points added to a department's composite per 主动认领 (claimed before dispatch).
    pub claim_bonus: f64,
    /// The most a department can gain from claims.
    pub claim_bonus_cap: f64,
}

fn ladder(direction: Direction, steps: &[(f64, f64)]) -> Ladder {
    Ladder { direction, steps: steps.to_vec(), otherwise: 0.0 }
}

fn c(indicator: Indicator, weight: f64, rule: Rule) -> Component {
    Component { indicator, weight, rule }
}

impl Default for Scheme {
    /// standards.md §5.3 (as implemented by the Unicom platform), with the region weight of
    /// 按期结案率 set to 40 % so the region weights sum to 100 % (the source's sum to 70 %).
    fn default() -> Self {
        use Indicator::*;
        let named = |n: &str| Rule::Ladder(n.to_owned());
        let dense = ladder(Direction::AtMost, &[(0.0, 100.0), (2.0, 90.0), (4.0, 75.0), (6.0, 60.0), (8.0, 40.0)]);
        let sparse = ladder(Direction::AtMost, &[(0.0, 100.0), (3.0, 90.0), (5.0, 75.0), (7.0, 60.0), (9.0, 40.0)]);
        let ladders = BTreeMap::from([
            ("region_filed".to_owned(), dense),
            (
                "department_filed".to_owned(),
                ladder(
                    Direction::AtMost,
                    &[(50.0, 100.0), (100.0, 90.0), (200.0, 75.0), (500.0, 60.0), (1000.0, 40.0)],
                ),
            ),
            (
                "acceptor_volume".to_owned(),
                ladder(
                    Direction::AtLeast,
                    &[(2001.0, 100.0), (1201.0, 90.0), (501.0, 75.0), (301.0, 60.0), (101.0, 40.0)],
                ),
            ),
            (
                "dispatcher_volume".to_owned(),
                ladder(
                    Direction::AtLeast,
                    &[(2001.0, 100.0), (1201.0, 90.0), (501.0, 75.0), (301.0, 60.0), (101.0, 40.0)],
                ),
            ),
        ]);
        let weights = BTreeMap::from([
            (
                Group::Region,
                vec![
                    c(ReportRate, 10.0, Rule::Inverse),
                    c(FiledPerGrid, 20.0, named("region_filed")),
                    c(ClosureRate, 30.0, Rule::Rate),
                    c(OnTimeClosureRate, 40.0, Rule::Rate),
                ],
            ),
            (
                Group::Department,
                vec![
                    c(Filed, 10.0, named("department_filed")),
                    c(ClosureRate, 30.0, Rule::Rate),
                    c(OnTimeDisposalRate, 30.0, Rule::Rate),
                    c(ReworkRate, 30.0, Rule::Inverse),
                ],
            ),
            (
                Group::Collector,
                vec![
                    c(ValidReportRate, 40.0, Rule::Rate),
                    c(MissedRate, 20.0, Rule::Inverse),
                    c(OnTimeVerificationRate, 20.0, Rule::Rate),
                    c(OnTimeCheckRate, 20.0, Rule::Rate),
                ],
            ),
            (
                Group::Acceptor,
                vec![
                    c(Accepted, 25.0, named("acceptor_volume")),
                    c(VerificationDispatchRate, 40.0, Rule::Rate),
                    c(CheckDispatchRate, 35.0, Rule::Rate),
                ],
            ),
            (
                Group::ShiftLeader,
                vec![
                    c(OnTimeFilingRate, 25.0, Rule::Rate),
                    c(AccurateFilingRate, 40.0, Rule::Rate),
                    c(OnTimeCloseRate, 35.0, Rule::Rate),
                ],
            ),
            (
                Group::Dispatcher,
                vec![
                    c(Dispatches, 20.0, named("dispatcher_volume")),
                    c(OnTimeDispatchRate, 40.0, Rule::Rate),
                    c(AccurateDispatchRate, 40.0, Rule::Rate),
                ],
            ),
        ]);
        let band = |g: &str, min: f64| Band { grade: g.into(), min };
        Scheme {
            name: "默认考评方案 (standards.md §5.3)".into(),
            options: Options::default(),
            ladders,
            weights,
            grades: vec![band("A", 90.0), band("B", 75.0), band("C", 60.0), band("D", 40.0), band("E", 0.0)],
            region_classes: vec![RegionClass {
                name: "二类区域".into(),
                codes: Vec::new(),
                ladders: BTreeMap::from([("region_filed".to_owned(), sparse)]),
            }],
            claim_bonus: 0.5,
            claim_bonus_cap: 5.0,
        }
    }
}

impl Scheme {
    /// Every problem, as (field, reason).
    pub fn validate(&self) -> Result<(), Vec<(String, String)>> {
        let mut errors = Vec::new();
        let mut err = |f: String, r: &str| errors.push((f, r.to_owned()));
        if self.name.trim().is_empty() {
            err("name".into(), "must not be empty");
        }
        let check_ladder = |field: String, l: &Ladder, err: &mut dyn FnMut(String, &str)| {
            if l.steps.is_empty() {
                err(format!("{field}.steps"), "needs at least one step");
            }
            for (i, w) in l.steps.windows(2).enumerate() {
                let ordered = match l.direction {
                    Direction::AtMost => w[0].0 < w[1].0,
                    Direction::AtLeast => w[0].0 > w[1].0,
                };
                if !ordered {
                    err(format!("{field}.steps[{}]", i + 1), "bounds must run from the best step to the worst");
                }
            }
            for (i, (_, p)) in l.steps.iter().enumerate() {
                if !(0.0..=100.0).contains(p) {
                    err(format!("{field}.steps[{i}]"), "points must be between 0 and 100");
                }
            }
            if !(0.0..=100.0).contains(&l.otherwise) {
                err(format!("{field}.otherwise"), "points must be between 0 and 100");
            }
        };
        for (name, l) in &self.ladders {
            check_ladder(format!("ladders.{name}"), l, &mut err);
        }
        for (group, parts) in &self.weights {
            let g = serde_json::to_value(group).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            let kind = SubjectKind::ALL.into_iter().find(|k| k.group() == *group).unwrap_or(SubjectKind::Grid);
            let mut sum = 0.0;
            for (i, part) in parts.iter().enumerate() {
                let field = format!("weights.{g}[{i}]");
                if !kind.indicators().contains(&part.indicator) {
                    err(format!("{field}.indicator"), "is not an indicator of this subject");
                }
                if !(part.weight >= 0.0 && part.weight <= 100.0) {
                    err(format!("{field}.weight"), "must be between 0 and 100");
                }
                sum += part.weight;
                match &part.rule {
                    Rule::Ladder(name) if !self.ladders.contains_key(name) => {
                        err(format!("{field}.rule"), "names a ladder the scheme does not define")
                    }
                    Rule::Rate | Rule::Inverse if !part.indicator.is_rate() => {
                        err(format!("{field}.rule"), "a count or average needs a ladder, not a rate rule")
                    }
                    _ => {}
                }
            }
            if !parts.is_empty() && (sum - 100.0).abs() > 0.01 {
                err(format!("weights.{g}"), &format!("weights must sum to 100 (they sum to {sum})"));
            }
        }
        if self.grades.is_empty() {
            err("grades".into(), "needs at least one band");
        }
        for (i, w) in self.grades.windows(2).enumerate() {
            if w[0].min <= w[1].min {
                err(format!("grades[{}].min", i + 1), "bands must run from the highest minimum down");
            }
        }
        for (i, rc) in self.region_classes.iter().enumerate() {
            if rc.name.trim().is_empty() {
                err(format!("region_classes[{i}].name"), "must not be empty");
            }
            for (j, code) in rc.codes.iter().enumerate() {
                if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
                    err(format!("region_classes[{i}].codes[{j}]"), "must be a region code (digits)");
                }
            }
            for (name, l) in &rc.ladders {
                if !self.ladders.contains_key(name) {
                    err(format!("region_classes[{i}].ladders.{name}"), "replaces a ladder the scheme does not define");
                }
                check_ladder(format!("region_classes[{i}].ladders.{name}"), l, &mut err);
            }
        }
        if !(self.claim_bonus >= 0.0 && self.claim_bonus_cap >= 0.0) {
            err("claim_bonus".into(), "must not be negative");
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// The region class of a region code: the class with the longest matching prefix.
    pub fn region_class(&self, code: &str) -> Option<&RegionClass> {
        self.region_classes
            .iter()
            .filter_map(|rc| {
                rc.codes.iter().filter(|p| code.starts_with(p.as_str())).map(|p| (p.len(), rc)).max_by_key(|(l, _)| *l)
            })
            .max_by_key(|(l, _)| *l)
            .map(|(_, rc)| rc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_scheme_is_valid_and_every_subject_sums_to_100() {
        let s = Scheme::default();
        assert_eq!(s.validate(), Ok(()));
        for (group, parts) in &s.weights {
            let sum: f64 = parts.iter().map(|p| p.weight).sum();
            assert_eq!(sum, 100.0, "{group:?}");
        }
    }

    #[test]
    fn ladders_step_in_both_directions() {
        let s = Scheme::default();
        let dept = &s.ladders["department_filed"];
        assert_eq!(
            [dept.points(0.0), dept.points(50.0), dept.points(51.0), dept.points(1001.0)],
            [100.0, 100.0, 90.0, 0.0]
        );
        let volume = &s.ladders["acceptor_volume"];
        assert_eq!([volume.points(2001.0), volume.points(600.0), volume.points(100.0)], [100.0, 75.0, 0.0]);
    }

    #[test]
    fn invalid_schemes_name_every_field() {
        let mut s = Scheme::default();
        s.weights.get_mut(&Group::Region).unwrap()[0].weight = 60.0;
        s.weights.get_mut(&Group::Collector).unwrap()[0].indicator = Indicator::Dispatches;
        s.weights.get_mut(&Group::Department).unwrap()[0].rule = Rule::Ladder("nope".into());
        s.grades[2].min = 99.0;
        s.region_classes[0].codes = vec!["32a".into()];
        let fields: Vec<String> = s.validate().unwrap_err().into_iter().map(|(f, _)| f).collect();
        for f in [
            "weights.region",
            "weights.collector[0].indicator",
            "weights.department[0].rule",
            "grades[2].min",
            "region_classes[0].codes[0]",
        ] {
            assert!(fields.iter().any(|x| x == f), "{f} in {fields:?}");
        }
    }

    #[test]
    fn the_longest_matching_prefix_decides_the_region_class() {
        let s = Scheme {
            region_classes: vec![
                RegionClass { name: "一类".into(), codes: vec!["320115".into()], ladders: BTreeMap::new() },
                RegionClass { name: "二类".into(), codes: vec!["320115011".into()], ladders: BTreeMap::new() },
            ],
            ..Scheme::default()
        };
        assert_eq!(s.region_class("320115011002").map(|c| c.name.as_str()), Some("二类"));
        assert_eq!(s.region_class("320115004").map(|c| c.name.as_str()), Some("一类"));
        assert_eq!(s.region_class("320102004"), None);
    }
}
