// Elements of the arrays the kernels read and write. Every buffer is a `uint[]`; an operand starts at an element
// index `base` of its binding (in units of its element size), given by the host in push constants.
// Requires floats.glsl.

const uint DT_F32 = 0u;
const uint DT_F16 = 1u;
const uint DT_BF16 = 2u;

// A 16-bit or 8-bit element of a uint[] buffer.
#define LOAD16(buf, i) ((buf[(i) >> 1] >> (((i) & 1u) << 4)) & 0xFFFFu)
#define LOAD8(buf, i) ((buf[(i) >> 2] >> (((i) & 3u) << 3)) & 0xFFu)

// Writes a 16-bit or 8-bit element without disturbing its neighbours in the same word, even when another
// invocation writes them at the same time: each atomic touches only this element's bits.
#define STORE16(buf, i, v) { uint i_ = (i); uint s_ = (i_ & 1u) << 4; atomicAnd(buf[i_ >> 1], ~(0xFFFFu << s_)); atomicOr(buf[i_ >> 1], ((v) & 0xFFFFu) << s_); }
#define STORE8(buf, i, v) { uint i_ = (i); uint s_ = (i_ & 3u) << 3; atomicAnd(buf[i_ >> 2], ~(0xFFu << s_)); atomicOr(buf[i_ >> 2], ((v) & 0xFFu) << s_); }

float halfBitsToF32(uint dtype, uint h) {
    return dtype == DT_F16 ? f16ToF32(h) : bf16ToF32(h);
}

uint f32ToHalfBits(uint dtype, float v) {
    return dtype == DT_F16 ? f32ToF16(v) : f32ToBf16(v);
}

// v rounded to the nearest value of `dtype` (to nearest even), as a float32.
float roundToType(uint dtype, float v) {
    return dtype == DT_F32 ? v : halfBitsToF32(dtype, f32ToHalfBits(dtype, v));
}

// Element i of a float array of `dtype`, as float32 (exact).
#define LOAD_T(dtype, buf, i) ((dtype) == DT_F32 ? uintBitsToFloat(buf[i]) : halfBitsToF32(dtype, LOAD16(buf, i)))

// Stores v (a float32 already representable in `dtype`, or to be rounded to it) as element i.
#define STORE_T(dtype, buf, i, v) { if ((dtype) == DT_F32) { buf[i] = floatBitsToUint(v); } else { STORE16(buf, i, f32ToHalfBits(dtype, v)); } }

// Code j of a little-endian bit stream of `bits`-bit codes; `lo` is the word holding its first bit, `hi` the next.
uint codeFromWords(uint lo, uint hi, uint shift, uint bits) {
    uint code = lo >> shift;
    if (shift + bits > 32u) {
        code |= hi << (32u - shift);
    }
    return code & ((1u << bits) - 1u);
}

// Linear index of this invocation in a dispatch of (x, y) work groups of `size` invocations each (the host
// spreads large dispatches over y to stay within the device's per-dimension limit).
uint invocationIndex(uint size) {
    return (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * size + gl_LocalInvocationIndex;
}

// ---- microscaling codecs (MLX's, see shared/spec §5.1) ----

const float E2M1_VALUES[16] = float[16](0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0,
                                        -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0);

// E4M3 byte -> value, exactly; MLX has no NaN here: 0x7F decodes to 480.
float fp8Decode(uint code) {
    uint e = (code >> 3) & 15u;
    uint m = code & 7u;
    float magnitude = e == 0u ? roundPack(0u, m, -9) : roundPack(0u, 8u + m, int(e) - 10);
    return (code & 0x80u) != 0u ? -magnitude : magnitude;
}

// E8M0 byte -> 2^(e-127); 0 gives 2^-127 (subnormal), 255 gives +infinity.
float e8m0Decode(uint e) {
    return e == 255u ? uintBitsToFloat(F32_INF) : roundPack(0u, 1u, int(e) - 127);
}

// MLX's E4M3 encoder: round to nearest even, saturating at 448 (0x7E) for every magnitude >= 448 including
// infinities and NaN.
uint fp8Encode(float v) {
    uint bits = floatBitsToUint(v);
    uint sign = bits & F32_SIGN;
    uint magnitude = bits ^ sign;
    uint result;
    if (magnitude >= (543u << 21)) {
        result = 0x7Eu;
    } else if (magnitude < (121u << 23)) {
        // Below 2^-6: the nearest multiple of 2^-9 (the subnormal step), ties to even.
        result = 0u;
        if (magnitude != 0u) {
            uint m;
            int e;
            unpackFinite(magnitude, m, e);
            int shift = -(e + 9);
            if (shift < 32) {
                uint kept = m >> uint(shift);
                uint rest = m & ((1u << uint(shift)) - 1u);
                uint halfway = 1u << uint(shift - 1);
                result = kept + ((rest > halfway || (rest == halfway && (kept & 1u) != 0u)) ? 1u : 0u);
            }
        }
    } else {
        uint odd = (magnitude >> 20) & 1u;
        result = ((magnitude + ((7u - 127u) << 23) + 0x7FFFFu + odd) >> 20) & 0xFFu;
    }
    return result | (sign >> 24);
}

// MLX's CPU FP4 encoder: the code of the nearest E2M1 value, the lowest code among equal distances; distances
// are |v - value| rounded to `distanceType`.
uint fp4Encode(float v, uint distanceType) {
    uint best = 0u;
    uint bestDistance = 0u;
    for (uint c = 0u; c < 16u; c++) {
        precise float diff = v - E2M1_VALUES[c];
        uint d = floatBitsToUint(roundToType(distanceType, diff)) & F32_ABS;
        if (c == 0u || d < bestDistance) {
            best = c;
            bestDistance = d;
        }
    }
    return best;
}

// Writes word `w` of a `dtype` output whose invocation owns the whole word: float32 v0; for 16-bit types v0 in
// the low half and v1 in the high half, or, when `both` is false (the last element of an odd count), v0 alone
// with the high half kept (it belongs to whatever follows the output).
#define STORE_WORD_T(dtype, buf, w, v0, v1, both) { \
    if ((dtype) == DT_F32) { buf[w] = floatBitsToUint(v0); } \
    else if (both) { buf[w] = f32ToHalfBits(dtype, v0) | (f32ToHalfBits(dtype, v1) << 16); } \
    else { buf[w] = (buf[w] & 0xFFFF0000u) | f32ToHalfBits(dtype, v0); } }
