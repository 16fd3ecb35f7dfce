//! Data sets exactly as the model sees them ([`Dataset`]): preprocessing happens once, when a set is built.
//! The built-in sets are built here, from the experiment alone; a user's file is read by [`file`], which
//! depends on the data set's type (`set.rs`) and not on experiments.

pub mod file;
mod set;

use crate::experiment::{Experiment, ProblemKind};
use crate::rng::{Purpose, Stream};
use set::standardize;
pub use set::{Dataset, Labels};

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
}
