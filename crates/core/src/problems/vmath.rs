//! exp, expm1, tanh, ln and log1p for the kernels, computed a lane array at a time in vector registers,
//! with the same bits on every target: SSE2 and AVX2 natively, simd128 in wasm.
//!
//! Each function is the `libm` crate's (FreeBSD's and musl's, from Sun's fdlibm) without its branches.
//! Where the scalar code branches on the argument's range, every lane here computes every case with the
//! same operations in the same order, and a select keeps the case the argument falls in. So each value
//! is the one `libm` returns, bit for bit (NaN payloads aside), and the accuracy is libm's:
//!
//! | function | bound (fdlibm's analysis) | largest error measured against an f128 reference (`tests/vmath.rs`) |
//! | --- | --- | --- |
//! | `exp` | < 1 ulp | 0.86 ulp |
//! | `expm1` | < 1 ulp | 0.83 ulp |
//! | `tanh` | – (musl notes up to 2 ulp in [0.1, 0.2554]) | 2.08 ulp, at −0.2348 |
//! | `ln` | < 1 ulp | 0.80 ulp |
//! | `log1p` | < 1 ulp | 0.83 ulp |
//!
//! (Measured on a million points each over the kernels' ranges and over [−1, 1]; the tests, on half as
//! many, check < 1 ulp, and < 2.5 ulp for tanh.)
//!
//! Why not libm itself: its scalar, branchy code costs about 3× as much in wasm as natively (V8 compiles
//! it less well than LLVM), and it runs one value at a time on both. Here a block of samples' values go
//! through together, and the branches are gone, so each call is a short straight line of vector
//! operations. Why the same bits as libm: every run, golden CSV and published number stays what it was.
//!
//! What keeps the bits equal across targets: only IEEE additions, multiplications, divisions and
//! comparisons (each correctly rounded, and Rust never fuses a multiply and an add), selects, and integer
//! operations on the bit patterns. Rounding to an integer adds and subtracts 1.5·2⁵² rather than calling
//! a rounding instruction (SSE2 has none), and powers of two are built from their exponent bits. The
//! functions are written on whole lane arrays (`lanes`), one element-wise operation at a time, which is
//! what LLVM reliably vectorises, and use nothing that simd128 lacks (copysign, max), for which LLVM
//! would take the lanes apart in wasm. libm's constants are written as the bit patterns its comments give.

use super::math::LANES;
use super::simd;
use lanes::{select, F, U};

mod lanes;

/// The values one call computes: the lane layout of the reductions (`math::LANES`), so that a block of
/// samples' values goes through in one call.
pub type Lanes = [f64; LANES];

/// 1.5·2⁵²: for |t| < 2⁵¹, `t + SHIFTER` has round(t) (ties to even) in its low mantissa bits.
const SHIFTER: f64 = 6_755_399_441_055_744.0;

/// ln 2 = LN2_HI + LN2_LO, the first with 32 significant bits, so that k·LN2_HI is exact.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000); // 0.6931471803691238
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76); // 1.9082149292705877e-10
const INV_LN2: f64 = f64::from_bits(0x3ff7_1547_652b_82fe); // 1.4426950408889634

/// The smallest f64 whose high 32 bits are `word` (libm compares high words; these are the same tests).
const fn from_high_word(word: u64) -> f64 {
    f64::from_bits(word << 32)
}

/// |x| > ½ln2: exp and expm1 reduce the argument by k·ln2.
const HALF_LN2: f64 = from_high_word(0x3fd6_2e43);
/// exp overflows above this, and underflows to 0 below `EXP_UNDERFLOW`.
const EXP_OVERFLOW: f64 = f64::from_bits(0x4086_2e42_fefa_39ef); // 709.782712893384
const EXP_UNDERFLOW: f64 = f64::from_bits(0xc087_4910_d52d_3051); // -745.1332191019411

