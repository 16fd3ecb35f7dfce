//! A user's data file, CSV or LIBSVM/SVMlight, read into a data set as the model sees it (problem=data).
//!
//! Bytes in, a [`DataFile`] or one [`DataError`] out, and no file system: the page hands in what the
//! browser read, the CLI what it streams from disk. A [`Reader`] takes the bytes in chunks of any size,
//! hashing them as they come, so neither needs the whole file in memory as text.
//!
//! - **CSV**: cells separated by commas, `"` quotes allowed. The first row is a header when one of its cells
//!   is text that is not a number. The labels are the last column unless [`LabelColumn`] says otherwise.
//! - **LIBSVM/SVMlight**: `label [qid:n] index:value …`, indices from 1 and increasing along a line, absent
//!   features 0. `qid` (a ranking group) is checked and left out: it is not a feature.
//! - In both, blank lines are skipped, and so are lines that start with `#` (in LIBSVM, `#` also starts a
//!   comment at the end of a line). Lines end with `\n` or `\r\n`.
//!
//! Then, as the built-in sets are (README, "Bring your data"):
//! - the task comes from the labels unless asked ([`Options::task`]): two distinct values are logistic
//!   regression (the smaller is class 0), up to [`MAX_CLASSES`] distinct integers are softmax (classes in
//!   increasing order of value), anything else is least squares;
//! - least-squares targets are centred and scaled to variance 1: the model sees (y − mean)/scale
//!   ([`LabelMap::Scaled`] keeps both, to map predictions back);
//! - each feature column is standardised (mean 0, variance 1; a constant column becomes 0) unless
//!   [`Options::standardize`] is off;
//! - a constant bias column of 1 comes last.
//!
//! Every number is parsed by Rust's correctly rounded `f64` parser, so the page and the CLI build the same
//! bits from the same bytes.

use super::{standardize, Dataset, Labels};
use crate::choices::{Format, Task};
pub use crate::pinned::{LabelColumn, Sha256};
use crate::text::shorten;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::fmt;
use std::sync::Arc;

/// Most classes softmax takes (a class index is a byte, and the logits of a block of samples stay small).
pub const MAX_CLASSES: usize = 100;

/// How to read a file: what a problem=data link asks for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Options {
    /// `None`: detected from the first line that is not blank or a comment.
    pub format: Option<Format>,
    pub label: LabelColumn,
    /// `None`: decided by the labels.
    pub task: Option<Task>,
    /// Standardise the feature columns.
    pub standardize: bool,
}

impl Default for Options {
    /// Everything detected, features standardised: a link's defaults.
    fn default() -> Options {
        Options {
            format: None,
            label: LabelColumn::Last,
            task: None,
            standardize: true,
        }
    }
}

/// The most a reader takes in: the page's memory is not the CLI's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Bytes of the file.
    pub bytes: u64,
    /// Values of the matrix as the model sees it (examples × (features + 1)), 8 bytes each.
    pub values: u64,
}

impl Limit {
    /// Whatever fits in memory.
    pub const NONE: Limit = Limit {
        bytes: u64::MAX,
        values: u64::MAX,
    };

    /// What the page holds. Its wasm memory is 256 MiB, which a data set shares with the page itself,
    /// with a second reading of the file while the first is still in use (a changed `label` or `task`
    /// is read again before the runs switch; each reading keeps 10% of slack), with the holes that
    /// earlier files leave in the allocator, and with the runs' rows: 48 MiB of matrix fits them all
    /// (docs/LIMITS.md has the measurements; 64 MiB reached 226 MiB). The file itself is never whole in
    /// wasm memory (it is read a chunk at a time), so its bytes are limited only to keep storing and
    /// fetching it reasonable.
    pub const PAGE: Limit = Limit {
        bytes: 256 << 20,
        values: 6 << 20,
    };

    /// "files up to 256 MiB and data sets up to 6291456 values (48 MiB as 64-bit floats)", for a notice.
    pub fn describe(&self) -> String {
        format!(
            "files up to {} and data sets up to {} values ({} as 64-bit floats)",
            size_text(self.bytes),
            self.values,
            size_text(self.values.saturating_mul(8))
        )
    }

    /// Refuses a file by its size alone, before any of it is read (where the size is known up front).
    pub fn check_size(&self, bytes: u64) -> Result<(), DataError> {
        if bytes <= self.bytes {
            return Ok(());
        }
        Err(DataError {
            over_limit: true,
            ..DataError::whole(format!(
                "the file is {}, more than the {} read here",
                size_text(bytes),
                size_text(self.bytes)
            ))
        })
    }
}

/// A size for people: "812 bytes", "17.3 MB", "256 MiB" for a whole number of mebibytes.
pub fn size_text(bytes: u64) -> String {
    const MIB: u64 = 1 << 20;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else if bytes >= 1_000 {
        format!("{:.1} kB", bytes as f64 / 1e3)
    } else {
        format!("{bytes} bytes")
    }
}

/// Why a file cannot be used: where, and what is wrong, in one line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataError {
    /// The line (from 1), where one is to blame.
    pub line: Option<u64>,
    /// In CSV, the cell (from 1); in LIBSVM, the character where the item starts (from 1).
    pub column: Option<u64>,
    /// What is wrong, quoting at most 40 characters of the file, on one line.
    pub problem: String,
    /// The file is not wrong, only larger than this reader's [`Limit`]: a reader with more memory (the
    /// CLI, where the page's is passed) can take it.
    pub over_limit: bool,
}

