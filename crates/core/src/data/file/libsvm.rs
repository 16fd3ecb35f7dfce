//! LIBSVM/SVMlight rows: `label [qid:n] index:value …`, indices from 1 and increasing along a line, kept
//! sparse until the last line tells how many features there are.

use super::number::number;
use super::{DataError, Limit, Table};
use crate::choices::Format;
use crate::text::shorten;

/// LIBSVM rows read so far: each row's items, one row after another.
#[derive(Default)]
pub(super) struct LibsvmRows {
    indices: Vec<u32>,
    values: Vec<f64>,
    /// Where each row's items end in `indices` and `values`.
    ends: Vec<usize>,
    labels: Vec<f64>,
    /// The largest index so far: the number of features.
    features: u32,
}

impl LibsvmRows {
    pub(super) fn row(&mut self, text: &str, line: u64, limit: &Limit) -> Result<(), DataError> {
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
            return Err(limit.values_passed(line));
        }
        Ok(())
    }

    pub(super) fn table(self) -> Result<Table, DataError> {
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