/// A function computed a lane array at a time, named as a type (`apply::<Tanh>`) so that every call
/// of it is static: a function passed as a value goes through a shim that LLVM need not inline.
pub trait LaneFunction: Sized {
    /// The function on each lane.
    fn lanes(x: Lanes) -> Lanes;

    /// The function of one value.
    #[inline(always)]
    fn one(x: f64) -> f64 {
        on_block::<Self, 1>([x])[0]
    }
}

/// Applies `L` to every value of `v`, in the widest vectors this CPU has (`simd::widest`). Compiled
/// once per function and encoding, not into every kernel that calls it: inlined into every instance of
/// every kernel, they made a release build four times as long.
#[inline(never)]
pub fn apply<L: LaneFunction>(v: &mut [f64]) {
    simd::widest(
        #[inline(always)]
        || map_in_place::<L>(v),
    )
}

/// [`apply`] to a block of `R` values (a block of samples; `R` need not be `LANES`).
#[inline(always)]
pub fn on_block<L: LaneFunction, const R: usize>(x: [f64; R]) -> [f64; R] {
    let mut v = x;
    apply::<L>(&mut v);
    v
}

/// [`apply`]'s loop, inlined into the caller and compiled in the caller's encoding: full lane arrays,
/// then the rest padded with zeros.
#[inline(always)]
pub fn map_in_place<L: LaneFunction>(v: &mut [f64]) {
    let (chunks, rest) = v.as_chunks_mut::<LANES>();
    for chunk in chunks {
        *chunk = L::lanes(*chunk);
    }
    if !rest.is_empty() {
        let mut padded = [0.0; LANES];
        padded[..rest.len()].copy_from_slice(rest);
        let n = rest.len();
        rest.copy_from_slice(&L::lanes(padded)[..n]);
    }
}

