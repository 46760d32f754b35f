//! The dashboard's figures: a county's (or a city's, summed over its counties) intake, filing,
//! dispatch and closure today and this month, by source; open and overdue cases now; a 30-day
//! trend; for a city one row per county; and the open cases as compact points for the map.
//!
//! Everything is counted in the database: three grouped queries whose columns are conditional
//! sums over time ranges (`SUM(CASE WHEN created_at >= $a AND created_at < $b THEN 1 ELSE 0
//! END)`), the day boundaries computed here in the tenant's time zone — the same SQL on SQLite
//! and PostgreSQL, no date functions of either, and no case loaded to be counted.
//!
//! Definitions (the 立案数, 结案数, 按期结案率, 结案率):
//! - `reported`: cases created in the period; `accepted`, `filed`, `dispatched`: `accept`, `file`
//!   and `dispatch`/`claim` events in the period; `closed`: cases closed in the period;
//! - `on_time_rate`: of the cases closed in the period, the share never marked overdue;
//! - `closure_rate`: of the cases filed in the period, the share closed now (`filed_closed /
//!   filed`);
//! - `open_now`, `overdue_now`: the cases open (not closed, rejected or voided) now, and those of
//!   them marked overdue — not bound to the period.
//!
//! Both show every case of the county: the routes require `dashboard:read`, which the roles that
//! see only some cases (departments, collectors) do not hold.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use kernel::{Error, Result};
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, Func, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, StatementBuilder};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use tenancy::TenantScope;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::OrInternal;
use crate::entity::{case, case_event};

/// Days in the trend.
pub const TREND_DAYS: usize = 30;

const TERMINAL: [&str; 3] = ["closed", "rejected", "voided"];

/// The query of the dashboard.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// The day the figures are for (`YYYY-MM-DD`, in the tenant's time zone); default today.
    /// "This month" is the month of that day up to its end; the trend ends on it.
    #[param(value_type = Option<String>, format = Date, example = "2026-12-04")]
    pub date: Option<NaiveDate>,
}

/// Counts of a period (or of now) and their rates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Counts {
    pub reported: u64,
    pub accepted: u64,
    pub filed: u64,
    pub dispatched: u64,
    pub closed: u64,
    /// Closed in the period without having been marked overdue.
    pub closed_on_time: u64,
    /// Filed in the period and closed now.
    pub filed_closed: u64,
    /// Open now (whatever the period).
    pub open_now: u64,
    /// Open now and marked overdue.
    pub overdue_now: u64,
    /// `closed_on_time / closed`; absent when nothing was closed.
    #[schema(example = 0.92)]
    pub on_time_rate: Option<f64>,
    /// `filed_closed / filed`; absent when nothing was filed.
    #[schema(example = 0.75)]
    pub closure_rate: Option<f64>,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.reported += o.reported;
        self.accepted += o.accepted;
        self.filed += o.filed;
        self.dispatched += o.dispatched;
        self.closed += o.closed;
        self.closed_on_time += o.closed_on_time;
        self.filed_closed += o.filed_closed;
        self.open_now += o.open_now;
        self.overdue_now += o.overdue_now;
    }

    fn rated(mut self) -> Self {
        let rate = |n: u64, d: u64| (d > 0).then(|| n as f64 / d as f64);
        self.on_time_rate = rate(self.closed_on_time, self.closed);
        self.closure_rate = rate(self.filed_closed, self.filed);
        self
    }
}

/// The counts of one source (`patrol`, `public`, `hotline`, `third_party`, `city_order`, `video`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SourceCounts {
    #[schema(example = "patrol")]
    pub source: String,
    pub counts: Counts,
}

/// A period's counts, in total and by source.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Figures {
    pub total: Counts,
    /// Sources with any count, in the order of the vocabulary.
    pub by_source: Vec<SourceCounts>,
}

/// Open cases in one state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StateCount {
    #[schema(example = "dispatched")]
    pub state: String,
    pub count: u64,
}

/// One day of the trend.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrendDay {
    #[schema(value_type = String, format = Date, example = "2026-12-04")]
    pub date: NaiveDate,
    pub reported: u64,
    pub closed: u64,
    /// Cases marked overdue that day.
    pub overdue: u64,
}

