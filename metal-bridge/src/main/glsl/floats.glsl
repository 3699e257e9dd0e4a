// Float arithmetic whose result does not depend on the Vulkan driver.
//
// Vulkan lets OpFDiv be 2.5 ULP off, does not promise that fma is fused, and lets any denormal input or result be
// flushed to zero. MLX's CPU algorithm (which jmlx reproduces bit for bit) divides, rounds to half types and meets
// subnormals, so the functions here do that in integer arithmetic on the IEEE bit patterns, with round to nearest
// even, keeping subnormals. Float add, subtract and multiply are correctly rounded in Vulkan; the kernels use them
// with `precise` (no contraction into fma) where their inputs and results cannot be subnormal.

// The driver's division, only used as an estimate that divRn corrects (tests substitute a skewed one).
#ifndef DIV_ESTIMATE
#define DIV_ESTIMATE(a, b) ((a) / (b))
#endif

const uint F32_SIGN = 0x80000000u;
const uint F32_ABS = 0x7FFFFFFFu;
const uint F32_INF = 0x7F800000u;
const uint F32_QNAN = 0x7FC00000u;

bool isFiniteBits(uint bits) {
    return (bits & F32_ABS) < F32_INF;
}

// a * b rounded once (no contraction). A zero product keeps the sign IEEE gives it, sign(a) xor sign(b): a
// translation of `precise` into fma(a, b, +0), as SPIRV-Cross emits for Metal, would turn -0 into +0.
float mulRn(float a, float b) {
    precise float p = a * b;
    return p == 0.0 ? uintBitsToFloat((floatBitsToUint(a) ^ floatBitsToUint(b)) & F32_SIGN) : p;
}

// Rounds sign * m * 2^e (m < 2^32) to the nearest float, ties to even, subnormals and overflow to infinity
// included.
float roundPack(uint sign, uint m, int e) {
    if (m == 0u) {
        return uintBitsToFloat(sign);
    }
    int msb = findMSB(m);
    int biased = e + msb + 127;
    // Bits to drop: down to 24 significant bits, or down to the subnormal grid (units of 2^-149).
    int shift = biased >= 1 ? msb - 23 : -(e + 149);
    uint q;
    if (shift <= 0) {
        q = m << uint(-shift);
    } else if (shift >= 33) {
        q = 0u;
    } else {
        uint kept = shift == 32 ? 0u : m >> uint(shift);
        uint rest = shift == 32 ? m : m & ((1u << uint(shift)) - 1u);
        uint halfway = 1u << uint(shift - 1);
        q = kept;
        if (rest > halfway || (rest == halfway && (kept & 1u) != 0u)) {
            q += 1u;
        }
    }
    // A normal q carries its implicit bit (2^23) into the exponent field; a rounding carry moves it up by one.
    uint bits = biased >= 1 ? (uint(biased - 1) << 23) + q : q;
    if (biased >= 255 || bits >= F32_INF) {
        bits = F32_INF;
    }
    return uintBitsToFloat(sign | bits);
}

// Splits a finite non-zero magnitude into an integer mantissa (with the implicit bit) and a power of two.
void unpackFinite(uint magnitude, out uint m, out int e) {
    uint biased = magnitude >> 23;
    if (biased == 0u) {
        m = magnitude;
        e = -149;
    } else {
        m = (magnitude & 0x7FFFFFu) | 0x800000u;
        e = int(biased) - 150;
    }
}

