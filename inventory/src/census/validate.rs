//! Turns one raw record (a CSV row, a GeoJSON feature or a JSON body) into a valid census row,
//! or into the list of its problems — each naming the field and the reason.

use chrono::NaiveDate;
use kernel::FieldError;
use serde_json::{Map, Value};
use spatial::codes::ComponentId;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::fields::Field;
use crate::grid_cache::TenantGrids;

/// The statuses of GB/T 47678.5 表2 (管理部件状态), with English aliases accepted on input.
pub const STATUSES: [(&str, &str); 5] =
    [("完好", "intact"), ("破损", "damaged"), ("丢失", "lost"), ("废弃", "abandoned"), ("移除", "removed")];

/// A record as read, before validation.
#[derive(Debug, Default, Clone)]
pub struct RawRecord {
    pub fields: BTreeMap<Field, String>,
    /// Columns we do not know: local extension attributes.
    pub extra: Map<String, Value>,
    /// A GeoJSON geometry given as an object (GeoJSON import, JSON body).
    pub geometry: Option<Value>,
}

impl RawRecord {
    fn get(&self, f: Field) -> Option<&str> {
        self.fields.get(&f).map(|s| s.trim()).filter(|s| !s.is_empty())
    }
}

/// A census row that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidComponent {
    pub component_id: String,
    pub legacy_id: Option<String>,
    pub class_code: String,
    pub name: String,
    pub dept_code: String,
    pub dept_name: String,
    pub owner_code: Option<String>,
    pub owner_name: Option<String>,
    pub maint_code: Option<String>,
    pub maint_name: Option<String>,
    pub grid_code: String,
    pub status: String,
    pub initial_date: NaiveDate,
    pub change_date: Option<NaiveDate>,
    pub data_source: Option<String>,
    pub note: Option<String>,
    pub street_code: String,
    pub street_name: Option<String>,
    pub community_code: String,
    pub community_name: Option<String>,
    pub lon: f64,
    pub lat: f64,
    /// A line or polygon geometry (GeoJSON text); points live in lon/lat only.
    pub geometry: Option<String>,
    pub extra: Option<String>,
}

impl ValidComponent {
    /// Every stored column of the census row (all but identity, version and timestamps) with its
    /// value as text, `None` for NULL: names and values side by side in one place, so that the
    /// column lists of the PostgreSQL COPY statements and the rows written cannot drift apart.
    pub fn stored_columns(&self) -> [(&'static str, Option<String>); 23] {
        let s = |v: &String| Some(v.clone());
        [
            ("legacy_id", self.legacy_id.clone()),
            ("class_code", s(&self.class_code)),
            ("name", s(&self.name)),
            ("dept_code", s(&self.dept_code)),
            ("dept_name", s(&self.dept_name)),
            ("owner_code", self.owner_code.clone()),
            ("owner_name", self.owner_name.clone()),
            ("maint_code", self.maint_code.clone()),
            ("maint_name", self.maint_name.clone()),
            ("grid_code", s(&self.grid_code)),
            ("status", s(&self.status)),
            ("initial_date", Some(self.initial_date.to_string())),
            ("change_date", self.change_date.map(|d| d.to_string())),
            ("data_source", self.data_source.clone()),
            ("note", self.note.clone()),
            ("street_code", s(&self.street_code)),
            ("street_name", self.street_name.clone()),
            ("community_code", s(&self.community_code)),
            ("community_name", self.community_name.clone()),
            ("lon", Some(self.lon.to_string())),
            ("lat", Some(self.lat.to_string())),
            ("geometry", self.geometry.clone()),
            ("extra", self.extra.clone()),
        ]
    }
}

/// What validation needs to know about the tenant.
#[derive(Debug, Clone)]
pub struct Context {
    pub tenant_code: String,
    /// Component classes visible to the tenant: code → name.
    pub classes: HashMap<String, String>,
    /// Legacy 4-digit class → 5-digit class.
    pub legacy: HashMap<String, String>,
    pub grids: Arc<TenantGrids>,
    pub street_names: HashMap<String, String>,
    pub community_names: HashMap<String, String>,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y%m%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
        .map_err(|_| format!("`{s}` is not a date (YYYYMMDD or YYYY-MM-DD)"))
}

/// The representative point of a GeoJSON geometry (a point itself, or its first position).
fn first_position(v: &Value) -> Option<(f64, f64)> {
    let mut c = v.get("coordinates")?;
    while let Some(first) = c.as_array().and_then(|a| a.first()) {
        if first.is_number() {
            break;
        }
        c = first;
    }
    let a = c.as_array()?;
    Some((a.first()?.as_f64()?, a.get(1)?.as_f64()?))
}

fn normalise_status(s: &str) -> Option<&'static str> {
    let s = s.trim();
    STATUSES.iter().find(|(zh, en)| *zh == s || en.eq_ignore_ascii_case(s)).map(|(zh, _)| *zh)
}

