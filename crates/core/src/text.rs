//! Text from outside (a link, a user's file, a file's name) as a message quotes it.
//!
//! Apart from `experiment`, so that whatever reads such text (the link, the file reader) can quote it
//! without depending on what reads links.

/// Quotes outside text in a message: at most 40 characters, and on one line whatever the text holds
/// (every message about a link or a file quotes through here, so the CLI's error is always one line).
pub fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    let clean: String = text
        .chars()
        .map(|c| if garbles_a_line(c) { ' ' } else { c })
        .collect();
    if clean.chars().count() <= MAX {
        clean
    } else {
        format!("{}…", clean.chars().take(MAX).collect::<String>())
    }
}

/// Control characters (newlines, CR, tabs, escapes, NEL), the Unicode line and paragraph separators,
/// and the bidirectional controls that would reorder the rest of a terminal line.
fn garbles_a_line(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_text_is_one_line() {
        let hostile = "a\nb\rc\td\u{0}e\u{85}f\u{2028}g\u{2029}h\u{202E}i\u{1b}[31m";
        let quoted = shorten(hostile);
        assert!(!quoted.chars().any(garbles_a_line), "{quoted:?}");
        assert_eq!(quoted, "a b c d e f g h i [31m");
        assert_eq!(shorten(&"x".repeat(50)), format!("{}…", "x".repeat(40)));
    }
}
