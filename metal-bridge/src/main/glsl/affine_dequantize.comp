#version 450
#extension GL_GOOGLE_include_directive : require

// MLX's affine dequantize: out = T(T(scale * code) + bias), each op rounded to the scales' type T, bit for bit as
// MLX's CPU backend (shared/spec §3.3). One invocation decodes 32 consecutive elements (`BITS` words; group sizes
// are multiples of 32). Groups whose scale or bias is tiny enough for a product or sum to be subnormal take an
// exact integer path, so no denormal mode changes the result.

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint DTYPE = 0u;
layout(constant_id = 1) const uint BITS = 4u;
layout(constant_id = 2) const uint GROUP_SIZE = 64u;

#include "floats.glsl"
#include "elements.glsl"

layout(std430, set = 0, binding = 0) readonly buffer Packed { uint packed[]; };
layout(std430, set = 0, binding = 1) readonly buffer Scales { uint scales[]; };
layout(std430, set = 0, binding = 2) readonly buffer Biases { uint biases[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Out { uint outs[]; };

layout(push_constant) uniform Params {
    uint blocks;
    uint packedBase;
    uint scalesBase;
    uint biasesBase;
    uint outBase; // even for 16-bit types: an invocation writes whole words
} pc;

// Zero, or at least 2^-100 in magnitude (or not finite): products with codes and sums of such values are never
// subnormal, so float arithmetic is exact to the last bit on any device.
bool normalEnough(float v) {
    uint m = floatBitsToUint(v) & F32_ABS;
    return m == 0u || m >= 0x0D800000u;
}

void main() {
    uint block = invocationIndex(64u);
    if (block >= pc.blocks) {
        return;
    }
    uint words[8];
    for (uint i = 0u; i < BITS; i++) {
        words[i] = packed[pc.packedBase + block * BITS + i];
    }
    uint first = block * 32u;
    uint group = first / GROUP_SIZE;
    float s = LOAD_T(DTYPE, scales, pc.scalesBase + group);
    float b = LOAD_T(DTYPE, biases, pc.biasesBase + group);
    bool fast = normalEnough(s) && normalEnough(b);
    uint pending = 0u;
    for (uint i = 0u; i < 32u; i++) {
        uint pos = i * BITS;
        uint lo = words[pos >> 5];
        uint hi = (pos >> 5) + 1u < BITS ? words[(pos >> 5) + 1u] : 0u;
        uint code = codeFromWords(lo, hi, pos & 31u, BITS);
        float v;
        if (fast) {
            precise float sum = roundToType(DTYPE, mulRn(s, float(code))) + b;
            v = roundToType(DTYPE, sum);
        } else {
            v = roundToType(DTYPE, addRn(roundToType(DTYPE, mulSmallRn(s, code)), b));
        }
        if (DTYPE == DT_F32) {
            outs[pc.outBase + first + i] = floatBitsToUint(v);
        } else if ((i & 1u) == 0u) {
            pending = f32ToHalfBits(DTYPE, v);
        } else {
            outs[(pc.outBase + first + i) >> 1] = pending | (f32ToHalfBits(DTYPE, v) << 16);
        }
    }
}
