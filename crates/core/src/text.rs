//! Text from outside (a link, a user's file, a file's name) as a message quotes it: on one line whatever
//! it holds, so the CLI's errors are one line each and the page's notices read as written.
//!
//! Apart from `experiment`, so that whatever reads such text (the link, the file reader) can quote it
//! without depending on what reads links.

/// Which characters garble a line, and so become spaces in [`one_line`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Garbling {
    /// Control characters only: newlines, CR, tabs, escapes, NEL. A file's name in the CLI's messages and
    /// in the page's shell command keeps every other character as it is.
    Controls,
    /// Control characters, the Unicode line and paragraph separators, and the bidirectional controls
    /// that would reorder the rest of a terminal line: what [`shorten`] quotes.
    ControlsSeparatorsAndBidi,
}

impl Garbling {
    fn garbles(self, c: char) -> bool {
        c.is_control()
            || (self == Garbling::ControlsSeparatorsAndBidi
                && matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
                ))
    }
}

/// `text` on one line: each character that `garbling` names becomes a space.
pub fn one_line(text: &str, garbling: Garbling) -> String {
    text.chars()
        .map(|c| if garbling.garbles(c) { ' ' } else { c })
        .collect()
}

/// Quotes outside text in a message: at most 40 characters, and on one line whatever the text holds
/// (every message about a link or a file quotes through here, so the CLI's error is always one line).
pub fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    let clean = one_line(text, Garbling::ControlsSeparatorsAndBidi);
    if clean.chars().count() <= MAX {
        clean
    } else {
        format!("{}…", clean.chars().take(MAX).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "a\nb\rc\td\u{0}e\u{85}f\u{2028}g\u{2029}h\u{202E}i\u{1b}[31m";

    #[test]
    fn quoted_text_is_one_line() {
        let quoted = shorten(HOSTILE);
        assert!(
            !quoted
                .chars()
                .any(|c| Garbling::ControlsSeparatorsAndBidi.garbles(c)),
            "{quoted:?}"
        );
        assert_eq!(quoted, "a b c d e f g h i [31m");
        assert_eq!(shorten(&"x".repeat(50)), format!("{}…", "x".repeat(40)));
    }

    #[test]
    fn controls_only_keeps_separators_and_bidi() {
        assert_eq!(
            one_line(HOSTILE, Garbling::Controls),
            "a b c d e f\u{2028}g\u{2029}h\u{202E}i [31m"
        );
    }
}