/// A file read, as the model sees it, with what a summary shows of it.
#[derive(Clone, Debug)]
pub struct DataFile {
    /// Shared by every run on the file, so that compared runs hold one copy.
    pub dataset: Arc<Dataset>,
    pub task: Task,
    pub format: Format,
    /// What the file was read with; with `sha256` it is everything the data set depends on.
    pub options: Options,
    pub sha256: Sha256,
    /// The file's size.
    pub bytes: u64,
    /// The CSV header's cells, where the file has a header row.
    pub header: Option<Vec<String>>,
    /// Which column the labels came from, in words: "column 5 (\"target\")", or "the labels" in LIBSVM.
    pub label_column: String,
    pub labels: LabelMap,
}

/// How the file's labels became what the model sees.
#[derive(Clone, Debug, PartialEq)]
pub enum LabelMap {
    /// Class k is the label value `values[k]` (in increasing order); `counts[k]` examples have it.
    Classes { values: Vec<f64>, counts: Vec<u64> },
    /// The model sees (y − mean)/scale; the file's labels span `min..=max`.
    Scaled {
        mean: f64,
        scale: f64,
        min: f64,
        max: f64,
    },
}

/// Reads a whole file held in memory.
pub fn read(bytes: &[u8], options: &Options, limit: Limit) -> Result<DataFile, DataError> {
    let mut reader = Reader::new(options.clone(), limit, Some(bytes.len() as u64));
    // A failure here is kept and returned by `finish`.
    let _ = reader.feed(bytes);
    reader.finish().1
}

/// Reads a file a chunk at a time, in any chunk sizes: the same bytes give the same result however they
/// are cut.
pub struct Reader {
    options: Options,
    limit: Limit,
    /// The file's size, where known: the matrix is then allocated once.
    expected_bytes: Option<u64>,
    hasher: sha2::Sha256,
    bytes: u64,
    /// The start of a line whose end has not come yet.
    pending: Vec<u8>,
    /// Lines read so far.
    line: u64,
    stage: Stage,
    /// The first error: after it, the reader only hashes.
    error: Option<DataError>,
}

/// How far into the file the reader is.
enum Stage {
    /// Nothing but blank lines and comments so far.
    Start,
    Csv(CsvRows),
    Libsvm(LibsvmRows),
}

impl Reader {
    /// `expected_bytes`: the file's size, if known (used only to allocate the matrix once).
    pub fn new(options: Options, limit: Limit, expected_bytes: Option<u64>) -> Reader {
        Reader {
            options,
            limit,
            expected_bytes,
            hasher: sha2::Sha256::new(),
            bytes: 0,
            pending: Vec::new(),
            line: 0,
            stage: Stage::Start,
            error: None,
        }
    }

    /// Reads the next bytes of the file. After the first error (returned here and by `finish`), the rest
    /// is only hashed, so that a caller can still tell a wrong file from a broken one.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), DataError> {
        self.hasher.update(chunk);
        self.bytes += chunk.len() as u64;
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        self.take(chunk).inspect_err(|error| {
            self.error = Some(error.clone());
            // What was read is of no use now: give its memory back.
            self.stage = Stage::Start;
            self.pending = Vec::new();
        })
    }

    /// Bytes fed so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The file's hash, and the file read (or why it cannot be).
    pub fn finish(mut self) -> (Sha256, Result<DataFile, DataError>) {
        let sha256 = Sha256(self.hasher.clone().finalize().into());
        let result = match self.error.take() {
            Some(error) => Err(error),
            None => self.end(sha256),
        };
        (sha256, result)
    }

    fn take(&mut self, chunk: &[u8]) -> Result<(), DataError> {
        if self.bytes > self.limit.bytes {
            return Err(DataError {
                over_limit: true,
                ..DataError::whole(format!(
                    "the file passes the {} bytes ({} MB) read here",
                    self.limit.bytes,
                    self.limit.bytes as f64 / 1e6
                ))
            });
        }
        let mut rest = chunk;
        if !self.pending.is_empty() {
            let Some(end) = rest.iter().position(|&b| b == b'\n') else {
                return self.wait_for_line_end(rest);
            };
            let mut line = std::mem::take(&mut self.pending);
            line.extend_from_slice(&rest[..=end]);
            self.lines(&line)?;
            line.clear();
            self.pending = line;
            rest = &rest[end + 1..];
        }
        match rest.iter().rposition(|&b| b == b'\n') {
            Some(end) => {
                self.lines(&rest[..=end])?;
                self.wait_for_line_end(&rest[end + 1..])
            }
            None => self.wait_for_line_end(rest),
        }
    }

    /// Keeps the start of a line until its end comes. A binary file may have no newline for megabytes,
    /// so its zero bytes are caught here already, and so is a line too long to be a row.
    fn wait_for_line_end(&mut self, start: &[u8]) -> Result<(), DataError> {
        const LONGEST_LINE: usize = 1 << 28;
        // A binary file shows itself in its first bytes; the start of a long line is checked once.
        const CHECKED: usize = 1 << 16;
        self.pending.extend_from_slice(start);
        let checked = &self.pending[..self.pending.len().min(CHECKED)];
        let bad = match first_non_text(checked, false) {
            None => start
                .iter()
                .position(|&b| b == 0)
                .map(|i| self.pending.len() - start.len() + i),
            found => found,
        };
        if let Some(at) = bad {
            return Err(binary(self.line + 1, &self.pending[..at], self.pending[at]));
        }
        if self.pending.len() > LONGEST_LINE {
            return Err(DataError::at(
                self.line + 1,
                None,
                format!(
                    "is longer than {} MB without a line end: not CSV or LIBSVM",
                    LONGEST_LINE >> 20
                ),
            ));
        }
        Ok(())
    }

    /// Whole lines, each ended by `\n` (the last line of a file may not be).
    fn lines(&mut self, bytes: &[u8]) -> Result<(), DataError> {
        // Text is checked a block at a time. The lines before the first bad byte are read first, so that
        // an earlier error is the one reported.
        let utf8_end = first_non_text(bytes, true);
        let good_end = utf8_end.unwrap_or(bytes.len());
        // Valid up to `good_end`, which is at a character boundary.
        let text = std::str::from_utf8(&bytes[..good_end]).unwrap_or_default();
        let whole_lines = match utf8_end {
            None => text,
            // The lines before the one with the bad byte.
            Some(_) => text.rfind('\n').map_or("", |i| &text[..=i]),
        };
        for line in whole_lines.split_inclusive('\n') {
            self.line(line)?;
        }
        match utf8_end {
            None => Ok(()),
            Some(at) => Err(binary(
                self.line + 1,
                &bytes[whole_lines.len()..at],
                bytes[at],
            )),
        }
    }

    fn line(&mut self, line: &str) -> Result<(), DataError> {
        self.line += 1;
        let line_number = self.line;
        let text = line.strip_suffix('\n').unwrap_or(line);
        let text = text.strip_suffix('\r').unwrap_or(text);
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return Ok(());
        }
        match &mut self.stage {
            Stage::Csv(rows) => rows.row(text, line_number, &self.limit)?,
            Stage::Libsvm(rows) => rows.row(text, line_number, &self.limit)?,
            Stage::Start => {
                let format = self.options.format.unwrap_or_else(|| detect(text));
                self.stage = match format {
                    Format::Csv => Stage::Csv(CsvRows::begin(
                        text,
                        line_number,
                        &self.options.label,
                        &self.limit,
                    )?),
                    Format::Libsvm => {
                        if self.options.label != LabelColumn::Last {
                            return Err(DataError::whole(format!(
                                "label={} picks a CSV column, but this file is LIBSVM, whose labels come first on each line",
                                shorten(&self.options.label.to_string())
                            )));
                        }
                        let mut rows = LibsvmRows::default();
                        rows.row(text, line_number, &self.limit)?;
                        Stage::Libsvm(rows)
                    }
                };
            }
        }
        if let (Stage::Csv(rows), Some(expected)) = (&mut self.stage, self.expected_bytes) {
            rows.reserve_for(expected, &self.limit);
        }
        Ok(())
    }

    fn end(mut self, sha256: Sha256) -> Result<DataFile, DataError> {
        if !self.pending.is_empty() {
            let last = std::mem::take(&mut self.pending);
            self.lines(&last)?;
        }
        let table = match std::mem::replace(&mut self.stage, Stage::Start) {
            Stage::Start if self.bytes == 0 => {
                return Err(DataError::whole("the file is empty".into()))
            }
            Stage::Start => {
                return Err(DataError::whole(
                    "the file has no data: only blank lines and comments".into(),
                ))
            }
            Stage::Csv(rows) => rows.table()?,
            Stage::Libsvm(rows) => rows.table()?,
        };
        table.into_file(self.options, sha256, self.bytes)
    }
}

