//! Result tables, drill-down and trends: for a county, or for a city over its counties.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use evaluation::engine::{Context, Contribution, Evaluation, Row, drill, evaluate};
use evaluation::indicator::Tally;
use evaluation::input::{CaseRecord, Directive, GridCounts, Roster};
use evaluation::period::{Period, PeriodKind};
use evaluation::{Indicator, Scheme, SubjectKind, score};
use futures_util::future::try_join_all;
use kernel::{DivisionLevel, Error, Result};
use sea_orm::{DatabaseConnection, FromQueryResult};
use serde::Serialize;
use tenancy::TenantScope;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::load;
use crate::sql::all;

/// A county whose data is evaluated.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Area {
    /// Crate-private: an `Area` comes only from [`areas`] (a scope's counties), so the loads
    /// below, which take its id, never see an id a caller chose.
    pub(crate) id: Uuid,
    pub code: String,
    pub name: String,
    pub time_zone: String,
}

/// The counties a request covers: the county itself, or every county of a city.
pub async fn areas(db: &DatabaseConnection, scope: &TenantScope) -> Result<Vec<Area>> {
    let t = scope.tenant();
    let sql = if t.level() == DivisionLevel::City {
        "SELECT id, code, name, time_zone FROM tenants WHERE parent_id = $1 AND status = 'active' ORDER BY code"
    } else {
        "SELECT id, code, name, time_zone FROM tenants WHERE id = $1"
    };
    all(db, sql, vec![t.id().0.into()]).await
}

/// The time zone of the tenant addressed (periods are its calendar days).
pub async fn time_zone(db: &DatabaseConnection, scope: &TenantScope) -> Result<Tz> {
    let rows: Vec<Area> =
        all(db, "SELECT id, code, name, time_zone FROM tenants WHERE id = $1", vec![scope.tenant_id().0.into()])
            .await?;
    Ok(rows.first().and_then(|a| a.time_zone.parse().ok()).unwrap_or(chrono_tz::Asia::Shanghai))
}

/// A period from query parameters.
pub fn period(kind: PeriodKind, date: NaiveDate, to: Option<NaiveDate>, tz: Tz) -> Result<Period> {
    Period::new(kind, date, to, tz).map_err(|(f, r)| Error::invalid(f, r))
}

/// Everything read for one evaluation.
#[derive(Debug, Default)]
pub struct Loaded {
    pub cases: Vec<CaseRecord>,
    pub directives: Vec<Directive>,
    pub roster: Roster,
    pub grids: GridCounts,
    pub names: HashMap<String, String>,
    /// Each county's share of `cases` and `directives` (evaluated in parallel, each apart).
    pub parts: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)>,
    /// The county (code, name) of each part.
    pub counties: Vec<(String, String)>,
}

