#version 450
#extension GL_GOOGLE_include_directive : require

// MLX's microscaling dequantize, bit for bit as jmlx's CPU kernels: value = T(T(element) * T(scale)), computed in
// the output type T, or in float32 with nvfp4's global factor (then rounded to T). mx scales are powers of two,
// applied exactly in integer arithmetic (subnormal results kept). One invocation decodes 32 elements (16 in a
// final half block of nvfp4).

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint DTYPE = 0u;  // output type
layout(constant_id = 1) const uint FORMAT = 0u; // 0 mxfp4, 1 mxfp8, 2 nvfp4
layout(constant_id = 2) const uint GLOBAL = 0u; // 1: multiply scales by pc.factor and compute in float32

#include "floats.glsl"
#include "elements.glsl"

const uint GROUP_SIZE = FORMAT == 2u ? 16u : 32u;
const uint BITS = FORMAT == 1u ? 8u : 4u;

layout(std430, set = 0, binding = 0) readonly buffer Packed { uint packed[]; };
layout(std430, set = 0, binding = 1) readonly buffer Scales { uint scales[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Out { uint outs[]; };

layout(push_constant) uniform Params {
    uint blocks;
    uint count;   // elements (a multiple of 16; the last block may be half full)
    uint packedBase;
    uint scalesBase;
    uint outBase; // even for 16-bit types
    float factor; // global scale / (448 * 6)
} pc;

float element(uint code) {
    return BITS == 4u ? E2M1_VALUES[code] : fp8Decode(code);
}

void main() {
    uint block = invocationIndex(64u);
    if (block >= pc.blocks) {
        return;
    }
    uint first = block * 32u;
    uint computeType = GLOBAL != 0u ? DT_F32 : DTYPE;
    uint pending = 0u;
    for (uint i = 0u; i < 32u && first + i < pc.count; i++) {
        uint word = packed[pc.packedBase + block * BITS + ((i * BITS) >> 5)];
        uint code = (word >> ((i * BITS) & 31u)) & ((1u << BITS) - 1u);
        uint scaleByte = LOAD8(scales, pc.scalesBase + (first + i) / GROUP_SIZE);
        float e = roundToType(DTYPE, element(code));
        float v;
        if (FORMAT == 2u) {
            float s = roundToType(DTYPE, fp8Decode(scaleByte));
            if (GLOBAL != 0u) {
                s = mulRn(s, pc.factor);
            }
            v = roundToType(computeType, mulRn(e, s));
        } else {
            // T(2^(e-127)) is 0, a power of two, or infinity.
            float s = roundToType(DTYPE, e8m0Decode(scaleByte));
            uint sb = floatBitsToUint(s);
            if (sb == 0u || sb == F32_INF) {
                v = mulRn(e, s);
            } else {
                int exponent = (sb >> 23) != 0u ? int(sb >> 23) - 127 : findMSB(sb) - 149;
                v = ldexpRn(e, exponent);
            }
            v = roundToType(computeType, v);
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