/// One county of a city, side by side with the others.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountyRow {
    #[schema(example = "320115")]
    pub code: String,
    #[schema(example = "江宁区")]
    pub name: String,
    pub open_now: u64,
    pub overdue_now: u64,
    pub month_reported: u64,
    pub month_closed: u64,
    pub month_on_time_rate: Option<f64>,
    pub month_closure_rate: Option<f64>,
}

/// The dashboard of a county, or of a city summed over its counties.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    #[schema(example = "320115")]
    pub tenant_code: String,
    #[schema(value_type = String, format = Date, example = "2026-12-04")]
    pub date: NaiveDate,
    #[schema(example = "Asia/Shanghai")]
    pub time_zone: String,
    pub today: Figures,
    /// From the first of the month to the end of `date`.
    pub month: Figures,
    /// Open cases now by state.
    pub open_by_state: Vec<StateCount>,
    /// The 30 days ending on `date`, oldest first.
    pub trend: Vec<TrendDay>,
    /// A city's counties (empty for a county), in code order.
    pub counties: Vec<CountyRow>,
    pub generated_at: DateTime<Utc>,
}

/// The order of the open states along the loop.
const STATES: [&str; 10] = [
    "reported",
    "verifying",
    "accepted",
    "filed",
    "dispatched",
    "suspended",
    "handled",
    "checking",
    "checked",
    "self_handled",
];

/// The order of sources in the vocabulary.
const SOURCES: [&str; 6] = ["patrol", "public", "hotline", "third_party", "city_order", "video"];

/// The boundaries of the periods, as UTC instants.
struct Periods {
    day: (DateTime<Utc>, DateTime<Utc>),
    month: (DateTime<Utc>, DateTime<Utc>),
    /// `TREND_DAYS + 1` boundaries: day i is `[days[i], days[i + 1])`.
    days: Vec<DateTime<Utc>>,
    dates: Vec<NaiveDate>,
}

impl Periods {
    fn of(date: NaiveDate, tz: chrono_tz::Tz) -> Result<Self> {
        let start = |d: NaiveDate| -> Result<DateTime<Utc>> {
            let local = d.and_hms_opt(0, 0, 0).ok_or_else(|| Error::invalid("date", "is not a day"))?;
            tz.from_local_datetime(&local)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| Error::invalid("date", "has no midnight in the tenant's time zone"))
        };
        let next = date.succ_opt().ok_or_else(|| Error::invalid("date", "is out of range"))?;
        let first = date.with_day(1).ok_or_else(|| Error::invalid("date", "is out of range"))?;
        let mut dates = Vec::with_capacity(TREND_DAYS);
        let mut d = date - chrono::Days::new(TREND_DAYS as u64 - 1);
        for _ in 0..TREND_DAYS {
            dates.push(d);
            d = d.succ_opt().ok_or_else(|| Error::invalid("date", "is out of range"))?;
        }
        let mut days = dates.iter().map(|d| start(*d)).collect::<Result<Vec<_>>>()?;
        days.push(start(next)?);
        Ok(Self { day: (start(date)?, start(next)?), month: (start(first)?, start(next)?), days, dates })
    }

    /// The earliest instant any figure looks at.
    fn earliest(&self) -> DateTime<Utc> {
        std::cmp::min(self.month.0, self.days[0])
    }
}

/// `SUM(CASE WHEN cond THEN 1 ELSE 0 END)`.
fn count_when(cond: Cond) -> Expr {
    Func::sum(Expr::case(cond, 1).finally(0)).into()
}

fn within(col: Expr, (from, to): (DateTime<Utc>, DateTime<Utc>)) -> Cond {
    Cond::all().add(col.clone().gte(from)).add(col.lt(to))
}

fn c(col: case::Column) -> Expr {
    Expr::col((case::Entity, col))
}

fn e(col: case_event::Column) -> Expr {
    Expr::col((case_event::Entity, col))
}

/// Reads a grouped query: per row its group keys (text) and counts (integers, in `names` order).
async fn grouped<C: ConnectionTrait>(
    db: &C,
    q: &SelectStatement,
    keys: &[&str],
    names: &[String],
) -> Result<Vec<(Vec<String>, Vec<u64>)>> {
    let stmt = StatementBuilder::build(q, &db.get_database_backend());
    let rows = db.query_all_raw(stmt).await.or_internal()?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let mut k = Vec::with_capacity(keys.len());
        for key in keys {
            // Tenant ids come back as uuids, the other keys as text.
            let v = match r.try_get::<Uuid>("", key) {
                Ok(u) => u.to_string(),
                Err(_) => r.try_get::<String>("", key).or_internal()?,
            };
            k.push(v);
        }
        let mut v = Vec::with_capacity(names.len());
        for n in names {
            let x: Option<i64> = r.try_get("", n).or_internal()?;
            v.push(u64::try_from(x.unwrap_or(0)).unwrap_or(0));
        }
        out.push((k, v));
    }
    Ok(out)
}

