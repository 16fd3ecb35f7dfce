//! The lab's terms, each defined once: the page's glossary panel, its "?" marks and tooltips, and
//! `dynabatch glossary` all print these. A term that is a parameter takes its definition from the
//! parameter table (`params`), so its control's tooltip and its glossary entry are one text.

use crate::params::Param;

/// Where a term's definition lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Said {
    /// Here.
    Text(&'static str),
    /// A parameter's help text in the parameter table.
    Param(Param),
}

/// One entry of the glossary.
#[derive(Clone, Copy, Debug)]
pub struct Term {
    /// A stable key: the page's anchor (`#term-sfo`) and what `term()` looks up.
    pub key: &'static str,
    /// As the page and the paper write it.
    pub name: &'static str,
    pub said: Said,
}

impl Term {
    /// The definition, wherever it lives.
    pub fn definition(&self) -> &'static str {
        match self.said {
            Said::Text(text) => text,
            Said::Param(param) => param.spec().help,
        }
    }
}

/// Every term, in the order a reader meets them.
pub const TERMS: &[Term] = &[
    Term {
        key: "sfo",
        name: "SFO",
        said: Said::Text(
            "A call to the stochastic first-order oracle: one stochastic gradient ∇F(x; ζ) of one sample ζ. \
             \"SFO per node\" counts a node's sample gradients so far, the fair axis for comparing runs.",
        ),
    },
    Term {
        key: "round",
        name: "Communication round",
        said: Said::Text(
            "One exchange among the nodes: each node computes on its own samples, then all average their \
             results in one all-reduce. Rounds are what slow networks charge for.",
        ),
    },
    Term {
        key: "all-reduce",
        name: "All-reduce",
        said: Said::Text(
            "The collective operation that leaves every node holding the average of all nodes' vectors; a \
             ring all-reduce sends 2(N−1) messages per node.",
        ),
    },
    Term {
        key: "f-star",
        name: "f*",
        said: Said::Text(
            "The smallest value of the objective f, at its minimiser x*. The lab finds it once per problem \
             (L-BFGS) where f is strongly convex, and plots f − f*, how far a run still is from the best.",
        ),
    },
    Term {
        key: "pl",
        name: "Polyak–Łojasiewicz (PL) condition",
        said: Said::Text(
            "½‖∇f(x)‖² ≥ μ(f(x) − f*) for every x: wherever f is far above its minimum, its gradient is \
             large. It holds for strongly convex f (λ > 0 here), and it is what CR-PSGD's O(1/(NT)) rate \
             assumes.",
        ),
    },
    Term {
        key: "b-noise",
        name: "B_noise",
        said: Said::Text(
            "The gradient noise scale tr Σ / ‖∇f‖²: the batch at which a mini-batch gradient's noise equals \
             its signal. Measured live from the nodes' gradients; batches well below it mostly average \
             noise, batches well above it barely sharpen the step.",
        ),
    },
    Term {
        key: "N",
        name: "N, nodes",
        said: Said::Param(Param::Nodes),
    },
    Term {
        key: "T",
        name: "T, the SFO budget",
        said: Said::Param(Param::Budget),
    },
    Term {
        key: "B1",
        name: "B₁, the first batch",
        said: Said::Param(Param::FirstBatch),
    },
    Term {
        key: "rho",
        name: "ρ, batch growth",
        said: Said::Param(Param::Rho),
    },
    Term {
        key: "gamma",
        name: "γ, step size",
        said: Said::Param(Param::Gamma),
    },
    Term {
        key: "lambda",
        name: "λ, regularisation",
        said: Said::Param(Param::Lambda),
    },
    Term {
        key: "mu",
        name: "μ",
        said: Said::Text(
            "The smallest eigenvalue of the Hessian ∇²f at x* (λ included): how sharply f curves in its \
             flattest direction. For these strongly convex problems it is about the PL constant, and 1/(γμ) is about the fewest rounds a gradient step per round needs.",
        ),
    },
    Term {
        key: "L",
        name: "L",
        said: Said::Text(
            "The largest eigenvalue of ∇²f at x*: how sharply f curves in its steepest direction. A step \
             size above about 2/L makes gradient descent diverge.",
        ),
    },
    Term {
        key: "kappa",
        name: "κ = L/μ, the condition number",
        said: Said::Text(
            "How unevenly f curves. A large κ means slow progress along flat directions for any step size \
             that is safe along steep ones.",
        ),
    },
    Term {
        key: "crpsgd",
        name: "CR-PSGD",
        said: Said::Text(
            "Communication-reduced parallel SGD (Yu & Jin, Algorithm 1): the batch grows by ρ every round, \
             B_t = ⌊ρ^(t−1)·B₁⌋, so a budget of T samples per node takes O(log T) rounds.",
        ),
    },
    Term {
        key: "psgd",
        name: "PSGD",
        said: Said::Text(
            "Classic parallel SGD: every round each node averages a fixed batch of B₁ sample gradients, so \
             T/B₁ rounds.",
        ),
    },
    Term {
        key: "local",
        name: "Local SGD",
        said: Said::Text(
            "Each node takes H SGD steps of batch B₁ on its own, then all average their models: one round \
             per H steps. The paper's H = ⌊T^¼/N^¾⌋ gives O(N^¾·T^¾) rounds.",
        ),
    },
    Term {
        key: "H",
        name: "H, local steps",
        said: Said::Param(Param::LocalSteps),
    },
    Term {
        key: "catalyst",
        name: "CR-PSGD-Catalyst",
        said: Said::Text(
            "For non-convex f (Algorithm 2): CR-PSGD solves a sequence of strongly convex subproblems \
             f(x) + (θ/2)‖x − y‖², each anchored at the last one's answer, and reaches a small ‖∇f‖² in \
             about √(NT)·log(T/N) rounds.",
        ),
    },
    Term {
        key: "theta",
        name: "θ",
        said: Said::Param(Param::Theta),
    },
    Term {
        key: "adaptive",
        name: "Adaptive batches",
        said: Said::Text(
            "The batch follows the measured noise: the next global batch aims at B_noise/(N·η²), growing by \
             at most ρ a round (the norm test).",
        ),
    },
    Term {
        key: "eta",
        name: "η",
        said: Said::Param(Param::Eta),
    },
    Term {
        key: "tau",
        name: "τ, step decay",
        said: Said::Param(Param::Decay),
    },
    Term {
        key: "beta",
        name: "β, momentum",
        said: Said::Param(Param::Momentum),
    },
    Term {
        key: "ramp",
        name: "Batch ramp",
        said: Said::Text(
            "The batch per node grows linearly from B₁ to B_max over the first S samples per node, then stays \
             at B_max, as GPT-3's batch ramp did. The paper does not analyse it: the page predicts its rounds, \
             not its error.",
        ),
    },
    Term {
        key: "bmax",
        name: "B_max, the ramp's cap",
        said: Said::Param(Param::RampCap),
    },
    Term {
        key: "S",
        name: "S, the ramp's length",
        said: Said::Param(Param::RampLength),
    },
];

