#version 450
#extension GL_GOOGLE_include_directive : require

// MLX's affine quantize, one group per invocation, bit for bit as MLX's CPU backend (shared/spec §1.4): the
// scale's sign keeps the larger-magnitude extreme as the bias, 0 is snapped onto the grid, codes round half to
// even, and scale and bias are rounded to the input's type after the codes were chosen. Divisions and
// conversions are exact by construction (floats.glsl); extremes are compared as integers, so no denormal mode
// can change them.

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint DTYPE = 0u;
layout(constant_id = 1) const uint BITS = 4u;
layout(constant_id = 2) const uint GROUP_SIZE = 64u;

#include "floats.glsl"
#include "elements.glsl"

layout(std430, set = 0, binding = 0) readonly buffer Weights { uint w[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Packed { uint packed[]; };
layout(std430, set = 0, binding = 2) buffer Scales { uint scales[]; };
layout(std430, set = 0, binding = 3) buffer Biases { uint biases[]; };
// status[statusIndex]: the lowest element index (within this dispatch) holding NaN or an infinity, or ~0.
layout(std430, set = 0, binding = 4) buffer Status { uint status[]; };

layout(push_constant) uniform Params {
    uint groups;
    uint wBase;
    uint packedBase;
    uint scalesBase;
    uint biasesBase;
    uint statusIndex;
} pc;

const float EPS = 1e-7; // MLX's floor for |scale|, bits 0x33D6BF95

// Float bits of element i of w.
uint weightBits(uint i) {
    return DTYPE == DT_F32 ? w[pc.wBase + i] : floatBitsToUint(halfBitsToF32(DTYPE, LOAD16(w, pc.wBase + i)));
}

// Integers that order like the floats they encode, -0 and +0 alike.
uint orderKey(uint bits) {
    bits = bits == F32_SIGN ? 0u : bits;
    return (bits & F32_SIGN) != 0u ? ~bits : bits | F32_SIGN;
}

void main() {
    uint group = invocationIndex(64u);
    if (group >= pc.groups) {
        return;
    }
    uint first = group * GROUP_SIZE;

    // Extremes as MLX finds them (strict comparisons: the first of equal values wins).
    uint maxKey = 0u;
    uint minKey = 0xFFFFFFFFu;
    uint maxBits = 0u;
    uint minBits = 0u;
    for (uint j = 0u; j < GROUP_SIZE; j++) {
        uint bits = weightBits(first + j);
        if (!isFiniteBits(bits)) {
            atomicMin(status[pc.statusIndex], first + j);
            return;
        }
        uint key = orderKey(bits);
        if (maxKey < key) {
            maxKey = key;
            maxBits = bits;
        }
        if (key < minKey) {
            minKey = key;
            minBits = bits;
        }
    }

    float wMax = uintBitsToFloat(maxBits);
    float wMin = uintBitsToFloat(minBits);
    float nBins = float((1u << BITS) - 1u);
    bool minIsEdge = (minBits & F32_ABS) > (maxBits & F32_ABS);
    precise float range = wMax - wMin;
    float scale = divRn(range, nBins);
    scale = scale < EPS ? EPS : scale;
    scale = minIsEdge ? scale : -scale;
    float edge = minIsEdge ? wMin : wMax;
    float q0 = roundEven(divRn(edge, scale));
    float bias = 0.0;
    if (q0 != 0.0) {
        scale = divRn(edge, q0);
        bias = edge;
    }

    // Codes, packed as a little-endian bit stream: a group is a whole number of words.
    uint word = pc.packedBase + group * (GROUP_SIZE * BITS / 32u);
    uint acc = 0u;
    uint filled = 0u;
    for (uint j = 0u; j < GROUP_SIZE; j++) {
        precise float t = uintBitsToFloat(weightBits(first + j)) - bias;
        float r = roundEven(divRn(t, scale));
        uint code = !(r >= 0.0) ? 0u : (r > nBins ? uint(nBins) : uint(r));
        acc |= code << filled;
        filled += BITS;
        if (filled >= 32u) {
            packed[word++] = acc;
            filled -= 32u;
            acc = filled > 0u ? code >> (BITS - filled) : 0u;
        }
    }
    STORE_T(DTYPE, scales, pc.scalesBase + group, scale);
    STORE_T(DTYPE, biases, pc.biasesBase + group, bias);
}
