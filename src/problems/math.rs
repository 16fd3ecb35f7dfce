//! Numerical kernels shared by the problems. Every reduction runs in a fixed order with a fixed lane
//! layout, and exp/log come from `libm`, so results are the same bit pattern natively and in wasm.

/// Dot product with four independent accumulators in a fixed layout: vectorisable, and its rounding is
/// the same on every target because the summation order is spelled out.
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
    let (a_rest, b_rest) = (a4.remainder(), b4.remainder());
    for (x, y) in a4.zip(b4) {
        for lane in 0..4 {
            acc[lane] += x[lane] * y[lane];
        }
    }
    let mut sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (x, y) in a_rest.iter().zip(b_rest) {
        sum += x * y;
    }
    sum
}

/// out += a·x
pub fn axpy(a: f64, x: &[f64], out: &mut [f64]) {
    out.iter_mut().zip(x).for_each(|(o, xi)| *o += a * xi);
}

/// log(1 + eᶻ) without overflow.
pub fn softplus(z: f64) -> f64 {
    z.max(0.0) + libm::log1p(libm::exp(-z.abs()))
}

pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + libm::exp(-z))
    } else {
        let e = libm::exp(z);
        e / (1.0 + e)
    }
}

pub fn log_sum_exp(v: &[f64]) -> f64 {
    let top = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    top + libm::log(v.iter().map(|x| libm::exp(x - top)).sum::<f64>())
}

pub fn softmax_in_place(v: &mut [f64]) {
    let top = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let mut total = 0.0;
    for x in v.iter_mut() {
        *x = libm::exp(*x - top);
        total += *x;
    }
    v.iter_mut().for_each(|x| *x /= total);
}

/// Turns a sum of `count` per-sample gradients in `out` into their mean, plus the penalty's gradient λw.
pub fn mean_plus_penalty(out: &mut [f64], count: f64, lambda: f64, w: &[f64]) {
    let scale = 1.0 / count;
    out.iter_mut()
        .zip(w)
        .for_each(|(g, wi)| *g = *g * scale + lambda * wi);
}

#[cfg(test)]
mod tests {
    #[test]
    fn dot_handles_remainders() {
        let a: Vec<f64> = (1..=7).map(f64::from).collect();
        assert_eq!(super::dot(&a, &a), 140.0);
    }
}
