#version 450
#extension GL_GOOGLE_include_directive : require

// MLX's microscaling quantize (mxfp4, mxfp8, nvfp4 with an optional global scale), one group per invocation, bit
// for bit as MLX's CPU backend (shared/spec §5.2): the group's scale from its largest magnitude divided in the
// input's type; mx: the power of two 2^rint(log2(scale)), whose exponent comes from a table the host computes
// with the CPU's own rule (so no device log2 is involved); nvfp4: the E4M3 code of scale * enc, elements
// (w / scale) * enc; FP4 codes are the nearest table entries with the lowest code on ties, FP8 codes come from
// MLX's E4M3 encoder.

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint DTYPE = 0u;
layout(constant_id = 1) const uint FORMAT = 0u; // 0 mxfp4, 1 mxfp8, 2 nvfp4

#include "floats.glsl"
#include "elements.glsl"

const uint GROUP_SIZE = FORMAT == 2u ? 16u : 32u;
const uint BITS = FORMAT == 1u ? 8u : 4u;

layout(std430, set = 0, binding = 0) readonly buffer Weights { uint w[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Packed { uint packed[]; };
layout(std430, set = 0, binding = 2) buffer Scales { uint scales[]; };
// exponents[i]: for a positive scale s with floor(log2 s) = i - 149, the smallest float bits of s in that binade
// whose MLX exponent is i - 148 (one up); below it the exponent is i - 149.
layout(std430, set = 0, binding = 3) readonly buffer Exponents { uint exponents[]; };

layout(push_constant) uniform Params {
    uint groups;
    uint wBase;
    uint packedBase;
    uint scalesBase;
    float enc; // nvfp4: 448 * 6 / global scale, or 1
} pc;

float weight(uint i) {
    return LOAD_T(DTYPE, w, pc.wBase + i);
}

// MLX's exponent e of a positive finite scale (rint of log2 rounded to the input type), from the table.
int mxExponent(uint bits) {
    int floorLog2 = (bits >> 23) != 0u ? int(bits >> 23) - 127 : findMSB(bits) - 149;
    return floorLog2 + (bits >= exponents[floorLog2 + 149] ? 1 : 0);
}

// 2^e as a float32 (0 below 2^-149, infinity above 2^127).
float powerOfTwo(int e) {
    if (e > 127) {
        return uintBitsToFloat(F32_INF);
    }
    return e < -149 ? 0.0 : roundPack(0u, 1u, e);
}

void main() {
    uint group = invocationIndex(64u);
    if (group >= pc.groups) {
        return;
    }
    uint first = group * GROUP_SIZE;
    uint amax = 0u; // bits of the largest magnitude; NaN is skipped as MLX's comparison skips it
    for (uint j = 0u; j < GROUP_SIZE; j++) {
        uint a = floatBitsToUint(weight(first + j)) & F32_ABS;
        if (a <= F32_INF && amax < a) {
            amax = a;
        }
    }
    float maxElement = FORMAT == 1u ? 448.0 : 6.0;
    float scale = roundToType(DTYPE, divRn(uintBitsToFloat(amax), maxElement));
    uint scaleCode;
    float divisor;
    float enc = 1.0;
    if (FORMAT == 2u) {
        enc = pc.enc;
        scaleCode = fp8Encode(mulRn(scale, enc));
        divisor = roundToType(DTYPE, fp8Decode(scaleCode));
    } else {
        uint bits = floatBitsToUint(scale);
        // MLX's log2 of an infinite scale is NaN, whose int conversion gives 0.
        int e = bits == 0u || bits == F32_INF ? 0 : mxExponent(bits);
        scaleCode = uint(e + 127) & 0xFFu;
        divisor = roundToType(DTYPE, powerOfTwo(e));
    }

    uint word = pc.packedBase + group * (GROUP_SIZE * BITS / 32u);
    uint acc = 0u;
    uint filled = 0u;
    for (uint j = 0u; j < GROUP_SIZE; j++) {
        float v = roundToType(DTYPE, divRn(weight(first + j), divisor));
        uint code;
        if (FORMAT == 2u) {
            code = fp4Encode(mulRn(v, enc), DT_F32);
        } else {
            code = FORMAT == 0u ? fp4Encode(v, DTYPE) : fp8Encode(v);
        }
        acc |= code << filled;
        filled += BITS;
        if (filled == 32u) {
            packed[word++] = acc;
            filled = 0u;
            acc = 0u;
        }
    }
    STORE8(scales, pc.scalesBase + group, scaleCode);
}