/// Where `bytes` stop being text: a zero byte, or invalid UTF-8 (a binary file). With `complete` false,
/// a character cut at the end is not yet invalid: its other bytes may come.
fn first_non_text(bytes: &[u8], complete: bool) -> Option<usize> {
    let zero = bytes.iter().position(|&b| b == 0);
    match std::str::from_utf8(&bytes[..zero.unwrap_or(bytes.len())]) {
        Ok(_) => zero,
        Err(e) if e.error_len().is_none() && zero.is_none() && !complete => None,
        Err(e) => Some(e.valid_up_to()),
    }
}

/// The error for a byte that is not text, `byte`, after `before` on its line.
fn binary(line: u64, before: &[u8], byte: u8) -> DataError {
    let column = String::from_utf8_lossy(before).chars().count() as u64 + 1;
    DataError::at(
        line,
        Some(column),
        format!(
            "byte 0x{byte:02x} is not text: this is a binary file (compressed?), not CSV or LIBSVM"
        ),
    )
}

/// The format of a file whose first line is `line`: LIBSVM if an item after the first has a colon and
/// there is no comma, else CSV.
fn detect(line: &str) -> Format {
    let before_comment = line.split('#').next().unwrap_or_default();
    if !before_comment.contains(',')
        && before_comment
            .split_ascii_whitespace()
            .skip(1)
            .any(|item| item.contains(':'))
    {
        Format::Libsvm
    } else {
        Format::Csv
    }
}

/// A file's values before preprocessing: the matrix with its bias column, and the labels as written.
struct Table {
    format: Format,
    rows: usize,
    cols: usize,
    features: Vec<f64>,
    labels: Vec<f64>,
    header: Option<Vec<String>>,
    label_column: String,
}

