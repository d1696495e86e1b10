"""exp, log and pow as straight-line float64 arithmetic, for the fused kernels.

numba compiles ``np.exp``/``np.log``/``**`` to calls of the C library (numba's SVML path
needs an SVML-patched llvmlite, which the wheels are not), and a call in the loop over runs
stops LLVM from vectorising it. These versions are branch-free arithmetic (range reduction,
a polynomial, exponent bits set directly), inlined into the kernel, so the loop over the
runs of a block compiles to AVX-512/AVX2 instructions. Accuracy (tested against numpy in
``tests/test_batch_vmath.py``): ``exp`` and ``log`` within 2 ulp, ``pow`` within
``2 + |y log x|`` ulp; special values (0, negative bases, infinities, NaN) as C's ``pow``.

The algorithms are fdlibm's: ``exp`` by Cody-Waite reduction ``x = k ln2 + r`` and a
degree-13 Taylor polynomial (truncation below 1e-17 for ``|r| <= ln2 / 2``), scaled by
``2**k`` in two halves (subnormal and overflowing results come out right); ``log`` by
``x = 2**k (1 + f)`` with ``1 + f`` in ``[sqrt(2)/2, sqrt(2))`` and fdlibm's minimax
polynomial in ``s = f / (2 + f)``.

Examples
--------
>>> import numpy as np
>>> bool(abs(vexp(1.0) / np.e - 1) < 1e-15), bool(abs(vpow(2.0, 0.5) ** 2 - 2) < 1e-15)
(True, True)
"""

from __future__ import annotations

import numba as nb
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

__all__ = ["vexp", "vlog", "vpow"]

_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00
_LG = (6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01,
       2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01,
       1.479819860511658591e-01)
_SQRT2 = 1.4142135623730951
_MANTISSA = (1 << 52) - 1
_JIT = {"inline": "always", "error_model": "numpy", "cache": True}


@intrinsic
def _as_float(typingctx, bits):
    """The float64 whose IEEE bits are the int64 ``bits``."""

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


@intrinsic
def _as_bits(typingctx, value):
    """The IEEE bits of the float64 ``value``, as an int64."""

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(types.float64), codegen


@nb.njit(**_JIT)
def _pow2(k):
    """``2.0 ** k`` for an integral float ``k`` in [-1022, 1023]."""
    return _as_float((np.int64(k) + 1023) << 52)


@nb.njit(**_JIT)
def vexp(x):
    """``exp(x)`` (float64, within 2 ulp of numpy's)."""
    k = np.floor(x * _INV_LN2 + 0.5)
    k = min(max(k, -1100.0), 1100.0)  # NaN stays in r below; k only scales
    r = (x - k * _LN2_HI) - k * _LN2_LO
    p = 1.0 + r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (
        1.0 / 120 + r * (1.0 / 720 + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (
            1.0 / 362880 + r * (1.0 / 3628800 + r * (1.0 / 39916800 + r * (
                1.0 / 479001600 + r * (1.0 / 6227020800)))))))))))))
    half = np.floor(k * 0.5)
    out = p * _pow2(half) * _pow2(k - half)
    if x < -746.0:
        return 0.0
    return np.inf if x > 710.0 else out


@nb.njit(**_JIT)
def vlog(x):
    """``log(x)`` (float64, within 2 ulp of numpy's; NaN below 0, -inf at 0)."""
    tiny = x < 2.2250738585072014e-308
    y = x * 18014398509481984.0 if tiny else x  # subnormals: scale by 2**54 first
    bits = _as_bits(y)
    k = ((bits >> 52) & 0x7FF) - 1023
    m = _as_float((bits & _MANTISSA) | (1023 << 52))  # in [1, 2)
    big = m > _SQRT2
    m = m * 0.5 if big else m
    dk = float(k) + (1.0 if big else 0.0) - (54.0 if tiny else 0.0)
    f = m - 1.0
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (_LG[1] + w * (_LG[3] + w * _LG[5]))
    t2 = z * (_LG[0] + w * (_LG[2] + w * (_LG[4] + w * _LG[6])))
    hfsq = 0.5 * f * f
    out = dk * _LN2_HI - ((hfsq - (s * (hfsq + t2 + t1) + dk * _LN2_LO)) - f)
    if x == 0.0:
        return -np.inf
    if not x > 0.0:  # negative or NaN
        return np.nan
    return x if x == np.inf else out


@nb.njit(**_JIT)
def vpow(x, y):
    """``x ** y`` with C's special cases (float64, within ``2 + |y log x|`` ulp)."""
    ax = abs(x)
    integral = np.floor(y) == y
    odd = integral & (np.floor(y * 0.5) * 2.0 != y) & (abs(y) < 9007199254740992.0)
    mag = vexp(y * vlog(ax))
    mag = (0.0 if y > 0 else np.inf) if ax == 0.0 else mag
    out = -mag if (x < 0.0 or (x == 0.0 and 1.0 / x < 0)) and odd else mag
    if x < 0.0 and not integral and ax != np.inf:
        out = np.nan
    if ax == np.inf:  # |x| = inf
        out = (0.0 if y < 0 else np.inf) if y != 0 else 1.0
        out = -out if x < 0 and odd else out
    if abs(y) == np.inf:
        out = 1.0 if ax == 1.0 else ((np.inf if y > 0 else 0.0) if ax > 1.0
                                     else (0.0 if y > 0 else np.inf))
    if y == 0.0 or x == 1.0:
        return 1.0
    return out
