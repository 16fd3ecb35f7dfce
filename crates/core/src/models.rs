//! What the lab knows about each model, in one place: its name and words, its data set, its parameters
//! (how many, in what layout), what one sample gradient costs, what is known of f*, and what the theory
//! says of its objective. `ProblemKind::model()` gives a problem's [`Model`]; the rest of the lab asks it
//! instead of matching on the problem: the data sets (`data`), the objectives (`problems::build`), which
//! parameters apply (`params`), the limits (`experiment::Cost`), the benchmark's roofline (`bench`), the
//! theory and the page.
//!
//! A model is a data set ([`Source`]) and an [`Architecture`]. A model on an architecture that exists is a
//! `ProblemKind` variant and its `Model` constant here. A new architecture is a variant of `Architecture`
//! with its arms below (the compiler names each) and its `Problem` in `problems/`.

use crate::choices::{ProblemKind, Task};
use crate::data::file::DataFile;
use crate::data::{self, DataShape, Source};
use crate::experiment::Experiment;
use crate::params::Param;
use crate::problems::Optimum;

/// One model: everything the lab knows about a problem before it builds it.
#[derive(Clone, Copy, Debug)]
pub struct Model {
    /// The name in links and in the CLI.
    pub name: &'static str,
    /// What kind of objective it is, in a few words (the problem control's options).
    pub label: &'static str,
    /// The data set it trains on.
    pub data: Source,
    pub architecture: Architecture,
}

/// The function of the weights that a model fits to its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Architecture {
    /// A weight per column and output (`problems::LinearModel`): logistic, softmax or least-squares
    /// regression.
    Linear(Fit),
    /// A hidden layer of the link's `hidden` tanh units, then a softmax over the data's classes
    /// (`problems::mlp`, a network of the layer kit).
    TanhMlp,
    /// The 2-D landscape x² + 3 sin²x + y² + 3 sin²y (`problems::Landscape`): closed form, with Gaussian
    /// noise drawn for each sample.
    Landscape,
}

/// Which regression a linear model fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    /// This one, whatever the data.
    Task(Task),
    /// The user's file's: the link's `task`, or as the file's labels decide (`data::file`).
    FileTask,
}

pub const BREAST_CANCER: Model = Model {
    name: "breast-cancer",
    label: "logistic",
    data: Source::Committed(&data::BREAST_CANCER),
    architecture: Architecture::Linear(Fit::Task(Task::Logistic)),
};

pub const DIGITS: Model = Model {
    name: "digits",
    label: "softmax",
    data: Source::Committed(&data::DIGITS),
    architecture: Architecture::Linear(Fit::Task(Task::Softmax)),
};

pub const SYNTHETIC: Model = Model {
    name: "synthetic",
    label: "generated data",
    data: Source::Generated,
    architecture: Architecture::Linear(Fit::Task(Task::Logistic)),
};

/// The non-convex stand-in for the paper's ResNet20 on CIFAR-10, small enough to train in a page.
pub const DIGITS_MLP: Model = Model {
    name: "digits-mlp",
    label: "non-convex net",
    data: Source::Committed(&data::DIGITS),
    architecture: Architecture::TanhMlp,
};

pub const LANDSCAPE: Model = Model {
    name: "landscape",
    label: "2-D, PL",
    data: Source::None,
    architecture: Architecture::Landscape,
};

pub const USER_DATA: Model = Model {
    name: "data",
    label: "your data file",
    data: Source::UserFile,
    architecture: Architecture::Linear(Fit::FileTask),
};

impl ProblemKind {
    /// What the lab knows about this problem's model.
    pub const fn model(self) -> &'static Model {
        match self {
            ProblemKind::BreastCancer => &BREAST_CANCER,
            ProblemKind::Digits => &DIGITS,
            ProblemKind::Synthetic => &SYNTHETIC,
            ProblemKind::DigitsMlp => &DIGITS_MLP,
            ProblemKind::Landscape => &LANDSCAPE,
            ProblemKind::Data => &USER_DATA,
        }
    }
}

impl Model {
    /// Whether an experiment on this model reads `param`: its data set's parameters and its
    /// architecture's (`params::AppliesTo::Model`).
    pub fn reads(&self, param: Param) -> bool {
        self.data.params().contains(&param) || self.architecture.params().contains(&param)
    }

