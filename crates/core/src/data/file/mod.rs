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
//!
//! The parts: the [`Reader`] (`reader.rs`) cuts the bytes into lines, hashes them and picks the format;
//! `csv.rs` and `libsvm.rs` turn lines into a `Table` of the values as written (`number.rs`: a cell as a
//! number); `task.rs` makes that the data set the model sees; `limit.rs` has the caller's [`Limit`].
//! Nothing here knows of links: the `Experiment` says how to read its file (`Experiment::file_options`).

mod csv;
mod libsvm;
mod limit;
mod number;
mod reader;
mod task;
#[cfg(test)]
mod tests;

use super::set::Dataset;
use crate::choices::{Format, Task};
pub use crate::pinned::{LabelColumn, Sha256};
pub use limit::{size_text, Limit};
pub use reader::Reader;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// Most classes softmax takes (a class index is a byte, and the logits of a block of samples stay small).
pub const MAX_CLASSES: usize = 100;

/// How to read a file: what a problem=data link asks for (`Experiment::file_options`).
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
