//! Numerical kernels shared by the problems. Every reduction runs in a fixed order with a fixed lane
//! layout, and exp/log come from `vmath` (libm's bits, a lane array at a time), so results are the same
//! bit pattern natively and in wasm.

use super::vmath::{self, Exp, LaneFunction, Ln};
use std::simd::Simd;

/// Lanes per accumulator in every reduction: the layout that fixes the summation order on every target.
pub const LANES: usize = 4;

/// Dot product with four independent accumulators in a fixed layout: vectorisable, and its rounding is
/// the same on every target because the summation order is spelled out.
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    dots([&a[..n]], &b[..n])[0]
}

/// `R` dot products against one shared vector, each in `dot`'s lane layout and so bit-identical to `R`
/// calls of `dot` (IEEE multiplication commutes), but computed together: their dependency chains
/// overlap, and the shared vector is loaded once.
///
/// The accumulators are `Simd` vectors, one per row, rather than `[f64; LANES]` arrays: with arrays,
/// LLVM's SLP vectoriser grouped the rows' same lanes into one register (seeded by the `R` results
/// stored side by side), which costs a 4 × 4 transpose of the rows' chunks and a broadcast of the shared
/// chunk per step, about 8 shuffles for 4 multiplies and 4 adds (docs/PERFORMANCE.md, "The roofline").
/// The vector type fixes the layout: one load of the shared chunk, then a multiply and an add per row.
#[inline(always)]
pub fn dots<const R: usize>(rows: [&[f64]; R], shared: &[f64]) -> [f64; R] {
    let (chunks, rest) = shared.as_chunks::<LANES>();
    let full = chunks.len() * LANES;
    let row_chunks = rows.map(|r| &r[..full].as_chunks::<LANES>().0[..chunks.len()]);
    let mut acc = [Simd::<f64, LANES>::splat(0.0); R];
    for (c, x) in chunks.iter().enumerate() {
        let x = Simd::from_array(*x);
        for r in 0..R {
            acc[r] += Simd::from_array(row_chunks[r][c]) * x;
        }
    }
    let mut out = [0.0; R];
    for r in 0..R {
        let a = acc[r].to_array();
        let mut sum = (a[0] + a[1]) + (a[2] + a[3]);
        for (y, x) in rows[r][full..].iter().zip(rest) {
            sum += y * x;
        }
        out[r] = sum;
    }
    out
}

/// out += a·x
#[inline(always)]
pub fn axpy(a: f64, x: &[f64], out: &mut [f64]) {
    axpys([a], [x], out);
}

/// out += a₀·x₀ + a₁·x₁ + …, each term added to each element in turn: bit-identical to `R` calls of
/// `axpy` in order, with `out` loaded and stored once instead of `R` times.
#[inline(always)]
pub fn axpys<const R: usize>(a: [f64; R], xs: [&[f64]; R], out: &mut [f64]) {
    let n = out.len();
    let xs = xs.map(|x| &x[..n]);
    for (e, o) in out.iter_mut().enumerate() {
        let mut v = *o;
        for s in 0..R {
            v += a[s] * xs[s][e];
        }
        *o = v;
    }
}

/// The largest value, or −∞ for none.
#[inline(always)]
fn top(v: &[f64]) -> f64 {
    v.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
}

/// log Σ eᵛ, as max v + log Σ e^(v − max v): the exponentials through `vmath` a few lane arrays at a
/// time, summed in order.
#[inline(always)]
pub fn log_sum_exp(v: &[f64]) -> f64 {
    let top = top(v);
    let mut total = 0.0;
    let mut buffer = [0.0; 4 * LANES];
    for chunk in v.chunks(buffer.len()) {
        let shifted = &mut buffer[..chunk.len()];
        for (s, x) in shifted.iter_mut().zip(chunk) {
            *s = x - top;
        }
        vmath::apply::<Exp>(shifted);
        for e in shifted.iter() {
            total += e;
        }
    }
    top + Ln::one(total)
}

/// Softmax of each row of `width` values in `v`, in place: e^(v − max v) over their sum (in order).
/// The rows are a block of samples' logits, whose exponentials go through `vmath` in one call.
#[inline(always)]
pub fn softmax_rows(v: &mut [f64], width: usize) {
    if width == 0 {
        return;
    }
    for row in v.chunks_exact_mut(width) {
        let top = top(row);
        for x in row.iter_mut() {
            *x -= top;
        }
    }
    vmath::apply::<Exp>(v);
    for row in v.chunks_exact_mut(width) {
        let mut total = 0.0;
        for x in row.iter() {
            total += x;
        }
        for x in row.iter_mut() {
            *x /= total;
        }
    }
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

    /// The blocked kernels are the plain ones, reordered only where IEEE arithmetic allows.
    #[test]
    fn blocked_kernels_equal_their_plain_loops() {
        let v = |seed: u64, n: usize| -> Vec<f64> {
            let mut s = crate::rng::Stream::new(seed, crate::rng::Purpose::Data);
            (0..n).map(|_| s.normal()).collect()
        };
        for n in [0, 1, 3, 4, 7, 65, 785] {
            let (a, b, c) = (v(1, n), v(2, n), v(3, n));
            let mut plain = [0.0; 3];
            for (p, row) in plain.iter_mut().zip([&a, &b, &c]) {
                let (mut acc, full) = ([0.0f64; 4], n / 4 * 4);
                for j in 0..full {
                    acc[j % 4] += row[j] * c[j];
                }
                *p = (acc[0] + acc[1]) + (acc[2] + acc[3]);
                (full..n).for_each(|j| *p += row[j] * c[j]);
            }
            let blocked = super::dots([&a[..], &b, &c], &c);
            assert_eq!(
                blocked.map(f64::to_bits),
                plain.map(f64::to_bits),
                "n = {n}"
            );
            let mut sequential = v(4, n);
            let mut fused = sequential.clone();
            let coefficients = [-0.7, 0.3, 1.3];
            for (k, x) in [&a, &b, &c].into_iter().enumerate() {
                sequential
                    .iter_mut()
                    .zip(x)
                    .for_each(|(o, xi)| *o += coefficients[k] * xi);
            }
            super::axpys(coefficients, [&a[..], &b, &c], &mut fused);
            assert_eq!(fused, sequential, "n = {n}");
        }
    }
}
