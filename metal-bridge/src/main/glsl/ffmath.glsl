// exp, log, tanh, erf and the functions built on them, in float-float (ff.glsl), for float inputs: each is accurate
// to a few units of 2^-44 relative (exp, log, sigmoid) or absolute near cancellation (tanh near 0, erf tails), so
// rounding the result to float gives what the CPU's double-precision formula gives, bar midpoint cases. The
// driver's own exp/log/tanh (specified only to a few ULP, or in absolute error) are never used.
// erf needs, before this file is included, a storage buffer `uint erfTable[]` holding the CPU's Taylor table
// (io.jmlx.kernels.Erf) as float pairs: point i (at i/64, i = 0..448), coefficient k (0..8) at 2*(9*i + k).
// Requires floats.glsl and ff.glsl.

#define FLOAT_INF (uintBitsToFloat(F32_INF))
#define FLOAT_NAN (uintBitsToFloat(F32_QNAN))

// The constants are the floats (or float pairs) nearest to them, written as their exact decimal values.

// ln 2 in three parts (72 bits), 1/ln 2.
const float LN2_A = 0.6931471824645996;
const float LN2_B = -1.9046542121259336e-09;
const float LN2_C = -8.78318373858934e-17;
const float INV_LN2 = 1.4426950216293335;

// 1/k! as float pairs (k = 3..5) and floats (k = 6..12).
const vec2 INV_FACT3 = vec2(0.1666666716337204, -4.967053879312289e-09);
const vec2 INV_FACT4 = vec2(0.0416666679084301, -1.2417634698280722e-09);
const vec2 INV_FACT5 = vec2(0.008333333767950535, -4.34617203337595e-10);
const float INV_FACT6 = 0.0013888889225199819;
const float INV_FACT7 = 0.00019841270113829523;
const float INV_FACT8 = 2.4801587642286904e-05;
const float INV_FACT9 = 2.7557318844628753e-06;
const float INV_FACT10 = 2.755731998149713e-07;
const float INV_FACT11 = 2.5052107943679403e-08;
const float INV_FACT12 = 2.0876755879584152e-09;

// 1/3 and 1/5 as float pairs, 1/7 .. 1/17 as floats (the series of log).
const vec2 INV3 = vec2(0.3333333432674408, -9.934107758624577e-09);
const vec2 INV5 = vec2(0.20000000298023224, -2.9802322831784522e-09);
const float INV7 = 0.1428571492433548;
const float INV9 = 0.1111111119389534;
const float INV11 = 0.09090909361839294;
const float INV13 = 0.07692307978868484;
const float INV15 = 0.06666667014360428;
const float INV17 = 0.05882352963089943;
const float SQRT2 = 1.4142135381698608;

// 1/sqrt(2), sqrt(2/pi) and the double 0.044715 (the constants of gelu and its tanh approximation).
const vec2 INV_SQRT2 = vec2(0.7071067690849304, 1.2101617485882343e-08);
const vec2 SQRT_2_OVER_PI = vec2(0.7978845834732056, -2.2670340271702116e-08);
const vec2 GELU_CUBIC = vec2(0.044714998453855515, 1.5461444347053543e-09);

// a * 2^n.
vec2 ffLdexp(vec2 a, int n) {
    if (n >= -125 && n <= 127) {
        float s = uintBitsToFloat(uint(n + 127) << 23);
        return vec2(a.x * s, a.y * s);
    }
    return vec2(ldexpRn(a.x, n), 0.0);
}

// e^x as m 2^n: x = n ln2 + r with |r| <= ln2/2 (r exact in float-float), m = e^r by its Taylor series (the terms
// beyond r^5, below 2^-16 relative, in float). Keeping the scale apart keeps tiny results' low parts out of the
// subnormal range, where a device may flush them.
vec2 ffExpScaled(vec2 x, out int scale) {
    scale = 0;
    if (isNanF(x.x)) {
        return vec2(x.x, 0.0);
    }
    if (x.x > 88.8) {
        return vec2(FLOAT_INF, 0.0);
    }
    if (x.x < -104.0) {
        return FF_ZERO; // below 2^-150: rounds to zero
    }
    float n = roundEven(x.x * INV_LN2);
    vec2 r = ffSub(x, ffTwoProd(n, LN2_A));
    r = ffSub(r, ffTwoProd(n, LN2_B));
    r = ffSub(r, vec2(n * LN2_C, 0.0));
    float tail = INV_FACT12;
    tail = tail * r.x + INV_FACT11;
    tail = tail * r.x + INV_FACT10;
    tail = tail * r.x + INV_FACT9;
    tail = tail * r.x + INV_FACT8;
    tail = tail * r.x + INV_FACT7;
    tail = tail * r.x + INV_FACT6;
    vec2 p = ffAdd(ffMul(vec2(tail, 0.0), r), INV_FACT5);
    p = ffAdd(ffMul(p, r), INV_FACT4);
    p = ffAdd(ffMul(p, r), INV_FACT3);
    p = ffAdd(ffMul(p, r), vec2(0.5, 0.0));
    p = ffAdd(ffMul(p, r), FF_ONE);
    scale = int(n);
    return ffAdd(ffMul(p, r), FF_ONE);
}

vec2 ffExp(vec2 x) {
    int scale;
    vec2 m = ffExpScaled(x, scale);
    return ffLdexp(m, scale);
}