    /// This model with the sizes `e` gives it; `None` for a user's file, whose size a link does not say
    /// (a shell that holds the file asks [`SizedModel::on_file`]).
    pub fn sized(&self, e: &Experiment) -> Option<SizedModel> {
        let shape = self.data.shape(e);
        match self.architecture {
            Architecture::Linear(Fit::Task(task)) => Some(SizedModel::Linear {
                task,
                shape: shape?,
            }),
            Architecture::Linear(Fit::FileTask) => None,
            Architecture::TanhMlp => Some(SizedModel::TanhMlp {
                shape: shape?,
                hidden: e.hidden,
            }),
            Architecture::Landscape => Some(SizedModel::Landscape),
        }
    }

    /// What is known of f* at this λ. The built problem says the same (`Problem::optimum`, tested); this
    /// answers before anything is built (the page's charts, while the first row is on its way).
    pub fn optimum(&self, lambda: f64) -> Optimum {
        match self.architecture {
            // Strongly convex: a solver finds f* (`crate::optimum`). With λ = 0 the minimisers need not be
            // unique, and the solver's stopping rule bounds f − f* through λ.
            Architecture::Linear(_) if lambda > 0.0 => Optimum::Solve,
            Architecture::Linear(_) | Architecture::TanhMlp => Optimum::Unknown,
            Architecture::Landscape => Optimum::Known(0.0),
        }
    }

    /// Which of the rates' conditions f meets: PL (so the O(1/(NT)) rates apply) or only smoothness.
    /// `task` is the link's, which only a user's file reads.
    pub fn objective(&self, task: Option<Task>, lambda: f64) -> &'static str {
        match (self.architecture, task) {
            (Architecture::Linear(Fit::Task(task)), _)
            | (Architecture::Linear(Fit::FileTask), Some(task)) => linear_objective(task, lambda),
            (Architecture::Linear(Fit::FileTask), None) if lambda > 0.0 => {
                "logistic, softmax or least squares as the labels decide: strongly convex (λ > 0), so PL holds"
            }
            (Architecture::Linear(Fit::FileTask), None) => {
                "logistic, softmax or least squares as the labels decide, with λ = 0: PL may fail"
            }
            (Architecture::TanhMlp, _) => "non-convex: only the ‖∇f‖² rates apply",
            (Architecture::Landscape, _) => "non-convex but PL: the O(1/(NT)) rates apply",
        }
    }

    /// The model as a user sized it, for messages about its cost: "digits-mlp (hidden=256)".
    pub fn words(&self, e: &Experiment) -> String {
        let sizes: Vec<String> = (self.data.sizes().iter())
            .chain(self.architecture.sizes())
            .map(|&param| format!("{}={}", param.spec().name, e.value(param)))
            .collect();
        if sizes.is_empty() {
            self.name.to_string()
        } else {
            format!("{} ({})", self.name, sizes.join(", "))
        }
    }
}

impl Architecture {
    /// The parameters it reads.
    fn params(self) -> &'static [Param] {
        match self {
            Architecture::Linear(_) => &[Param::Lambda],
            Architecture::TanhMlp => &[Param::Lambda, Param::Hidden],
            Architecture::Landscape => &[Param::Sigma, Param::StartX, Param::StartY],
        }
    }

    /// Those of its parameters that size it: its parameter count and costs follow from them and its data
    /// set's shape.
    fn sizes(self) -> &'static [Param] {
        match self {
            Architecture::TanhMlp => &[Param::Hidden],
            Architecture::Linear(_) | Architecture::Landscape => &[],
        }
    }
}

/// A model with its sizes, as an experiment (or a user's file) gives them: what its parameter count and
/// costs follow from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SizedModel {
    Linear { task: Task, shape: DataShape },
    TanhMlp { shape: DataShape, hidden: usize },
    Landscape,
}

/// One block of a model's parameters: `rows` × `cols`, row-major.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Weights {
    pub name: &'static str,
    pub rows: usize,
    pub cols: usize,
}

