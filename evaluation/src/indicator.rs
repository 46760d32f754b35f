//! The indicators (评价指标) of each subject, standards.md §5.2. Counts are tallied by the
//! [`crate::engine`]; rates (percentages, 0–100) and averages derive from counts, with the
//! denominators the [`crate::scheme::Options`] choose where the sources disagree.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::scheme::{ClosureBase, DispatchError, Options, ReworkBase};

/// What is evaluated: a region at one level, a department, or a person in a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// 单元网格.
    Grid,
    /// 社区.
    Community,
    /// 街道.
    Street,
    /// 区县 (the city's view over its counties).
    County,
    /// 专业部门.
    Department,
    /// 监督员.
    Collector,
    /// 受理员.
    Acceptor,
    /// 值班长.
    ShiftLeader,
    /// 派遣员.
    Dispatcher,
}

/// The scheme groups subjects: the four region levels share one set of weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Region,
    Department,
    Collector,
    Acceptor,
    ShiftLeader,
    Dispatcher,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 9] = [
        SubjectKind::Grid,
        SubjectKind::Community,
        SubjectKind::Street,
        SubjectKind::County,
        SubjectKind::Department,
        SubjectKind::Collector,
        SubjectKind::Acceptor,
        SubjectKind::ShiftLeader,
        SubjectKind::Dispatcher,
    ];

    pub fn group(self) -> Group {
        match self {
            SubjectKind::Grid | SubjectKind::Community | SubjectKind::Street | SubjectKind::County => Group::Region,
            SubjectKind::Department => Group::Department,
            SubjectKind::Collector => Group::Collector,
            SubjectKind::Acceptor => Group::Acceptor,
            SubjectKind::ShiftLeader => Group::ShiftLeader,
            SubjectKind::Dispatcher => Group::Dispatcher,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Grid => "grid",
            SubjectKind::Community => "community",
            SubjectKind::Street => "street",
            SubjectKind::County => "county",
            SubjectKind::Department => "department",
            SubjectKind::Collector => "collector",
            SubjectKind::Acceptor => "acceptor",
            SubjectKind::ShiftLeader => "shift_leader",
            SubjectKind::Dispatcher => "dispatcher",
        }
    }

    pub fn parse(s: &str) -> Option<SubjectKind> {
        SubjectKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            SubjectKind::Grid => "单元网格",
            SubjectKind::Community => "社区",
            SubjectKind::Street => "街道",
            SubjectKind::County => "区县",
            SubjectKind::Department => "专业部门",
            SubjectKind::Collector => "监督员",
            SubjectKind::Acceptor => "受理员",
            SubjectKind::ShiftLeader => "值班长",
            SubjectKind::Dispatcher => "派遣员",
        }
    }

    /// The indicators shown for this subject, in table order.
    pub fn indicators(self) -> &'static [Indicator] {
        use Indicator::*;
        match self.group() {
            Group::Region => &[
                Filed,
                FiledPerGrid,
                PublicVerified,
                ReportRate,
                DueForClosure,
                Closed,
                ClosureRate,
                ClosedOnTime,
                OnTimeClosureRate,
                AvgDisposalHours,
                OpenAtEnd,
                OverdueAtEnd,
                CityOrders,
                CityOrdersAnsweredOnTime,
                CityOrderResponseRate,
            ],
            Group::Department => &[
                DueForDisposal,
                Disposed,
                DisposedOnTime,
                DisposedLate,
                DisposalRate,
                OnTimeDisposalRate,
                LateDisposalRate,
                Reworks,
                ReworkRate,
                Extensions,
                ExtensionRate,
                Returns,
                PendingOverdue,
                PendingOverdueRate,
                Filed,
                DueForClosure,
                Closed,
                ClosureRate,
                ClosedOnTime,
                OnTimeClosureRate,
                AvgDisposalHours,
                Claims,
                GovernanceReceived,
                GovernanceAnsweredOnTime,
                GovernanceResponseRate,
            ],
            Group::Collector => &[
                Reports,
                ValidReports,
                ValidReportRate,
                DueVerifications,
                VerifiedOnTime,
                OnTimeVerificationRate,
                DueChecks,
                CheckedOnTime,
                OnTimeCheckRate,
                Missed,
                FiledInDutyGrids,
                MissedRate,
                SelfHandled,
            ],
            Group::Acceptor => &[
                Accepted,
                AcceptedOnTime,
                OnTimeAcceptanceRate,
                NotAccepted,
                VerificationsSent,
                VerificationsSentOnTime,
                VerificationDispatchRate,
                ChecksSent,
                ChecksSentOnTime,
                CheckDispatchRate,
            ],
            Group::ShiftLeader => &[
                FiledBy,
                FiledOnTime,
                OnTimeFilingRate,
                VoidedAfterFiling,
                AccurateFiled,
                AccurateFilingRate,
                Closes,
                ClosesOnTime,
                OnTimeCloseRate,
            ],
            Group::Dispatcher => &[
                Dispatches,
                DispatchesOnTime,
                OnTimeDispatchRate,
                DispatchErrors,
                AccurateDispatches,
                AccurateDispatchRate,
            ],
        }
    }
}

