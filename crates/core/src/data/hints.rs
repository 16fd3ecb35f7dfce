//! What a file read one way suggests about reading it another: `wine.csv` has its class in its first
//! column, and read with the default label (the last column) it became least squares on a chemical
//! measurement, with no word. A feature column of a few distinct values is a likely label; the page says
//! so, and how to use it, beside the file's summary.

use super::file::{DataFile, LabelColumn};
use crate::choices::Task;

/// Most distinct values a column may take to be named as a likely label.
const FEW: usize = 10;

/// For a file read as least squares on its last column: the first feature column with between 2 and
/// [`FEW`] distinct values (a class, most likely), in a sentence that names it and the link setting that
/// would use it as the label.
pub fn likely_label(file: &DataFile) -> Option<String> {
    if file.task != Task::LeastSquares || file.options.label != LabelColumn::Last {
        return None;
    }
    let data = &file.dataset;
    // The last column is the bias the reader adds; feature j is the file's column j + 1 (the label,
    // the last column, comes after them).
    let features = data.cols.saturating_sub(1);
    if data.rows < 2 * FEW {
        return None;
    }
    (0..features).find_map(|j| {
        let mut seen: Vec<u64> = Vec::new();
        for i in 0..data.rows {
            let bits = data.features[i * data.cols + j].to_bits();
            if !seen.contains(&bits) {
                seen.push(bits);
                if seen.len() > FEW {
                    return None;
                }
            }
        }
        (seen.len() >= 2).then(|| {
            let name = file
                .header
                .as_ref()
                .and_then(|h| h.get(j))
                .map(|n| format!(" (\"{}\")", crate::text::shorten(n)))
                .unwrap_or_default();
            format!(
                "Column {}{name} takes only {} values: if it is the class to predict, set label={} \
                 (the last column is read as the target now).",
                j + 1,
                seen.len(),
                j + 1
            )
        })
    })
}