/// What one sample gradient costs, counted from the kernels (`problems/linear.rs`, `problems/mlp.rs`,
/// `problems/landscape.rs`; docs/PERFORMANCE.md, "The roofline"). It holds two counts of the arithmetic,
/// for two uses:
/// - `flops`, every f64 addition, subtraction, multiplication and division (not a max's comparisons):
///   the benchmark's roofline compares them with the machine's peak;
/// - `multiply_adds`, the coarser count the limits weigh a link with (`experiment::Cost`): one
///   multiply-add for each weight's product forward and one for its gradient. It leaves out the rest of
///   `flops`, a few operations per output and, in the network, the back-propagation to the hidden units
///   (2KH flops). The limits' budgets were measured against it (docs/LIMITS.md), so it stays as it was
///   rather than become flops / 2.
///
/// Calls of exp and tanh, and normal draws, are counted apart: their cost is their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SampleCost {
    pub flops: u64,
    pub multiply_adds: u64,
    pub exp: u64,
    pub tanh: u64,
    /// Standard normal draws (the landscape's noise).
    pub draws: u64,
    /// The sample's row of features, read once (8 bytes a column); the weights and the gradient stay in
    /// the first-level cache.
    pub bytes: u64,
}

impl SampleCost {
    const NOTHING: SampleCost = SampleCost {
        flops: 0,
        multiply_adds: 0,
        exp: 0,
        tanh: 0,
        draws: 0,
        bytes: 0,
    };
}

impl SizedModel {
    /// problem=data on this file: the linear model of its task.
    pub fn on_file(file: &DataFile) -> SizedModel {
        SizedModel::Linear {
            task: file.task,
            shape: DataShape::of(&file.dataset),
        }
    }

    /// The data set it reads (`None`: a closed-form function).
    pub fn shape(&self) -> Option<DataShape> {
        match *self {
            SizedModel::Linear { shape, .. } | SizedModel::TanhMlp { shape, .. } => Some(shape),
            SizedModel::Landscape => None,
        }
    }

    /// Its parameters, block by block in the order of the parameter vector.
    pub fn layout(&self) -> Vec<Weights> {
        match *self {
            SizedModel::Linear { task, shape } => vec![Weights {
                name: "a row per output, the bias last",
                rows: outputs(task, shape),
                cols: shape.cols,
            }],
            SizedModel::TanhMlp { shape, hidden } => vec![
                Weights {
                    name: "W₁: a row per hidden unit (the input's bias column included)",
                    rows: hidden,
                    cols: shape.cols,
                },
                Weights {
                    name: "W₂: a row per class, the output bias last",
                    rows: shape.classes,
                    cols: hidden + 1,
                },
            ],
            SizedModel::Landscape => vec![Weights {
                name: "the point (x, y)",
                rows: 1,
                cols: 2,
            }],
        }
    }

    /// How many parameters it has.
    pub fn dim(&self) -> usize {
        self.layout().iter().map(|w| w.rows * w.cols).sum()
    }

    /// What one sample gradient costs. With c columns (the bias included), K outputs and H hidden units:
    /// - logistic: a dot product and an axpy of c (2c flops each), the sigmoid's add and divide, the
    ///   residual: 4c + 3, and one exp;
    /// - softmax: K dot products and K axpys of c, and per class the shift, the sum, the division and the
    ///   residual: 4Kc + 4K, and K exp;
    /// - least squares: a dot product and an axpy of c, the residual: 4c + 1;
    /// - the network: the hidden layer forward and its gradient (2Hc each), the output layer forward, its
    ///   gradient and the back-propagation to the hidden layer (2KH each), the output biases and their
    ///   gradients (K each), softmax and residuals (4K), tanh's derivative (3H): 4Hc + 6KH + 6K + 3H,
    ///   and H tanh and K exp;
    /// - the landscape: a normal draw for each coordinate, added to the noise's sums (∇f itself is
    ///   computed once a batch).
    pub fn sample_cost(&self) -> SampleCost {
        let bytes = self.shape().map_or(0, |shape| 8 * shape.cols as u64);
        match *self {
            SizedModel::Linear { task, shape } => {
                let (c, k) = (shape.cols as u64, outputs(task, shape) as u64);
                let (flops, exp) = match task {
                    Task::Logistic => (4 * c + 3, 1),
                    Task::Softmax => (4 * k * c + 4 * k, k),
                    Task::LeastSquares => (4 * c + 1, 0),
                };
                SampleCost {
                    flops,
                    multiply_adds: 2 * k * c,
                    exp,
                    bytes,
                    ..SampleCost::NOTHING
                }
            }
            SizedModel::TanhMlp { shape, hidden } => {
                let (c, k, h) = (shape.cols as u64, shape.classes as u64, hidden as u64);
                SampleCost {
                    flops: 4 * h * c + 6 * k * h + 6 * k + 3 * h,
                    multiply_adds: 2 * h * c + 2 * k * h,
                    exp: k,
                    tanh: h,
                    bytes,
                    ..SampleCost::NOTHING
                }
            }
            SizedModel::Landscape => SampleCost {
                flops: 2,
                draws: 2,
                ..SampleCost::NOTHING
            },
        }
    }
}