/// CSV rows read so far.
struct CsvRows {
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
    fn begin(
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

    fn row(&mut self, text: &str, line: u64, limit: &Limit) -> Result<(), DataError> {
        // The bias column takes the label's place.
        if (self.features.len() + self.width) as u64 > limit.values {
            return Err(too_large(line, limit));
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
    fn reserve_for(&mut self, expected_bytes: u64, limit: &Limit) {
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

    fn table(self) -> Result<Table, DataError> {
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

/// Why a cell or item is not a usable number.
#[derive(Clone, Copy)]
enum NotANumber {
    Empty,
    NaN,
    Infinite,
    Text,
}

/// A cell or item as a finite number.
fn number(raw: &str) -> Result<f64, NotANumber> {
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
    fn in_cell(self, raw: &str, line: u64, column: u64) -> DataError {
        let what = match self {
            NotANumber::Empty => "the cell".to_string(),
            _ => format!("\"{}\"", shorten(raw.trim())),
        };
        DataError::at(line, Some(column), format!("{what} {}", self.words()))
    }

    /// The error for part of a LIBSVM item (`part`: "the label", "the value").
    fn in_item(self, item: &str, part: &str, line: u64, column: u64) -> DataError {
        DataError::at(
            line,
            Some(column),
            format!("\"{}\": {part} {}", shorten(item), self.words()),
        )
    }
}

fn too_large(line: u64, limit: &Limit) -> DataError {
    DataError {
        over_limit: true,
        ..DataError::at(
            line,
            None,
            format!(
                "the data set passes the limit here: more than {} values ({} MB as 64-bit floats, bias column included)",
                limit.values,
                limit.values as f64 * 8.0 / 1e6
            ),
        )
    }
}

/// LIBSVM rows read so far: each row's items, one row after another.
#[derive(Default)]
struct LibsvmRows {
    indices: Vec<u32>,
    values: Vec<f64>,
    /// Where each row's items end in `indices` and `values`.
    ends: Vec<usize>,
    labels: Vec<f64>,
    /// The largest index so far: the number of features.
    features: u32,
}

impl LibsvmRows {
    fn row(&mut self, text: &str, line: u64, limit: &Limit) -> Result<(), DataError> {
        let data = text.split('#').next().unwrap_or_default();
        let column = |item: &str| {
            // Items are slices of `data`, so their offset is where they start.
            let offset = item.as_ptr() as usize - data.as_ptr() as usize;
            data[..offset].chars().count() as u64 + 1
        };
        let mut items = data.split_ascii_whitespace();
        let Some(label_item) = items.next() else {
            return Ok(());
        };
        let label = number(label_item)
            .map_err(|bad| bad.in_item(label_item, "the label", line, column(label_item)))?;
        let mut previous = 0u64;
        for (k, item) in items.enumerate() {
            let at = |problem: String| DataError::at(line, Some(column(item)), problem);
            if let Some(qid) = item.strip_prefix("qid:") {
                if k > 0 {
                    return Err(at(format!(
                        "\"{}\": qid comes right after the label",
                        shorten(item)
                    )));
                }
                if qid.parse::<u64>().is_err() {
                    return Err(at(format!(
                        "\"{}\": a qid is a whole number",
                        shorten(item)
                    )));
                }
                continue;
            }
            let Some((index, value)) = item.split_once(':') else {
                return Err(at(format!("\"{}\" is not index:value", shorten(item))));
            };
            let Ok(index) = index.parse::<u64>() else {
                return Err(at(format!(
                    "\"{}\": the index is not a whole number",
                    shorten(item)
                )));
            };
            if index == 0 {
                return Err(at(format!(
                    "\"{}\": index 0, but LIBSVM indices start at 1 (add 1 to every index of a zero-based file)",
                    shorten(item)
                )));
            }
            if index <= previous {
                return Err(at(format!(
                    "\"{}\": index {index} after {previous}, but indices must increase along a line",
                    shorten(item)
                )));
            }
            let Ok(index32) = u32::try_from(index) else {
                return Err(at(format!(
                    "\"{}\": index {index} is over {}",
                    shorten(item),
                    u32::MAX
                )));
            };
            let value =
                number(value).map_err(|bad| bad.in_item(item, "the value", line, column(item)))?;
            previous = index;
            self.indices.push(index32);
            self.values.push(value);
            self.features = self.features.max(index32);
        }
        self.labels.push(label);
        self.ends.push(self.indices.len());
        // Dense, as the model sees it: every row holds every feature and the bias.
        let dense = (self.labels.len() as u64).saturating_mul(self.features as u64 + 1);
        if dense > limit.values {
            return Err(too_large(line, limit));
        }
        Ok(())
    }

    fn table(self) -> Result<Table, DataError> {
        let rows = self.labels.len();
        if self.features == 0 {
            return Err(DataError::whole(
                "no line has a feature (index:value): there is nothing to learn from".into(),
            ));
        }
        // Within the limit: `row` checked it.
        let cols = self.features as usize + 1;
        let mut features = vec![0.0; rows * cols];
        let mut start = 0;
        for (i, &end) in self.ends.iter().enumerate() {
            let row = &mut features[i * cols..(i + 1) * cols];
            for (&index, &value) in self.indices[start..end]
                .iter()
                .zip(&self.values[start..end])
            {
                row[index as usize - 1] = value;
            }
            row[cols - 1] = 1.0;
            start = end;
        }
        Ok(Table {
            format: Format::Libsvm,
            rows,
            cols,
            features,
            labels: self.labels,
            header: None,
            label_column: "the labels".into(),
        })
    }
}

impl Table {
    /// The task, the labels as the model sees them, and standardised features.
    fn into_file(
        mut self,
        options: Options,
        sha256: Sha256,
        bytes: u64,
    ) -> Result<DataFile, DataError> {
        let (task, labels, map) = model_labels(&self.labels, options.task, &self.label_column)?;
        if options.standardize {
            standardize(&mut self.features, self.cols, self.cols - 1);
        }
        Ok(DataFile {
            dataset: Arc::new(Dataset {
                rows: self.rows,
                cols: self.cols,
                features: self.features,
                labels,
            }),
            task,
            format: self.format,
            options,
            sha256,
            bytes,
            header: self.header,
            label_column: self.label_column,
            labels: map,
        })
    }
}

/// Decides the task (or checks the one asked for) and maps the labels to classes or scaled targets.
fn model_labels(
    labels: &[f64],
    asked: Option<Task>,
    column: &str,
) -> Result<(Task, Labels, LabelMap), DataError> {
    // Distinct values, up to one more than softmax takes; -0 and 0 are one value (== says so).
    let mut distinct: Vec<f64> = Vec::new();
    let mut more = false;
    for &y in labels {
        if !distinct.contains(&y) {
            if distinct.len() == MAX_CLASSES {
                more = true;
                break;
            }
            distinct.push(y);
        }
    }
    let integers = distinct.iter().all(|v| v.fract() == 0.0);
    let task = match asked {
        Some(task) => task,
        None if distinct.len() == 1 => {
            return Err(DataError::whole(format!(
                "every label in {column} is {}: there is nothing to learn (classification needs two classes)",
                distinct[0]
            )))
        }
        None if distinct.len() == 2 && !more => Task::Logistic,
        None if integers && !more => Task::Softmax,
        None => Task::LeastSquares,
    };
    let classes_needed = |most: usize| -> Result<(), DataError> {
        if distinct.len() < 2 {
            return Err(DataError::whole(format!(
                "task={} needs two classes at least, but every label in {column} is {}",
                task.name(),
                distinct[0]
            )));
        }
        if more || distinct.len() > most {
            let count = if more {
                format!("more than {MAX_CLASSES}")
            } else {
                distinct.len().to_string()
            };
            return Err(DataError::whole(format!(
                "task={} takes at most {most} classes, but {column} has {count} distinct labels",
                task.name()
            )));
        }
        Ok(())
    };
    match task {
        Task::Logistic => classes_needed(2)?,
        Task::Softmax => classes_needed(MAX_CLASSES)?,
        Task::LeastSquares => {
            let (labels, map) = scaled_targets(labels);
            return Ok((task, Labels::Targets(labels), map));
        }
    }
    distinct.sort_by(f64::total_cmp);
    let mut counts = vec![0u64; distinct.len()];
    let of_example: Vec<u8> = labels
        .iter()
        .map(|y| {
            let k = distinct.partition_point(|v| v < y);
            counts[k] += 1;
            // At most MAX_CLASSES (100) classes.
            k as u8
        })
        .collect();
    Ok((
        task,
        Labels::Classes {
            count: distinct.len(),
            of_example,
        },
        LabelMap::Classes {
            values: distinct,
            counts,
        },
    ))
}

/// (y − mean)/scale with scale the standard deviation (1 for constant labels).
fn scaled_targets(labels: &[f64]) -> (Vec<f64>, LabelMap) {
    let n = labels.len() as f64;
    let mean = labels.iter().sum::<f64>() / n;
    let var = labels.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / n;
    let scale = if var > 0.0 { libm::sqrt(var) } else { 1.0 };
    let (min, max) = labels
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &y| {
            (lo.min(y), hi.max(y))
        });
    let targets = labels.iter().map(|y| (y - mean) / scale).collect();
    (
        targets,
        LabelMap::Scaled {
            mean,
            scale,
            min,
            max,
        },
    )
}

impl DataError {
    fn at(line: u64, column: Option<u64>, problem: String) -> DataError {
        DataError {
            line: Some(line),
            column,
            problem,
            over_limit: false,
        }
    }

    fn whole(problem: String) -> DataError {
        DataError {
            line: None,
            column: None,
            problem,
            over_limit: false,
        }
    }
}

/// "line 7, column 3: \"abc\" is not a number", on one line.
impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "line {line}, column {column}: ")?,
            (Some(line), None) => write!(f, "line {line}: ")?,
            _ => {}
        }
        f.write_str(&self.problem)
    }
}

impl DataFile {
    /// One line for a summary: "569 rows, 30 features, logistic regression (labels 0: 212, 1: 357)".
    pub fn summary(&self) -> String {
        let labels = match &self.labels {
            LabelMap::Classes { values, counts } => {
                const SHOWN: usize = 10;
                let mut each: Vec<String> = values
                    .iter()
                    .zip(counts)
                    .take(SHOWN)
                    .map(|(v, c)| format!("{v}: {c}"))
                    .collect();
                if values.len() > SHOWN {
                    each.push(format!("… {} classes", values.len()));
                }
                format!("labels {}", each.join(", "))
            }
            LabelMap::Scaled { min, max, .. } => format!("labels from {min} to {max}"),
        };
        format!(
            "{} rows, {} features, {} ({labels})",
            self.dataset.rows,
            self.dataset.cols - 1,
            self.task.label()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_with(text: &str, options: Options) -> Result<DataFile, DataError> {
        read(text.as_bytes(), &options, Limit::NONE)
    }

    fn csv(text: &str) -> Result<DataFile, DataError> {
        read_with(text, Options::default())
    }

    fn raw() -> Options {
        Options {
            standardize: false,
            ..Options::default()
        }
    }

    /// The error's whole line, as the CLI prints it.
    fn error(text: &str, options: Options) -> String {
        match read_with(text, options) {
            Ok(file) => panic!("read {text:?}: {}", file.summary()),
            Err(e) => {
                let line = e.to_string();
                assert!(!line.contains('\n'), "one line: {line:?}");
                line
            }
        }
    }

    #[test]
    fn csv_with_a_header_has_its_label_last_and_a_bias_column() {
        let file = read_with("a,b,y\n1,10,0\n2,20,1\n3,30,1\n", raw()).expect("valid");
        let data = &file.dataset;
        assert_eq!((data.rows, data.cols), (3, 3));
        assert_eq!(
            data.features,
            [1.0, 10.0, 1.0, 2.0, 20.0, 1.0, 3.0, 30.0, 1.0]
        );
        assert_eq!(data.labels.classes(), [0, 1, 1]);
        assert_eq!((file.task, file.format), (Task::Logistic, Format::Csv));
        assert_eq!(file.header, Some(vec!["a".into(), "b".into(), "y".into()]));
        assert_eq!(file.label_column, "column 3 (\"y\")");
        assert_eq!(
            file.summary(),
            "3 rows, 2 features, logistic regression (labels 0: 1, 1: 2)"
        );
    }

    #[test]
    fn csv_without_a_header_starts_with_data() {
        let file = read_with("1,2,5\n3,4,6\r\n\n# a comment\n5,6,5", raw()).expect("valid");
        assert_eq!(file.header, None);
        assert_eq!(file.dataset.rows, 3);
        assert_eq!(file.dataset.row(2), [5.0, 6.0, 1.0]);
        assert_eq!(file.label_column, "column 3");
    }

    #[test]
    fn features_are_standardised_unless_asked_not_to() {
        let file = csv("x,y\n1,0\n2,1\n3,0\n4,1\n").expect("valid");
        let column: Vec<f64> = (0..4).map(|i| file.dataset.row(i)[0]).collect();
        let mean = column.iter().sum::<f64>() / 4.0;
        let var = column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 4.0;
        assert!(
            mean.abs() < 1e-15 && (var - 1.0).abs() < 1e-12,
            "{column:?}"
        );
        assert!((0..4).all(|i| file.dataset.row(i)[1] == 1.0), "bias kept");
        let constant = csv("x,y\n7,0\n7,1\n").expect("valid");
        assert_eq!(constant.dataset.row(0)[0], 0.0, "a constant column is 0");
    }

    /// The rows' order of summation is a column's: standardising along the rows changes no bit.
    #[test]
    fn standardising_along_rows_gives_the_bits_of_a_column_at_a_time() {
        let mut s = crate::rng::Stream::new(5, crate::rng::Purpose::Data);
        let (rows, cols) = (37, 6);
        let mut matrix: Vec<f64> = (0..rows * cols).map(|_| s.normal() * 3.0 + 1.0).collect();
        matrix[cols..2 * cols].fill(2.5);
        let mut expected = matrix.clone();
        for j in 0..cols - 1 {
            let mean = (0..rows).map(|i| expected[i * cols + j]).sum::<f64>() / rows as f64;
            let var = (0..rows)
                .map(|i| (expected[i * cols + j] - mean).powi(2))
                .sum::<f64>()
                / rows as f64;
            let scale = if var > 0.0 {
                1.0 / libm::sqrt(var)
            } else {
                1.0
            };
            (0..rows)
                .for_each(|i| expected[i * cols + j] = (expected[i * cols + j] - mean) * scale);
        }
        standardize(&mut matrix, cols, cols - 1);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&matrix), bits(&expected));
    }