/// The term with this key.
pub fn term(key: &str) -> Option<&'static Term> {
    TERMS.iter().find(|t| t.key == key)
}

/// The term that a parameter is, if the glossary has it.
pub fn of_param(param: Param) -> Option<&'static Term> {
    TERMS.iter().find(|t| t.said == Said::Param(param))
}

/// The whole glossary as plain text, a term and its definition a paragraph: `dynabatch glossary`.
pub fn as_text() -> String {
    TERMS
        .iter()
        .map(|t| format!("{}\n    {}\n", t.name, t.definition()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_term_is_defined_once_under_a_key_of_its_own() {
        for (i, t) in TERMS.iter().enumerate() {
            assert!(!t.definition().is_empty(), "{}", t.key);
            assert!(
                TERMS[i + 1..]
                    .iter()
                    .all(|o| o.key != t.key && o.name != t.name),
                "{} twice",
                t.key
            );
            assert!(t.key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        }
        // The terms the issue asked for.
        for key in [
            "sfo", "f-star", "pl", "b-noise", "rho", "B1", "gamma", "T", "mu", "L", "kappa",
            "round", "local", "catalyst", "beta", "ramp", "bmax", "S",
        ] {
            assert!(term(key).is_some(), "{key}");
        }
        // A parameter's entry is its control's tooltip, word for word.
        assert_eq!(
            term("rho").map(Term::definition),
            Some(Param::Rho.spec().help)
        );
        assert_eq!(of_param(Param::Gamma).map(|t| t.key), Some("gamma"));
        assert!(of_param(Param::Seed).is_none());
        assert!(as_text().starts_with("SFO\n    A call to the stochastic first-order oracle"));
    }
}