/// The figures of `counties` (ids, with code and name) on `date` in `tz`.
async fn compute(
    db: &DatabaseConnection,
    counties: &[(Uuid, String, String)],
    periods: &Periods,
) -> Result<(HashMap<(String, String), [Counts; 2]>, HashMap<(String, String), u64>, Vec<TrendDay>)> {
    // Allowed bare filter (below, `tenant_id IN ids`): the scope's counties (`counties_of(scope)`).
    let ids: Vec<Uuid> = counties.iter().map(|c| c.0).collect();
    let open = || Cond::all().add(c(case::Column::State).is_not_in(TERMINAL));

    // 1. Cases: reported and closed per period and per trend day, open and overdue now.
    let mut q = Query::select();
    q.from(case::Entity)
        .expr_as(c(case::Column::TenantId), Alias::new("t"))
        .expr_as(c(case::Column::Source), Alias::new("s"))
        .and_where(c(case::Column::TenantId).is_in(ids.clone()))
        .cond_where(
            Cond::any()
                .add(c(case::Column::CreatedAt).gte(periods.earliest()))
                .add(c(case::Column::ClosedAt).gte(periods.earliest()))
                .add(c(case::Column::State).is_not_in(TERMINAL)),
        )
        .group_by_col((case::Entity, case::Column::TenantId))
        .group_by_col((case::Entity, case::Column::Source));
    let mut names = Vec::new();
    let mut col = |q: &mut SelectStatement, name: String, expr: Expr| {
        q.expr_as(expr, Alias::new(&name));
        names.push(name);
    };
    for (p, range) in [("d", periods.day), ("m", periods.month)] {
        col(&mut q, format!("{p}_reported"), count_when(within(c(case::Column::CreatedAt), range)));
        col(&mut q, format!("{p}_closed"), count_when(within(c(case::Column::ClosedAt), range)));
        col(
            &mut q,
            format!("{p}_on_time"),
            count_when(
                within(c(case::Column::ClosedAt), range).add(Expr::col((case::Entity, case::Column::Overdue)).not()),
            ),
        );
    }
    col(&mut q, "open".into(), count_when(open()));
    col(&mut q, "overdue".into(), count_when(open().add(c(case::Column::Overdue).eq(true))));
    for i in 0..TREND_DAYS {
        let day = (periods.days[i], periods.days[i + 1]);
        col(&mut q, format!("r{i}"), count_when(within(c(case::Column::CreatedAt), day)));
        col(&mut q, format!("c{i}"), count_when(within(c(case::Column::ClosedAt), day)));
    }
    let case_rows = grouped(db, &q, &["t", "s"], &names).await?;

    // 2. Events: accepted, filed (and of those, closed now), dispatched; marked overdue per day.
    let mut q = Query::select();
    q.from(case_event::Entity)
        .inner_join(
            case::Entity,
            Expr::col((case::Entity, case::Column::Id)).equals((case_event::Entity, case_event::Column::CaseId)),
        )
        .expr_as(e(case_event::Column::TenantId), Alias::new("t"))
        .expr_as(c(case::Column::Source), Alias::new("s"))
        .and_where(e(case_event::Column::TenantId).is_in(ids.clone()))
        .and_where(e(case_event::Column::At).gte(periods.earliest()))
        .and_where(e(case_event::Column::At).lt(periods.day.1))
        .and_where(e(case_event::Column::Action).is_in(["accept", "file", "dispatch", "claim", "mark_overdue"]))
        .group_by_col((case_event::Entity, case_event::Column::TenantId))
        .group_by_col((case::Entity, case::Column::Source));
    let mut enames = Vec::new();
    let mut ecol = |q: &mut SelectStatement, name: String, expr: Expr| {
        q.expr_as(expr, Alias::new(&name));
        enames.push(name);
    };
    let action = |a: &[&'static str]| Cond::all().add(e(case_event::Column::Action).is_in(a.to_vec()));
    for (p, range) in [("d", periods.day), ("m", periods.month)] {
        let at = || within(e(case_event::Column::At), range);
        ecol(&mut q, format!("{p}_accepted"), count_when(at().add(action(&["accept"]))));
        ecol(&mut q, format!("{p}_filed"), count_when(at().add(action(&["file"]))));
        ecol(
            &mut q,
            format!("{p}_filed_closed"),
            count_when(at().add(action(&["file"])).add(c(case::Column::State).eq("closed"))),
        );
        ecol(&mut q, format!("{p}_dispatched"), count_when(at().add(action(&["dispatch", "claim"]))));
    }
    for i in 0..TREND_DAYS {
        let day = (periods.days[i], periods.days[i + 1]);
        ecol(
            &mut q,
            format!("o{i}"),
            count_when(within(e(case_event::Column::At), day).add(action(&["mark_overdue"]))),
        );
    }
    let event_rows = grouped(db, &q, &["t", "s"], &enames).await?;

    // 3. Open cases by state.
    let mut q = Query::select();
    q.from(case::Entity)
        .expr_as(c(case::Column::TenantId), Alias::new("t"))
        .expr_as(c(case::Column::State), Alias::new("s"))
        .expr_as(Func::count(Expr::val(1)), Alias::new("n"))
        .and_where(c(case::Column::TenantId).is_in(ids))
        .cond_where(open())
        .group_by_col((case::Entity, case::Column::TenantId))
        .group_by_col((case::Entity, case::Column::State));
    let state_rows = grouped(db, &q, &["t", "s"], &["n".to_owned()]).await?;

    let index = |names: &[String], n: &str| names.iter().position(|x| x == n).unwrap_or(usize::MAX);
    let get = |v: &[u64], names: &[String], n: &str| v.get(index(names, n)).copied().unwrap_or(0);
    let mut counts: HashMap<(String, String), [Counts; 2]> = HashMap::new();
    let mut days = vec![(0u64, 0u64, 0u64); TREND_DAYS];
    for (k, v) in &case_rows {
        let key = (k[0].clone(), k[1].clone());
        let entry = counts.entry(key).or_default();
        for (i, p) in ["d", "m"].iter().enumerate() {
            entry[i].reported += get(v, &names, &format!("{p}_reported"));
            entry[i].closed += get(v, &names, &format!("{p}_closed"));
            entry[i].closed_on_time += get(v, &names, &format!("{p}_on_time"));
            entry[i].open_now += get(v, &names, "open");
            entry[i].overdue_now += get(v, &names, "overdue");
        }
        for (i, d) in days.iter_mut().enumerate() {
            d.0 += get(v, &names, &format!("r{i}"));
            d.1 += get(v, &names, &format!("c{i}"));
        }
    }
    for (k, v) in &event_rows {
        let key = (k[0].clone(), k[1].clone());
        let entry = counts.entry(key).or_default();
        for (i, p) in ["d", "m"].iter().enumerate() {
            entry[i].accepted += get(v, &enames, &format!("{p}_accepted"));
            entry[i].filed += get(v, &enames, &format!("{p}_filed"));
            entry[i].filed_closed += get(v, &enames, &format!("{p}_filed_closed"));
            entry[i].dispatched += get(v, &enames, &format!("{p}_dispatched"));
        }
        for (i, d) in days.iter_mut().enumerate() {
            d.2 += get(v, &enames, &format!("o{i}"));
        }
    }
    let mut states: HashMap<(String, String), u64> = HashMap::new();
    for (k, v) in state_rows {
        *states.entry((k[0].clone(), k[1].clone())).or_default() += v.first().copied().unwrap_or(0);
    }
    let trend = periods
        .dates
        .iter()
        .zip(days)
        .map(|(date, (reported, closed, overdue))| TrendDay { date: *date, reported, closed, overdue })
        .collect();
    Ok((counts, states, trend))
}

fn figures<'a>(rows: impl Iterator<Item = (&'a String, &'a Counts)>) -> Figures {
    let mut by: BTreeMap<usize, (String, Counts)> = BTreeMap::new();
    let mut total = Counts::default();
    for (source, c) in rows {
        total.add(c);
        let order = SOURCES.iter().position(|s| s == source).unwrap_or(SOURCES.len());
        by.entry(order).or_insert_with(|| (source.clone(), Counts::default())).1.add(c);
    }
    Figures {
        total: total.rated(),
        by_source: by.into_values().map(|(source, c)| SourceCounts { source, counts: c.rated() }).collect(),
    }
}