/// Every indicator. The first [`COUNTS`] variants are counts the engine tallies; the rest derive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    // Counts of regions (and departments).
    Filed,
    PublicVerified,
    DueForClosure,
    Closed,
    ClosedOnTime,
    DisposalsFinished,
    OpenAtEnd,
    OverdueAtEnd,
    CityOrders,
    CityOrdersAnsweredOnTime,
    // Counts of departments.
    DueForDisposal,
    Disposed,
    DisposedOnTime,
    DisposedLate,
    PendingOverdue,
    Reworks,
    Extensions,
    Returns,
    Claims,
    GovernanceReceived,
    GovernanceAnsweredOnTime,
    // Counts of collectors.
    Reports,
    ValidReports,
    DueVerifications,
    VerifiedOnTime,
    DueChecks,
    CheckedOnTime,
    Missed,
    FiledInDutyGrids,
    SelfHandled,
    // Counts of acceptors.
    Accepted,
    AcceptedOnTime,
    NotAccepted,
    VerificationsSent,
    VerificationsSentOnTime,
    ChecksSent,
    ChecksSentOnTime,
    // Counts of shift leaders.
    FiledBy,
    FiledOnTime,
    VoidedAfterFiling,
    Closes,
    ClosesOnTime,
    // Counts of dispatchers.
    Dispatches,
    DispatchesOnTime,
    DispatchErrors,
    // Derived.
    FiledPerGrid,
    ReportRate,
    ClosureRate,
    OnTimeClosureRate,
    AvgDisposalHours,
    CityOrderResponseRate,
    DisposalRate,
    OnTimeDisposalRate,
    LateDisposalRate,
    ReworkRate,
    ExtensionRate,
    PendingOverdueRate,
    GovernanceResponseRate,
    ValidReportRate,
    OnTimeVerificationRate,
    OnTimeCheckRate,
    MissedRate,
    OnTimeAcceptanceRate,
    VerificationDispatchRate,
    CheckDispatchRate,
    OnTimeFilingRate,
    AccurateFiled,
    AccurateFilingRate,
    OnTimeCloseRate,
    AccurateDispatches,
    OnTimeDispatchRate,
    AccurateDispatchRate,
}

/// How many indicators are tallied counts (the leading variants of [`Indicator`]).
pub const COUNTS: usize = Indicator::FiledPerGrid as usize;

/// The tallied counts of one subject, and the hours of finished disposals.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    pub counts: [u32; COUNTS],
    pub disposal_hours: f64,
    /// Unit grids of a region (for 立案数 per grid); zero elsewhere.
    pub grids: u32,
}

impl Default for Tally {
    fn default() -> Self {
        Tally { counts: [0; COUNTS], disposal_hours: 0.0, grids: 0 }
    }
}

impl Tally {
    pub fn get(&self, i: Indicator) -> u32 {
        self.counts.get(i as usize).copied().unwrap_or(0)
    }

    pub fn add(&mut self, i: Indicator) {
        if let Some(c) = self.counts.get_mut(i as usize) {
            *c += 1;
        }
    }

    pub fn merge(&mut self, other: &Tally) {
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a += b;
        }
        self.disposal_hours += other.disposal_hours;
        self.grids += other.grids;
    }
}

fn pct(num: u32, den: u32) -> Option<f64> {
    (den > 0).then(|| num as f64 * 100.0 / den as f64)
}

impl Indicator {
    pub fn is_count(self) -> bool {
        (self as usize) < COUNTS
    }

    /// The key in JSON (snake_case).
    pub fn key(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    }

    pub fn parse(key: &str) -> Option<Indicator> {
        serde_json::from_value(serde_json::Value::String(key.to_owned())).ok()
    }

