//! Coordinate reference systems that reach a Chinese city platform, and conversion to WGS84.
//!
//! Everything UrbanGrid stores is WGS84 longitude/latitude (what PostGIS calls SRID 4326), but the
//! points that arrive do not all use it:
//!
//! - **CGCS2000** is the national datum (what surveyed grid boundaries use). Its ellipsoid differs from
//!   WGS84 by centimetres, so it is taken as WGS84 unchanged.
//! - **GCJ-02** ("Mars coordinates") is the obfuscated system that every map SDK licensed in China must
//!   use: WeChat location, AMap (高德), Tencent maps. Collectors' phones report it.
//! - **BD-09** is Baidu's further offset on top of GCJ-02.
//!
//! The GCJ-02 forward formula is the widely published one (Krasovsky ellipsoid constants). It has no
//! closed-form inverse, so [`to_wgs84`] inverts it by fixed-point iteration until the error is far below
//! a centimetre. Outside China the offset is not applied (that is how the map SDKs behave), which the
//! rough box check in `outside_china` reproduces.

use std::f64::consts::PI;

/// The coordinate systems a caller may declare for incoming positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Crs {
    Wgs84,
    Cgcs2000,
    Gcj02,
    Bd09,
}

impl Crs {
    /// All systems, in the order they are listed to users.
    pub const ALL: [Crs; 4] = [Crs::Wgs84, Crs::Cgcs2000, Crs::Gcj02, Crs::Bd09];

    /// Accepts the canonical names (`wgs84`, `cgcs2000`, `gcj02`, `bd09`) in any case, with or without a
    /// hyphen (`GCJ-02`), and the EPSG codes of the two real datums (`EPSG:4326`, `EPSG:4490`), because
    /// those are the spellings that appear in exported files and API clients.
    pub fn parse(s: &str) -> Result<Crs, String> {
        let normalized: String =
            s.trim().chars().filter(|c| !matches!(c, '-' | '_' | ' ')).flat_map(char::to_lowercase).collect();
        match normalized.as_str() {
            "wgs84" | "epsg:4326" | "4326" => Ok(Crs::Wgs84),
            "cgcs2000" | "epsg:4490" | "4490" => Ok(Crs::Cgcs2000),
            "gcj02" => Ok(Crs::Gcj02),
            "bd09" | "bd09ll" => Ok(Crs::Bd09),
            _ => Err(format!("unknown coordinate system \"{s}\"; use one of wgs84, cgcs2000, gcj02, bd09")),
        }
    }

    /// The canonical lowercase name, identical to the serde representation.
    pub fn as_str(self) -> &'static str {
        match self {
            Crs::Wgs84 => "wgs84",
            Crs::Cgcs2000 => "cgcs2000",
            Crs::Gcj02 => "gcj02",
            Crs::Bd09 => "bd09",
        }
    }
}

impl std::fmt::Display for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Crs {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Crs::parse(s)
    }
}

/// min_lon, min_lat, max_lon, max_lat of a plausible China bounding box. Generous on purpose (it includes
/// the South China Sea islands' latitudes and a margin at every border): it exists to catch swapped
/// lon/lat, projected metres sent as degrees, and zeros, not to draw the border.
pub const CHINA_BBOX: (f64, f64, f64, f64) = (73.0, 3.0, 136.0, 54.0);

/// `Ok` when both numbers are finite and inside [`CHINA_BBOX`]; otherwise a reason naming the offending
/// number, e.g. "longitude 200 is outside China (73–136)".
pub fn check_lon_lat(lon: f64, lat: f64) -> Result<(), String> {
    let (min_lon, min_lat, max_lon, max_lat) = CHINA_BBOX;
    if !lon.is_finite() {
        return Err(format!("longitude {lon} is not a finite number"));
    }
    if !lat.is_finite() {
        return Err(format!("latitude {lat} is not a finite number"));
    }
    if !(min_lon..=max_lon).contains(&lon) {
        let hint = if (min_lat..=max_lat).contains(&lon) && (min_lon..=max_lon).contains(&lat) {
            "; longitude and latitude look swapped"
        } else {
            ""
        };
        return Err(format!("longitude {lon} is outside China ({min_lon}–{max_lon}){hint}"));
    }
    if !(min_lat..=max_lat).contains(&lat) {
        return Err(format!("latitude {lat} is outside China ({min_lat}–{max_lat})"));
    }
    Ok(())
}

