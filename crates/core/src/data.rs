//! Data sets exactly as the model sees them ([`Dataset`]): preprocessing happens once, when a set is built.
//! The built-in sets are built here, from the experiment alone; a user's file is read by [`file`], which
//! depends on the data set's type (`set.rs`) and not on experiments.

pub mod file;
pub mod hints;
mod set;

use crate::experiment::Experiment;
use crate::params::Param;
use crate::rng::{Purpose, Stream};
use set::standardize;
pub use set::{Dataset, Labels};

/// Where a model's data set comes from (`models::Model::data`).
#[derive(Clone, Copy, Debug)]
pub enum Source {
    /// A data set committed under `data/`, built into the binary.
    Committed(&'static Committed),
    /// Generated from the link's seed: n examples of d Gaussian features (the link's `n` and `d`), labelled
    /// by a hidden logistic model.
    Generated,
    /// The user's file (problem=data), read by [`file`] as the link's options say.
    UserFile,
    /// None: the objective is a closed-form function.
    None,
}

/// A data set committed under `data/` (written by `data/make_data.py`), and how it is prepared.
#[derive(Clone, Copy)]
pub struct Committed {
    /// Its file in `data/`.
    pub file: &'static str,
    bytes: &'static [u8],
    /// As the model sees it, bias column included. Said here so that a link is weighed without decoding
    /// its data set (the page does it on its main thread); the tests check it against the file.
    pub shape: DataShape,
    pub prepare: Prepare,
}

/// What is done to a committed data set's values before the bias column is added.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Prepare {
    /// Each column centred and scaled to variance 1.
    Standardize,
    /// Every value divided by this.
    DivideBy(f64),
}

/// UCI's Wisconsin breast cancer: 569 tumours, 30 measurements, benign or malignant. Standardised: the
/// raw measurements span five orders of magnitude.
pub const BREAST_CANCER: Committed = Committed {
    file: "breast_cancer.bin",
    bytes: include_bytes!("../../../data/breast_cancer.bin"),
    shape: DataShape {
        rows: 569,
        cols: 31,
        classes: 2,
    },
    prepare: Prepare::Standardize,
};

/// UCI's handwritten digits: 1797 images of 8×8 pixels, ten classes. Pixel intensities 0..16 scaled to
/// [0, 1].
pub const DIGITS: Committed = Committed {
    file: "digits.bin",
    bytes: include_bytes!("../../../data/digits.bin"),
    shape: DataShape {
        rows: 1797,
        cols: 65,
        classes: 10,
    },
    prepare: Prepare::DivideBy(16.0),
};

impl std::fmt::Debug for Committed {
    /// Its name and shape: its bytes would fill a screen.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Committed")
            .field("file", &self.file)
            .field("shape", &self.shape)
            .field("prepare", &self.prepare)
            .finish()
    }
}

impl Committed {
    fn build(&self) -> Dataset {
        let mut raw = decode(self.bytes);
        match self.prepare {
            Prepare::Standardize => standardize(&mut raw.features, raw.cols, raw.cols),
            Prepare::DivideBy(scale) => raw.features.iter_mut().for_each(|v| *v /= scale),
        }
        raw.with_bias()
    }
}

/// A data set's size as the model sees it, known without building it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataShape {
    pub rows: usize,
    /// Values per example, the bias column included.
    pub cols: usize,
    /// How many classes the labels have (0 for real targets).
    pub classes: usize,
}

impl DataShape {
    pub fn of(data: &Dataset) -> DataShape {
        DataShape {
            rows: data.rows,
            cols: data.cols,
            classes: data.labels.count(),
        }
    }

    /// The features in memory, as f64.
    pub fn bytes(&self) -> u64 {
        8 * (self.rows * self.cols) as u64
    }
}

impl Source {
    /// The data set's shape as a link sets it; `None` where the link alone does not say: a user's file,
    /// or no data at all.
    pub fn shape(self, e: &Experiment) -> Option<DataShape> {
        match self {
            Source::Committed(set) => Some(set.shape),
            Source::Generated => Some(DataShape {
                rows: e.synthetic_examples,
                cols: e.synthetic_features + 1,
                classes: 2,
            }),
            Source::UserFile | Source::None => None,
        }
    }

    /// Those of its parameters that size it.
    pub fn sizes(self) -> &'static [Param] {
        match self {
            Source::Generated => &[Param::Examples, Param::Features],
            Source::Committed(_) | Source::UserFile | Source::None => &[],
        }
    }

    /// The parameters that say which data set it is and how it is built or read.
    pub fn params(self) -> &'static [Param] {
        match self {
            Source::Committed(_) | Source::None => &[],
            Source::Generated => &[Param::Examples, Param::Features],
            Source::UserFile => &[
                Param::DataSha256,
                Param::Label,
                Param::Format,
                Param::Task,
                Param::Standardize,
            ],
        }
    }
}

impl Dataset {
    /// Builds the data set an experiment trains on.
    ///
    /// # Panics
    /// For problem=data, whose data set comes from the user's file ([`file`]): the page and the CLI read
    /// it before they build anything.
    pub fn for_experiment(experiment: &Experiment) -> Dataset {
        match experiment.problem.model().data {
            Source::Committed(set) => set.build(),
            Source::Generated => synthetic(
                experiment.seed,
                experiment.synthetic_examples,
                experiment.synthetic_features,
            ),
            Source::UserFile => {
                panic!("problem=data's data set is the user's file: read it with data::file")
            }
            // A closed-form function has no examples (the columns are the landscape's two coordinates).
            Source::None => Dataset {
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
    fn committed_sets_have_the_shapes_they_say() {
        for set in [BREAST_CANCER, DIGITS] {
            assert_eq!(DataShape::of(&set.build()), set.shape, "{}", set.file);
        }
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
