//! CSV rows: cells separated by commas, `"` quotes allowed, a header row when a first-row cell is text.

use super::number::number;
use super::{DataError, LabelColumn, Limit, Table};
use crate::choices::Format;
use crate::text::shorten;

/// CSV rows read so far.
pub(super) struct CsvRows {
    /// Cells in every row.
    width: usize,
    /// The labels' cell, from 0.
    label: usize,
    header: Option<Vec<String>>,
    /// The line of the first row, which set `width`.
    first_line: u64,
    features: Vec<f64>,
    labels: Vec<f64>,
    /// Bytes of the rows so far, to foresee the matrix's size.
    row_bytes: u64,
    reserved: bool,
}

impl CsvRows {
    /// The first row: a header, or the first data row.
    pub(super) fn begin(
        text: &str,
        line: u64,
        label: &LabelColumn,
        limit: &Limit,
    ) -> Result<CsvRows, DataError> {
        let cells = split_cells(text, line)?;
        let width = cells.len();
        if width < 2 {
            return Err(DataError::at(
                line,
                None,
                "a single column, but a data set needs a feature column and a label column at least"
                    .into(),
            ));
        }
        // A header has a cell that is text, not a number (an empty cell is a missing value, not a name).
        let is_header = cells
            .iter()
            .any(|c| !c.trim().is_empty() && c.trim().parse::<f64>().is_err());
        let names: Option<Vec<String>> =
            is_header.then(|| cells.iter().map(|c| c.trim().to_string()).collect());
        let label = match label {
            LabelColumn::Last => width - 1,
            LabelColumn::Number(n) if *n >= 1 && *n <= width as u64 => *n as usize - 1,
            LabelColumn::Number(n) => {
                return Err(DataError::at(
                    line,
                    None,
                    format!("label={n}, but the rows have {width} columns"),
                ))
            }
            LabelColumn::Named(name) => match &names {
                Some(names) => names.iter().position(|n| n == name).ok_or_else(|| {
                    DataError::at(
                        line,
                        None,
                        format!(
                            "label={} is not a column of the header (it has {})",
                            shorten(name),
                            shorten(&names.join(", "))
                        ),
                    )
                })?,
                None => {
                    return Err(DataError::at(
                        line,
                        None,
                        format!(
                            "label={} names a column, but the file has no header row (this first row is numbers)",
                            shorten(name)
                        ),
                    ))
                }
            },
        };
        let mut rows = CsvRows {
            width,
            label,
            header: names,
            first_line: line,
            features: Vec::new(),
            labels: Vec::new(),
            row_bytes: 0,
            reserved: false,
        };
        if !is_header {
            rows.row(text, line, limit)?;
        }
        Ok(rows)
    }

    pub(super) fn row(&mut self, text: &str, line: u64, limit: &Limit) -> Result<(), DataError> {
        // The bias column takes the label's place.
        if (self.features.len() + self.width) as u64 > limit.values {
            return Err(limit.values_passed(line));
        }
        let start = self.features.len();
        let mut cells = 0;
        let mut cell = |j: usize, raw: &str| -> Result<(), DataError> {
            cells = j + 1;
            if j >= self.width {
                return Err(self.ragged(text, line));
            }
            let value = number(raw).map_err(|bad| bad.in_cell(raw, line, j as u64 + 1))?;
            if j == self.label {
                self.labels.push(value);
            } else {
                self.features.push(value);
            }
            Ok(())
        };
        let outcome = if text.contains('"') {
            split_cells(text, line)?
                .iter()
                .enumerate()
                .try_for_each(|(j, c)| cell(j, c))
        } else {
            plain_cells(text)
                .enumerate()
                .try_for_each(|(j, c)| cell(j, c))
        };
        outcome?;
        if cells < self.width {
            return Err(self.ragged(text, line));
        }
        debug_assert_eq!(self.features.len() - start, self.width - 1);
        self.features.push(1.0);
        self.row_bytes += text.len() as u64 + 1;
        Ok(())
    }

    fn ragged(&self, text: &str, line: u64) -> DataError {
        let cells = split_cells(text, line).map_or(0, |c| c.len());
        DataError::at(
            line,
            None,
            format!(
                "{cells} columns, but line {} has {} (every row needs the same columns)",
                self.first_line, self.width
            ),
        )
    }

    /// Once a few rows show how long a row is, allocates the matrix for the whole file at once (a
    /// growing vector would copy a large matrix several times and briefly hold it three times over).
    pub(super) fn reserve_for(&mut self, expected_bytes: u64, limit: &Limit) {
        const SAMPLE_ROWS: usize = 1024;
        let rows = self.labels.len();
        if self.reserved || rows < SAMPLE_ROWS {
            return;
        }
        self.reserved = true;
        let per_row = (self.row_bytes as f64 / rows.max(1) as f64).max(1.0);
        // A tenth more, for rows a little shorter than these.
        let rows_expected = (expected_bytes as f64 / per_row * 1.1) as u64;
        let values = rows_expected
            .saturating_mul(self.width as u64)
            .min(limit.values) as usize;
        self.features
            .reserve_exact(values.saturating_sub(self.features.len()));
        self.labels
            .reserve_exact((rows_expected as usize).saturating_sub(rows));
    }

    pub(super) fn table(self) -> Result<Table, DataError> {
        let rows = self.labels.len();
        if rows == 0 {
            return Err(DataError::whole(format!(
                "the file has a header on line {} but no rows",
                self.first_line
            )));
        }
        let label_column = match &self.header {
            Some(names) => format!(
                "column {} (\"{}\")",
                self.label + 1,
                shorten(&names[self.label])
            ),
            None => format!("column {}", self.label + 1),
        };
        Ok(Table {
            format: Format::Csv,
            rows,
            cols: self.width,
            features: self.features,
            labels: self.labels,
            header: self.header,
            label_column,
        })
    }
}

/// The cells of a CSV line without quotes. A predicate, not the char `','`: cells are short, and a char
/// pattern's memchr and compare per cell made reading 15% slower (docs/PERFORMANCE.md).
#[allow(clippy::manual_pattern_char_comparison)]
fn plain_cells(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c == ',')
}

/// The cells of a CSV line, trimmed, quotes removed (`""` inside quotes is one `"`).
fn split_cells(text: &str, line: u64) -> Result<Vec<String>, DataError> {
    if !text.contains('"') {
        return Ok(text.split(',').map(|c| c.trim().to_string()).collect());
    }
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if cell.trim().is_empty() => {
                cell.clear();
                quoted = true;
            }
            (',', false) => cells.push(std::mem::take(&mut cell).trim().to_string()),
            (c, _) => cell.push(c),
        }
    }
    if quoted {
        return Err(DataError::at(
            line,
            Some(cells.len() as u64 + 1),
            "a quote is not closed on its line (cells cannot span lines)".into(),
        ));
    }
    cells.push(cell.trim().to_string());
    Ok(cells)
}
