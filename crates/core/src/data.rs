//! Data sets exactly as the model sees them: preprocessing happens here, once, when a set is built.
//! The built-in sets are built from the experiment alone; a user's file is read by [`file`].

pub mod file;

use crate::experiment::{Experiment, ProblemKind};
use crate::rng::{Purpose, Stream};

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

const BREAST_CANCER: &[u8] = include_bytes!("../../../data/breast_cancer.bin");
const DIGITS: &[u8] = include_bytes!("../../../data/digits.bin");

impl Dataset {
    /// Builds the data set an experiment trains on.
    ///
    /// # Panics
    /// For problem=data, whose data set comes from the user's file ([`file`]): the page and the CLI read
    /// it before they build anything.
    pub fn for_experiment(experiment: &Experiment) -> Dataset {
        match experiment.problem {
            ProblemKind::BreastCancer => {
                // Standardised columns: the raw features span five orders of magnitude.
                let mut raw = decode(BREAST_CANCER);
                standardize(&mut raw.features, raw.cols, raw.cols);
                raw.with_bias()
            }
            ProblemKind::Digits | ProblemKind::DigitsMlp => {
                // Pixel intensities 0..16 scaled to [0, 1].
                let mut raw = decode(DIGITS);
                raw.features.iter_mut().for_each(|v| *v /= 16.0);
                raw.with_bias()
            }
            ProblemKind::Synthetic => synthetic(
                experiment.seed,
                experiment.synthetic_examples,
                experiment.synthetic_features,
            ),
            ProblemKind::Data => {
                panic!("problem=data's data set is the user's file: read it with data::file")
            }
            // The landscape is a closed-form function: it has no examples.
            ProblemKind::Landscape => Dataset {
                rows: 0,
                cols: 2,
                features: vec![],
                labels: Labels::Classes {
                    count: 0,
                    of_example: vec![],
                },
            },
        }
    }

    pub fn row(&self, i: usize) -> &[f64] {
        &self.features[i * self.cols..(i + 1) * self.cols]
    }

    fn with_bias(self) -> Dataset {
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

/// Reads the committed format written by `data/make_data.py` (its docstring has the layout).
/// The files are part of the binary, so a malformed one is a build defect, caught by the tests.
fn decode(bytes: &[u8]) -> Dataset {
    let word = |at: usize| {
        u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize
    };
    // DBDS1 files store f32 values; DBDS2 files u8 values, for data sets of small whole numbers (digits'
    // pixel intensities 0..16): the same values, and a quarter of the bytes built into the wasm.
    let (width, value): (usize, fn(&[u8]) -> f64) = match &bytes[..5] {
        b"DBDS1" => (4, |b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64),
        b"DBDS2" => (1, |b| f64::from(b[0])),
        _ => panic!("data file has the wrong magic"),
    };
    let (rows, cols, classes) = (word(8), word(12), word(16));
    let start = 20;
    let end = start + width * rows * cols;
    let features: Vec<f64> = bytes[start..end].chunks_exact(width).map(value).collect();
    let labels = bytes[end..].to_vec();
    assert_eq!(labels.len(), rows, "data file is truncated");
    Dataset {
        rows,
        cols,
        features,
        labels: Labels::Classes {
            count: classes,
            of_example: labels,
        },
    }
}

/// Centres the first `columns` columns of a row-major matrix (`stride` values a row) and scales them to
/// variance 1; a constant column becomes 0. It goes along the rows, a pass for the means and one for the
/// variances, so a large matrix is read in memory order; each column's sums still add its values in row
/// order, from −0.0 as `Iterator::sum` does, so the bits are those of summing a column at a time.
fn standardize(features: &mut [f64], stride: usize, columns: usize) {
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

/// Gaussian features and a hidden linear model; labels are drawn from its logistic probabilities, so the
/// classes overlap and the optimum has finite weights.
fn synthetic(seed: u64, rows: usize, features: usize) -> Dataset {
    let mut stream = Stream::new(seed, Purpose::Data);
    let truth: Vec<f64> = (0..features)
        .map(|_| stream.normal() * 2.0 / libm::sqrt(features as f64))
        .collect();
    let mut values = Vec::with_capacity(rows * features);
    let mut labels = Vec::with_capacity(rows);
    for _ in 0..rows {
        let x: Vec<f64> = (0..features).map(|_| stream.normal()).collect();
        let margin: f64 = x.iter().zip(&truth).map(|(a, b)| a * b).sum();
        let p = 1.0 / (1.0 + libm::exp(-margin));
        labels.push(u8::from(stream.unit() <= p));
        values.extend(x);
    }
    Dataset {
        rows,
        cols: features,
        features: values,
        labels: Labels::Classes {
            count: 2,
            of_example: labels,
        },
    }
    .with_bias()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(query: &str) -> Dataset {
        Dataset::for_experiment(&Experiment::from_query_strict(query).expect("valid query"))
    }

    #[test]
    fn uci_sets_have_the_documented_shapes() {
        let cancer = build("problem=breast-cancer");
        assert_eq!(
            (cancer.rows, cancer.cols, cancer.labels.count()),
            (569, 31, 2)
        );
        let digits = build("problem=digits");
        assert_eq!(
            (digits.rows, digits.cols, digits.labels.count()),
            (1797, 65, 10)
        );
        assert!(digits.features.iter().all(|v| (0.0..=1.0).contains(v)));
        assert_eq!(
            cancer.labels.classes().iter().filter(|&&l| l == 1).count(),
            357,
            "benign count in UCI WDBC"
        );
    }

    #[test]
    fn standardised_columns_have_zero_mean_and_unit_variance() {
        let cancer = build("problem=breast-cancer");
        for j in 0..30 {
            let col: Vec<f64> = (0..cancer.rows).map(|i| cancer.row(i)[j]).collect();
            let mean = col.iter().sum::<f64>() / col.len() as f64;
            let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / col.len() as f64;
            assert!(
                mean.abs() < 1e-9 && (var - 1.0).abs() < 1e-9,
                "column {j}: {mean} {var}"
            );
        }
        assert!((0..cancer.rows).all(|i| cancer.row(i)[30] == 1.0));
    }

    #[test]
    fn synthetic_follows_seed_n_and_d() {
        let a = build("problem=synthetic&n=50&d=3&seed=1");
        assert_eq!((a.rows, a.cols), (50, 4));
        assert_eq!(
            a.features,
            build("problem=synthetic&n=50&d=3&seed=1").features
        );
        assert_ne!(
            a.features,
            build("problem=synthetic&n=50&d=3&seed=2").features
        );
        let ones = a.labels.classes().iter().filter(|&&l| l == 1).count();
        assert!(ones > 5 && ones < 45, "both classes present: {ones}");
    }

    #[test]
    fn csv_has_features_then_label() {
        let csv = build("problem=breast-cancer").to_csv();
        let mut lines = csv.lines();
        assert!(lines
            .next()
            .is_some_and(|h| h.starts_with("x0,") && h.ends_with("x30,label")));
        assert_eq!(lines.count(), 569);
    }

    /// The rows' order of summation is a column's: standardising along the rows changes no bit.
    #[test]
    fn standardising_along_rows_gives_the_bits_of_a_column_at_a_time() {
        let mut s = Stream::new(5, Purpose::Data);
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
