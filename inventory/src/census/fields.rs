//! The census fields and the column names they are recognised by: our API names, the
//! GB/T 47678.7 abbreviations (GLBJBSM …), the Chinese names of GB/T 47678.5 表2, and the
//! CJ/T 214-era names (ObjID …) found in legacy exports. Any other column is kept as a local
//! extension attribute (GB/T 47678.5 §4.4.2).

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    ComponentId,
    ClassCode,
    Name,
    DeptCode,
    DeptName,
    OwnerCode,
    OwnerName,
    MaintCode,
    MaintName,
    GridCode,
    Status,
    InitialDate,
    ChangeDate,
    DataSource,
    Note,
    StreetCode,
    StreetName,
    CommunityCode,
    CommunityName,
    Lon,
    Lat,
    Crs,
    Geometry,
}

/// (field, API name, other accepted column names).
pub const FIELDS: &[(Field, &str, &[&str])] = &[
    (Field::ComponentId, "component_id", &["GLBJBSM", "管理部件标识码", "部件标识码", "ObjID"]),
    (Field::ClassCode, "class_code", &["管理部件类型代码", "部件类型代码", "部件小类代码"]),
    (Field::Name, "name", &["GLBJMC", "管理部件名称", "部件名称", "ObjName"]),
    (Field::DeptCode, "dept_code", &["ZGBMDM", "主管部门代码", "DeptCode1"]),
    (Field::DeptName, "dept_name", &["ZGBMMC", "主管部门名称", "DeptName1"]),
    (Field::OwnerCode, "owner_code", &["QSDWDM", "权属单位代码", "DeptCode2"]),
    (Field::OwnerName, "owner_name", &["QSDWMC", "权属单位名称", "DeptName2"]),
    (Field::MaintCode, "maint_code", &["YHDWDM", "养护单位代码", "DeptCode3"]),
    (Field::MaintName, "maint_name", &["YHDWMC", "养护单位名称", "DeptName3"]),
    (Field::GridCode, "grid_code", &["SZDYWGBSM", "所在单元网格标识码", "单元网格标识码", "BGID"]),
    (Field::Status, "status", &["GLBJZT", "管理部件状态", "部件状态", "ObjState"]),
    (Field::InitialDate, "initial_date", &["CSRQ", "初始日期", "ORDate"]),
    (Field::ChangeDate, "change_date", &["BGRQ", "变更日期", "CHDate"]),
    (Field::DataSource, "data_source", &["SJLY", "数据来源", "DataSource"]),
    (Field::Note, "note", &["BZ", "备注", "Note"]),
    (Field::StreetCode, "street_code", &["SZJDDM", "所在街道(镇、乡)代码", "所在街道代码"]),
    (Field::StreetName, "street_name", &["SZJDMC", "所在街道(镇、乡)名称", "所在街道名称"]),
    (Field::CommunityCode, "community_code", &["SZSQDM", "所在社区(村)代码", "所在社区代码"]),
    (Field::CommunityName, "community_name", &["SZSQMC", "所在社区(村)名称", "所在社区名称"]),
    (Field::Lon, "lon", &["经度", "longitude", "X"]),
    (Field::Lat, "lat", &["纬度", "latitude", "Y"]),
    (Field::Crs, "crs", &["坐标系"]),
    (Field::Geometry, "geometry", &["几何"]),
];

impl Field {
    pub fn api_name(self) -> &'static str {
        FIELDS.iter().find(|(f, _, _)| *f == self).map_or("?", |(_, n, _)| n)
    }
}

/// Folds the differences that do not matter in a header: case, surrounding space, a byte-order
/// mark, full-width parentheses and commas.
fn fold(s: &str) -> String {
    s.trim_start_matches('\u{feff}').trim().replace('（', "(").replace('）', ")").replace('，', "、").to_lowercase()
}

/// The field a column header names, if any.
pub fn recognise(header: &str) -> Option<Field> {
    let h = fold(header);
    FIELDS.iter().find(|(_, api, others)| fold(api) == h || others.iter().any(|o| fold(o) == h)).map(|(f, _, _)| *f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_by_any_name() {
        assert_eq!(recognise("GLBJBSM"), Some(Field::ComponentId));
        assert_eq!(recognise("glbjbsm"), Some(Field::ComponentId));
        assert_eq!(recognise("\u{feff}管理部件标识码"), Some(Field::ComponentId));
        assert_eq!(recognise("所在街道（镇、乡）代码"), Some(Field::StreetCode));
        assert_eq!(recognise(" component_id "), Some(Field::ComponentId));
        assert_eq!(recognise("BGID"), Some(Field::GridCode));
        assert_eq!(recognise("材质"), None);
    }
}
