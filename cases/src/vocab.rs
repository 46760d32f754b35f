//! Labels of the case crate's codes, served by the API's vocabulary route.

use kernel::vocabulary;

use crate::clock::AreaClass;

vocabulary!(AreaClass {
    A => "A", "A类区域", "Class A area";
    B => "B", "B类区域", "Class B area";
    C => "C", "C类区域", "Class C area";
});

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::Vocabulary;

    #[test]
    fn area_class_codes_are_the_serde_names() {
        kernel::vocab::check::<AreaClass>().unwrap();
        for a in AreaClass::ALL {
            assert_eq!(serde_json::to_value(a).unwrap(), serde_json::Value::from(a.code()));
        }
    }
}