    /// Whether it is a percentage (scored as the rate itself, 0–100).
    pub fn is_rate(self) -> bool {
        !self.is_count()
            && !matches!(
                self,
                Indicator::AvgDisposalHours
                    | Indicator::FiledPerGrid
                    | Indicator::AccurateFiled
                    | Indicator::AccurateDispatches
            )
    }

    /// The value for a subject's tally; `None` where a rate has nothing to divide by.
    pub fn value(self, t: &Tally, o: &Options) -> Option<f64> {
        use Indicator::*;
        let g = |i: Indicator| t.get(i);
        if self.is_count() {
            return Some(g(self) as f64);
        }
        let closure_base = match o.on_time_closure_base {
            ClosureBase::DueForClosure => g(DueForClosure),
            ClosureBase::Closed => g(Closed),
        };
        let rework_base = match o.rework_rate_base {
            ReworkBase::DueForClosure => g(DueForClosure),
            ReworkBase::Filed => g(Filed),
        };
        match self {
            FiledPerGrid => (t.grids > 0).then(|| g(Filed) as f64 / t.grids as f64),
            ReportRate => pct(g(PublicVerified), g(Filed)),
            ClosureRate => pct(g(Closed), g(DueForClosure)),
            OnTimeClosureRate => pct(g(ClosedOnTime), closure_base),
            AvgDisposalHours => (g(DisposalsFinished) > 0).then(|| t.disposal_hours / g(DisposalsFinished) as f64),
            CityOrderResponseRate => pct(g(CityOrdersAnsweredOnTime), g(CityOrders)),
            DisposalRate => pct(g(Disposed), g(DueForDisposal)),
            OnTimeDisposalRate => pct(g(DisposedOnTime), g(DueForDisposal)),
            LateDisposalRate => pct(g(DisposedLate), g(DueForDisposal)),
            ReworkRate => pct(g(Reworks), rework_base),
            ExtensionRate => pct(g(Extensions), g(DueForDisposal)),
            PendingOverdueRate => pct(g(PendingOverdue), g(DueForDisposal)),
            GovernanceResponseRate => pct(g(GovernanceAnsweredOnTime), g(GovernanceReceived)),
            ValidReportRate => pct(g(ValidReports), g(Reports)),
            OnTimeVerificationRate => pct(g(VerifiedOnTime), g(DueVerifications)),
            OnTimeCheckRate => pct(g(CheckedOnTime), g(DueChecks)),
            MissedRate => pct(g(Missed), g(FiledInDutyGrids)),
            OnTimeAcceptanceRate => pct(g(AcceptedOnTime), g(Accepted)),
            VerificationDispatchRate => pct(g(VerificationsSentOnTime), g(VerificationsSent)),
            CheckDispatchRate => pct(g(ChecksSentOnTime), g(ChecksSent)),
            OnTimeFilingRate => pct(g(FiledOnTime), g(FiledBy)),
            AccurateFiled => Some(g(FiledBy).saturating_sub(g(VoidedAfterFiling)) as f64),
            AccurateFilingRate => pct(g(FiledBy).saturating_sub(g(VoidedAfterFiling)), g(FiledBy)),
            OnTimeCloseRate => pct(g(ClosesOnTime), g(Closes)),
            AccurateDispatches => Some(g(Dispatches).saturating_sub(g(DispatchErrors)) as f64),
            OnTimeDispatchRate => pct(g(DispatchesOnTime), g(Dispatches)),
            AccurateDispatchRate => pct(g(Dispatches).saturating_sub(g(DispatchErrors)), g(Dispatches)),
            _ => None,
        }
    }

