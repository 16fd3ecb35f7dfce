//! Numerical kernels shared by the problems. Every reduction runs in a fixed order with a fixed lane
//! layout, and exp/log come from `vmath` (libm's bits, a lane array at a time), so results are the same
//! bit pattern natively and in wasm.

use super::element::Element;

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
pub fn dots<E: Element, const R: usize>(rows: [&[E]; R], shared: &[E]) -> [E; R] {
    let (chunks, rest) = shared.as_chunks::<LANES>();
    let full = chunks.len() * LANES;
    let row_chunks = rows.map(|r| &r[..full].as_chunks::<LANES>().0[..chunks.len()]);
    let mut acc = [E::splat(E::ZERO); R];
    for (c, x) in chunks.iter().enumerate() {
        let x = E::to_lanes(*x);
        for r in 0..R {
            acc[r] += E::to_lanes(row_chunks[r][c]) * x;
        }
    }
    let mut out = [E::ZERO; R];
    for r in 0..R {
        let a = E::from_lanes(acc[r]);
        let mut sum = (a[0] + a[1]) + (a[2] + a[3]);
        for (y, x) in rows[r][full..].iter().zip(rest) {
            sum += *y * *x;
        }
        out[r] = sum;
    }
    out
}

/// out += a·x
#[inline(always)]
pub fn axpy<E: Element>(a: E, x: &[E], out: &mut [E]) {
    axpys([a], [x], out);
}

/// out += a₀·x₀ + a₁·x₁ + …, each term added to each element in turn: bit-identical to `R` calls of
/// `axpy` in order, with `out` loaded and stored once instead of `R` times.
#[inline(always)]
pub fn axpys<E: Element, const R: usize>(a: [E; R], xs: [&[E]; R], out: &mut [E]) {
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
fn top<E: Element>(v: &[E]) -> E {
    v.iter().cloned().fold(E::NEG_INFINITY, E::max)
}

/// log Σ eᵛ, as max v + log Σ e^(v − max v): the exponentials through `vmath` a few lane arrays at a
/// time, summed in order.
#[inline(always)]
pub fn log_sum_exp<E: Element>(v: &[E]) -> E {
    let top = top(v);
    let mut total = E::ZERO;
    let mut buffer = [E::ZERO; 4 * LANES];
    for chunk in v.chunks(buffer.len()) {
        let shifted = &mut buffer[..chunk.len()];
        for (s, x) in shifted.iter_mut().zip(chunk) {
            *s = *x - top;
        }
        E::exp_all(shifted);
        for e in shifted.iter() {
            total += *e;
        }
    }
    top + total.ln()
}

/// Softmax of each row of `width` values in `v`, in place: e^(v − max v) over their sum (in order).
/// The rows are a block of samples' logits, whose exponentials go through `vmath` in one call.
#[inline(always)]
pub fn softmax_rows<E: Element>(v: &mut [E], width: usize) {
    if width == 0 {
        return;
    }
    for row in v.chunks_exact_mut(width) {
        let top = top(row);
        for x in row.iter_mut() {
            *x -= top;
        }
    }
    E::exp_all(v);
    for row in v.chunks_exact_mut(width) {
        let mut total = E::ZERO;
        for x in row.iter() {
            total += *x;
        }
        for x in row.iter_mut() {
            *x = *x / total;
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
