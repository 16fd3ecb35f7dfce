//! The choice parameters' values, algorithm and problem: each one's link name and the words the page and
//! the paper use for it, here and nowhere else; a problem's are its model's (`models`).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Alg {
    /// CR-PSGD, Algorithm 1: batches grow geometrically.
    CrPsgd,
    /// Classic parallel mini-batch SGD: a fixed batch B₁ every round.
    Psgd,
    /// CR-PSGD-Catalyst, Algorithm 2: CR-PSGD on a sequence of proximal subproblems.
    Catalyst,
    /// Local SGD: H local steps per node between averages.
    Local,
    /// Adaptive batches: the norm test grows the batch when the measured gradient noise asks for it.
    Adaptive,
    /// GPT-3's batch ramp: the batch grows linearly in the samples used from B₁ to a cap, then stays.
    Ramp,
}

/// A problem: a model (`ProblemKind::model`, in `models`) on its data set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProblemKind {
    BreastCancer,
    Digits,
    Synthetic,
    DigitsMlp,
    Landscape,
    /// A data set the user brings, from a CSV or LIBSVM file (`data::file`).
    Data,
}

/// What a linear model fits to a data set's labels (problem=data).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Task {
    /// Two label values: binary logistic regression.
    Logistic,
    /// Up to `data::file::MAX_CLASSES` label values: multinomial (softmax) regression.
    Softmax,
    /// Real-valued labels: f(w) = (1/n) Σ ½(xᵢᵀw − yᵢ)² + (λ/2)‖w‖².
    LeastSquares,
}

/// How a data file is written (problem=data).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Format {
    /// Comma-separated values, a header row optional.
    Csv,
    /// LIBSVM/SVMlight: `label index:value …`, indices from 1.
    Libsvm,
}

impl Alg {
    /// In the order the controls and error messages list them.
    pub const ALL: [Alg; 6] = [
        Alg::CrPsgd,
        Alg::Psgd,
        Alg::Catalyst,
        Alg::Local,
        Alg::Adaptive,
        Alg::Ramp,
    ];

    /// The name in links and in the CLI.
    pub const fn name(self) -> &'static str {
        match self {
            Alg::CrPsgd => "crpsgd",
            Alg::Psgd => "psgd",
            Alg::Catalyst => "catalyst",
            Alg::Local => "local",
            Alg::Adaptive => "adaptive",
            Alg::Ramp => "ramp",
        }
    }

    /// The paper's name for it.
    pub const fn label(self) -> &'static str {
        match self {
            Alg::CrPsgd => "CR-PSGD",
            Alg::Psgd => "PSGD",
            Alg::Catalyst => "CR-PSGD-Catalyst",
            Alg::Local => "Local SGD",
            Alg::Adaptive => "Adaptive batches",
            Alg::Ramp => "Batch ramp",
        }
    }

    /// What sets it apart, in a few words, where its name does not say it already.
    const fn gist(self) -> Option<&'static str> {
        match self {
            Alg::CrPsgd => Some("batches grow"),
            Alg::Psgd => Some("fixed batch"),
            Alg::Catalyst => None,
            Alg::Local => Some("H steps"),
            Alg::Adaptive => Some("the noise picks B_t"),
            Alg::Ramp => Some("linear to a cap"),
        }
    }

    pub fn from_name(name: &str) -> Option<Alg> {
        Alg::ALL.into_iter().find(|a| a.name() == name)
    }
}

impl ProblemKind {
    /// In the order the controls and error messages list them.
    pub const ALL: [ProblemKind; 6] = [
        ProblemKind::BreastCancer,
        ProblemKind::Digits,
        ProblemKind::Synthetic,
        ProblemKind::DigitsMlp,
        ProblemKind::Landscape,
        ProblemKind::Data,
    ];

    /// The name in links and in the CLI (its model's).
    pub const fn name(self) -> &'static str {
        self.model().name
    }

    /// What kind of objective it is, in a few words (its model's).
    pub const fn label(self) -> &'static str {
        self.model().label
    }

    pub fn from_name(name: &str) -> Option<ProblemKind> {
        ProblemKind::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl Task {
    /// In the order the controls and error messages list them.
    pub const ALL: [Task; 3] = [Task::Logistic, Task::Softmax, Task::LeastSquares];

    /// The name in links and in the CLI.
    pub const fn name(self) -> &'static str {
        match self {
            Task::Logistic => "logistic",
            Task::Softmax => "softmax",
            Task::LeastSquares => "least-squares",
        }
    }

    /// The objective, in words.
    pub const fn label(self) -> &'static str {
        match self {
            Task::Logistic => "logistic regression",
            Task::Softmax => "softmax regression",
            Task::LeastSquares => "least squares",
        }
    }

    pub fn from_name(name: &str) -> Option<Task> {
        Task::ALL.into_iter().find(|t| t.name() == name)
    }
}