    #[test]
    fn the_label_column_is_named_or_numbered() {
        let text = "y,a,b\n0,1,2\n1,3,4\n";
        let by_name = Options {
            label: LabelColumn::Named("y".into()),
            ..raw()
        };
        let by_number = Options {
            label: LabelColumn::Number(1),
            ..raw()
        };
        for options in [by_name, by_number] {
            let file = read_with(text, options).expect("valid");
            assert_eq!(file.dataset.features, [1.0, 2.0, 1.0, 3.0, 4.0, 1.0]);
            assert_eq!(file.dataset.labels.classes(), [0, 1]);
        }
        let quoted = read_with(
            "\"name, with comma\",\"y\"\n1,0\n2,1\n",
            Options {
                label: LabelColumn::Named("y".into()),
                ..raw()
            },
        )
        .expect("quoted header");
        assert_eq!(
            quoted.header,
            Some(vec!["name, with comma".into(), "y".into()])
        );
    }

    #[test]
    fn a_label_column_that_does_not_exist_is_named() {
        let named = |name: &str| Options {
            label: LabelColumn::Named(name.into()),
            ..raw()
        };
        assert_eq!(
            error("a,b,y\n1,2,0\n", named("price")),
            "line 1: label=price is not a column of the header (it has a, b, y)"
        );
        assert_eq!(
            error("1,2,0\n3,4,1\n", named("y")),
            "line 1: label=y names a column, but the file has no header row (this first row is numbers)"
        );
        let numbered = Options {
            label: LabelColumn::Number(4),
            ..raw()
        };
        assert_eq!(
            error("1,2,0\n", numbered),
            "line 1: label=4, but the rows have 3 columns"
        );
        assert_eq!(
            error("1 1:2\n", named("y")),
            "label=y picks a CSV column, but this file is LIBSVM, whose labels come first on each line"
        );
    }

