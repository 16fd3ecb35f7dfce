//! The kernels' exp, expm1, tanh, ln and log1p (`problems::vmath`): the same bits as `libm` over the
//! kernels' input ranges, densely, and over every kind of f64 (proptest's `any::<f64>()` draws zeros,
//! subnormals, infinities and NaN too); the accuracy stated in the module's table, against an f128
//! reference; and the same bits from the SSE2 and the AVX2 encoding.
#![feature(f128)]

use dynabatch_core::problems::vmath::{
    self, Exp, Expm1, LaneFunction, Ln, Log1p, Sigmoid, Softplus, Tanh,
};
use proptest::prelude::*;

struct Function {
    name: &'static str,
    ours: fn(f64) -> f64,
    libm: fn(f64) -> f64,
    reference: fn(f128) -> f128,
    /// Where the kernels call it (and a little beyond), sampled densely.
    range: (f64, f64),
    /// The error bound stated in the module's table, in ulp: the error stays below it.
    max_ulp: f64,
}

const FUNCTIONS: [Function; 5] = [
    Function {
        name: "exp",
        ours: Exp::one,
        libm: libm::exp,
        reference: f128::exp,
        // Softmax and log-sum-exp take z − max z ≤ 0, the logistic loss −|z|; and the overflow.
        range: (-750.0, 712.0),
        max_ulp: 1.0,
    },
    Function {
        name: "expm1",
        ours: Expm1::one,
        libm: libm::expm1,
        reference: f128::exp_m1,
        // tanh's ±2|x| up to |x| = 20, and beyond, to the overflow.
        range: (-60.0, 712.0),
        max_ulp: 1.0,
    },
    Function {
        name: "tanh",
        ours: Tanh::one,
        libm: libm::tanh,
        reference: f128::tanh,
        // The MLP's hidden units: pre-activations of standardised inputs.
        range: (-25.0, 25.0),
        max_ulp: 2.5,
    },
    Function {
        name: "ln",
        ours: Ln::one,
        libm: libm::log,
        reference: f128::ln,
        // log-sum-exp's Σ exp(z − max z), in [1, classes].
        range: (0.0, 64.0),
        max_ulp: 1.0,
    },
    Function {
        name: "log1p",
        ours: Log1p::one,
        libm: libm::log1p,
        reference: f128::ln_1p,
        // The logistic loss's log(1 + e^(−|z|)): (0, 1], and the rest of its domain.
        range: (-1.0, 64.0),
        max_ulp: 1.0,
    },
];

/// Equal bits, or both NaN (a NaN's payload may differ between targets, as it may for libm).
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

fn check_same_as_libm(f: &Function, x: f64) {
    let (ours, theirs) = ((f.ours)(x), (f.libm)(x));
    assert!(
        same(ours, theirs),
        "{}({x:e} = {:#018x}): ours {ours:e} ({:#018x}), libm {theirs:e} ({:#018x})",
        f.name,
        x.to_bits(),
        ours.to_bits(),
        theirs.to_bits()
    );
}

/// `count` points evenly over [lo, hi], then the ends.
fn grid(lo: f64, hi: f64, count: usize) -> impl Iterator<Item = f64> {
    (0..count)
        .map(move |i| lo + (hi - lo) * i as f64 / count as f64)
        .chain([lo, hi])
}

/// Every power of two of either sign, a few neighbours of each, and the special values: the edges of
/// every range test in the functions (and libm's).
fn edges() -> Vec<f64> {
    let mut v = vec![
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -f64::NAN,
        f64::MIN_POSITIVE,
        f64::MAX,
        f64::MIN,
        f64::EPSILON,
        5e-324,
        -5e-324,
        1.0,
        -1.0,
        709.782_712_893_384,
        -745.133_219_101_941_1,
        -708.396_418_532_264_1,
        20.0,
        22.0,
        0.5 * std::f64::consts::LN_2,
        1.5 * std::f64::consts::LN_2,
        56.0 * std::f64::consts::LN_2,
        std::f64::consts::SQRT_2 - 1.0,
        std::f64::consts::FRAC_1_SQRT_2 - 1.0,
        0.25,
        -0.25,
        0.5493061443340549,
        0.2554128118829953,
    ];
    for e in -1074..=1023 {
        let p = 2f64.powi(e);
        v.extend([p, -p]);
    }
    let around: Vec<f64> = v
        .iter()
        .flat_map(|&x| {
            let (mut up, mut down) = (x, x);
            let mut near = Vec::new();
            for _ in 0..3 {
                (up, down) = (up.next_up(), down.next_down());
                near.extend([up, down]);
            }
            near
        })
        .collect();
    v.extend(around);
    v
}