/// A public `LaneFunction` over one of the functions below, on lane arrays.
macro_rules! lane_function {
    ($($(#[$doc:meta])* $name:ident = $f:ident;)*) => {$(
        $(#[$doc])*
        pub struct $name;

        impl LaneFunction for $name {
            #[inline(always)]
            fn lanes(x: Lanes) -> Lanes {
                $f(F(x)).0
            }
        }
    )*};
}

lane_function! {
    /// eˣ on each lane, bit for bit `libm::exp` (fdlibm's e_exp.c): error < 1 ulp.
    Exp = exp_of;
    /// eˣ − 1 on each lane, bit for bit `libm::expm1` (fdlibm's s_expm1.c): error < 1 ulp.
    Expm1 = expm1_of;
    /// tanh x on each lane, bit for bit `libm::tanh` (musl's): from expm1 of ±2|x|; up to 2.08 ulp
    /// measured, in [0.1, 0.2554], where musl notes up to 2.
    Tanh = tanh_of;
    /// log x on each lane, bit for bit `libm::log` (fdlibm's e_log.c): error < 1 ulp.
    Ln = ln_of;
    /// log(1 + x) on each lane, bit for bit `libm::log1p` (fdlibm's s_log1p.c): error < 1 ulp.
    Log1p = log1p_of;
    /// log(1 + eᶻ) on each lane, without overflow: max(z, 0) + log1p(e^−|z|).
    Softplus = softplus_of;
    /// 1/(1 + e⁻ᶻ) on each lane, as e/(1 + e) with e = eᶻ for z < 0, so that nothing overflows.
    Sigmoid = sigmoid_of;
}

/// round(t), ties to even, for |t| < 2⁵¹.
#[inline(always)]
fn round(t: F) -> F {
    (t + SHIFTER) - SHIFTER
}

/// An integer-valued f64 (|k| < 2⁵¹) as a two's-complement integer, and back.
#[inline(always)]
fn to_int(k: F) -> U {
    (k + SHIFTER).to_bits() - SHIFTER.to_bits()
}

#[inline(always)]
fn to_float(k: U) -> F {
    F::from_bits(k + SHIFTER.to_bits()) - SHIFTER
}

/// 2ᵏ for −1022 ≤ k ≤ 1023.
#[inline(always)]
fn pow2(k: U) -> F {
    F::from_bits((k + 0x3ff) << 52)
}

/// x = k·ln2 + r with |r| ≤ ½ln2 (about), r = hi − lo: exp's and expm1's argument reduction.
struct Reduced {
    k: F,
    hi: F,
    lo: F,
    r: F,
}

/// libm's reduction: k = 0 up to ½ln2 (then hi = r = x and lo = 0), else trunc(x/ln2 ± ½) (libm's k = ±1
/// below 1.5·ln2 is that too). Rounding is symmetric, so that is ±floor(|x|/ln2 + ½), with no sign to
/// apply before the end (a select: simd128 has no copysign).
#[inline(always)]
fn reduce(x: F) -> Reduced {
    let ax = x.abs();
    let a = INV_LN2 * ax + 0.5;
    let r = round(a);
    let floor = r - select(r.gt(a), 1.0, 0.0);
    let k = select(ax.ge(HALF_LN2), select(x.lt(0.0), -floor, floor), 0.0);
    let hi = x - k * LN2_HI;
    let lo = k * LN2_LO;
    Reduced {
        k,
        hi,
        lo,
        r: hi - lo,
    }
}

#[inline(always)]
fn exp_of(x: F) -> F {
    const P1: f64 = f64::from_bits(0x3fc5_5555_5555_553e); // 0.16666666666666602
    const P2: f64 = f64::from_bits(0xbf66_c16c_16be_bd93); // -0.0027777777777015593
    const P3: f64 = f64::from_bits(0x3f11_566a_af25_de2c); // 6.613756321437934e-05
    const P4: f64 = f64::from_bits(0xbebb_bd41_c5d2_6bf1); // -1.6533902205465252e-06
    const P5: f64 = f64::from_bits(0x3e66_3769_72be_a4d0); // 4.1381367970572385e-08

    // |x| ≤ 2⁻²⁸: libm returns 1 + x.
    const TINY: f64 = from_high_word(0x3e30_0001);

    let Reduced { k, hi, lo, r } = reduce(x);
    // e^r = 1 + r + r·c/(2 − c), c from a degree-5 polynomial in r².
    let rr = r * r;
    let c = r - rr * (P1 + rr * (P2 + rr * (P3 + rr * (P4 + rr * P5))));
    let y = 1.0 + (r * c / (2.0 - c) - lo + hi);
    // y·2ᵏ in two factors that are normal for every k in [−1076, 1024]: the first product is exact,
    // the second rounds once, as libm's scalbn does, also into the subnormals and to infinity.
    let k_int = to_int(k);
    let half = to_int(0.5 * k);
    let scaled = y * pow2(half) * pow2(k_int - half);

    // A NaN goes through the arithmetic as a NaN (with k = 0), and fails every comparison here.
    let value = select(x.abs().lt(TINY), 1.0 + x, scaled);
    let value = select(x.gt(EXP_OVERFLOW), f64::INFINITY, value);
    select(x.lt(EXP_UNDERFLOW), 0.0, value)
}

#[inline(always)]
fn expm1_of(x: F) -> F {
    // Scaled coefficients of fdlibm's rational approximation in (x²/2).
    const Q1: f64 = f64::from_bits(0xbfa1_1111_1111_10f4); // -0.03333333333333313
    const Q2: f64 = f64::from_bits(0x3f5a_01a0_19fe_5585); // 0.0015873015872548146
    const Q3: f64 = f64::from_bits(0xbf14_ce19_9eaa_dbb7); // -7.93650757867488e-05
    const Q4: f64 = f64::from_bits(0x3ed0_cfca_86e6_5239); // 4.008217827329362e-06
    const Q5: f64 = f64::from_bits(0xbe8a_fdb7_6e09_c32d); // -2.0109921818362437e-07

    // |x| < 2⁻⁵⁴: libm returns x. |x| ≥ 56·ln2: −1 for negative x.
    const TINY: f64 = from_high_word(0x3c90_0000);
    const SATURATED: f64 = from_high_word(0x4043_687a);

    let Reduced { k, hi, lo, r } = reduce(x);
    let c = (hi - r) - lo;
    let hfx = 0.5 * r;
    let hxs = r * hfx;
    let r1 = 1.0 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
    let t = 3.0 - r1 * hfx;
    let e = hxs * ((r1 - t) / (6.0 - r * t));
    let k_zero = r - (r * e - hxs);
    // libm's cases of k, each in its own operations.
    let e = r * (e - c) - c;
    let e = e - hxs;
    let k_minus_one = 0.5 * (r - e) - 0.5;
    let k_one = select(r.lt(-0.25), -2.0 * (e - (r + 0.5)), 1.0 + 2.0 * (r - e));
    let k_int = to_int(k);
    let two_k = pow2(k_int);
    let y = r - e + 1.0;
    let far = select(
        k.eq(1024.0),
        y * 2.0 * f64::from_bits(0x7fe0_0000_0000_0000),
        y * two_k,
    ) - 1.0;
    let two_minus_k = F::from_bits((U::from(0x3ff) - k_int) << 52);
    let near = select(
        k.lt(20.0),
        (r - e + (1.0 - two_minus_k)) * two_k,
        (r - (e + two_minus_k) + 1.0) * two_k,
    );
    let value = select(
        k.eq(0.0),
        k_zero,
        select(
            k.eq(-1.0),
            k_minus_one,
            select(k.eq(1.0), k_one, select(k.lt(0.0) | k.gt(56.0), far, near)),
        ),
    );

    let value = select(x.abs().lt(TINY), x, value);
    let value = select(x.abs().ge(SATURATED) & x.lt(0.0), -1.0, value);
    // A NaN goes through the arithmetic as a NaN (with k = 0), and fails every comparison here.
    select(x.gt(EXP_OVERFLOW), f64::INFINITY, value)
}

#[inline(always)]
fn tanh_of(x: F) -> F {
    // |x| > ½log 3, |x| > ½log(5/3), |x| > 20 (tanh is 1 to double precision).
    const LARGE: f64 = from_high_word(0x3fe1_93eb);
    const MIDDLE: f64 = from_high_word(0x3fd0_58af);
    const SATURATED: f64 = from_high_word(0x4034_0001);

    let ax = x.abs();
    let (large, middle) = (ax.ge(LARGE), ax.ge(MIDDLE));
    let t = expm1_of(select(middle, 2.0 * ax, -2.0 * ax));
    // 1 − 2/(t + 2), t/(t + 2) and −t/(t + 2), with one division.
    let q = select(large, 2.0, select(middle, t, -t)) / (t + 2.0);
    let magnitude = select(large, 1.0 - q, q);
    let magnitude = select(ax.ge(SATURATED), 1.0, magnitude);
    // Signed by a select (simd128 has no copysign); ±0 and subnormal |x| give x itself. A NaN is a NaN
    // through expm1 (testing for it here too made LLVM take the lanes apart in wasm).
    let value = select(x.lt(0.0), -magnitude, magnitude);
    select(ax.lt(f64::MIN_POSITIVE), x, value)
}

/// log(2ᵏ·(1 + f)) + c for f in [√2/2 − 1, √2 − 1): fdlibm's polynomial in s = f/(2 + f), shared by ln
/// and log1p (c is log1p's correction for the rounding of 1 + x, 0 for ln).
#[inline(always)]
fn log_of_reduced(f: F, c: F, k: F) -> F {
    const LG1: f64 = f64::from_bits(0x3fe5_5555_5555_5593); // 0.6666666666666735
    const LG2: f64 = f64::from_bits(0x3fd9_9999_9997_fa04); // 0.3999999999940942
    const LG3: f64 = f64::from_bits(0x3fd2_4924_9422_9359); // 0.2857142874366239
    const LG4: f64 = f64::from_bits(0x3fcc_71c5_1d8e_78af); // 0.22222198432149784
    const LG5: f64 = f64::from_bits(0x3fc7_4664_96cb_03de); // 0.1818357216161805
    const LG6: f64 = f64::from_bits(0x3fc3_9a09_d078_c69f); // 0.15313837699209373
    const LG7: f64 = f64::from_bits(0x3fc2_f112_df3e_5244); // 0.14798198605116586
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let r = t2 + t1;
    s * (hfsq + r) + (k * LN2_LO + c) - hfsq + f + k * LN2_HI
}

/// For positive normal `u`: k and f with u = 2ᵏ·(1 + f), 1 + f in [√2/2, √2), as libm splits it.
#[inline(always)]
fn split_exponent(u: F) -> (F, F) {
    // Adding 1 − √2/2's offset to the exponent field makes the exponent round at √2, not 2.
    let bits = u.to_bits() + 0x0009_5f62_0000_0000;
    let k = to_float((bits >> 52) - 0x3ff);
    let mantissa = F::from_bits((bits & 0x000f_ffff_ffff_ffff) + 0x3fe6_a09e_0000_0000);
    (k, mantissa - 1.0)
}

#[inline(always)]
fn ln_of(x: F) -> F {
    // Subnormals are scaled up by 2⁵⁴ first.
    let subnormal = x.lt(f64::MIN_POSITIVE);
    let (k, f) = split_exponent(select(subnormal, x * 18_014_398_509_481_984.0, x));
    let value = log_of_reduced(f, 0.0.into(), k + select(subnormal, -54.0, 0.0));
    let value = select(x.lt(0.0), f64::NAN, value);
    let value = select(x.eq(0.0), f64::NEG_INFINITY, value);
    select(x.is_nan() | x.eq(f64::INFINITY), x, value)
}

#[inline(always)]
fn log1p_of(x: F) -> F {
    // Where 1 + x is in [√2/2, √2), libm takes f = x exactly (k = 0); |x| < 2⁻⁵³ gives x itself.
    const NEAR_ONE_ABOVE: f64 = from_high_word(0x3fda_827a);
    const NEAR_ONE_BELOW: f64 = -from_high_word(0x3fd2_bec5);
    const TINY: f64 = from_high_word(0x3ca0_0000);

    let u = 1.0 + x;
    let (k, f) = split_exponent(u);
    // The rounding error of 1 + x, relative to it: log(1 + x) = log u + c.
    let c = select(k.ge(2.0), 1.0 - (u - x), x - (u - 1.0)) / u;
    let c = select(k.lt(54.0), c, 0.0);
    let near_one = x.lt(NEAR_ONE_ABOVE) & x.gt(NEAR_ONE_BELOW);
    let value = log_of_reduced(
        select(near_one, x, f),
        select(near_one, 0.0, c),
        select(near_one, 0.0, k),
    );

    let value = select(x.abs().lt(TINY), x, value);
    let value = select(x.lt(-1.0), f64::NAN, value);
    let value = select(x.eq(-1.0), f64::NEG_INFINITY, value);
    select(x.is_nan() | x.eq(f64::INFINITY), x, value)
}

#[inline(always)]
fn softplus_of(z: F) -> F {
    // max(z, 0) + l, as two sums and a select: LLVM took the lanes apart for max in wasm.
    let l = log1p_of(exp_of(-z.abs()));
    select(z.gt(0.0), z + l, l)
}

#[inline(always)]
fn sigmoid_of(z: F) -> F {
    let e = exp_of(-z.abs());
    select(z.ge(0.0), 1.0, e) / (1.0 + e)
}