    #[test]
    fn libsvm_is_sparse_one_based_and_detected() {
        let text = "# made by hand\n+1 qid:3 1:0.5 3:2 # a comment\n-1 2:1\n\n+1 3:-1\n";
        let file = read_with(text, raw()).expect("valid");
        assert_eq!(file.format, Format::Libsvm);
        assert_eq!((file.dataset.rows, file.dataset.cols), (3, 4));
        assert_eq!(
            file.dataset.features,
            [0.5, 0.0, 2.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, -1.0, 1.0]
        );
        assert_eq!(file.task, Task::Logistic);
        assert_eq!(file.dataset.labels.classes(), [1, 0, 1], "-1 is class 0");
        assert_eq!(file.label_column, "the labels");
    }

    #[test]
    fn libsvm_indices_start_at_one_and_increase() {
        assert_eq!(
            error("1 1:2\n0 0:1.5 2:1\n", raw()),
            "line 2, column 3: \"0:1.5\": index 0, but LIBSVM indices start at 1 (add 1 to every index of a zero-based file)"
        );
        assert_eq!(
            error("1 3:2 1:1\n", raw()),
            "line 1, column 7: \"1:1\": index 1 after 3, but indices must increase along a line"
        );
        assert_eq!(
            error("1 3:2 3:1\n", raw()),
            "line 1, column 7: \"3:1\": index 3 after 3, but indices must increase along a line"
        );
        assert_eq!(
            error("1 1:2 2:x\n", raw()),
            "line 1, column 7: \"2:x\": the value is not a number"
        );
        assert_eq!(
            error("1 1:2 2:nan\n", raw()),
            "line 1, column 7: \"2:nan\": the value is NaN: missing values are not supported (fill or drop them)"
        );
        assert_eq!(
            error("1 1:2 4\n", raw()),
            "line 1, column 7: \"4\" is not index:value"
        );
        assert_eq!(
            error("1 1:2 qid:1\n", raw()),
            "line 1, column 7: \"qid:1\": qid comes right after the label"
        );
        assert_eq!(
            error("1 1:1\n1 2:2\n", raw()),
            "every label in the labels is 1: there is nothing to learn (classification needs two classes)"
        );
    }