/// Reads the areas' data for `[start, end)`, one county per connection at a time.
pub async fn load(db: &DatabaseConnection, areas: &[Area], start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Loaded> {
    let parts = try_join_all(areas.iter().map(|a| async move {
        let (cases, directives, roster, grids, mut names) = tokio::try_join!(
            load::cases(db, a.id, &a.code, start, end),
            load::directives(db, a.id, &a.code, start, end),
            load::roster(db, a.id),
            load::grid_counts(db, a.id, &a.code),
            load::names(db, a.id),
        )?;
        // Names of the unit grids that have cases (a county has thousands; most have none).
        let mut codes: Vec<&str> = cases.iter().map(|c| c.grid_code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        let grid_names = load::grid_names(db, a.id, &codes, &names).await?;
        names.extend(grid_names);
        Ok::<_, Error>(Loaded { cases, directives, roster, grids, names, parts: Vec::new(), counties: Vec::new() })
    }))
    .await?;
    let mut out = Loaded::default();
    out.names.extend(areas.iter().map(|a| (a.code.clone(), a.name.clone())));
    for (a, p) in areas.iter().zip(parts) {
        let (c0, d0) = (out.cases.len(), out.directives.len());
        out.parts.push((c0..c0 + p.cases.len(), d0..d0 + p.directives.len()));
        out.counties.push((a.code.clone(), a.name.clone()));
        out.cases.extend(p.cases);
        out.directives.extend(p.directives);
        out.roster.extend(p.roster);
        out.grids.extend(p.grids);
        out.names.extend(p.names);
    }
    Ok(out)
}

/// One column of a table.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Column {
    pub key: String,
    pub label: String,
}

/// An evaluation table: one row per subject, ranked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Table {
    pub tenant: String,
    pub subject: SubjectKind,
    pub period: Period,
    pub scheme: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

pub fn columns(kind: SubjectKind, scheme: &Scheme) -> Vec<Column> {
    kind.indicators().iter().map(|i| Column { key: i.key(), label: i.label(&scheme.options).to_owned() }).collect()
}

/// Scores the counties' evaluations (one per part of `loaded`, see [`run`]) into the table of
/// one subject kind. Each county's rows are its own and name it; every county has its row in the
/// county table, with zeros when it had no case; all rows are ranked together.
pub fn table(
    tenant: &str,
    kind: SubjectKind,
    period: &Period,
    scheme: &Scheme,
    evals: &[Evaluation],
    loaded: &Loaded,
) -> Table {
    let mut rows = Vec::new();
    for ((code, county_name), eval) in loaded.counties.iter().zip(evals) {
        let mut part: Vec<Row> = eval
            .subjects(kind)
            .filter(|(s, _)| !s.is_empty())
            .map(|(subject, t)| score::row(scheme, kind, subject, t))
            .collect();
        if kind == SubjectKind::County && !part.iter().any(|r| &r.subject == code) {
            let zero = Tally { grids: loaded.grids.get(code).copied().unwrap_or(0), ..Tally::default() };
            part.push(score::row(scheme, kind, code, &zero));
        }
        for r in &mut part {
            r.name = loaded.names.get(&r.subject).cloned();
            r.county = Some(code.clone());
            r.county_name = Some(county_name.clone());
        }
        rows.extend(part);
    }
    score::rank(&mut rows);
    Table {
        tenant: tenant.to_owned(),
        subject: kind,
        period: period.clone(),
        scheme: scheme.name.clone(),
        columns: columns(kind, scheme),
        rows,
    }
}

/// Counts every subject of the loaded data for a period (read up to `now` if it has not ended),
/// one thread per county: one evaluation per county, in the order of `loaded.parts`.
pub fn run(loaded: &Loaded, period: &Period, scheme: &Scheme, now: DateTime<Utc>) -> Vec<Evaluation> {
    let ctx = Context::at(period.start, period.end, now, &scheme.options, &loaded.roster);
    std::thread::scope(|s| {
        let handles: Vec<_> = loaded
            .parts
            .iter()
            .map(|(c, d)| {
                let cases = loaded.cases.get(c.clone()).unwrap_or_default();
                let directives = loaded.directives.get(d.clone()).unwrap_or_default();
                let ctx = &ctx;
                s.spawn(move || evaluate(cases, directives, ctx, &loaded.grids))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    })
}

/// The counties' evaluations added up (a subject's counts over every county).
pub fn merged(parts: Vec<Evaluation>) -> Evaluation {
    let mut out = Evaluation::default();
    for p in parts {
        out.merge(p);
    }
    out
}

/// [`run`] off the request's thread (a city's month keeps the cores busy for a while).
pub async fn run_off_thread(loaded: Arc<Loaded>, period: Period, scheme: Arc<Scheme>) -> Result<Vec<Evaluation>> {
    tokio::task::spawn_blocking(move || run(&loaded, &period, &scheme, Utc::now())).await.map_err(Error::internal)
}

/// The scheme in force and the data of the request's counties for `[start, end)`.
async fn read(
    db: &DatabaseConnection,
    scope: &TenantScope,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<(Arc<Scheme>, Arc<Loaded>)> {
    let scheme = Arc::new(crate::schemes::in_force(db, scope.tenant()).await?.scheme);
    let areas = areas(db, scope).await?;
    Ok((scheme, Arc::new(load(db, &areas, start, end).await?)))
}

/// Whether `subject` is one of the areas' regions, departments or staff. Names are loaded for
/// every subject except unit grids without cases, which are looked up.
async fn known_subject(
    db: &DatabaseConnection,
    scope: &TenantScope,
    kind: SubjectKind,
    subject: &str,
    loaded: &Loaded,
) -> Result<bool> {
    if loaded.names.contains_key(subject) {
        return Ok(true);
    }
    if kind != SubjectKind::Grid {
        return Ok(false);
    }
    for a in areas(db, scope).await? {
        if !load::grid_names(db, a.id, &[subject], &loaded.names).await?.is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The evaluation table of `kind` for the tenant of `scope` (a county, or a city over its counties).
pub async fn evaluation_table(
    db: &DatabaseConnection,
    scope: &TenantScope,
    kind: SubjectKind,
    period: &Period,
) -> Result<Table> {
    let (scheme, loaded) = read(db, scope, period.start, period.end).await?;
    let evals = run_off_thread(loaded.clone(), period.clone(), scheme.clone()).await?;
    Ok(table(scope.tenant().code().as_str(), kind, period, &scheme, &evals, &loaded))
}

/// The table of one subject under the scheme in force and under a candidate scheme, both from
/// one reading of the period's data: what the scheme editor shows before a change is saved, so
/// that an administrator sees whose rank a new weighting would move.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Preview {
    pub current: Table,
    pub candidate: Table,
}

/// [`Preview`] of `candidate` (already validated) for the tenant of `scope`.
pub async fn preview(
    db: &DatabaseConnection,
    scope: &TenantScope,
    kind: SubjectKind,
    period: &Period,
    candidate: Scheme,
) -> Result<Preview> {
    let (scheme, loaded) = read(db, scope, period.start, period.end).await?;
    let candidate = Arc::new(candidate);
    let now = Utc::now();
    let (current, proposed) = {
        let (loaded, period, scheme, candidate) = (loaded.clone(), period.clone(), scheme.clone(), candidate.clone());
        // The counts depend on the scheme's options (bases, what counts as on time), so the
        // candidate is evaluated, not only re-scored.
        tokio::task::spawn_blocking(move || {
            (run(&loaded, &period, &scheme, now), run(&loaded, &period, &candidate, now))
        })
        .await
        .map_err(Error::internal)?
    };
    let code = scope.tenant().code();
    Ok(Preview {
        current: table(code.as_str(), kind, period, &scheme, &current, &loaded),
        candidate: table(code.as_str(), kind, period, &candidate, &proposed, &loaded),
    })
}

/// One event behind a number.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DrillEvent {
    pub seq: u32,
    pub action: workflow::Action,
    pub actor_id: Option<String>,
    pub at: DateTime<Utc>,
    pub due: Option<DateTime<Utc>>,
}

/// A case or directive behind a number.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DrillItem {
    /// `case` or `directive`.
    pub kind: String,
    pub id: String,
    /// The case number (for a case).
    pub number: Option<String>,
    pub county: String,
    /// The deadline the count was judged against, where it has one: for 超期待处置, 超期处置,
    /// 应处置数 and the closure counts the disposal deadline actually used (after extensions and
    /// suspensions), which may differ from the `due` the deciding events carry; for 超期未结 the
    /// deadline that had passed.
    pub deadline: Option<DateTime<Utc>>,
    pub events: Vec<DrillEvent>,
}

/// What produced one indicator of one subject.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Drill {
    pub subject: String,
    pub kind: SubjectKind,
    pub indicator: Indicator,
    pub label: String,
    /// The indicator's value (as in the table).
    pub value: Option<f64>,
    /// The counts the value is made of, with what produced each.
    pub parts: Vec<Indicator>,
    pub items: Vec<DrillItem>,
}

pub async fn drill_down(
    db: &DatabaseConnection,
    scope: &TenantScope,
    kind: SubjectKind,
    subject: &str,
    indicator: Indicator,
    period: &Period,
) -> Result<Drill> {
    if !kind.indicators().contains(&indicator) {
        return Err(Error::invalid("indicator", format!("is not an indicator of a {}", kind.as_str())));
    }
    let (scheme, loaded) = read(db, scope, period.start, period.end).await?;
    if !known_subject(db, scope, kind, subject, &loaded).await? {
        // Another tenant's department or user reads as absent, the same as a mistyped id.
        return Err(Error::not_found("subject"));
    }
    let value = merged(run_off_thread(loaded.clone(), period.clone(), scheme.clone()).await?)
        .tally(kind, subject)
        .and_then(|t| indicator.value(t, &scheme.options))
        .map(|v| (v * 100.0).round() / 100.0);
    // The walk again, keeping what the subject's counts came from (off the request thread too).
    let contributions = {
        let (loaded, scheme, period, subject) = (loaded.clone(), scheme.clone(), period.clone(), subject.to_owned());
        tokio::task::spawn_blocking(move || {
            let ctx = Context::at(period.start, period.end, Utc::now(), &scheme.options, &loaded.roster);
            drill(&loaded.cases, &loaded.directives, &ctx, kind, &subject, indicator)
        })
        .await
        .map_err(Error::internal)?
    };
    let items = contributions
        .into_iter()
        .filter_map(|c| match c {
            Contribution::Case { index, events, deadline } => loaded.cases.get(index).map(|case| DrillItem {
                kind: "case".into(),
                id: case.id.clone(),
                number: Some(case.number.clone()),
                county: case.county.clone(),
                deadline,
                events: case
                    .events
                    .iter()
                    .filter(|e| events.contains(e.seq))
                    .map(|e| DrillEvent {
                        seq: e.seq,
                        action: e.action,
                        actor_id: e.actor.clone(),
                        at: e.at,
                        due: e.due,
                    })
                    .collect(),
            }),
            Contribution::Directive { index } => loaded.directives.get(index).map(|d| DrillItem {
                kind: "directive".into(),
                id: d.id.clone(),
                number: None,
                county: d.county.clone(),
                deadline: Some(d.due_at),
                events: Vec::new(),
            }),
        })
        .collect();
    Ok(Drill {
        subject: subject.to_owned(),
        kind,
        indicator,
        label: indicator.label(&scheme.options).to_owned(),
        value,
        parts: indicator.parts(),
        items,
    })
}

/// One subject's values over consecutive periods.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Series {
    pub subject: String,
    pub name: Option<String>,
    /// One value per period, oldest first (`null` where a rate has no base).
    pub values: Vec<Option<f64>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Trend {
    pub subject: SubjectKind,
    pub indicator: Indicator,
    pub label: String,
    pub periods: Vec<Period>,
    pub series: Vec<Series>,
}

/// The values of one indicator over the `count` periods ending with `last`.
pub async fn trend(
    db: &DatabaseConnection,
    scope: &TenantScope,
    kind: SubjectKind,
    indicator: Indicator,
    last: &Period,
    count: usize,
    tz: Tz,
) -> Result<Trend> {
    if !(1..=24).contains(&count) {
        return Err(Error::invalid("count", "must be between 1 and 24"));
    }
    let mut periods = vec![last.clone()];
    while periods.len() < count {
        let prev = periods.last().map(|p| p.previous(tz)).unwrap_or_else(|| last.clone());
        periods.push(prev);
    }
    periods.reverse();
    let first = periods.first().map(|p| p.start).unwrap_or(last.start);
    let (scheme, loaded) = read(db, scope, first, last.end).await?;
    let mut series: HashMap<String, Vec<Option<f64>>> = HashMap::new();
    for (i, p) in periods.iter().enumerate() {
        let eval = merged(run_off_thread(loaded.clone(), p.clone(), scheme.clone()).await?);
        for (subject, t) in eval.subjects(kind) {
            let v = indicator.value(t, &scheme.options).map(|v| (v * 100.0).round() / 100.0);
            series.entry(subject.clone()).or_insert_with(|| vec![None; periods.len()])[i] = v;
        }
    }
    let names = &loaded.names;
    let mut series: Vec<Series> = series
        .into_iter()
        .filter(|(s, _)| !s.is_empty())
        .map(|(subject, values)| Series { name: names.get(&subject).cloned(), subject, values })
        .collect();
    series.sort_by(|a, b| a.subject.cmp(&b.subject));
    Ok(Trend { subject: kind, indicator, label: indicator.label(&scheme.options).to_owned(), periods, series })
}
