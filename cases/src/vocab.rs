//! Labels of the case crate's codes, served by the API's vocabulary route.

use kernel::Vocabulary;

use crate::clock::AreaClass;

impl Vocabulary for AreaClass {
    const ALL: &'static [Self] = &[AreaClass::A, AreaClass::B, AreaClass::C];
    fn code(self) -> &'static str {
        match self {
            AreaClass::A => "A",
            AreaClass::B => "B",
            AreaClass::C => "C",
        }
    }
    fn zh(self) -> &'static str {
        match self {
            AreaClass::A => "A类区域",
            AreaClass::B => "B类区域",
            AreaClass::C => "C类区域",
        }
    }
    fn en(self) -> &'static str {
        match self {
            AreaClass::A => "Class A area",
            AreaClass::B => "Class B area",
            AreaClass::C => "Class C area",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_class_codes_are_the_serde_names() {
        kernel::vocab::check::<AreaClass>().unwrap();
        for a in AreaClass::ALL {
            assert_eq!(serde_json::to_value(a).unwrap(), serde_json::Value::from(a.code()));
        }
    }
}
