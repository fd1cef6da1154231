//! What to do about a config the parser refused: a key that is one typo away from a
//! known one, and `[policy]` written for `[[policy]]`.

/// A hint for the parser's `message` about the text at the error (`at`), if one helps.
pub fn hint(message: &str, at: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`')?;
        let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return crate::names::did_you_mean(field, &known, '`');
    }
    let header = at.trim_start();
    if message.contains("expected a sequence")
        && header.starts_with('[')
        && !header.starts_with("[[")
    {
        let name = header
            .trim_start_matches('[')
            .split(']')
            .next()
            .unwrap_or("policy")
            .trim();
        return Some(format!(
            "write [[{name}]] (double brackets): each {name} is one entry of a list, and \
             its sections are [{name}.backup], [{name}.retention], ..."
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_and_single_brackets_get_a_hint() {
        let m = "unknown field `retension`, expected one of `name`, `tables`, `retention`, `check`";
        assert_eq!(
            hint(m, "retension").as_deref(),
            Some("did you mean `retention`?")
        );
        assert_eq!(
            hint("unknown field `zzzzzz`, expected one of `name`", "zzzzzz"),
            None
        );
        let h = hint(
            "invalid type: map, expected a sequence",
            "[policy]\nname = \"a\"",
        )
        .unwrap();
        assert!(h.starts_with("write [[policy]] (double brackets)"), "{h}");
        assert_eq!(
            hint("invalid type: map, expected a sequence", "[[policy]]"),
            None
        );
    }
}
