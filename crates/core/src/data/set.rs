//! A data set as the model sees it (a row-major matrix with its bias column, and the labels), and the
//! standardising of its columns.
//!
//! Apart from the built-in sets (`data.rs`, built from an `Experiment`): a user's file (`data::file`)
//! becomes one of these without depending on experiments.

/// A dense data set: `rows` examples of `cols` features (the last is a constant bias column), row-major.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub rows: usize,
    pub cols: usize,
    pub features: Vec<f64>,
    pub labels: Labels,
}

/// What the examples are labelled with, which decides the kind of model that can fit them.
#[derive(Clone, Debug, PartialEq)]
pub enum Labels {
    /// A class per example, each below `count`.
    Classes { count: usize, of_example: Vec<u8> },
    /// A real target per example (least squares).
    Targets(Vec<f64>),
}

impl Labels {
    /// How many classes there are (0 for real targets).
    pub fn count(&self) -> usize {
        match self {
            Labels::Classes { count, .. } => *count,
            Labels::Targets(_) => 0,
        }
    }

    /// Each example's class; empty for real targets, on which no classifier is built
    /// (`problems::build` pairs each model with its kind of labels).
    pub fn classes(&self) -> &[u8] {
        match self {
            Labels::Classes { of_example, .. } => of_example,
            Labels::Targets(_) => &[],
        }
    }

    /// Each example's target; empty for classes.
    pub fn targets(&self) -> &[f64] {
        match self {
            Labels::Classes { .. } => &[],
            Labels::Targets(targets) => targets,
        }
    }
}

impl Dataset {
    pub fn row(&self, i: usize) -> &[f64] {
        &self.features[i * self.cols..(i + 1) * self.cols]
    }

    pub(super) fn with_bias(self) -> Dataset {
        let cols = self.cols + 1;
        let mut features = Vec::with_capacity(self.rows * cols);
        for i in 0..self.rows {
            features.extend_from_slice(self.row(i));
            features.push(1.0);
        }
        Dataset {
            cols,
            features,
            ..self
        }
    }

    /// The matrix as CSV: one row per example, the features first and the label last (a class index, or
    /// the target as the model sees it).
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let written: Result<(), std::convert::Infallible> = self.write_csv(|line| {
            out.push_str(line);
            Ok(())
        });
        match written {
            Ok(()) => out,
        }
    }

    /// [`Dataset::to_csv`] a line at a time (each with its newline), for matrices too large to hold as
    /// text too.
    pub fn write_csv<E>(&self, mut write: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
        let header: Vec<String> = (0..self.cols).map(|j| format!("x{j}")).collect();
        write(&format!("{},label\n", header.join(",")))?;
        let mut line = String::new();
        for i in 0..self.rows {
            line.clear();
            for v in self.row(i) {
                line.push_str(&v.to_string());
                line.push(',');
            }
            match &self.labels {
                Labels::Classes { of_example, .. } => line.push_str(&of_example[i].to_string()),
                Labels::Targets(targets) => line.push_str(&targets[i].to_string()),
            }
            line.push('\n');
            write(&line)?;
        }
        Ok(())
    }
}

/// Centres the first `columns` columns of a row-major matrix (`stride` values a row) and scales them to
/// variance 1; a constant column becomes 0. It goes along the rows, a pass for the means and one for the
/// variances, so a large matrix is read in memory order; each column's sums still add its values in row
/// order, from −0.0 as `Iterator::sum` does, so the bits are those of summing a column at a time.
pub(super) fn standardize(features: &mut [f64], stride: usize, columns: usize) {
    let rows = features.len() / stride.max(1);
    let n = rows as f64;
    let mut means = vec![-0.0; columns];
    for row in features.chunks_exact(stride) {
        means.iter_mut().zip(row).for_each(|(m, v)| *m += v);
    }
    means.iter_mut().for_each(|m| *m /= n);
    let mut scales = vec![-0.0; columns];
    for row in features.chunks_exact(stride) {
        scales
            .iter_mut()
            .zip(row.iter().zip(&means))
            .for_each(|(s, (v, mean))| *s += (v - mean).powi(2));
    }
    for s in scales.iter_mut() {
        let var = *s / n;
        *s = if var > 0.0 {
            1.0 / libm::sqrt(var)
        } else {
            1.0
        };
    }
    for row in features.chunks_exact_mut(stride) {
        row.iter_mut()
            .zip(means.iter().zip(&scales))
            .for_each(|(v, (mean, scale))| *v = (*v - mean) * scale);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
