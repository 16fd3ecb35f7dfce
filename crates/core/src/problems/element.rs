//! The element type of the kernels and the layer kit: f64 for the regression models and the MLP, whose
//! bits are settled, and f32 for the deep models, as deep learning computes.
//!
//! One trait, so that each kernel and each layer is written once for both. Every operation it offers is
//! an IEEE operation or a function whose bits are the same on every target (f64: `vmath`, libm's
//! algorithms a lane array at a time; f32: `libm`'s single-precision functions), so a result never
//! depends on the machine.

use super::math::LANES;
use super::vmath::{self, Exp, Ln, Sigmoid, Softplus, Tanh};
use std::fmt::Debug;
use std::ops::{Add, AddAssign, Div, Mul, Neg, Sub, SubAssign};
use std::simd::Simd;

/// A floating-point number the kernels compute in.
pub trait Element:
    Copy
    + Default
    + PartialOrd
    + Debug
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
{
    /// `LANES` values in one vector: the accumulators of every reduction (`math::dots`).
    type Lanes: Copy + Add<Output = Self::Lanes> + Mul<Output = Self::Lanes> + AddAssign;
    const ZERO: Self;
    const ONE: Self;
    const NEG_INFINITY: Self;

    fn splat(value: Self) -> Self::Lanes;
    fn to_lanes(values: [Self; LANES]) -> Self::Lanes;
    fn from_lanes(lanes: Self::Lanes) -> [Self; LANES];
    /// Rounds to nearest (exact for f64).
    fn from_f64(value: f64) -> Self;
    /// Exact.
    fn to_f64(self) -> f64;
    fn from_usize(value: usize) -> Self {
        Self::from_f64(value as f64)
    }
    /// The larger of the two, as `f64::max` (a NaN loses).
    fn max(self, other: Self) -> Self;
    fn ln(self) -> Self;
    /// eˣ on every value.
    fn exp_all(values: &mut [Self]);
    /// tanh x on every value.
    fn tanh_all(values: &mut [Self]);
    /// ln(1 + eˣ) on every value.
    fn softplus_all(values: &mut [Self]);
    /// 1/(1 + e⁻ˣ) on every value.
    fn sigmoid_all(values: &mut [Self]);

    /// The trainer's f64 values (parameters, data) in this precision, once per pass: a rounded copy,
    /// or none for f64 itself, which reads them where they are ([`Element::view`]).
    fn narrow(wide: &[f64]) -> Vec<Self>;
    /// The values to compute with: `wide` itself for f64, else the copy `narrow` made.
    fn view<'a>(wide: &'a [f64], narrow: &'a [Self]) -> &'a [Self];
    /// Where gradients add up: the trainer's f64 `wide` itself, else `narrow`, in this precision.
    fn view_mut<'a>(wide: &'a mut [f64], narrow: &'a mut [Self]) -> &'a mut [Self];
    /// Writes a sum kept in this precision into the trainer's `wide` (nothing to do for f64).
    fn widen_into(narrow: &[Self], wide: &mut [f64]);
}

impl Element for f64 {
    type Lanes = Simd<f64, LANES>;
    const ZERO: f64 = 0.0;
    const ONE: f64 = 1.0;
    const NEG_INFINITY: f64 = f64::NEG_INFINITY;

    #[inline(always)]
    fn splat(value: f64) -> Self::Lanes {
        Simd::splat(value)
    }
    #[inline(always)]
    fn to_lanes(values: [f64; LANES]) -> Self::Lanes {
        Simd::from_array(values)
    }
    #[inline(always)]
    fn from_lanes(lanes: Self::Lanes) -> [f64; LANES] {
        lanes.to_array()
    }
    #[inline(always)]
    fn from_f64(value: f64) -> f64 {
        value
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn max(self, other: f64) -> f64 {
        f64::max(self, other)
    }
    #[inline(always)]
    fn ln(self) -> f64 {
        <Ln as vmath::LaneFunction>::one(self)
    }
    #[inline(always)]
    fn exp_all(values: &mut [f64]) {
        vmath::apply::<Exp>(values)
    }
    #[inline(always)]
    fn tanh_all(values: &mut [f64]) {
        vmath::apply::<Tanh>(values)
    }
    #[inline(always)]
    fn softplus_all(values: &mut [f64]) {
        vmath::apply::<Softplus>(values)
    }
    #[inline(always)]
    fn sigmoid_all(values: &mut [f64]) {
        vmath::apply::<Sigmoid>(values)
    }
    fn narrow(_: &[f64]) -> Vec<f64> {
        Vec::new()
    }
    #[inline(always)]
    fn view<'a>(wide: &'a [f64], _: &'a [f64]) -> &'a [f64] {
        wide
    }
    #[inline(always)]
    fn view_mut<'a>(wide: &'a mut [f64], _: &'a mut [f64]) -> &'a mut [f64] {
        wide
    }
    fn widen_into(_: &[f64], _: &mut [f64]) {}
}

/// Single precision: `libm`'s functions, one value at a time. Correct and the same on every target;
/// their speed is the deep kernels' own concern.
impl Element for f32 {
    type Lanes = Simd<f32, LANES>;
    const ZERO: f32 = 0.0;
    const ONE: f32 = 1.0;
    const NEG_INFINITY: f32 = f32::NEG_INFINITY;

    #[inline(always)]
    fn splat(value: f32) -> Self::Lanes {
        Simd::splat(value)
    }
    #[inline(always)]
    fn to_lanes(values: [f32; LANES]) -> Self::Lanes {
        Simd::from_array(values)
    }
    #[inline(always)]
    fn from_lanes(lanes: Self::Lanes) -> [f32; LANES] {
        lanes.to_array()
    }
    #[inline(always)]
    fn from_f64(value: f64) -> f32 {
        value as f32
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    #[inline(always)]
    fn max(self, other: f32) -> f32 {
        f32::max(self, other)
    }
    #[inline(always)]
    fn ln(self) -> f32 {
        libm::logf(self)
    }
    fn exp_all(values: &mut [f32]) {
        values.iter_mut().for_each(|x| *x = libm::expf(*x));
    }
    fn tanh_all(values: &mut [f32]) {
        values.iter_mut().for_each(|x| *x = libm::tanhf(*x));
    }
    /// ln(1 + eˣ) = max(x, 0) + ln(1 + e^−|x|), which neither overflows nor loses small values.
    fn softplus_all(values: &mut [f32]) {
        values
            .iter_mut()
            .for_each(|x| *x = x.max(0.0) + libm::log1pf(libm::expf(-x.abs())));
    }
    fn sigmoid_all(values: &mut [f32]) {
        values
            .iter_mut()
            .for_each(|x| *x = 1.0 / (1.0 + libm::expf(-*x)));
    }
    fn narrow(wide: &[f64]) -> Vec<f32> {
        wide.iter().map(|v| *v as f32).collect()
    }
    #[inline(always)]
    fn view<'a>(_: &'a [f64], narrow: &'a [f32]) -> &'a [f32] {
        narrow
    }
    #[inline(always)]
    fn view_mut<'a>(_: &'a mut [f64], narrow: &'a mut [f32]) -> &'a mut [f32] {
        narrow
    }
    fn widen_into(narrow: &[f32], wide: &mut [f64]) {
        wide.iter_mut()
            .zip(narrow)
            .for_each(|(w, n)| *w = f64::from(*n));
    }
}