    /// The Chinese name (the column header of exports).
    pub fn label(self, o: &Options) -> &'static str {
        use Indicator::*;
        match self {
            Filed => "立案数",
            PublicVerified => "监督举报核实数",
            DueForClosure => "应结案数",
            Closed => "结案数",
            ClosedOnTime => "按期结案数",
            DisposalsFinished => "处置完成数",
            OpenAtEnd => "积存案件数",
            OverdueAtEnd => "超期未结数",
            CityOrders => "市级督办数",
            CityOrdersAnsweredOnTime => "督办按时回复数",
            DueForDisposal => "应处置数",
            Disposed => "处置数",
            DisposedOnTime => "按期处置数",
            DisposedLate => "超期处置数",
            PendingOverdue => "超期待处置数",
            Reworks => "返工数",
            Extensions => "延期数",
            Returns => "回退数",
            Claims => "主动认领数",
            GovernanceReceived => "源头治理建议数",
            GovernanceAnsweredOnTime => "治理建议按时回复数",
            Reports => "上报数",
            ValidReports => "有效上报数",
            DueVerifications => "应核实数",
            VerifiedOnTime => "按时核实数",
            DueChecks => "应核查数",
            CheckedOnTime => "按时核查数",
            Missed => "漏报数",
            FiledInDutyGrids => "责任网格立案数",
            SelfHandled => "自处置数",
            Accepted => "受理数",
            AcceptedOnTime => "按时受理数",
            NotAccepted => "不予受理数",
            VerificationsSent => "发核实数",
            VerificationsSentOnTime => "按时发核实数",
            ChecksSent => "发核查数",
            ChecksSentOnTime => "按时发核查数",
            FiledBy => "立案数",
            FiledOnTime => "按时立案数",
            VoidedAfterFiling => "作废数",
            Closes => "结案数",
            ClosesOnTime => "按时结案数",
            Dispatches => "派遣数",
            DispatchesOnTime => "按时派遣数",
            DispatchErrors => match o.accurate_dispatch_minus {
                DispatchError::Returns => "错误派遣数(回退)",
                DispatchError::Reworks => "错误派遣数(返工)",
            },
            FiledPerGrid => "网格均立案数",
            ReportRate => "监督举报率(%)",
            ClosureRate => "结案率(%)",
            OnTimeClosureRate => "按期结案率(%)",
            AvgDisposalHours => "平均处置时长(小时)",
            CityOrderResponseRate => "督办按时回复率(%)",
            DisposalRate => "处置率(%)",
            OnTimeDisposalRate => "按期处置率(%)",
            LateDisposalRate => "超期处置率(%)",
            ReworkRate => "返工率(%)",
            ExtensionRate => "延期率(%)",
            PendingOverdueRate => "超期待处置率(%)",
            GovernanceResponseRate => "治理建议按时回复率(%)",
            ValidReportRate => "有效上报率(%)",
            OnTimeVerificationRate => "按时核实率(%)",
            OnTimeCheckRate => "按时核查率(%)",
            MissedRate => "漏报率(%)",
            OnTimeAcceptanceRate => "按时受理率(%)",
            VerificationDispatchRate => "核实按时派发率(%)",
            CheckDispatchRate => "核查按时派发率(%)",
            OnTimeFilingRate => "按时立案率(%)",
            AccurateFiled => "准确立案数",
            AccurateFilingRate => "准确立案率(%)",
            OnTimeCloseRate => "按时结案率(%)",
            AccurateDispatches => "准确派遣数",
            OnTimeDispatchRate => "按时派遣率(%)",
            AccurateDispatchRate => "准确派遣率(%)",
        }
    }

    /// The counts a derived indicator is made of (what its drill-down lists).
    pub fn parts(self) -> Vec<Indicator> {
        use Indicator::*;
        match self {
            FiledPerGrid => vec![Filed],
            ReportRate => vec![PublicVerified],
            ClosureRate => vec![Closed],
            OnTimeClosureRate => vec![ClosedOnTime],
            AvgDisposalHours => vec![DisposalsFinished],
            CityOrderResponseRate => vec![CityOrdersAnsweredOnTime],
            DisposalRate => vec![Disposed],
            OnTimeDisposalRate => vec![DisposedOnTime],
            LateDisposalRate => vec![DisposedLate],
            ReworkRate => vec![Reworks],
            ExtensionRate => vec![Extensions],
            PendingOverdueRate => vec![PendingOverdue],
            GovernanceResponseRate => vec![GovernanceAnsweredOnTime],
            ValidReportRate => vec![ValidReports],
            OnTimeVerificationRate => vec![VerifiedOnTime],
            OnTimeCheckRate => vec![CheckedOnTime],
            MissedRate => vec![Missed],
            OnTimeAcceptanceRate => vec![AcceptedOnTime],
            VerificationDispatchRate => vec![VerificationsSentOnTime],
            CheckDispatchRate => vec![ChecksSentOnTime],
            OnTimeFilingRate => vec![FiledOnTime],
            AccurateFiled | AccurateFilingRate => vec![FiledBy],
            OnTimeCloseRate => vec![ClosesOnTime],
            AccurateDispatches | OnTimeDispatchRate | AccurateDispatchRate => vec![Dispatches],
            count => vec![count],
        }
    }
}
