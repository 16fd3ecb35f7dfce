//! A CSV cell or a LIBSVM item as a finite number, and the words for one that is not.

use super::DataError;
use crate::text::shorten;

/// Why a cell or item is not a usable number.
#[derive(Clone, Copy)]
pub(super) enum NotANumber {
    Empty,
    NaN,
    Infinite,
    Text,
}

/// A cell or item as a finite number.
pub(super) fn number(raw: &str) -> Result<f64, NotANumber> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(NotANumber::Empty);
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(v) if v.is_nan() => Err(NotANumber::NaN),
        Ok(_) => Err(NotANumber::Infinite),
        Err(_) => Err(NotANumber::Text),
    }
}

impl NotANumber {
    fn words(self) -> &'static str {
        match self {
            NotANumber::Empty => "is empty: missing values are not supported (fill or drop them)",
            NotANumber::NaN => "is NaN: missing values are not supported (fill or drop them)",
            NotANumber::Infinite => "is infinite, or too large for a 64-bit float",
            NotANumber::Text => "is not a number",
        }
    }

    /// The error for a CSV cell.
    pub(super) fn in_cell(self, raw: &str, line: u64, column: u64) -> DataError {
        let what = match self {
            NotANumber::Empty => "the cell".to_string(),
            _ => format!("\"{}\"", shorten(raw.trim())),
        };
        DataError::at(line, Some(column), format!("{what} {}", self.words()))
    }

    /// The error for part of a LIBSVM item (`part`: "the label", "the value").
    pub(super) fn in_item(self, item: &str, part: &str, line: u64, column: u64) -> DataError {
        DataError::at(
            line,
            Some(column),
            format!("\"{}\": {part} {}", shorten(item), self.words()),
        )
    }
}
