//! The coded identifiers of digital urban management: unit grid codes and component ids.
//!
//! Both are fixed-width digit strings whose prefixes are the codes of the areas they belong to, which is
//! why they are kept as validated strings (leading zeros matter, arithmetic never happens) and why the
//! accessors hand out prefixes rather than numbers.
//!
//! - Unit grid code, GB/T 47678.3 / Beijing DB11/T 2157: 15 digits = 6 county (GB/T 2260) +
//!   3 street/town + 3 community + 3 grid serial. The older CJ/T 213 code has a 2-digit serial (14 digits); it converts
//!   losslessly by padding the serial, because the older serial space is a subset of the newer one.
//! - Component id, GB/T 47678.5 管理部件标识码: 17 digits = 6 county + 5 class (2 major + 3 minor) + 6
//!   serial. The older CJ/T 214 id has a 4-digit class (16 digits); the class renumbering between the
//!   generations is a catalogue decision, so conversion takes an explicit mapping and never guesses.

use std::fmt;

/// Length of a unit grid code (GB/T 47678.3).
pub const GRID_CODE_LEN: usize = 15;
/// Length of the legacy CJ/T 213 unit grid code with its 2-digit serial.
pub const LEGACY_GRID_CODE_LEN: usize = 14;
/// Length of a county-level administrative code (GB/T 2260).
pub const COUNTY_CODE_LEN: usize = 6;
/// Length of a street/town code: county + 3 digits.
pub const STREET_CODE_LEN: usize = 9;
/// Length of a community/village code: street + 3 digits.
pub const COMMUNITY_CODE_LEN: usize = 12;
/// Length of a component id (GB/T 47678.5).
pub const COMPONENT_ID_LEN: usize = 17;
/// Length of a legacy CJ/T 214 component id.
pub const LEGACY_COMPONENT_ID_LEN: usize = 16;
/// Length of a GB/T 47678.5 class code (2 major + 3 minor).
pub const CLASS_CODE_LEN: usize = 5;
/// Length of a legacy CJ/T 214 class code (2 major + 2 minor).
pub const LEGACY_CLASS_CODE_LEN: usize = 4;

/// Checks that `s` is exactly `len` ASCII digits; `what` names the value in the reason.
fn check_digits(s: &str, len: usize, what: &str) -> Result<(), String> {
    if let Some(bad) = s.chars().find(|c| !c.is_ascii_digit()) {
        return Err(format!("{what} \"{s}\" contains '{bad}'; only the digits 0–9 are allowed"));
    }
    if s.len() != len {
        return Err(format!("{what} \"{s}\" has {} digits; it must have {len}", s.len()));
    }
    Ok(())
}

/// A 15-digit unit grid code: 6 county + 3 street + 3 community + 3 serial.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GridCode(String);

impl GridCode {
    /// Exactly 15 ASCII digits. No trimming: a stray space is reported instead of silently accepted,
    /// so the stored code is always the one the user meant.
    pub fn parse(s: &str) -> Result<GridCode, String> {
        check_digits(s, GRID_CODE_LEN, "grid code")?;
        Ok(GridCode(s.to_string()))
    }

