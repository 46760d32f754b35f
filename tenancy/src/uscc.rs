//! 统一社会信用代码 (Unified Social Credit Identifier, GB 32100-2015): 18 characters from a
//! 31-symbol alphabet (digits and capitals without I, O, S, V, Z); the last is a check character
//! computed with weights 3^i mod 31.

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// The check character for the first 17 characters, if they are all valid symbols.
pub fn check_char(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in bytes.iter().zip(WEIGHTS) {
        sum += value(*c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    ALPHABET.get(check as usize).map(|&b| b as char)
}

/// Validates a code; the reason says what is wrong.
pub fn validate(code: &str) -> Result<(), String> {
    if code.len() != 18 {
        return Err("must be 18 characters".into());
    }
    if let Some(bad) = code.bytes().find(|b| value(*b).is_none()) {
        return Err(format!(
            "contains `{}`, which is not allowed (digits and capitals except I, O, S, V, Z)",
            bad as char
        ));
    }
    let expected = check_char(&code[..17]).ok_or("invalid characters")?;
    if !code.ends_with(expected) {
        return Err(format!("check character is wrong (expected `{expected}`)"));
    }
    Ok(())
}

/// Completes 17 characters with their check character (for demo data and tests).
pub fn complete(first17: &str) -> Option<String> {
    check_char(first17).map(|c| format!("{first17}{c}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes() {
        // Published codes of well-known organisations.
        assert_eq!(validate("91350100M000100Y43"), Ok(()));
        assert_eq!(validate("911100001000079554"), Ok(()));
        assert!(validate("91350100M000100Y44").unwrap_err().contains("expected `3`"));
        assert!(validate("91350100M000100YO3").unwrap_err().contains("`O`"));
        assert!(validate("1234").is_err());
    }

    #[test]
    fn complete_round_trips() {
        let code = complete("11320100MB0123456").unwrap_or_default();
        assert_eq!(validate(&code), Ok(()));
    }
}
