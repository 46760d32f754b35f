//! A user's contact details — mobile phone, e-mail, staff number (工号) — checked on the way in
//! and masked on the way out for callers who do not manage users (个人信息保护法: show personal
//! data only to those whose work needs it).

/// A mainland mobile number: 11 digits starting 13–19, optionally written with `+86`, spaces or
/// dashes; stored as the 11 digits.
pub fn mobile(s: &str) -> Result<String, String> {
    let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let digits = digits.strip_prefix("+86").unwrap_or(&digits);
    let b = digits.as_bytes();
    if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && b.iter().all(u8::is_ascii_digit) {
        Ok(digits.to_owned())
    } else {
        Err("must be a mainland mobile number: 11 digits starting with 13–19 (e.g. 13812345678)".into())
    }
}

/// An e-mail address: one `@`, a local part, a domain with a dot, no spaces, at most 254 characters.
pub fn email(s: &str) -> Result<String, String> {
    let s = s.trim();
    let ok = s.len() <= 254
        && !s.chars().any(char::is_whitespace)
        && matches!(s.split_once('@'), Some((local, domain))
            if !local.is_empty() && !domain.contains('@') && domain.contains('.')
                && !domain.starts_with('.') && !domain.ends_with('.'));
    if ok { Ok(s.to_owned()) } else { Err("must be an e-mail address such as zhang.san@example.gov.cn".into()) }
}

/// A staff number: 1–32 letters, digits, `-` or `_`.
pub fn staff_number(s: &str) -> Result<String, String> {
    let s = s.trim();
    if (1..=32).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')) {
        Ok(s.to_owned())
    } else {
        Err("must be 1–32 letters, digits, `-` or `_`".into())
    }
}

/// `138****5678`.
pub fn mask_mobile(s: &str) -> String {
    match (s.get(..3), s.get(s.len().saturating_sub(4)..)) {
        (Some(head), Some(tail)) if s.len() == 11 => format!("{head}****{tail}"),
        _ => "****".into(),
    }
}

/// `z***@example.gov.cn`.
pub fn mask_email(s: &str) -> String {
    match s.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or('*')),
        None => "***".into(),
    }
}

/// `***78`: the last two characters.
pub fn mask_staff_number(s: &str) -> String {
    let tail: String = s.chars().rev().take(2).collect::<Vec<_>>().into_iter().rev().collect();
    format!("***{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_normalised_and_bad_ones_refused() {
        assert_eq!(mobile("+86 138-1234-5678").unwrap(), "13812345678");
        for bad in ["12812345678", "1381234567", "138123456789", "1381234567x", ""] {
            assert!(mobile(bad).is_err(), "{bad}");
        }
        assert_eq!(email(" zhang.san@example.gov.cn ").unwrap(), "zhang.san@example.gov.cn");
        for bad in ["zhang", "@example.cn", "a@b", "a@b.", "a b@c.cn", "a@@b.cn"] {
            assert!(email(bad).is_err(), "{bad}");
        }
        assert!(staff_number("JN-0042").is_ok());
        assert!(staff_number("工号1").is_err() && staff_number("").is_err());
    }

    #[test]
    fn masks_keep_only_a_hint() {
        assert_eq!(mask_mobile("13812345678"), "138****5678");
        assert_eq!(mask_email("zhang.san@example.gov.cn"), "z***@example.gov.cn");
        assert_eq!(mask_staff_number("JN-0042"), "***42");
    }
}
