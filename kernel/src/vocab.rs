//! The closed sets of codes the API speaks (case states, actions, sources, roles, …) with the
//! labels people read. Each domain crate implements [`Vocabulary`] for its own enums, so the
//! label of a code lives next to the code; the API serves them all at one route, and error
//! messages use [`Vocabulary::code`] and [`Vocabulary::zh`] instead of Rust's debug names.

use serde::Serialize;
use utoipa::ToSchema;

/// A closed set of codes with a Chinese and an English label for each.
pub trait Vocabulary: Copy + Sized + 'static {
    /// Every member, in the order a person would list them.
    const ALL: &'static [Self];
    /// The code as it appears in the API (JSON values, query parameters).
    fn code(self) -> &'static str;
    /// The Chinese label (the term staff use).
    fn zh(self) -> &'static str;
    /// The English label.
    fn en(self) -> &'static str;

    /// `` `code` (中文) ``: how messages name a member.
    fn quoted(self) -> String {
        format!("`{}` ({})", self.code(), self.zh())
    }
}

/// Implements [`Vocabulary`] for an enum from one table of `Variant => code, 中文, English;`
/// rows (the codes must be the enum's serde names; each crate's test checks that).
#[macro_export]
macro_rules! vocabulary {
    ($ty:ty { $($variant:ident => $code:literal, $zh:literal, $en:literal;)* }) => {
        impl $crate::Vocabulary for $ty {
            const ALL: &'static [Self] = &[$(<$ty>::$variant),*];
            fn code(self) -> &'static str { match self { $(<$ty>::$variant => $code),* } }
            fn zh(self) -> &'static str { match self { $(<$ty>::$variant => $zh),* } }
            fn en(self) -> &'static str { match self { $(<$ty>::$variant => $en),* } }
        }
    };
}

/// One member of a vocabulary, as the API lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Term {
    /// The code used in requests and responses.
    #[schema(example = "dispatched")]
    pub code: &'static str,
    #[schema(example = "已派遣")]
    pub zh: &'static str,
    #[schema(example = "Dispatched")]
    pub en: &'static str,
}

/// Every member of `V`, in order.
pub fn terms<V: Vocabulary>() -> Vec<Term> {
    V::ALL.iter().map(|v| Term { code: v.code(), zh: v.zh(), en: v.en() }).collect()
}

/// Checks an implementation: codes unique and non-empty, labels non-empty. For the tests of the
/// crates that implement the trait.
pub fn check<V: Vocabulary>() -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for v in V::ALL {
        if v.code().is_empty() || v.zh().is_empty() || v.en().is_empty() {
            return Err(format!("empty code or label near `{}`", v.code()));
        }
        if !seen.insert(v.code()) {
            return Err(format!("code `{}` appears twice", v.code()));
        }
    }
    Ok(())
}
