#version 450
#extension GL_GOOGLE_include_directive : require

// Type conversion (astype) between the types of at most 32 bits, as the CPU converts: the input's value as float32
// (integers rounded to nearest even), then to the output type: half types round to nearest even; integers take
// the low bits of the value truncated to a 64-bit integer (Java's saturating (long) cast, NaN to 0); bool is
// value != 0. Exact: integer arithmetic on the bit patterns. One invocation writes one output word.

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint FROM = 0u;
layout(constant_id = 1) const uint TO = 0u;

layout(std430, set = 0, binding = 0) readonly buffer In { uint ins[]; };
layout(std430, set = 0, binding = 1) buffer Out { uint outs[]; };

layout(push_constant) uniform Params {
    uint count;
    uint inBase;
    uint outBase; // a multiple of the elements per word
} pc;

#include "floats.glsl"
#include "elements.glsl"

// Type codes (GpuConversion's): the float types share elements.glsl's.
const uint BOOL = 3u;
const uint U8 = 4u;
const uint I8 = 5u;
const uint U16 = 6u;
const uint I16 = 7u;
const uint U32 = 8u;
const uint I32 = 9u;

uint sizeOf(uint t) {
    return t == DT_F32 || t == U32 || t == I32 ? 4u : (t == BOOL || t == U8 || t == I8 ? 1u : 2u);
}

// An integer of up to 32 bits as float32, rounded to nearest even.
float fromInteger(uint magnitude, bool negative) {
    return roundPack(negative ? F32_SIGN : 0u, magnitude, 0);
}

float load(uint i) {
    if (FROM == DT_F32 || FROM == DT_F16 || FROM == DT_BF16) {
        return LOAD_T(FROM, ins, i);
    }
    if (FROM == BOOL || FROM == U8) {
        return fromInteger(LOAD8(ins, i), false);
    }
    if (FROM == I8) {
        int v = int(LOAD8(ins, i) << 24) >> 24;
        return fromInteger(uint(abs(v)), v < 0);
    }
    if (FROM == U16) {
        return fromInteger(LOAD16(ins, i), false);
    }
    if (FROM == I16) {
        int v = int(LOAD16(ins, i) << 16) >> 16;
        return fromInteger(uint(abs(v)), v < 0);
    }
    uint u = ins[i];
    if (FROM == U32) {
        return fromInteger(u, false);
    }
    bool negative = (u & F32_SIGN) != 0u;
    return fromInteger(negative ? 0u - u : u, negative);
}

// The low 32 bits of Java's (long) v: truncated toward zero, saturated at the long range, NaN to 0.
uint lowBitsOfLong(float v) {
    uint bits = floatBitsToUint(v);
    uint magnitude = bits & F32_ABS;
    if (magnitude > F32_INF) {
        return 0u;
    }
    bool negative = (bits & F32_SIGN) != 0u;
    int exponent = int(magnitude >> 23) - 127;
    if (exponent >= 63) {
        return negative ? 0u : 0xFFFFFFFFu; // Long.MIN_VALUE or Long.MAX_VALUE
    }
    uint low;
    if (exponent < 0) {
        low = 0u;
    } else {
        uint m = (magnitude & 0x7FFFFFu) | 0x800000u;
        int shift = exponent - 23;
        low = shift >= 32 ? 0u : (shift >= 0 ? m << uint(shift) : m >> uint(-shift));
    }
    return negative ? 0u - low : low;
}

// Element value v as the TO type's bits (in the low bits).
uint convert(float v) {
    if (TO == DT_F32) {
        return floatBitsToUint(v);
    }
    if (TO == DT_F16 || TO == DT_BF16) {
        return f32ToHalfBits(TO, v);
    }
    if (TO == BOOL) {
        return (floatBitsToUint(v) & F32_ABS) != 0u ? 1u : 0u; // NaN too; no flush of subnormals
    }
    uint low = lowBitsOfLong(v);
    uint size = sizeOf(TO);
    return size == 4u ? low : low & ((1u << (8u * size)) - 1u);
}

void main() {
    uint word = invocationIndex(64u);
    uint size = sizeOf(TO);
    uint perWord = 4u / size;
    uint first = word * perWord;
    if (first >= pc.count) {
        return;
    }
    uint n = min(perWord, pc.count - first);
    uint value = 0u;
    for (uint j = 0u; j < n; j++) {
        value |= convert(load(pc.inBase + first + j)) << (8u * size * j);
    }
    uint w = pc.outBase / perWord + word;
    if (n < perWord) {
        uint keep = 0xFFFFFFFFu << (8u * size * n);
        value |= outs[w] & keep;
    }
    outs[w] = value;
}
