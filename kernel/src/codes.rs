//! Administrative division codes (GB/T 2260), the public key of every tenant.
//!
//! Structure: `PPCCDD` — province, city, county. The platform operator is `000000`; a
//! prefecture-level city ends in `00` (but not `0000`); a county-level area (县, 县级市, 市辖区)
//! does not end in `00` and shares its city's first four digits.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use utoipa::ToSchema;

/// The level of a tenant in the platform tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DivisionLevel {
    /// The platform operator (root, `000000`).
    Platform,
    /// A prefecture-level city (地级市).
    City,
    /// A county-level area (县, 县级市, 市辖区).
    County,
}

impl DivisionLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            DivisionLevel::Platform => "platform",
            DivisionLevel::City => "city",
            DivisionLevel::County => "county",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "platform" => Some(Self::Platform),
            "city" => Some(Self::City),
            "county" => Some(Self::County),
            _ => None,
        }
    }

    /// The level a tenant of this level may create beneath itself.
    pub fn child(self) -> Option<Self> {
        match self {
            DivisionLevel::Platform => Some(DivisionLevel::City),
            DivisionLevel::City => Some(DivisionLevel::County),
            DivisionLevel::County => None,
        }
    }
}

/// A 6-digit GB/T 2260 code, validated for shape. Its level follows from the shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantCode([u8; 6]);

impl TenantCode {
    pub const PLATFORM: TenantCode = TenantCode(*b"000000");

    /// Parses and checks the shape; the reason names what is wrong.
    pub fn parse(s: &str) -> Result<Self, String> {
        let bytes = s.as_bytes();
        if bytes.len() != 6 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(format!("`{s}` is not a 6-digit administrative code"));
        }
        let mut code = [0u8; 6];
        code.copy_from_slice(bytes);
        if &code == b"000000" {
            return Ok(Self(code));
        }
        let province: u32 = s[..2].parse().map_err(|_| "not a number".to_owned())?;
        // GB/T 2260 province codes run from 11 (北京) to 82 (澳门).
        if !(11..=82).contains(&province) {
            return Err(format!("`{s}` has no valid province part (11–82)"));
        }
        if &code[2..] == b"0000" {
            return Err(format!("`{s}` is a province code; tenants are cities and counties"));
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("000000")
    }

    pub fn level(&self) -> DivisionLevel {
        if self == &Self::PLATFORM {
            DivisionLevel::Platform
        } else if &self.0[4..] == b"00" {
            DivisionLevel::City
        } else {
            DivisionLevel::County
        }
    }

    /// Whether `child` may be created directly under `self`, with the reason if not.
    pub fn check_child(&self, child: &TenantCode) -> Result<(), String> {
        let Some(expected) = self.level().child() else {
            return Err("a county-level tenant cannot have child tenants".into());
        };
        if child.level() != expected {
            return Err(match expected {
                DivisionLevel::City => format!("`{child}` is not a city code (a city code ends in 00)"),
                _ => format!("`{child}` is not a county code (a county code does not end in 00)"),
            });
        }
        if expected == DivisionLevel::County && child.0[..4] != self.0[..4] {
            return Err(format!("`{child}` does not begin with its city's digits `{}`", &self.as_str()[..4]));
        }
        Ok(())
    }
}

impl fmt::Display for TenantCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TenantCode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse(s)
    }
}

impl TryFrom<String> for TenantCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<TenantCode> for String {
    fn from(c: TenantCode) -> String {
        c.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> TenantCode {
        TenantCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn levels_follow_from_shape() {
        assert_eq!(code("000000").level(), DivisionLevel::Platform);
        assert_eq!(code("320100").level(), DivisionLevel::City);
        assert_eq!(code("320115").level(), DivisionLevel::County);
    }

    #[test]
    fn malformed_codes_are_refused_with_a_reason() {
        for bad in ["32010", "3201000", "32a100", "", "990100", "320000", "010100"] {
            assert!(TenantCode::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn tree_rules() {
        let root = TenantCode::PLATFORM;
        let nanjing = code("320100");
        assert!(root.check_child(&nanjing).is_ok());
        assert!(root.check_child(&code("320115")).is_err(), "county directly under root");
        assert!(nanjing.check_child(&code("320115")).is_ok());
        assert!(nanjing.check_child(&code("320200")).is_err(), "city under city");
        let err = nanjing.check_child(&code("320215")).unwrap_err();
        assert!(err.contains("3201"), "{err}");
        assert!(code("320115").check_child(&code("320116")).is_err());
    }
}