fn check_len(errors: &mut Vec<FieldError>, f: Field, value: &str, max: usize) {
    if value.chars().count() > max {
        errors.push(FieldError::new(f.api_name(), format!("must be at most {max} characters")));
    }
}

fn check_uscc(errors: &mut Vec<FieldError>, f: Field, value: Option<&str>, required: bool) -> Option<String> {
    match value {
        None if required => {
            errors.push(FieldError::new(f.api_name(), "is required (统一社会信用代码, 18 characters)"));
            None
        }
        None => None,
        Some(v) => {
            let v = v.to_uppercase();
            if let Err(reason) = tenancy::uscc::validate(&v) {
                errors.push(FieldError::new(f.api_name(), reason));
            }
            Some(v)
        }
    }
}

/// Validates one record against the tenant's frame and catalogue.
pub fn validate(raw: &RawRecord, ctx: &Context) -> Result<ValidComponent, Vec<FieldError>> {
    let mut errors = Vec::new();
    let err =
        |errors: &mut Vec<FieldError>, f: Field, reason: String| errors.push(FieldError::new(f.api_name(), reason));

    // Identity: 17 digits, or a legacy 16-digit id converted through the legacy class map.
    let mut legacy_id = None;
    let id = match raw.get(Field::ComponentId) {
        None => {
            err(&mut errors, Field::ComponentId, "is required (管理部件标识码, 17 digits)".into());
            None
        }
        Some(s) if s.len() == 16 => match ComponentId::from_legacy(s, |c| ctx.legacy.get(c).cloned()) {
            Ok(id) => {
                legacy_id = Some(s.to_owned());
                Some(id)
            }
            Err(reason) => {
                err(&mut errors, Field::ComponentId, reason);
                None
            }
        },
        Some(s) => match ComponentId::parse(s) {
            Ok(id) => Some(id),
            Err(reason) => {
                err(&mut errors, Field::ComponentId, reason);
                None
            }
        },
    };
    let mut class_code = raw.get(Field::ClassCode).map(str::to_owned);
    if let Some(id) = &id {
        if id.county_code() != ctx.tenant_code {
            err(
                &mut errors,
                Field::ComponentId,
                format!("begins with {}, not this county's code {}", id.county_code(), ctx.tenant_code),
            );
        }
        match &class_code {
            Some(c) if c != id.class_code() => err(
                &mut errors,
                Field::ClassCode,
                format!("{c} differs from the class part {} of the component id", id.class_code()),
            ),
            _ => class_code = Some(id.class_code().to_owned()),
        }
    }
    let class_name = class_code.as_ref().and_then(|c| ctx.classes.get(c));
    if let Some(c) = &class_code
        && class_name.is_none()
    {
        err(&mut errors, Field::ClassCode, format!("{c} is not a component class of the catalogue"));
    }
    let name = raw.get(Field::Name).map(str::to_owned).or_else(|| class_name.cloned()).unwrap_or_default();
    check_len(&mut errors, Field::Name, &name, 30);

    let dept_code = check_uscc(&mut errors, Field::DeptCode, raw.get(Field::DeptCode), true);
    let dept_name = raw.get(Field::DeptName).map(str::to_owned);
    match &dept_name {
        None => err(&mut errors, Field::DeptName, "is required (主管部门名称)".into()),
        Some(n) => check_len(&mut errors, Field::DeptName, n, 100),
    }
    let owner_code = check_uscc(&mut errors, Field::OwnerCode, raw.get(Field::OwnerCode), false);
    let maint_code = check_uscc(&mut errors, Field::MaintCode, raw.get(Field::MaintCode), false);
    for f in [Field::OwnerName, Field::MaintName] {
        if let Some(n) = raw.get(f) {
            check_len(&mut errors, f, n, 100);
        }
    }

    let status = match raw.get(Field::Status) {
        None => {
            err(&mut errors, Field::Status, "is required: 完好, 破损, 丢失, 废弃 or 移除".into());
            None
        }
        Some(s) => {
            let n = normalise_status(s);
            if n.is_none() {
                err(&mut errors, Field::Status, format!("`{s}` is not one of 完好, 破损, 丢失, 废弃, 移除"));
            }
            n
        }
    };
    let initial_date = match raw.get(Field::InitialDate) {
        None => {
            err(&mut errors, Field::InitialDate, "is required (初始日期, YYYYMMDD)".into());
            None
        }
        Some(s) => parse_date(s).map_err(|r| err(&mut errors, Field::InitialDate, r)).ok(),
    };
    let change_date =
        raw.get(Field::ChangeDate).and_then(|s| parse_date(s).map_err(|r| err(&mut errors, Field::ChangeDate, r)).ok());
    if let (Some(i), Some(c)) = (initial_date, change_date)
        && c < i
    {
        err(&mut errors, Field::ChangeDate, format!("{c} is before the initial date {i}"));
    }
    if let Some(s) = raw.get(Field::DataSource) {
        check_len(&mut errors, Field::DataSource, s, 30);
    }
    if let Some(s) = raw.get(Field::Note) {
        check_len(&mut errors, Field::Note, s, 1000);
    }

    // Location: lon/lat in a crs, or a geometry (WGS84, as GeoJSON requires).
    let crs = raw.get(Field::Crs);
    let geometry_value: Option<Value> = match (&raw.geometry, raw.get(Field::Geometry)) {
        (Some(v), _) => Some(v.clone()),
        (None, Some(text)) => match serde_json::from_str::<Value>(text) {
            Ok(v) => Some(v),
            Err(_) => {
                err(&mut errors, Field::Geometry, "is not a GeoJSON geometry".into());
                None
            }
        },
        _ => None,
    };
    let mut stored_geometry = None;
    let point = match (raw.get(Field::Lon), raw.get(Field::Lat), &geometry_value) {
        (Some(lon), Some(lat), _) => match (lon.parse::<f64>(), lat.parse::<f64>()) {
            (Ok(lon), Ok(lat)) => match crate::grids::to_wgs84(lon, lat, crs) {
                Ok(p) => Some(p),
                Err(e) => {
                    for f in e.fields {
                        errors.push(f);
                    }
                    None
                }
            },
            _ => {
                err(&mut errors, Field::Lon, format!("`{lon}, {lat}` is not a longitude/latitude pair"));
                None
            }
        },
        (_, _, Some(g)) => {
            let kind = g.get("type").and_then(Value::as_str).unwrap_or_default();
            match (kind, first_position(g)) {
                ("Point" | "LineString" | "Polygon" | "MultiLineString" | "MultiPolygon", Some((lon, lat))) => {
                    if kind != "Point" {
                        stored_geometry = Some(g.to_string());
                    }
                    match spatial::crs::check_lon_lat(lon, lat) {
                        Ok(()) => Some((lon, lat)),
                        Err(reason) => {
                            err(&mut errors, Field::Geometry, reason);
                            None
                        }
                    }
                }
                _ => {
                    err(&mut errors, Field::Geometry, "must be a GeoJSON Point, LineString or Polygon".into());
                    None
                }
            }
        }
        _ => {
            err(&mut errors, Field::Lon, "a location is required: lon and lat, or a geometry".into());
            None
        }
    };

    // The unit grid comes from the location; a given grid must agree with it.
    let given_grid = raw.get(Field::GridCode);
    let located = point.and_then(|(lon, lat)| ctx.grids.index.locate(lon, lat));
    let grid = match (given_grid, located, point) {
        (Some(g), Some(l), _) if g != l.code => {
            err(
                &mut errors,
                Field::GridCode,
                format!("{g} disagrees with the location, which lies in unit grid {}", l.code),
            );
            None
        }
        (_, Some(l), _) => Some(l.clone()),
        (_, None, Some((lon, lat))) => {
            err(
                &mut errors,
                Field::Lon,
                format!("({lon:.6}, {lat:.6}) lies outside every unit grid of {}", ctx.tenant_code),
            );
            None
        }
        (_, None, None) => None,
    };
    let mut street_code = String::new();
    let mut community_code = String::new();
    if let Some(g) = &grid {
        street_code = g.street_code.clone();
        community_code = g.community_code.clone();
        for (f, expected) in [(Field::StreetCode, &street_code), (Field::CommunityCode, &community_code)] {
            if let Some(given) = raw.get(f)
                && given != expected
            {
                err(&mut errors, f, format!("{given} disagrees with the unit grid, which lies in {expected}"));
            }
        }
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    let (
        Some(id),
        Some(class_code),
        Some(dept_code),
        Some(dept_name),
        Some(status),
        Some(initial_date),
        Some((lon, lat)),
        Some(grid),
    ) = (id, class_code, dept_code, dept_name, status, initial_date, point, grid)
    else {
        return Err(vec![FieldError::new("record", "incomplete")]);
    };
    let street_name =
        raw.get(Field::StreetName).map(str::to_owned).or_else(|| ctx.street_names.get(&street_code).cloned());
    let community_name =
        raw.get(Field::CommunityName).map(str::to_owned).or_else(|| ctx.community_names.get(&community_code).cloned());
    Ok(ValidComponent {
        component_id: id.as_str().to_owned(),
        legacy_id,
        class_code,
        name,
        dept_code,
        dept_name,
        owner_code,
        owner_name: raw.get(Field::OwnerName).map(str::to_owned),
        maint_code,
        maint_name: raw.get(Field::MaintName).map(str::to_owned),
        grid_code: grid.code,
        status: status.to_owned(),
        initial_date,
        change_date,
        data_source: raw.get(Field::DataSource).map(str::to_owned),
        note: raw.get(Field::Note).map(str::to_owned),
        street_code,
        street_name: street_name.map(|s| s.chars().take(50).collect()),
        community_code,
        community_name: community_name.map(|s| s.chars().take(50).collect()),
        lon,
        lat,
        geometry: stored_geometry,
        extra: (!raw.extra.is_empty()).then(|| Value::Object(raw.extra.clone()).to_string()),
    })
}