/// The counties of the scope with their names, in code order.
async fn counties(db: &DatabaseConnection, scope: &TenantScope) -> Result<Vec<(Uuid, String, String)>> {
    use tenancy::entity::tenant;
    let refs = tenancy::tenant::counties_of(db, scope).await?;
    let ids: Vec<Uuid> = refs.iter().map(|r| r.id().0).collect();
    let names: HashMap<Uuid, String> = tenant::Entity::find()
        .select_only()
        .column(tenant::Column::Id)
        .column(tenant::Column::Name)
        .filter(sea_orm::ColumnTrait::is_in(&tenant::Column::Id, ids))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await
        .or_internal()?
        .into_iter()
        .collect();
    Ok(refs
        .iter()
        .map(|r| (r.id().0, r.code().to_string(), names.get(&r.id().0).cloned().unwrap_or_default()))
        .collect())
}

/// The dashboard of the scope's tenant (a county, or a city over its counties).
pub async fn dashboard(
    db: &DatabaseConnection,
    scope: &TenantScope,
    query: &DashboardQuery,
    now: DateTime<Utc>,
) -> Result<Dashboard> {
    let tenant = tenancy::tenant::get(db, scope).await?;
    let tz: chrono_tz::Tz = tenant.time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
    let date = query.date.unwrap_or_else(|| now.with_timezone(&tz).date_naive());
    let periods = Periods::of(date, tz)?;
    let counties = counties(db, scope).await?;
    let (counts, states, trend) =
        if counties.is_empty() { Default::default() } else { compute(db, &counties, &periods).await? };
    let today = figures(counts.iter().map(|((_, s), c)| (s, &c[0])));
    let month = figures(counts.iter().map(|((_, s), c)| (s, &c[1])));
    let mut by_state: BTreeMap<usize, (String, u64)> = BTreeMap::new();
    for ((_, s), n) in &states {
        let order = STATES.iter().position(|x| x == s).unwrap_or(STATES.len());
        by_state.entry(order).or_insert_with(|| (s.clone(), 0)).1 += n;
    }
    let rows = if scope.tenant().level() == kernel::DivisionLevel::City {
        counties
            .iter()
            .map(|(id, code, name)| {
                let id = id.to_string();
                let m = figures(counts.iter().filter(|((t, _), _)| *t == id).map(|((_, s), c)| (s, &c[1]))).total;
                CountyRow {
                    code: code.clone(),
                    name: name.clone(),
                    open_now: m.open_now,
                    overdue_now: m.overdue_now,
                    month_reported: m.reported,
                    month_closed: m.closed,
                    month_on_time_rate: m.on_time_rate,
                    month_closure_rate: m.closure_rate,
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let trend = if counties.is_empty() {
        periods.dates.iter().map(|d| TrendDay { date: *d, reported: 0, closed: 0, overdue: 0 }).collect()
    } else {
        trend
    };
    Ok(Dashboard {
        tenant_code: tenant.code,
        date,
        time_zone: tz.to_string(),
        today,
        month,
        open_by_state: by_state.into_values().map(|(state, count)| StateCount { state, count }).collect(),
        trend,
        counties: rows,
        generated_at: now,
    })
}

/// The open cases of a county (or of every county of a city) as columns of equal length: one
/// response for the whole map, about 35 bytes of JSON per case.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[schema(example = json!({
    "count": 2,
    "counties": ["320115"],
    "id": ["019ae8a1-0a2b-7c3d-8e4f-5a6b7c8d9e0f", "019ae8a1-0a2b-7c3d-8e4f-5a6b7c8d9e10"],
    "number": ["320115-20261204-0001", "320115-20261204-0002"],
    "lon": [118.8213, 118.8302],
    "lat": [31.9534, 31.9491],
    "state": ["dispatched", "filed"],
    "light": ["yellow", "green"],
    "class_code": ["06010", "01001"],
    "county": [0, 0]
}))]
pub struct Points {
    pub count: usize,
    /// The counties' codes; `county[i]` indexes this list.
    pub counties: Vec<String>,
    pub id: Vec<Uuid>,
    pub number: Vec<String>,
    /// WGS84, rounded to 6 decimals (about 0.1 m).
    pub lon: Vec<f64>,
    pub lat: Vec<f64>,
    pub state: Vec<String>,
    /// The running stage's traffic light (`green`, `yellow`, `red`), null while the clock is
    /// stopped (suspended).
    #[schema(value_type = Vec<Option<String>>)]
    pub light: Vec<Option<calendar::Light>>,
    pub class_code: Vec<String>,
    pub county: Vec<u16>,
}