/// Converts a position in `crs` to WGS84 longitude/latitude.
///
/// CGCS2000 is treated as WGS84 (they differ by centimetres). GCJ-02 is inverted by iteration to well
/// under 1e-7 degrees; BD-09 goes BD-09 → GCJ-02 → WGS84. Outside China GCJ-02 equals WGS84. Non-finite
/// input comes back non-finite rather than as a made-up position.
pub fn to_wgs84(crs: Crs, lon: f64, lat: f64) -> (f64, f64) {
    match crs {
        Crs::Wgs84 | Crs::Cgcs2000 => (lon, lat),
        Crs::Gcj02 => gcj02_to_wgs84(lon, lat),
        Crs::Bd09 => {
            let (glon, glat) = bd09_to_gcj02(lon, lat);
            gcj02_to_wgs84(glon, glat)
        }
    }
}

/// Semi-major axis of the Krasovsky 1940 ellipsoid, which the GCJ-02 formula is built on.
const KRASOVSKY_A: f64 = 6_378_245.0;
/// First eccentricity squared of the Krasovsky ellipsoid. The published constant is
/// 0.00669342162296594323; its last two digits are beyond f64 precision and give the same value.
const KRASOVSKY_EE: f64 = 0.006_693_421_622_965_943;
/// Baidu's angular constant (π·3000/180).
const X_PI: f64 = PI * 3000.0 / 180.0;
/// Iterative inversions stop when a step moves less than this many degrees (about 0.01 mm).
const INVERSE_TOLERANCE_DEG: f64 = 1e-10;
/// The inversions converge in 3–5 steps; the cap only guards against non-finite input.
const INVERSE_MAX_STEPS: usize = 30;

/// The rough rectangle the public GCJ-02 implementations use to decide whether to apply the offset.
/// It is deliberately the same box (not [`CHINA_BBOX`]), so our results match theirs near borders.
fn outside_china(lon: f64, lat: f64) -> bool {
    !(72.004..=137.8347).contains(&lon) || !(0.8293..=55.8271).contains(&lat)
}

fn gcj_shift_lat(x: f64, y: f64) -> f64 {
    let mut ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    ret += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    ret += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    ret
}

fn gcj_shift_lon(x: f64, y: f64) -> f64 {
    let mut ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    ret += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    ret += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    ret
}

/// WGS84 → GCJ-02 with the published formula. Positions outside China are returned unchanged.
pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    if outside_china(lon, lat) {
        return (lon, lat);
    }
    let dlat = gcj_shift_lat(lon - 105.0, lat - 35.0);
    let dlon = gcj_shift_lon(lon - 105.0, lat - 35.0);
    let radlat = lat / 180.0 * PI;
    let magic = 1.0 - KRASOVSKY_EE * radlat.sin() * radlat.sin();
    let sqrt_magic = magic.sqrt();
    let dlat = (dlat * 180.0) / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * PI);
    let dlon = (dlon * 180.0) / (KRASOVSKY_A / sqrt_magic * radlat.cos() * PI);
    (lon + dlon, lat + dlat)
}

/// GCJ-02 → WGS84 by fixed-point iteration on [`wgs84_to_gcj02`]. The offset changes by well under a
/// millimetre per metre, so each step shrinks the error by orders of magnitude.
fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    invert(lon, lat, wgs84_to_gcj02)
}

/// Solves `forward(x) = target` starting from `x = target`, for forward maps that are a small offset.
fn invert(lon: f64, lat: f64, forward: impl Fn(f64, f64) -> (f64, f64)) -> (f64, f64) {
    invert_from((lon, lat), lon, lat, forward)
}

/// Solves `forward(x) = (lon, lat)` by fixed-point steps from `start`.
fn invert_from(start: (f64, f64), lon: f64, lat: f64, forward: impl Fn(f64, f64) -> (f64, f64)) -> (f64, f64) {
    let (mut x, mut y) = start;
    for _ in 0..INVERSE_MAX_STEPS {
        let (fx, fy) = forward(x, y);
        let (dx, dy) = (fx - lon, fy - lat);
        x -= dx;
        y -= dy;
        if !(dx.abs() > INVERSE_TOLERANCE_DEG || dy.abs() > INVERSE_TOLERANCE_DEG) {
            break;
        }
    }
    (x, y)
}

/// GCJ-02 → BD-09 with Baidu's published formula.
pub fn gcj02_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    let z = (lon * lon + lat * lat).sqrt() + 0.000_02 * (lat * X_PI).sin();
    let theta = lat.atan2(lon) + 0.000_003 * (lon * X_PI).cos();
    (z * theta.cos() + 0.0065, z * theta.sin() + 0.006)
}