#[test]
fn same_bits_as_libm_over_the_kernels_ranges_and_every_edge() {
    for f in &FUNCTIONS {
        let (lo, hi) = f.range;
        for x in grid(lo, hi, 1_000_000).chain(grid(-2.0, 2.0, 400_000)) {
            check_same_as_libm(f, x);
        }
        // Every scale: below the thresholds for tiny arguments, the last bits are where a case of
        // libm's differs from the general formula.
        for e in -70..=10 {
            let s = 2f64.powi(e);
            for x in grid(-s, s, 5_000) {
                check_same_as_libm(f, x);
            }
        }
        for x in edges() {
            check_same_as_libm(f, x);
        }
    }
}

/// The thresholds at which libm switches cases: 2000 neighbours each side of each.
#[test]
fn same_bits_as_libm_around_every_threshold() {
    let thresholds = [
        f64::from_bits(0x3fd6_2e43_0000_0000),
        f64::from_bits(0x3ff0_a2b2_0000_0000),
        f64::from_bits(0x3e30_0001_0000_0000),
        f64::from_bits(0x3c90_0000_0000_0000),
        f64::from_bits(0x4043_687a_0000_0000),
        f64::from_bits(0x3fe1_93eb_0000_0000),
        f64::from_bits(0x3fd0_58af_0000_0000),
        f64::from_bits(0x4034_0001_0000_0000),
        f64::from_bits(0x3fda_827a_0000_0000),
        f64::from_bits(0x3fd2_bec5_0000_0000),
        f64::from_bits(0x3ca0_0000_0000_0000),
        f64::from_bits(0x4086_232b_0000_0000),
        709.782_712_893_384,
        745.133_219_101_941_1,
        0.25,
        1.0,
        2.0,
        // 1 + x crossing √2·2ᵏ for log1p's correction term, and k = 20 and 56 in expm1.
        2.0 * std::f64::consts::SQRT_2 - 1.0,
        20.0 * std::f64::consts::LN_2,
        56.0 * std::f64::consts::LN_2,
        f64::MIN_POSITIVE,
    ];
    for f in &FUNCTIONS {
        for &t in &thresholds {
            for sign in [1.0, -1.0] {
                let (mut up, mut down) = (sign * t, sign * t);
                for _ in 0..2000 {
                    check_same_as_libm(f, up);
                    check_same_as_libm(f, down);
                    (up, down) = (up.next_up(), down.next_down());
                }
            }
        }
    }
}

/// Ties of x/ln2 + ½, where the truncation that picks k must be libm's exactly.
#[test]
fn same_bits_as_libm_where_the_reduction_rounds() {
    for f in &FUNCTIONS[..2] {
        for k in -1080..1030 {
            let x = (k as f64 + 0.5) * std::f64::consts::LN_2;
            let (mut up, mut down) = (x, x);
            for _ in 0..50 {
                check_same_as_libm(f, up);
                check_same_as_libm(f, down);
                (up, down) = (up.next_up(), down.next_down());
            }
        }
    }
}

/// The spacing of f64 values at `reference`'s magnitude.
fn ulp_at(reference: f128) -> f128 {
    let mut a = reference.abs() as f64;
    if a as f128 > reference.abs() {
        a = a.next_down();
    }
    (a.next_up() - a) as f128
}

/// The largest error in ulp over the function's range and around zero, where the reference is finite
/// and within f64's range.
fn max_error_ulp(f: &Function, points: impl Iterator<Item = f64>) -> (f64, f64) {
    let mut worst = (0.0, f64::NAN);
    for x in points {
        let reference = (f.reference)(x as f128);
        if !reference.is_finite() || reference.abs() > f64::MAX as f128 {
            continue;
        }
        let error = (((f.ours)(x) as f128 - reference).abs() / ulp_at(reference)) as f64;
        if error > worst.0 {
            worst = (error, x);
        }
    }
    worst
}

#[test]
fn accuracy_is_what_the_module_states() {
    for f in &FUNCTIONS {
        let (lo, hi) = f.range;
        let points = grid(lo, hi, 500_000).chain(grid(-1.0, 1.0, 500_000));
        let (error, at) = max_error_ulp(f, points);
        eprintln!("{}: at most {error:.3} ulp (at {at:e})", f.name);
        assert!(
            error < f.max_ulp,
            "{}: {error} ulp at {at:e}, not below the stated {}",
            f.name,
            f.max_ulp
        );
    }
}

#[test]
fn known_values() {
    assert_eq!(Exp::one(0.0), 1.0);
    // fdlibm's exp(1) is 1 ulp above e's nearest f64 (within its < 1 ulp).
    assert_eq!(Exp::one(1.0), std::f64::consts::E.next_up());
    assert_eq!(Exp::one(-1e-300), 1.0);
    assert_eq!(Exp::one(710.0), f64::INFINITY);
    assert_eq!(Exp::one(-746.0), 0.0);
    assert_eq!(Exp::one(-745.0), 5e-324);
    assert_eq!(Exp::one(f64::NEG_INFINITY), 0.0);
    assert!(Exp::one(f64::NAN).is_nan());
    assert_eq!(Ln::one(1.0), 0.0);
    assert_eq!(Ln::one(std::f64::consts::E), 1.0);
    assert_eq!(Ln::one(0.0), f64::NEG_INFINITY);
    assert_eq!(Ln::one(5e-324), -744.4400719213812);
    assert!(Ln::one(-1.0).is_nan());
    assert_eq!(Log1p::one(-1.0), f64::NEG_INFINITY);
    assert_eq!(Log1p::one(1e-300), 1e-300);
    assert_eq!(Log1p::one(1.0), std::f64::consts::LN_2);
    assert_eq!(Tanh::one(0.0).to_bits(), 0.0f64.to_bits());
    assert_eq!(Tanh::one(-0.0).to_bits(), (-0.0f64).to_bits());
    assert_eq!(Tanh::one(1e-310), 1e-310);
    assert_eq!(Tanh::one(30.0), 1.0);
    assert_eq!(Tanh::one(f64::NEG_INFINITY), -1.0);
    assert_eq!(Expm1::one(-50.0), -1.0);
    assert_eq!(Expm1::one(1e-20), 1e-20);
}