// a / b correctly rounded to nearest even, for any a and b (IEEE special cases included).
float divRn(float a, float b) {
    uint ua = floatBitsToUint(a);
    uint ub = floatBitsToUint(b);
    uint sign = (ua ^ ub) & F32_SIGN;
    uint aa = ua & F32_ABS;
    uint ab = ub & F32_ABS;
    if (aa > F32_INF || ab > F32_INF || (aa == F32_INF && ab == F32_INF) || (aa == 0u && ab == 0u)) {
        return uintBitsToFloat(F32_QNAN);
    }
    if (aa == F32_INF || ab == 0u) {
        return uintBitsToFloat(sign | F32_INF);
    }
    if (aa == 0u || ab == F32_INF) {
        return uintBitsToFloat(sign);
    }
    uint ma;
    uint mb;
    int ea;
    int eb;
    unpackFinite(aa, ma, ea);
    unpackFinite(ab, mb, eb);
    // Normalize both mantissas to [2^23, 2^24).
    int sa = 23 - findMSB(ma);
    int sb = 23 - findMSB(mb);
    ma <<= uint(sa);
    mb <<= uint(sb);
    ea -= sa;
    eb -= sb;
    // a/b = (ma/mb) * 2^(ea-eb); make ma/mb lie in [1, 2).
    int e = ea - eb;
    if (ma < mb) {
        ma <<= 1u;
        e -= 1;
    }
    int biased = e + 127;
    if (biased >= 255) {
        return uintBitsToFloat(sign | F32_INF);
    }
    // Fraction bits the result keeps: 23 for a normal result, fewer on the subnormal grid.
    int p = biased >= 1 ? 23 : 22 + biased;
    if (p < -1) {
        return uintBitsToFloat(sign);
    }
    if (p == -1) {
        // The quotient lies in [2^-150, 2^-149): it rounds up to 2^-149 unless it is exactly the tie 2^-150.
        return uintBitsToFloat(sign | (ma == mb ? 0u : 1u));
    }
    // q = floor(ma * 2^p / mb): the driver's division gives an estimate within a few units; the remainder,
    // computed exactly modulo 2^32 (it is small), corrects it.
    float estimate = DIV_ESTIMATE(float(ma), float(mb));
    uint q = uint(clamp(estimate, 0.5, 2.5) * float(1u << uint(p)));
    int r = int((ma << uint(p)) - q * mb);
    while (r < 0) {
        q -= 1u;
        r += int(mb);
    }
    while (r >= int(mb)) {
        q += 1u;
        r -= int(mb);
    }
    uint twice = uint(r) << 1u;
    if (twice > mb || (twice == mb && (q & 1u) != 0u)) {
        q += 1u;
    }
    uint bits = biased >= 1 ? (uint(biased - 1) << 23) + q : q;
    if (bits >= F32_INF) {
        bits = F32_INF;
    }
    return uintBitsToFloat(sign | bits);
}

// a + b correctly rounded to nearest even with subnormals kept (for operands that may be subnormal).
float addRn(float a, float b) {
    uint ua = floatBitsToUint(a);
    uint ub = floatBitsToUint(b);
    if (!isFiniteBits(ua) || !isFiniteBits(ub)) {
        precise float s = a + b;
        return s;
    }
    uint aa = ua & F32_ABS;
    uint ab = ub & F32_ABS;
    if (aa == 0u && ab == 0u) {
        return uintBitsToFloat(ua & ub & F32_SIGN);
    }
    if (aa == 0u) {
        return b;
    }
    if (ab == 0u) {
        return a;
    }
    // Let x be the operand of larger magnitude.
    uint ux = aa >= ab ? ua : ub;
    uint uy = aa >= ab ? ub : ua;
    uint mx;
    uint my;
    int ex;
    int ey;
    unpackFinite(ux & F32_ABS, mx, ex);
    unpackFinite(uy & F32_ABS, my, ey);
    int d = ex - ey;
    int e;
    if (d <= 7) {
        // Exact: align x to y's exponent (mx < 2^31 after the shift).
        mx <<= uint(d);
        e = ey;
    } else {
        // x gains 7 guard bits; y keeps what reaches them plus a sticky bit (enough for correct rounding).
        mx <<= 7u;
        int s = d - 7;
        uint kept = s >= 32 ? 0u : my >> uint(s);
        uint lost = s >= 32 ? my : my & ((1u << uint(s)) - 1u);
        my = kept | (lost != 0u ? 1u : 0u);
        e = ex - 7;
    }
    uint sign = ux & F32_SIGN;
    if (((ux ^ uy) & F32_SIGN) == 0u) {
        return roundPack(sign, mx + my, e);
    }
    if (mx == my) {
        return 0.0;
    }
    return mx > my ? roundPack(sign, mx - my, e) : roundPack(uy & F32_SIGN, my - mx, e);
}