/// BD-09 → GCJ-02. The commonly published inverse formula is itself only an approximation (it is off by
/// up to about 1e-6 degrees, ten centimetres), so it is used as the start and refined by iterating on
/// [`gcj02_to_bd09`] until the round trip is exact to far below a centimetre.
pub fn bd09_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    invert_from(bd09_to_gcj02_published(lon, lat), lon, lat, gcj02_to_bd09)
}

/// The widely published closed-form approximation of BD-09 → GCJ-02.
fn bd09_to_gcj02_published(lon: f64, lat: f64) -> (f64, f64) {
    let x = lon - 0.0065;
    let y = lat - 0.006;
    let z = (x * x + y * y).sqrt() - 0.000_02 * (y * X_PI).sin();
    let theta = y.atan2(x) - 0.000_003 * (x * X_PI).cos();
    (z * theta.cos(), z * theta.sin())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Metres per degree of latitude, close enough to judge "a few hundred metres".
    const M_PER_DEG: f64 = 111_320.0;

    fn shift_m(a: (f64, f64), b: (f64, f64)) -> f64 {
        let dx = (a.0 - b.0) * M_PER_DEG * a.1.to_radians().cos();
        let dy = (a.1 - b.1) * M_PER_DEG;
        (dx * dx + dy * dy).sqrt()
    }

    #[test]
    fn parse_accepts_common_spellings_and_round_trips_as_str() {
        assert_eq!(Crs::parse("WGS84"), Ok(Crs::Wgs84));
        assert_eq!(Crs::parse("EPSG:4326"), Ok(Crs::Wgs84));
        assert_eq!(Crs::parse("CGCS2000"), Ok(Crs::Cgcs2000));
        assert_eq!(Crs::parse("epsg:4490"), Ok(Crs::Cgcs2000));
        assert_eq!(Crs::parse("GCJ-02"), Ok(Crs::Gcj02));
        assert_eq!(Crs::parse(" bd-09 "), Ok(Crs::Bd09));
        for crs in Crs::ALL {
            assert_eq!(Crs::parse(crs.as_str()), Ok(crs));
            assert_eq!(crs.to_string(), crs.as_str());
            assert_eq!(crs.as_str().parse::<Crs>(), Ok(crs));
        }
    }

    #[test]
    fn parse_rejects_unknown_names_with_the_choices() {
        let err = Crs::parse("mercator").unwrap_err();
        assert!(err.contains("\"mercator\""), "{err}");
        assert!(err.contains("gcj02"), "{err}");
        assert!(Crs::parse("").is_err());
    }

    #[test]
    fn serde_uses_the_lowercase_names() {
        assert_eq!(serde_json::to_string(&Crs::Gcj02).unwrap(), "\"gcj02\"");
        assert_eq!(serde_json::from_str::<Crs>("\"bd09\"").unwrap(), Crs::Bd09);
        assert!(serde_json::from_str::<Crs>("\"GCJ02\"").is_err());
    }

    #[test]
    fn check_lon_lat_accepts_chinese_cities() {
        assert_eq!(check_lon_lat(118.7969, 32.0603), Ok(())); // Nanjing
        assert_eq!(check_lon_lat(87.6168, 43.8256), Ok(())); // Ürümqi
        assert_eq!(check_lon_lat(109.5119, 18.2528), Ok(())); // Sanya
    }

    #[test]
    fn check_lon_lat_names_the_bad_number() {
        assert_eq!(check_lon_lat(200.0, 30.0), Err("longitude 200 is outside China (73–136)".to_string()));
        assert_eq!(check_lon_lat(118.0, 60.5), Err("latitude 60.5 is outside China (3–54)".to_string()));
        assert_eq!(check_lon_lat(f64::NAN, 30.0), Err("longitude NaN is not a finite number".to_string()));
        assert_eq!(check_lon_lat(118.0, f64::INFINITY), Err("latitude inf is not a finite number".to_string()));
        let swapped = check_lon_lat(32.06, 118.79).unwrap_err();
        assert!(swapped.contains("swapped"), "{swapped}");
        assert!(check_lon_lat(0.0, 0.0).is_err());
    }

    #[test]
    fn gcj02_shifts_nanjing_by_a_few_hundred_metres() {
        let wgs = (118.7969, 32.0603);
        let gcj = wgs84_to_gcj02(wgs.0, wgs.1);
        let shift = shift_m(gcj, wgs);
        assert!((200.0..800.0).contains(&shift), "shift {shift} m");
    }

    #[test]
    fn formulas_match_the_published_reference_values() {
        // Values printed in the README of the widely used JavaScript `coordtransform` library.
        let close = |a: (f64, f64), b: (f64, f64), tol: f64| (a.0 - b.0).abs() < tol && (a.1 - b.1).abs() < tol;
        let gcj = wgs84_to_gcj02(116.404, 39.915);
        assert!(close(gcj, (116.410_244_499_169_38, 39.916_404_281_501_64), 1e-9), "{gcj:?}");
        let bd = gcj02_to_bd09(116.404, 39.915);
        assert!(close(bd, (116.410_369_493_710_29, 39.921_336_993_510_22), 1e-9), "{bd:?}");
        let published = bd09_to_gcj02_published(116.404, 39.915);
        assert!(close(published, (116.397_627_291_193_15, 39.908_656_739_576_31), 1e-9), "{published:?}");
        // The refined inverse stays within the published formula's ~1e-6 degree error of it.
        let refined = bd09_to_gcj02(116.404, 39.915);
        assert!(close(refined, published, 2e-6), "{refined:?}");
    }

    #[test]
    fn wgs84_to_gcj02_round_trips_through_to_wgs84() {
        for &(lon, lat) in &[(118.7969, 32.0603), (121.4737, 31.2304), (87.6, 43.8), (126.6, 45.75), (110.3, 20.0)] {
            let (glon, glat) = wgs84_to_gcj02(lon, lat);
            let (wlon, wlat) = to_wgs84(Crs::Gcj02, glon, glat);
            assert!((wlon - lon).abs() < 1e-7 && (wlat - lat).abs() < 1e-7, "{lon},{lat} → {wlon},{wlat}");
        }
    }

    #[test]
    fn bd09_round_trips_through_gcj02_and_to_wgs84() {
        let wgs = (118.7969, 32.0603);
        let gcj = wgs84_to_gcj02(wgs.0, wgs.1);
        let bd = gcj02_to_bd09(gcj.0, gcj.1);
        // BD-09 adds roughly another 600–800 m on top of GCJ-02.
        assert!((300.0..1500.0).contains(&shift_m(bd, gcj)), "{}", shift_m(bd, gcj));
        let back = bd09_to_gcj02(bd.0, bd.1);
        assert!((back.0 - gcj.0).abs() < 1e-8 && (back.1 - gcj.1).abs() < 1e-8, "{back:?} vs {gcj:?}");
        let w = to_wgs84(Crs::Bd09, bd.0, bd.1);
        assert!((w.0 - wgs.0).abs() < 1e-7 && (w.1 - wgs.1).abs() < 1e-7, "{w:?}");
    }

    #[test]
    fn refined_bd09_inverse_beats_the_published_approximation() {
        let gcj = (121.4737, 31.2304);
        let bd = gcj02_to_bd09(gcj.0, gcj.1);
        let published = bd09_to_gcj02_published(bd.0, bd.1);
        let refined = bd09_to_gcj02(bd.0, bd.1);
        let err = |p: (f64, f64)| (p.0 - gcj.0).abs().max((p.1 - gcj.1).abs());
        assert!(err(refined) <= err(published), "{} > {}", err(refined), err(published));
        assert!(err(refined) < 1e-9, "{}", err(refined));
    }

    #[test]
    fn wgs84_and_cgcs2000_pass_through() {
        assert_eq!(to_wgs84(Crs::Wgs84, 118.5, 32.5), (118.5, 32.5));
        assert_eq!(to_wgs84(Crs::Cgcs2000, 118.5, 32.5), (118.5, 32.5));
    }

    #[test]
    fn outside_china_gcj02_is_wgs84() {
        // Tokyo and Paris: map SDKs apply no offset there.
        assert_eq!(wgs84_to_gcj02(139.69, 35.69), (139.69, 35.69));
        assert_eq!(wgs84_to_gcj02(2.35, 48.85), (2.35, 48.85));
        assert_eq!(wgs84_to_gcj02(139.69, 56.0), (139.69, 56.0));
        assert_eq!(to_wgs84(Crs::Gcj02, 2.35, 48.85), (2.35, 48.85));
    }

    #[test]
    fn non_finite_input_stays_non_finite() {
        let (lon, lat) = to_wgs84(Crs::Gcj02, f64::NAN, 32.0);
        assert!(lon.is_nan() || lat.is_nan());
        let (lon, lat) = to_wgs84(Crs::Bd09, f64::NAN, f64::NAN);
        assert!(lon.is_nan() && lat.is_nan());
    }
}