    #[test]
    fn the_format_can_be_forced() {
        let as_csv = Options {
            format: Some(Format::Csv),
            ..raw()
        };
        assert_eq!(
            error("1 1:2\n0 1:3\n", as_csv),
            "line 1: a single column, but a data set needs a feature column and a label column at least"
        );
        let as_libsvm = Options {
            format: Some(Format::Libsvm),
            ..raw()
        };
        let file = read_with("1 1:2\n0 1:3\n", as_libsvm.clone()).expect("valid");
        assert_eq!(file.format, Format::Libsvm);
        assert_eq!(
            error("1,2\n0,1\n", as_libsvm),
            "line 1, column 1: \"1,2\": the label is not a number"
        );
    }

    #[test]
    fn the_labels_decide_the_task_unless_asked() {
        let task = |text: &str, asked: Option<Task>| {
            read_with(
                text,
                Options {
                    task: asked,
                    ..raw()
                },
            )
            .map(|f| f.task)
        };
        assert_eq!(task("1,3\n2,5\n3,3\n", None), Ok(Task::Logistic));
        assert_eq!(task("1,0\n2,1\n3,2\n", None), Ok(Task::Softmax));
        assert_eq!(task("1,0.5\n2,1\n3,2\n", None), Ok(Task::LeastSquares));
        let many: String = (0..101).map(|i| format!("{i},{i}\n")).collect();
        assert_eq!(task(&many, None), Ok(Task::LeastSquares), "101 classes");
        let hundred: String = (0..100).map(|i| format!("{i},{i}\n")).collect();
        assert_eq!(task(&hundred, None), Ok(Task::Softmax));
        assert_eq!(
            task("1,0\n2,1\n3,2\n", Some(Task::LeastSquares)),
            Ok(Task::LeastSquares)
        );
        assert_eq!(task("1,3\n2,5\n", Some(Task::Softmax)), Ok(Task::Softmax));
        let softmax = read_with("1,7\n2,-2\n3,7\n4,30\n", raw()).expect("valid");
        assert_eq!(softmax.dataset.labels.classes(), [1, 0, 1, 2]);
        assert_eq!(
            softmax.labels,
            LabelMap::Classes {
                values: vec![-2.0, 7.0, 30.0],
                counts: vec![1, 2, 1]
            }
        );
    }

    #[test]
    fn classification_needs_two_classes_and_no_more_than_it_takes() {
        let asked = |task: Task| Options {
            task: Some(task),
            ..raw()
        };
        assert_eq!(
            error("a,y\n1,4\n2,4\n", asked(Task::Logistic)),
            "task=logistic needs two classes at least, but every label in column 2 (\"y\") is 4"
        );
        assert_eq!(
            error("1,4\n2,4\n", asked(Task::Softmax)),
            "task=softmax needs two classes at least, but every label in column 2 is 4"
        );
        assert_eq!(
            error("1,4\n2,4\n", raw()),
            "every label in column 2 is 4: there is nothing to learn (classification needs two classes)"
        );
        assert_eq!(
            error("1,0\n2,1\n3,2\n", asked(Task::Logistic)),
            "task=logistic takes at most 2 classes, but column 2 has 3 distinct labels"
        );
        let many: String = (0..101).map(|i| format!("{i},{i}\n")).collect();
        assert_eq!(
            error(&many, asked(Task::Softmax)),
            "task=softmax takes at most 100 classes, but column 2 has more than 100 distinct labels"
        );
    }

    #[test]
    fn least_squares_targets_are_centred_and_scaled() {
        let file = read_with("1,0.5\n2,1.5\n3,7\n", raw()).expect("valid");
        assert_eq!(file.task, Task::LeastSquares);
        let LabelMap::Scaled {
            mean,
            scale,
            min,
            max,
        } = file.labels
        else {
            panic!("scaled: {:?}", file.labels)
        };
        assert_eq!((mean, min, max), (3.0, 0.5, 7.0));
        assert!((scale - (24.5f64 / 3.0).sqrt()).abs() < 1e-15);
        let targets = file.dataset.labels.targets();
        assert_eq!(targets.len(), 3);
        assert!((targets.iter().sum::<f64>()).abs() < 1e-15);
        assert!((targets.iter().map(|t| t * t).sum::<f64>() / 3.0 - 1.0).abs() < 1e-12);
        assert_eq!(
            file.summary(),
            "3 rows, 1 features, least squares (labels from 0.5 to 7)"
        );
    }

    #[test]
    fn bad_cells_name_their_line_and_column() {
        assert_eq!(
            error("a,b,y\n1,2,0\n3,x,1\n", raw()),
            "line 3, column 2: \"x\" is not a number"
        );
        assert_eq!(
            error("a,b,y\n1,2,0\n3,,1\n", raw()),
            "line 3, column 2: the cell is empty: missing values are not supported (fill or drop them)"
        );
        assert_eq!(
            error("1,2,0\n3,NaN,1\n", raw()),
            "line 2, column 2: \"NaN\" is NaN: missing values are not supported (fill or drop them)"
        );
        assert_eq!(
            error("1,2,0\n3,-inf,1\n", raw()),
            "line 2, column 2: \"-inf\" is infinite, or too large for a 64-bit float"
        );
        assert_eq!(
            error("1,2,0\n3,1e400,1\n", raw()),
            "line 2, column 2: \"1e400\" is infinite, or too large for a 64-bit float"
        );
        assert_eq!(
            error("1,2,0\n3,\"4,1\n", raw()),
            "line 2, column 2: a quote is not closed on its line (cells cannot span lines)"
        );
    }