/// A slice goes through in lane arrays, and its tail padded: each value is the scalar function's.
fn slices_equal_values<L: LaneFunction>() {
    for n in 0..=9 {
        let mut v: Vec<f64> = (0..n).map(|i| 0.37 * i as f64 - 1.1).collect();
        let expected: Vec<u64> = v.iter().map(|&x| L::one(x).to_bits()).collect();
        vmath::map_in_place::<L>(&mut v);
        assert_eq!(v.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), expected);
        let block: [f64; 3] = [0.5, -2.0, 7.0];
        assert_eq!(
            vmath::on_block::<L, 3>(block).map(f64::to_bits),
            block.map(|x| L::one(x).to_bits())
        );
    }
}

#[test]
fn slices_and_blocks_equal_the_function_of_each_value() {
    slices_equal_values::<Exp>();
    slices_equal_values::<Expm1>();
    slices_equal_values::<Tanh>();
    slices_equal_values::<Ln>();
    slices_equal_values::<Log1p>();
    slices_equal_values::<Softplus>();
    slices_equal_values::<Sigmoid>();
}

/// The losses' compositions are libm's formulas, bit for bit, as the kernels had them.
#[test]
fn softplus_and_sigmoid_equal_the_libm_formulas() {
    let softplus = |z: f64| z.max(0.0) + libm::log1p(libm::exp(-z.abs()));
    let sigmoid = |z: f64| {
        if z >= 0.0 {
            1.0 / (1.0 + libm::exp(-z))
        } else {
            let e = libm::exp(z);
            e / (1.0 + e)
        }
    };
    for z in grid(-800.0, 800.0, 400_000)
        .chain(grid(-40.0, 40.0, 400_000))
        .chain(edges())
    {
        assert!(same(Softplus::one(z), softplus(z)), "softplus({z:e})");
        assert!(same(Sigmoid::one(z), sigmoid(z)), "sigmoid({z:e})");
    }
}

/// The kernels run these inside `simd::widest`, compiled for AVX2 where the CPU has it; the page runs
/// them in simd128 and the bench compares its checksums with native ones. Here: AVX2 against SSE2.
#[cfg(target_arch = "x86_64")]
#[test]
fn sse2_and_avx2_encodings_give_the_same_bits() {
    if !std::is_x86_feature_detected!("avx2") {
        eprintln!("no AVX2 on this CPU: only the baseline encoding exists");
        return;
    }
    #[target_feature(enable = "avx2")]
    fn with_avx2<L: LaneFunction>(v: &mut [f64]) {
        vmath::map_in_place::<L>(v);
    }
    fn agree<L: LaneFunction>(name: &str) {
        let inputs: Vec<f64> = grid(-750.0, 750.0, 300_000)
            .chain(grid(-3.0, 3.0, 100_000))
            .chain(edges())
            .collect();
        let (mut wide, mut narrow) = (inputs.clone(), inputs.clone());
        // SAFETY: the CPU has AVX2 (checked above).
        unsafe { with_avx2::<L>(&mut wide) };
        vmath::map_in_place::<L>(&mut narrow);
        for ((w, n), x) in wide.iter().zip(&narrow).zip(&inputs) {
            assert!(same(*w, *n), "{name}({x:e}): AVX2 {w:e}, SSE2 {n:e}");
        }
    }
    agree::<Exp>("exp");
    agree::<Expm1>("expm1");
    agree::<Tanh>("tanh");
    agree::<Ln>("ln");
    agree::<Log1p>("log1p");
    agree::<Softplus>("softplus");
    agree::<Sigmoid>("sigmoid");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]

    #[test]
    fn same_bits_as_libm_for_any_f64(x in any::<f64>()) {
        for f in &FUNCTIONS {
            prop_assert!(same((f.ours)(x), (f.libm)(x)), "{}({x:e})", f.name);
        }
    }

    #[test]
    fn same_bits_as_libm_in_the_kernels_ranges(x in -40.0f64..40.0) {
        for f in &FUNCTIONS {
            prop_assert!(same((f.ours)(x), (f.libm)(x)), "{}({x:e})", f.name);
        }
    }
}