    /// 15 digits, or a legacy 14-digit code (2-digit serial, CJ/T 213) converted by padding the serial to
    /// 3 digits. Returns the code and, when converted, the legacy code, so callers can keep it for
    /// cross-reference with old case records.
    pub fn parse_any(s: &str) -> Result<(GridCode, Option<String>), String> {
        match s.len() {
            GRID_CODE_LEN => Ok((GridCode::parse(s)?, None)),
            LEGACY_GRID_CODE_LEN => {
                check_digits(s, LEGACY_GRID_CODE_LEN, "legacy grid code")?;
                let (community, serial) = s.split_at(COMMUNITY_CODE_LEN);
                Ok((GridCode(format!("{community}0{serial}")), Some(s.to_string())))
            }
            _ => {
                check_digits(s, s.len(), "grid code")?;
                Err(format!(
                    "grid code \"{s}\" has {} digits; it must have 15 (or 14 for a legacy CJ/T 213 code)",
                    s.len()
                ))
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 6-digit county-level administrative code.
    pub fn county_code(&self) -> &str {
        &self.0[..COUNTY_CODE_LEN]
    }

    /// The 9-digit street/town code (county included).
    pub fn street_code(&self) -> &str {
        &self.0[..STREET_CODE_LEN]
    }

    /// The 12-digit community/village code (street included).
    pub fn community_code(&self) -> &str {
        &self.0[..COMMUNITY_CODE_LEN]
    }

    /// The 3-digit serial within the community.
    pub fn serial(&self) -> &str {
        &self.0[COMMUNITY_CODE_LEN..]
    }
}

impl fmt::Display for GridCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for GridCode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        GridCode::parse(s)
    }
}

impl serde::Serialize for GridCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for GridCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        GridCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Checks a hierarchical code: `code` must be `len` digits and begin with `parent` (the code of the area
/// it belongs to). `what` names the level in the reason ("street", "community", ...).
pub fn check_child_code(code: &str, len: usize, parent: &str, what: &str) -> Result<(), String> {
    check_digits(code, len, &format!("{what} code"))?;
    if !code.starts_with(parent) {
        return Err(format!("{what} code \"{code}\" must begin with \"{parent}\", the code of the area it belongs to"));
    }
    if code.len() <= parent.len() {
        return Err(format!("{what} code \"{code}\" must be longer than the code \"{parent}\" of its parent area"));
    }
    Ok(())
}

/// A 17-digit component id (GB/T 47678.5 管理部件标识码): 6 county + 5 class + 6 serial.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ComponentId(String);

impl ComponentId {
    /// Exactly 17 ASCII digits.
    pub fn parse(s: &str) -> Result<ComponentId, String> {
        check_digits(s, COMPONENT_ID_LEN, "component id")?;
        Ok(ComponentId(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 6-digit county-level administrative code.
    pub fn county_code(&self) -> &str {
        &self.0[..COUNTY_CODE_LEN]
    }

    /// The 5-digit GB/T 47678.5 class (2-digit major class + 3-digit minor class).
    pub fn class_code(&self) -> &str {
        &self.0[COUNTY_CODE_LEN..COUNTY_CODE_LEN + CLASS_CODE_LEN]
    }

    /// The 6-digit serial, unique per county and class.
    pub fn serial(&self) -> &str {
        &self.0[COUNTY_CODE_LEN + CLASS_CODE_LEN..]
    }

    /// A legacy 16-digit id (6 county + 4-digit CJ/T 214 class + 6 serial) converted with `map`
    /// (legacy 4-digit class → 5-digit class). Unmapped classes are an error naming the class; a class is
    /// never guessed, because a wrong class silently routes cases to the wrong department.
    pub fn from_legacy(id16: &str, map: impl Fn(&str) -> Option<String>) -> Result<ComponentId, String> {
        check_digits(id16, LEGACY_COMPONENT_ID_LEN, "legacy component id")?;
        let county = &id16[..COUNTY_CODE_LEN];
        let legacy_class = &id16[COUNTY_CODE_LEN..COUNTY_CODE_LEN + LEGACY_CLASS_CODE_LEN];
        let serial = &id16[COUNTY_CODE_LEN + LEGACY_CLASS_CODE_LEN..];
        let class = map(legacy_class).ok_or_else(|| {
            format!("legacy component class {legacy_class} (in id \"{id16}\") has no mapping to a GB/T 47678.5 class")
        })?;
        if check_digits(&class, CLASS_CODE_LEN, "class code").is_err() {
            return Err(format!(
                "legacy component class {legacy_class} is mapped to \"{class}\", which is not a 5-digit class code"
            ));
        }
        Ok(ComponentId(format!("{county}{class}{serial}")))
    }
}

impl fmt::Display for ComponentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for ComponentId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ComponentId::parse(s)
    }
}

impl serde::Serialize for ComponentId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for ComponentId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        ComponentId::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_code_parses_and_splits_into_its_parts() {
        let code = GridCode::parse("320582110152102").unwrap();
        assert_eq!(code.as_str(), "320582110152102");
        assert_eq!(code.county_code(), "320582");
        assert_eq!(code.street_code(), "320582110");
        assert_eq!(code.community_code(), "320582110152");
        assert_eq!(code.serial(), "102");
        assert_eq!(code.to_string(), "320582110152102");
        assert_eq!("320582110152102".parse::<GridCode>(), Ok(code));
    }

    #[test]
    fn grid_code_rejects_wrong_length_and_non_digits() {
        assert_eq!(
            GridCode::parse("32058211015210"),
            Err("grid code \"32058211015210\" has 14 digits; it must have 15".to_string())
        );
        let err = GridCode::parse("32058211015210A").unwrap_err();
        assert!(err.contains("'A'"), "{err}");
        assert!(GridCode::parse(" 320582110152102").is_err());
        assert!(GridCode::parse("３２０５８２１１０１５２１０２").is_err()); // full-width digits
        assert!(GridCode::parse("").is_err());
    }

    #[test]
    fn grid_codes_order_like_their_digits() {
        let a = GridCode::parse("320106001001002").unwrap();
        let b = GridCode::parse("320106001001010").unwrap();
        assert!(a < b);
    }

    #[test]
    fn parse_any_keeps_15_digit_codes() {
        let (code, legacy) = GridCode::parse_any("320106001001002").unwrap();
        assert_eq!(code.as_str(), "320106001001002");
        assert_eq!(legacy, None);
    }

    #[test]
    fn parse_any_pads_the_legacy_serial() {
        let (code, legacy) = GridCode::parse_any("32010600100107").unwrap();
        assert_eq!(code.as_str(), "320106001001007");
        assert_eq!(code.community_code(), "320106001001");
        assert_eq!(legacy.as_deref(), Some("32010600100107"));
    }

    #[test]
    fn parse_any_rejects_other_lengths_and_letters() {
        let err = GridCode::parse_any("3201060010010").unwrap_err();
        assert!(err.contains("13 digits") && err.contains("14 for a legacy"), "{err}");
        let err = GridCode::parse_any("3201060010010X").unwrap_err();
        assert!(err.contains("'X'"), "{err}");
        let err = GridCode::parse_any("3201060010x").unwrap_err();
        assert!(err.contains("'x'"), "{err}");
    }

    #[test]
    fn grid_code_serde_is_a_validated_string() {
        let code = GridCode::parse("320106001001002").unwrap();
        assert_eq!(serde_json::to_string(&code).unwrap(), "\"320106001001002\"");
        assert_eq!(serde_json::from_str::<GridCode>("\"320106001001002\"").unwrap(), code);
        assert!(serde_json::from_str::<GridCode>("\"12\"").is_err());
    }

    #[test]
    fn check_child_code_accepts_a_proper_child() {
        assert_eq!(check_child_code("320106001", 9, "320106", "street"), Ok(()));
        assert_eq!(check_child_code("320106001002", 12, "320106001", "community"), Ok(()));
    }

    #[test]
    fn check_child_code_names_the_level_and_the_problem() {
        assert_eq!(
            check_child_code("320107001", 9, "320106", "street"),
            Err("street code \"320107001\" must begin with \"320106\", the code of the area it belongs to".to_string())
        );
        assert_eq!(
            check_child_code("32010600", 9, "320106", "street"),
            Err("street code \"32010600\" has 8 digits; it must have 9".to_string())
        );
        let err = check_child_code("32010600a002", 12, "320106001", "community").unwrap_err();
        assert!(err.starts_with("community code"), "{err}");
        assert!(check_child_code("320106", 6, "320106", "county").is_err());
    }

    #[test]
    fn component_id_parses_and_splits_into_its_parts() {
        let id = ComponentId::parse("32010601001000123").unwrap();
        assert_eq!(id.as_str(), "32010601001000123");
        assert_eq!(id.county_code(), "320106");
        assert_eq!(id.class_code(), "01001");
        assert_eq!(id.serial(), "000123");
        assert_eq!(id.to_string(), "32010601001000123");
        assert_eq!("32010601001000123".parse::<ComponentId>(), Ok(id.clone()));
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"32010601001000123\"");
    }

    #[test]
    fn component_id_rejects_wrong_length_and_non_digits() {
        let err = ComponentId::parse("3205080101000001").unwrap_err();
        assert_eq!(err, "component id \"3205080101000001\" has 16 digits; it must have 17");
        assert!(ComponentId::parse("3201060100100012-").is_err());
        assert!(serde_json::from_str::<ComponentId>("\"3205080101000001\"").is_err());
    }

    fn old_catalogue(legacy: &str) -> Option<String> {
        match legacy {
            "0101" => Some("01001".to_string()), // 上水井盖 → 供水井盖
            "0102" => Some("01002".to_string()), // 污水井盖
            "0999" => Some("1".to_string()),     // a broken mapping table
            _ => None,
        }
    }

    #[test]
    fn from_legacy_maps_the_class_and_keeps_county_and_serial() {
        let id = ComponentId::from_legacy("3205080101000001", old_catalogue).unwrap();
        assert_eq!(id.as_str(), "32050801001000001");
        assert_eq!(id.class_code(), "01001");
        let id = ComponentId::from_legacy("3205820102048188", old_catalogue).unwrap();
        assert_eq!(id.as_str(), "32058201002048188");
        assert_eq!(id.serial(), "048188");
    }

    #[test]
    fn from_legacy_never_guesses_an_unmapped_class() {
        let err = ComponentId::from_legacy("3205080305000001", old_catalogue).unwrap_err();
        assert!(err.contains("0305") && err.contains("no mapping"), "{err}");
        let err = ComponentId::from_legacy("3205080999000001", old_catalogue).unwrap_err();
        assert!(err.contains("\"1\""), "{err}");
        let err = ComponentId::from_legacy("32050801010000011", old_catalogue).unwrap_err();
        assert!(err.contains("17 digits"), "{err}");
    }
}