/// What the theory says of a linear model's objective.
fn linear_objective(task: Task, lambda: f64) -> &'static str {
    match (task, lambda > 0.0) {
        (Task::LeastSquares, true) => {
            "least squares: a strongly convex quadratic (λ > 0), so PL holds and the O(1/(NT)) rates apply"
        }
        (Task::LeastSquares, false) => {
            "least squares with λ = 0: convex, and PL only where the features have full rank"
        }
        (_, true) => "strongly convex (λ > 0), so PL holds and the O(1/(NT)) rates apply",
        (_, false) => "convex but not strongly (λ = 0): PL may fail, the ‖∇f‖² rates still apply",
    }
}

/// A linear model's outputs: a row of weights each.
fn outputs(task: Task, shape: DataShape) -> usize {
    match task {
        Task::Logistic | Task::LeastSquares => 1,
        Task::Softmax => shape.classes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems;

    /// Every model the link alone sizes, at a few sizes.
    fn sized_experiments() -> Vec<Experiment> {
        let mut all = Vec::new();
        for kind in ProblemKind::ALL {
            for (hidden, n, d) in [(1, 10, 1), (32, 300, 7), (256, 1000, 30)] {
                for lambda in [0.0, 0.01] {
                    all.push(Experiment {
                        problem: kind,
                        hidden,
                        synthetic_examples: n,
                        synthetic_features: d,
                        lambda,
                        ..Experiment::default()
                    });
                }
            }
        }
        all.retain(|e| e.problem.model().sized(e).is_some());
        all
    }

    #[test]
    fn the_description_says_what_the_built_problem_is() {
        for e in sized_experiments() {
            let model = e.problem.model();
            let sized = model.sized(&e).expect("sized");
            let built = problems::build(&e, None);
            assert_eq!(sized.dim(), built.dim(), "{e:?}");
            assert_eq!(model.optimum(e.lambda), built.optimum(), "{e:?}");
            if let Some(shape) = sized.shape() {
                let data = crate::data::Dataset::for_experiment(&e);
                assert_eq!(shape, DataShape::of(&data), "{e:?}");
            }
        }
    }

    /// A parameter left to the models by the table is read by some model, and a model reads no other.
    #[test]
    fn models_read_the_parameters_the_table_leaves_to_them() {
        for spec in crate::params::PARAMS {
            let read = ProblemKind::ALL.iter().any(|k| k.model().reads(spec.param));
            let left_to_models = matches!(spec.applies_to, crate::params::AppliesTo::Model);
            assert_eq!(read, left_to_models, "{}", spec.name);
        }
    }

    #[test]
    fn words_name_what_sizes_the_model() {
        let words = |query: &str| {
            let e = Experiment::from_query_strict(query).expect("valid");
            e.problem.model().words(&e)
        };
        assert_eq!(
            words("problem=digits-mlp&hidden=256"),
            "digits-mlp (hidden=256)"
        );
        assert_eq!(
            words("problem=synthetic&n=300&d=7"),
            "synthetic (n=300, d=7)"
        );
        assert_eq!(words("problem=digits&lambda=0.5"), "digits");
        assert_eq!(words("problem=landscape&sigma=1"), "landscape");
    }
}
