//! Lane arrays with element-wise operators: `F` (f64 values), `U` (their bit patterns, or integers in
//! two's complement) and `M` (a comparison's result per lane). Each operator is a loop over the fixed
//! lane count; once inlined, LLVM's SLP vectoriser turns the straight line of such loops into vector
//! instructions of any width (two SSE2 or simd128 registers, or one AVX2 register, per array).
//! A select is a select, never a branch, so no lane waits on another's case.

use crate::problems::math::LANES;
use std::ops::{Add, BitAnd, BitOr, Div, Mul, Neg, Not, Shl, Shr, Sub};

#[derive(Clone, Copy)]
pub struct F(pub [f64; LANES]);

#[derive(Clone, Copy)]
pub struct U(pub [u64; LANES]);

#[derive(Clone, Copy)]
pub struct M([bool; LANES]);

impl From<f64> for F {
    #[inline(always)]
    fn from(v: f64) -> F {
        F([v; LANES])
    }
}

impl From<u64> for U {
    #[inline(always)]
    fn from(v: u64) -> U {
        U([v; LANES])
    }
}

/// `$lanes` of `$out` from an expression in `$i`, the lane index.
macro_rules! lanewise {
    ($out:ident, $zero:expr, |$i:ident| $e:expr) => {{
        let mut out = [$zero; LANES];
        for $i in 0..LANES {
            out[$i] = $e;
        }
        $out(out)
    }};
}

/// A binary operator on lane arrays, and with a value on either side (broadcast to every lane).
macro_rules! binary {
    ($lanes:ident, $scalar:ty, $zero:expr, $trait:ident, $method:ident, |$a:ident, $b:ident| $e:expr) => {
        impl $trait for $lanes {
            type Output = $lanes;
            #[inline(always)]
            fn $method(self, rhs: $lanes) -> $lanes {
                lanewise!($lanes, $zero, |i| {
                    let ($a, $b) = (self.0[i], rhs.0[i]);
                    $e
                })
            }
        }
        impl $trait<$scalar> for $lanes {
            type Output = $lanes;
            #[inline(always)]
            fn $method(self, rhs: $scalar) -> $lanes {
                self.$method($lanes::from(rhs))
            }
        }
        impl $trait<$lanes> for $scalar {
            type Output = $lanes;
            #[inline(always)]
            fn $method(self, rhs: $lanes) -> $lanes {
                $lanes::from(self).$method(rhs)
            }
        }
    };
}

binary!(F, f64, 0.0, Add, add, |a, b| a + b);
binary!(F, f64, 0.0, Sub, sub, |a, b| a - b);
binary!(F, f64, 0.0, Mul, mul, |a, b| a * b);
binary!(F, f64, 0.0, Div, div, |a, b| a / b);
// Integers wrap: they are bit patterns, and exponents that only matter where a select keeps them.
binary!(U, u64, 0, Add, add, |a, b| a.wrapping_add(b));
binary!(U, u64, 0, Sub, sub, |a, b| a.wrapping_sub(b));
binary!(U, u64, 0, BitAnd, bitand, |a, b| a & b);

impl Neg for F {
    type Output = F;
    #[inline(always)]
    fn neg(self) -> F {
        lanewise!(F, 0.0, |i| -self.0[i])
    }
}

impl Shl<u32> for U {
    type Output = U;
    #[inline(always)]
    fn shl(self, n: u32) -> U {
        lanewise!(U, 0, |i| self.0[i] << n)
    }
}

impl Shr<u32> for U {
    type Output = U;
    #[inline(always)]
    fn shr(self, n: u32) -> U {
        lanewise!(U, 0, |i| self.0[i] >> n)
    }
}

impl BitAnd for M {
    type Output = M;
    #[inline(always)]
    fn bitand(self, rhs: M) -> M {
        lanewise!(M, false, |i| self.0[i] & rhs.0[i])
    }
}

impl BitOr for M {
    type Output = M;
    #[inline(always)]
    fn bitor(self, rhs: M) -> M {
        lanewise!(M, false, |i| self.0[i] | rhs.0[i])
    }
}

impl Not for M {
    type Output = M;
    #[inline(always)]
    fn not(self) -> M {
        lanewise!(M, false, |i| !self.0[i])
    }
}

/// A comparison of lane arrays, or of one with a value.
macro_rules! comparison {
    ($name:ident, $op:tt) => {
        #[inline(always)]
        pub fn $name(self, rhs: impl Into<F>) -> M {
            let rhs = rhs.into();
            lanewise!(M, false, |i| self.0[i] $op rhs.0[i])
        }
    };
}

impl F {
    comparison!(lt, <);
    comparison!(le, <=);
    comparison!(gt, >);
    comparison!(ge, >=);
    comparison!(eq, ==);

    #[inline(always)]
    pub fn is_nan(self) -> M {
        lanewise!(M, false, |i| self.0[i].is_nan())
    }

    #[inline(always)]
    pub fn abs(self) -> F {
        lanewise!(F, 0.0, |i| self.0[i].abs())
    }

    #[inline(always)]
    pub fn to_bits(self) -> U {
        lanewise!(U, 0, |i| self.0[i].to_bits())
    }

    #[inline(always)]
    pub fn from_bits(bits: U) -> F {
        lanewise!(F, 0.0, |i| f64::from_bits(bits.0[i]))
    }
}

/// `then` where `condition` holds, else `otherwise`, lane by lane.
#[inline(always)]
pub fn select(condition: M, then: impl Into<F>, otherwise: impl Into<F>) -> F {
    let (then, otherwise) = (then.into(), otherwise.into());
    lanewise!(F, 0.0, |i| if condition.0[i] {
        then.0[i]
    } else {
        otherwise.0[i]
    })
}