// s * q for a small non-negative integer q (< 256), correctly rounded with subnormals kept.
float mulSmallRn(float s, uint q) {
    uint us = floatBitsToUint(s);
    if (!isFiniteBits(us)) {
        return mulRn(s, float(q));
    }
    uint magnitude = us & F32_ABS;
    if (magnitude == 0u || q == 0u) {
        return uintBitsToFloat(us & F32_SIGN);
    }
    uint m;
    int e;
    unpackFinite(magnitude, m, e);
    return roundPack(us & F32_SIGN, m * q, e);
}

// x * 2^k correctly rounded (subnormal results kept), for finite x.
float ldexpRn(float x, int k) {
    uint ux = floatBitsToUint(x);
    uint magnitude = ux & F32_ABS;
    if (magnitude == 0u || !isFiniteBits(ux)) {
        return x;
    }
    uint m;
    int e;
    unpackFinite(magnitude, m, e);
    return roundPack(ux & F32_SIGN, m, e + k);
}

// ---- float16 and bfloat16, as MLX converts them (round to nearest even) ----

// float32 -> float16 bits: round to nearest even, subnormals, overflow to infinity; NaN becomes sign | 0x7D00.
uint f32ToF16(float f) {
    uint x = floatBitsToUint(f);
    uint sign = (x >> 16) & 0x8000u;
    uint ax = x & F32_ABS;
    if (ax > F32_INF) {
        return sign | 0x7D00u;
    }
    if (ax >= 0x477FF000u) {
        return sign | 0x7C00u;
    }
    if (ax >= 0x38800000u) {
        uint h = (((ax >> 23) - 112u) << 10) | ((ax & 0x7FFFFFu) >> 13);
        uint rest = ax & 0x1FFFu;
        if (rest > 0x1000u || (rest == 0x1000u && (h & 1u) != 0u)) {
            h += 1u;
        }
        return sign | h;
    }
    if (ax <= 0x33000000u) {
        return sign; // at most 2^-25: rounds to zero (2^-25 itself is a tie, to even)
    }
    // Subnormal float16: units of 2^-24.
    uint m = (ax & 0x7FFFFFu) | 0x800000u;
    uint shift = 126u - (ax >> 23);
    uint q = m >> shift;
    uint rest = m & ((1u << shift) - 1u);
    uint halfway = 1u << (shift - 1u);
    if (rest > halfway || (rest == halfway && (q & 1u) != 0u)) {
        q += 1u;
    }
    return sign | q;
}

// float16 bits -> float32, exactly (built from bits, so subnormal float16 values survive any denormal mode).
float f16ToF32(uint h) {
    uint sign = (h & 0x8000u) << 16;
    uint e = (h >> 10) & 0x1Fu;
    uint m = h & 0x3FFu;
    if (e == 0x1Fu) {
        return uintBitsToFloat(sign | F32_INF | (m << 13));
    }
    if (e == 0u) {
        if (m == 0u) {
            return uintBitsToFloat(sign);
        }
        int p = findMSB(m);
        return uintBitsToFloat(sign | (uint(p + 103) << 23) | ((m << uint(23 - p)) & 0x7FFFFFu));
    }
    return uintBitsToFloat(sign | ((e + 112u) << 23) | (m << 13));
}

// float32 -> bfloat16 bits as MLX does: round to nearest even on the bits; NaN becomes 0x7FC0.
uint f32ToBf16(float f) {
    uint u = floatBitsToUint(f);
    if ((u & F32_ABS) > F32_INF) {
        return 0x7FC0u;
    }
    return (u + ((u >> 16) & 1u) + 0x7FFFu) >> 16;
}

float bf16ToF32(uint h) {
    return uintBitsToFloat(h << 16);
}
