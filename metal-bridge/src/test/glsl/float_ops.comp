#version 450
#extension GL_GOOGLE_include_directive : require

// Test kernel: applies one of the driver-independent float routines of floats.glsl and elements.glsl to arrays of
// inputs, so that FloatRoutinesTest can compare each with Java's IEEE arithmetic and jmlx's CPU codecs. SKEW
// distorts the division estimate divRn starts from by that many units in the last place, as a less accurate
// driver (Vulkan allows 2.5 ULP) would.

layout(local_size_x = 64) in;

layout(constant_id = 0) const int SKEW = 0;

float skewedDivide(float a, float b) {
    return uintBitsToFloat(uint(int(floatBitsToUint(a / b)) + SKEW));
}
#define DIV_ESTIMATE(a, b) skewedDivide(a, b)

#include "../../main/glsl/floats.glsl"
#include "../../main/glsl/elements.glsl"

layout(std430, set = 0, binding = 0) readonly buffer A { uint as[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { uint bs[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Out { uint outs[]; };

layout(push_constant) uniform Params {
    uint count;
    uint op;
} pc;

void main() {
    uint i = invocationIndex(64u);
    if (i >= pc.count) {
        return;
    }
    uint a = as[i];
    uint b = bs[i];
    float fa = uintBitsToFloat(a);
    float fb = uintBitsToFloat(b);
    uint r;
    switch (pc.op) {
        case 0u: r = floatBitsToUint(divRn(fa, fb)); break;
        case 1u: r = floatBitsToUint(addRn(fa, fb)); break;
        case 2u: r = floatBitsToUint(mulSmallRn(fa, b & 255u)); break;
        case 3u: r = floatBitsToUint(ldexpRn(fa, int(b))); break;
        case 4u: r = f32ToF16(fa); break;
        case 5u: r = floatBitsToUint(f16ToF32(a & 0xFFFFu)); break;
        case 6u: r = f32ToBf16(fa); break;
        case 7u: r = fp8Encode(fa); break;
        case 8u: r = floatBitsToUint(fp8Decode(a & 255u)); break;
        case 9u: r = fp4Encode(fa, b % 3u); break;
        case 10u: r = floatBitsToUint(e8m0Decode(a & 255u)); break;
        case 12u: r = floatBitsToUint(mulRn(fa, fb)); break;
        default: r = floatBitsToUint(roundToType(b % 3u, fa)); break;
    }
    outs[i] = r;
}