impl Format {
    pub const ALL: [Format; 2] = [Format::Csv, Format::Libsvm];

    /// The name in links and in the CLI.
    pub const fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Libsvm => "libsvm",
        }
    }

    /// The format, in words.
    pub const fn label(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Libsvm => "LIBSVM/SVMlight",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }
}

pub const ALG_NAMES: [&str; 6] = [
    Alg::ALL[0].name(),
    Alg::ALL[1].name(),
    Alg::ALL[2].name(),
    Alg::ALL[3].name(),
    Alg::ALL[4].name(),
    Alg::ALL[5].name(),
];
/// Written out from `ProblemKind::ALL`, so that a new model's name joins by itself.
pub const PROBLEM_NAMES: [&str; ProblemKind::ALL.len()] = {
    let mut names = [""; ProblemKind::ALL.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = ProblemKind::ALL[i].name();
        i += 1;
    }
    names
};
/// `auto` first: the labels decide.
pub const TASK_NAMES: [&str; 4] = [
    AUTO,
    Task::ALL[0].name(),
    Task::ALL[1].name(),
    Task::ALL[2].name(),
];
/// `auto` first: the file's first line decides.
pub const FORMAT_NAMES: [&str; 3] = [AUTO, Format::ALL[0].name(), Format::ALL[1].name()];

/// The choice that is left to the data.
pub const AUTO: &str = "auto";

/// Which list a choice parameter picks from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choices {
    Alg,
    Problem,
    /// `auto` or a task.
    Task,
    /// `auto` or a file format.
    Format,
}

impl Choices {
    /// The link names, in order.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Choices::Alg => &ALG_NAMES,
            Choices::Problem => &PROBLEM_NAMES,
            Choices::Task => &TASK_NAMES,
            Choices::Format => &FORMAT_NAMES,
        }
    }

    /// Each link name with what it stands for, as a control's options show them: ("crpsgd", "CR-PSGD,
    /// batches grow").
    pub fn options(self) -> Vec<(&'static str, String)> {
        match self {
            Choices::Alg => Alg::ALL
                .iter()
                .map(|a| {
                    let words = match a.gist() {
                        Some(gist) => format!("{}, {gist}", a.label()),
                        None => a.label().to_string(),
                    };
                    (a.name(), words)
                })
                .collect(),
            Choices::Problem => ProblemKind::ALL
                .iter()
                .map(|p| (p.name(), p.label().to_string()))
                .collect(),
            Choices::Task => std::iter::once((AUTO, "from the labels".to_string()))
                .chain(Task::ALL.iter().map(|t| (t.name(), t.label().to_string())))
                .collect(),
            Choices::Format => std::iter::once((AUTO, "detected".to_string()))
                .chain(
                    Format::ALL
                        .iter()
                        .map(|f| (f.name(), f.label().to_string())),
                )
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct_and_read_back() {
        for (i, alg) in Alg::ALL.into_iter().enumerate() {
            assert_eq!(ALG_NAMES[i], alg.name());
            assert_eq!(Alg::from_name(alg.name()), Some(alg));
        }
        for (i, problem) in ProblemKind::ALL.into_iter().enumerate() {
            assert_eq!(PROBLEM_NAMES[i], problem.name());
            assert_eq!(ProblemKind::from_name(problem.name()), Some(problem));
        }
        assert_eq!(Alg::from_name("CR-PSGD"), None, "links use the link name");
    }

    #[test]
    fn options_pair_each_name_with_its_words() {
        assert_eq!(
            Choices::Alg.options()[0],
            ("crpsgd", "CR-PSGD, batches grow".to_string())
        );
        assert_eq!(
            Choices::Alg.options()[2],
            ("catalyst", "CR-PSGD-Catalyst".to_string())
        );
        assert_eq!(
            Choices::Problem.options()[4],
            ("landscape", "2-D, PL".to_string())
        );
    }
}
