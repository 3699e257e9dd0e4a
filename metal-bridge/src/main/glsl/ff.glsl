// Float-float arithmetic: a value is a vec2 (hi, lo) whose sum, exact, carries about 48 significant bits, with
// hi the float nearest to it. The CPU kernels compute the math families in double precision and round once; the
// kernels here compute them in float-float and round once, so both round a value accurate to far below half a
// float ULP, and their results agree except where the exact value lies within ~2^-20 ULP of a rounding midpoint.
// Apple GPUs have no float64, so double precision is not an option.
//
// Every operation is `precise`: the error-free transformations below are only exact if the compiler neither
// contracts a*b+c into fma nor reassociates. They need Vulkan's correctly rounded add, subtract and multiply; the
// driver's division (2.5 ULP) only ever gives an estimate that ffDiv corrects. Magnitudes must stay below ~2^115
// (the splitter) and lo parts above the subnormal range for the full precision; special values (NaN, infinities)
// pass through hi with lo = 0.
// Requires floats.glsl.

const vec2 FF_ZERO = vec2(0.0, 0.0);
const vec2 FF_ONE = vec2(1.0, 0.0);

bool isFiniteF(float x) {
    return isFiniteBits(floatBitsToUint(x));
}

bool isNanF(float x) {
    return (floatBitsToUint(x) & F32_ABS) > F32_INF;
}

// a + b exactly, as (fl(a + b), error), for finite a + b (the callers handle overflow).
vec2 ffTwoSum(float a, float b) {
    precise float s = a + b;
    precise float v = s - a;
    precise float e = (a - (s - v)) + (b - v);
    return vec2(s, e);
}

// a + b exactly when |a| >= |b| (or a == 0).
vec2 ffQuickTwoSum(float a, float b) {
    precise float s = a + b;
    precise float e = b - (s - a);
    return vec2(s, e);
}

// a split into two halves of 12 significant bits each (Veltkamp), so that their products are exact.
vec2 ffSplit(float a) {
    precise float t = 4097.0 * a;
    precise float hi = t - (t - a);
    precise float lo = a - hi;
    return vec2(hi, lo);
}

// a * b exactly, as (fl(a * b), error) (Dekker; no fma needed). An operand beyond 2^100 is scaled down by 2^40
// (exactly) for the split, which would overflow, and the error scaled back.
vec2 ffTwoProd(float a, float b) {
    precise float p = a * b;
    if (!isFiniteF(p)) {
        return vec2(p, 0.0);
    }
    float sa = abs(a) > 1.0e30 ? 9.094947017729282e-13 : 1.0;
    float sb = abs(b) > 1.0e30 ? 9.094947017729282e-13 : 1.0;
    precise float as_ = a * sa;
    precise float bs_ = b * sb;
    precise float ps = p * (sa * sb);
    vec2 x = ffSplit(as_);
    vec2 y = ffSplit(bs_);
    precise float e = ((x.x * y.x - ps) + x.x * y.y + x.y * y.x) + x.y * y.y;
    float unscale = (sa == 1.0 ? 1.0 : 1099511627776.0) * (sb == 1.0 ? 1.0 : 1099511627776.0);
    return vec2(p, e * unscale);
}

vec2 ffNeg(vec2 a) {
    return vec2(-a.x, -a.y);
}

vec2 ffAbs(vec2 a) {
    return a.x < 0.0 ? ffNeg(a) : a;
}

vec2 ffAdd(vec2 a, vec2 b) {
    vec2 s = ffTwoSum(a.x, b.x);
    if (!isFiniteF(s.x)) {
        return s;
    }
    vec2 t = ffTwoSum(a.y, b.y);
    precise float lo = s.y + t.x;
    vec2 u = ffQuickTwoSum(s.x, lo);
    precise float lo2 = u.y + t.y;
    vec2 r = ffQuickTwoSum(u.x, lo2);
    return isFiniteF(r.x) ? r : vec2(r.x, 0.0);
}

vec2 ffSub(vec2 a, vec2 b) {
    return ffAdd(a, ffNeg(b));
}

vec2 ffAddF(vec2 a, float b) {
    return ffAdd(a, vec2(b, 0.0));
}

vec2 ffMul(vec2 a, vec2 b) {
    vec2 p = ffTwoProd(a.x, b.x);
    if (!isFiniteF(p.x)) {
        return p;
    }
    precise float lo = p.y + (a.x * b.y + a.y * b.x);
    vec2 r = ffQuickTwoSum(p.x, lo);
    return isFiniteF(r.x) ? r : vec2(r.x, 0.0);
}

vec2 ffMulF(vec2 a, float b) {
    vec2 p = ffTwoProd(a.x, b);
    if (!isFiniteF(p.x)) {
        return p;
    }
    precise float lo = p.y + a.y * b;
    vec2 r = ffQuickTwoSum(p.x, lo);
    return isFiniteF(r.x) ? r : vec2(r.x, 0.0);
}

// a / b: the driver's quotient of the leading parts as an estimate, corrected twice with exactly computed
// remainders. Special operands and divisors outside the range where the estimate is specified take divRn.
vec2 ffDiv(vec2 a, vec2 b) {
    float ab = abs(b.x);
    if (!isFiniteF(a.x) || !isFiniteF(b.x) || ab < 1.0e-37 || ab > 1.0e37 || a.x == 0.0) {
        return vec2(divRn(a.x, b.x), 0.0);
    }
    precise float q1 = a.x / b.x;
    if (!isFiniteF(q1)) {
        return vec2(q1, 0.0);
    }
    vec2 r = ffSub(a, ffMulF(b, q1));
    precise float q2 = r.x / b.x;
    r = ffSub(r, ffMulF(b, q2));
    precise float q3 = r.x / b.x;
    return ffAddF(ffQuickTwoSum(q1, q2), q3);
}

// sqrt(a): the driver's square root of hi as an estimate, then one Newton step with the exact residual; values
// beyond 2^+-100 are scaled by an even power of two first (exactly, in integer arithmetic for subnormals), so
// that neither the residual overflows nor its low part falls into the subnormal range.
vec2 ffSqrt(vec2 a) {
    if (a.x <= 0.0 || !isFiniteF(a.x)) {
        return vec2(a.x == 0.0 ? a.x : (a.x > 0.0 ? a.x : uintBitsToFloat(F32_QNAN)), 0.0);
    }
    int scale = a.x > 1.0e30 ? -100 : (a.x < 1.0e-30 ? 100 : 0);
    if (scale != 0) {
        a = vec2(ldexpRn(a.x, scale), ldexpRn(a.y, scale));
    }
    precise float s = sqrt(a.x);
    vec2 residual = ffSub(a, ffTwoProd(s, s));
    precise float correction = residual.x / (2.0 * s);
    vec2 root = ffQuickTwoSum(s, correction);
    return scale == 0 ? root : vec2(ldexpRn(root.x, -scale / 2), ldexpRn(root.y, -scale / 2));
}