/// The open cases of the scope's counties as points.
pub async fn points(db: &DatabaseConnection, scope: &TenantScope, now: DateTime<Utc>) -> Result<Points> {
    let counties = counties(db, scope).await?;
    let mut out = Points { counties: counties.iter().map(|c| c.1.clone()).collect(), ..Points::default() };
    for (i, (id, _, _)) in counties.iter().enumerate() {
        let (cal, limits) = crate::clock::load_of(db, *id).await?;
        type Row = (Uuid, String, f64, f64, String, String, String, String, String);
        let rows: Vec<Row> = case::Entity::find()
            .select_only()
            .columns([
                case::Column::Id,
                case::Column::Number,
                case::Column::Lon,
                case::Column::Lat,
                case::Column::State,
                case::Column::ClassCode,
                case::Column::StreetCode,
                case::Column::CommunityCode,
                case::Column::Projection,
            ])
            // Allowed bare filter: one of the scope's counties (`counties_of(scope)`).
            .filter(sea_orm::ColumnTrait::eq(&case::Column::TenantId, *id))
            .filter(sea_orm::ColumnTrait::is_not_in(&case::Column::State, TERMINAL))
            .into_tuple()
            .all(db)
            .await
            .or_internal()?;
        for (id, number, lon, lat, state, class_code, street_code, community_code, projection) in rows {
            let light = serde_json::from_str::<workflow::Case>(&projection).ok().and_then(|p| {
                let row = clock_row(&class_code, &street_code, &community_code);
                crate::clock::stage(&p, &row, &limits, &cal).map(|s| crate::clock::light(&s, &cal, now))
            });
            let round = |x: f64| (x * 1e6).round() / 1e6;
            out.id.push(id);
            out.number.push(number);
            out.lon.push(round(lon));
            out.lat.push(round(lat));
            out.state.push(state);
            out.light.push(light);
            out.class_code.push(class_code);
            out.county.push(i as u16);
        }
    }
    out.count = out.id.len();
    Ok(out)
}

