//! The roles of the platform. A role is held in one tenant (casbin domain); one person may hold
//! several. What each role may do is data (casbin `p` rules, see [`crate::authz`]).

use kernel::DivisionLevel;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// 平台管理员: operates the platform, onboards cities.
    PlatformAdmin,
    /// 租户管理员: manages one city's or county's departments, users and roles.
    TenantAdmin,
    /// 监督中心 (受理员/值班长): accepts, files, sends verification and checks, closes.
    SupervisionCenter,
    /// 指挥中心 (派遣员): dispatches, approves extension/return/suspension.
    CommandCenter,
    /// 专业部门: handles dispatched cases and reports back.
    Department,
    /// 监督员: reports, verifies, checks, self-handles.
    Collector,
    /// 审计: reads everything of the tenant, changes nothing.
    Auditor,
    /// 市级监督: reads every county of the city.
    CityOversight,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::PlatformAdmin,
        Role::TenantAdmin,
        Role::SupervisionCenter,
        Role::CommandCenter,
        Role::Department,
        Role::Collector,
        Role::Auditor,
        Role::CityOversight,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "platform-admin",
            Role::TenantAdmin => "tenant-admin",
            Role::SupervisionCenter => "supervision-center",
            Role::CommandCenter => "command-center",
            Role::Department => "department",
            Role::Collector => "collector",
            Role::Auditor => "auditor",
            Role::CityOversight => "city-oversight",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "平台管理员",
            Role::TenantAdmin => "租户管理员",
            Role::SupervisionCenter => "监督中心",
            Role::CommandCenter => "指挥中心",
            Role::Department => "专业部门",
            Role::Collector => "监督员",
            Role::Auditor => "审计员",
            Role::CityOversight => "市级监督",
        }
    }

    /// Whether the role can be held in a tenant of this level.
    pub fn allowed_at(self, level: DivisionLevel) -> bool {
        match self {
            Role::PlatformAdmin => level == DivisionLevel::Platform,
            Role::TenantAdmin | Role::Auditor => true,
            Role::CityOversight => level == DivisionLevel::City,
            // The case workflow runs in cities (city-level cases) and counties.
            _ => level != DivisionLevel::Platform,
        }
    }
}

impl kernel::Vocabulary for Role {
    const ALL: &'static [Self] = &Role::ALL;
    fn code(self) -> &'static str {
        self.as_str()
    }
    fn zh(self) -> &'static str {
        self.name_zh()
    }
    fn en(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "Platform administrator",
            Role::TenantAdmin => "Tenant administrator",
            Role::SupervisionCenter => "Supervision centre",
            Role::CommandCenter => "Command centre",
            Role::Department => "Department",
            Role::Collector => "Collector",
            Role::Auditor => "Auditor",
            Role::CityOversight => "City oversight",
        }
    }
}

#[cfg(test)]
mod vocabulary_tests {
    use super::Role;
    use kernel::Vocabulary;

    #[test]
    fn role_codes_are_the_serde_names() {
        kernel::vocab::check::<Role>().unwrap();
        for r in <Role as Vocabulary>::ALL {
            assert_eq!(serde_json::to_value(r).unwrap(), serde_json::Value::from(r.code()));
        }
    }
}
