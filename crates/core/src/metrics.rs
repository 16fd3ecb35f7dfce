//! What a run reports each round, and its CSV form (the contract shared by the page and the CLI).

use serde::{Deserialize, Serialize};

/// The state after one round's update (round 0 is the starting point).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub round: u64,
    /// B_t, the batch per node in this round (0 for the starting point).
    pub batch: u64,
    /// Σ_τ≤t B_τ: stochastic gradient calls per node so far.
    pub sfo: u64,
    /// f at the new iterate.
    pub loss: f64,
    /// f − f*, where f* is known (empty in the CSV otherwise).
    pub subopt: Option<f64>,
    /// ‖∇f‖ at the new iterate (the full gradient).
    pub grad_norm: f64,
    /// Catalyst's outer step k (0 for the other algorithms, and for the starting point).
    pub outer: u64,
    /// Simulated wall-clock seconds so far (see `network`).
    pub time: f64,
    /// Bytes each node has sent in all-reduces so far.
    pub comm_bytes: u64,
    /// The gradient noise scale B_noise = tr(Σ)/|G|² in samples, smoothed over the rounds so far
    /// (`crate::noise`); empty in the CSV where undefined (the starting point, or noise still swamping
    /// the estimate of |G|²).
    pub noise_scale: Option<f64>,
    /// The iterate itself, for two-dimensional problems (the landscape), so its path can be drawn.
    pub point: Option<[f64; 2]>,
}

pub const CSV_HEADER: &str =
    "round,batch,sfo,loss,subopt,grad_norm,outer,time,comm_bytes,noise_scale";

impl Row {
    /// One CSV line, with a newline. Rust prints the shortest text that reads back to the same f64, on
    /// every target, which is what makes page and CLI CSVs byte-identical.
    pub fn csv_line(&self) -> String {
        let subopt = self.subopt.map(number).unwrap_or_default();
        let noise_scale = self.noise_scale.map(number).unwrap_or_default();
        format!(
            "{},{},{},{},{},{},{},{},{},{}{}\n",
            self.round,
            self.batch,
            self.sfo,
            number(self.loss),
            subopt,
            number(self.grad_norm),
            self.outer,
            number(self.time),
            self.comm_bytes,
            noise_scale,
            self.point
                .map(|[x, y]| format!(",{},{}", number(x), number(y)))
                .unwrap_or_default()
        )
    }
}

/// The header line (with a newline); two-dimensional problems add the iterate's coordinates `x,y`.
pub fn csv_header(with_point: bool) -> String {
    format!("{CSV_HEADER}{}\n", if with_point { ",x,y" } else { "" })
}

/// Shortest round-trip text of a float; plain for everyday magnitudes, with an exponent otherwise (so a
/// diverging loss prints as 9.7e82, not as 83 digits).
pub fn number(v: f64) -> String {
    if v == 0.0 || !v.is_finite() || (1e-5..1e15).contains(&v.abs()) {
        v.to_string()
    } else {
        format!("{v:e}")
    }
}

/// A count as the page writes it, in its status line and its stories: 1234567 → "1,234,567".
pub fn grouped(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A whole run as CSV, header first.
pub fn to_csv(rows: &[Row]) -> String {
    let mut out = String::with_capacity(32 * (rows.len() + 1));
    out.push_str(&csv_header(rows.first().is_some_and(|r| r.point.is_some())));
    rows.iter().for_each(|r| out.push_str(&r.csv_line()));
    out
}