    #[test]
    fn ragged_rows_name_both_lines() {
        assert_eq!(
            error("a,b,y\n1,2,0\n3,4\n", raw()),
            "line 3: 2 columns, but line 1 has 3 (every row needs the same columns)"
        );
        assert_eq!(
            error("1,2,0\n\n3,4,1,5\n", raw()),
            "line 3: 4 columns, but line 1 has 3 (every row needs the same columns)"
        );
    }

    #[test]
    fn empty_files_and_files_without_rows_say_so() {
        assert_eq!(error("", raw()), "the file is empty");
        assert_eq!(
            error("\n# only a comment\n  \n", raw()),
            "the file has no data: only blank lines and comments"
        );
        assert_eq!(
            error("a,b,y\n", raw()),
            "the file has a header on line 1 but no rows"
        );
        assert_eq!(
            error("# nothing\n1\n", raw()),
            "line 2: a single column, but a data set needs a feature column and a label column at least"
        );
    }

    #[test]
    fn binary_files_are_not_text() {
        assert_eq!(
            error("1,2,0\n1,\u{0}2,1\n", raw()),
            "line 2, column 3: byte 0x00 is not text: this is a binary file (compressed?), not CSV or LIBSVM"
        );
        let gzip = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03];
        let e = read(&gzip, &raw(), Limit::NONE).expect_err("binary");
        assert_eq!(
            e.to_string(),
            "line 1, column 2: byte 0x8b is not text: this is a binary file (compressed?), not CSV or LIBSVM"
        );
        // Without a newline, the zero byte is found while the line waits for its end.
        let mut reader = Reader::new(raw(), Limit::NONE, None);
        assert!(reader.feed(b"1,2,0\n1,2").is_ok());
        let e = reader.feed(b"\0\0\0").expect_err("binary");
        assert_eq!((e.line, e.column), (Some(2), Some(4)));
        // An error earlier in the same block wins.
        assert_eq!(
            error("1,2,0\n1,x,1\n\u{0}", raw()),
            "line 2, column 2: \"x\" is not a number"
        );
    }

    #[test]
    fn files_over_the_limit_are_refused() {
        let bytes_limit = Limit {
            bytes: 10,
            values: u64::MAX,
        };
        let e = read(b"1,2,0\n3,4,1\n", &raw(), bytes_limit).expect_err("too large");
        assert_eq!(
            e.to_string(),
            "the file passes the 10 bytes (0.00001 MB) read here"
        );
        let values_limit = Limit {
            bytes: u64::MAX,
            values: 7,
        };
        let e = read(b"1,2,0\n3,4,1\n5,6,1\n", &raw(), values_limit).expect_err("too large");
        assert_eq!(
            e.to_string(),
            "line 3: the data set passes the limit here: more than 7 values (0.000056 MB as 64-bit floats, bias column included)"
        );
        let e = read(b"1 1:1\n0 5:1\n", &raw(), values_limit).expect_err("dense");
        assert_eq!(e.line, Some(2), "2 rows × (5 features + bias) > 7");
    }

    /// The same bytes cut anywhere give the same data set, bit for bit, and the same hash.
    #[test]
    fn chunks_of_any_size_read_the_same() {
        let text =
            "# header comment\nsize,rooms,price\n1.5,3,200.5\r\n2.25,4,310\n\n3,5,405.25\n4,2,150";
        let whole = read(text.as_bytes(), &Options::default(), Limit::NONE).expect("valid");
        for size in [1, 2, 3, 7, 16] {
            let mut reader = Reader::new(Options::default(), Limit::NONE, None);
            for chunk in text.as_bytes().chunks(size) {
                reader.feed(chunk).expect("valid");
            }
            let (sha, file) = reader.finish();
            let file = file.expect("valid");
            assert_eq!(sha, whole.sha256);
            let bits = |d: &Dataset| d.features.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(
                bits(&file.dataset),
                bits(&whole.dataset),
                "chunks of {size}"
            );
            assert_eq!(file.dataset.labels, whole.dataset.labels);
        }
        assert_eq!(whole.sha256, Sha256::of(text.as_bytes()));
    }

    #[test]
    fn a_broken_file_is_still_hashed_to_its_end() {
        let text = b"1,2,0\n1,x,1\n1,2,1\n";
        let mut reader = Reader::new(Options::default(), Limit::NONE, None);
        assert!(reader.feed(&text[..6]).is_ok());
        assert!(reader.feed(&text[6..13]).is_err());
        assert!(reader.feed(&text[13..]).is_err(), "the first error stays");
        let (sha, result) = reader.finish();
        assert_eq!(sha, Sha256::of(text));
        assert_eq!(result.expect_err("broken").line, Some(2));
    }

    #[test]
    fn over_limit_errors_say_so_and_others_do_not() {
        let small = Limit {
            bytes: 10,
            values: 4,
        };
        assert!(
            read(b"1,2,0\n3,4,1\n", &raw(), small)
                .expect_err("bytes")
                .over_limit
        );
        let values = Limit {
            bytes: u64::MAX,
            values: 4,
        };
        assert!(
            read(b"1,2,0\n3,4,1\n", &raw(), values)
                .expect_err("values")
                .over_limit
        );
        assert!(
            !read(b"1,x,0\n", &raw(), Limit::NONE)
                .expect_err("text")
                .over_limit
        );
        let by_size = Limit::PAGE.check_size((256 << 20) + 1).expect_err("size");
        assert!(by_size.over_limit);
        assert_eq!(
            by_size.to_string(),
            "the file is 268.4 MB, more than the 256 MiB read here"
        );
        assert_eq!(Limit::PAGE.check_size(256 << 20), Ok(()));
        assert_eq!(
            Limit::PAGE.describe(),
            "files up to 256 MiB and data sets up to 6291456 values (48 MiB as 64-bit floats)"
        );
        assert_eq!(size_text(812), "812 bytes");
        assert_eq!(size_text(2758), "2.8 kB");
        assert_eq!(size_text(17_300_000), "17.3 MB");
    }
}