/// The fields of a case row the clock reads (class and area), the rest empty.
fn clock_row(class_code: &str, street_code: &str, community_code: &str) -> case::Model {
    case::Model {
        id: Uuid::nil(),
        tenant_id: Uuid::nil(),
        number: String::new(),
        state: String::new(),
        source: String::new(),
        kind: String::new(),
        class_code: class_code.to_owned(),
        description: String::new(),
        address: None,
        lon: 0.0,
        lat: 0.0,
        grid_code: String::new(),
        community_code: community_code.to_owned(),
        street_code: street_code.to_owned(),
        duty_grid_id: None,
        component_id: None,
        reporter_id: None,
        urgent: false,
        department_id: None,
        overdue: false,
        deadline: None,
        tracking_code: None,
        projection: String::new(),
        last_hash: String::new(),
        created_at: DateTime::<Utc>::MIN_UTC,
        updated_at: DateTime::<Utc>::MIN_UTC,
        replica: None,
        closed_at: None,
        timeline: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_days_of_the_tenants_zone() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap_or_default();
        let p = Periods::of(d, chrono_tz::Asia::Shanghai).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.day.0.to_rfc3339(), "2026-12-03T16:00:00+00:00");
        assert_eq!(p.month.0.to_rfc3339(), "2026-11-30T16:00:00+00:00");
        assert_eq!((p.days.len(), p.dates.len()), (TREND_DAYS + 1, TREND_DAYS));
        assert_eq!(p.days[TREND_DAYS], p.day.1);
        assert_eq!(p.dates[TREND_DAYS - 1], d);
    }

    #[test]
    fn rates_are_absent_without_a_denominator() {
        let c = Counts { closed: 4, closed_on_time: 3, ..Counts::default() }.rated();
        assert_eq!((c.on_time_rate, c.closure_rate), (Some(0.75), None));
    }
}