// ln x for x >= 0 (NaN below): x = m 2^e with m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(s) with s = (m-1)/(m+1),
// |s| <= 0.1716, by its series up to s^17.
vec2 ffLog(vec2 x) {
    uint u = floatBitsToUint(x.x);
    if (isNanF(x.x) || (u & F32_SIGN) != 0u && (u & F32_ABS) != 0u) {
        return vec2(FLOAT_NAN, 0.0);
    }
    if ((u & F32_ABS) == 0u) {
        return vec2(-FLOAT_INF, 0.0);
    }
    if (u == F32_INF) {
        return vec2(FLOAT_INF, 0.0);
    }
    int e;
    float m;
    float lo = 0.0;
    if ((u >> 23) == 0u) {
        int shift = 23 - findMSB(u);
        m = uintBitsToFloat(((u << uint(shift)) & 0x7FFFFFu) | 0x3F800000u);
        e = -126 - shift;
    } else {
        e = int(u >> 23) - 127;
        m = uintBitsToFloat((u & 0x7FFFFFu) | 0x3F800000u);
        if (e < 127) {
            lo = x.y * uintBitsToFloat(uint(127 - e) << 23);
        }
    }
    if (m > SQRT2) {
        m *= 0.5;
        lo *= 0.5;
        e += 1;
    }
    precise float f = m - 1.0; // exact (Sterbenz)
    vec2 fv = ffQuickTwoSum(f, lo);
    vec2 s = ffDiv(fv, ffAdd(vec2(2.0, 0.0), fv));
    vec2 z = ffMul(s, s);
    float tail = INV7 + z.x * (INV9 + z.x * (INV11 + z.x * (INV13 + z.x * (INV15 + z.x * INV17))));
    vec2 q = ffAdd(INV5, vec2(z.x * tail, 0.0));
    q = ffAdd(INV3, ffMul(z, q));
    q = ffAdd(FF_ONE, ffMul(z, q));
    vec2 logM = ffMul(ffMulF(s, 2.0), q);
    float ef = float(e);
    vec2 eLn2 = ffAdd(ffTwoProd(ef, LN2_A), ffTwoProd(ef, LN2_B));
    eLn2 = ffAddF(eLn2, ef * LN2_C);
    return ffAdd(eLn2, logM);
}

// tanh: an odd series near 0, (1 - e^-2|x|) / (1 + e^-2|x|) up to 20, where the double result is +-1.
vec2 ffTanh(vec2 x) {
    if (isNanF(x.x)) {
        return x;
    }
    vec2 a = ffAbs(x);
    vec2 t;
    if (a.x >= 20.0) {
        t = FF_ONE;
    } else if (a.x < 0.015625) {
        vec2 a2 = ffMul(a, a);
        vec2 a3 = ffMul(a2, a);
        // a - a^3/3 + 2a^5/15; the next term is below 2^-40 relative.
        vec2 series = ffSub(a, ffMul(a3, INV3));
        t = ffAdd(series, vec2(0.13333334 * a3.x * a2.x, 0.0));
    } else {
        vec2 e = ffExp(ffMulF(a, -2.0));
        t = ffDiv(ffSub(FF_ONE, e), ffAdd(FF_ONE, e));
    }
    return x.x < 0.0 ? ffNeg(t) : t;
}

// 1 / (1 + e^-x) as m 2^scale; for x < 0 as e^x / (1 + e^x) (no overflow), the scale of e^x kept apart.
vec2 ffSigmoidScaled(float x, out int scale) {
    if (x >= 0.0) {
        scale = 0;
        return ffDiv(FF_ONE, ffAdd(FF_ONE, ffExp(vec2(-x, 0.0))));
    }
    vec2 m = ffExpScaled(vec2(x, 0.0), scale);
    return ffDiv(m, ffAdd(FF_ONE, ffLdexp(m, scale)));
}

#ifdef ERF_TABLE
const uint ERF_STEPS_PER_UNIT = 64u;
const float ERF_TABLE_LIMIT = 7.0;
const uint ERF_DEGREE = 8u;

vec2 erfCoefficient(uint point, uint k) {
    uint at = 2u * ((ERF_DEGREE + 1u) * point + k);
    return vec2(uintBitsToFloat(erfTable[at]), uintBitsToFloat(erfTable[at + 1u]));
}

// erf as the CPU computes it: the Taylor polynomial of degree 8 around the nearest point of the table's grid,
// evaluated in float-float; +-1 from 7 on.
vec2 ffErf(vec2 x) {
    if (isNanF(x.x)) {
        return x;
    }
    vec2 a = ffAbs(x);
    vec2 v;
    if (a.x >= ERF_TABLE_LIMIT) {
        v = FF_ONE;
    } else {
        uint point = uint(roundEven(a.x * float(ERF_STEPS_PER_UNIT)));
        vec2 h = ffAddF(a, -float(point) * (1.0 / float(ERF_STEPS_PER_UNIT))); // exact
        v = erfCoefficient(point, ERF_DEGREE);
        for (uint k = ERF_DEGREE; k > 0u; k--) {
            v = ffAdd(ffMul(v, h), erfCoefficient(point, k - 1u));
        }
    }
    return x.x < 0.0 ? ffNeg(v) : v;
}
#endif
