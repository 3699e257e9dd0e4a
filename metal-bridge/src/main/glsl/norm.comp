#version 450
#extension GL_GOOGLE_include_directive : require

// rms_norm and layer_norm over rows (one work group per row, lines.glsl) with MLX's order of rounding, as the CPU
// kernels compute them: the statistics in float-float (the CPU's double), the normalized value rounded to float32
// and then to the output type, then times the weight and plus the bias in float32, each rounded to the output type.

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint XT = 0u;
layout(constant_id = 1) const uint WT = 0u;
layout(constant_id = 2) const uint BT = 0u;
layout(constant_id = 3) const uint OT = 0u;
layout(constant_id = 4) const bool HAS_WEIGHT = false;
layout(constant_id = 5) const bool HAS_BIAS = false;
layout(constant_id = 6) const bool CENTERED = false; // layer_norm

layout(std430, set = 0, binding = 0) readonly buffer X { uint ins[]; };
layout(std430, set = 0, binding = 1) readonly buffer W { uint weights[]; };
layout(std430, set = 0, binding = 2) readonly buffer B { uint biases[]; };
layout(std430, set = 0, binding = 3) buffer Out { uint outs[]; };

layout(push_constant) uniform Params {
    uint rows;
    uint size;
    float eps;
    uint xBase;
    uint wBase;
    uint bBase;
    uint outBase;
} pc;

#include "floats.glsl"
#include "elements.glsl"
#include "ff.glsl"
#include "lines.glsl"

void main() {
    uint row = lineIndex();
    if (row >= pc.rows) {
        return;
    }
    uint lid = gl_LocalInvocationIndex;
    uint first = row * pc.size;
    vec2 n = ffFromUint(pc.size);
    vec2 mean = FF_ZERO;
    uint flags = 0u;
    if (CENTERED) {
        vec2 acc = FF_ZERO;
        for (uint k = lid; k < pc.size; k += GROUP) {
            acc = ffAdd(acc, vec2(LOAD_T(XT, ins, pc.xBase + first + k), 0.0));
        }
        mean = ffDiv(groupSum(acc, flags), n);
    }
    vec2 squares = FF_ZERO;
    for (uint k = lid; k < pc.size; k += GROUP) {
        vec2 d = ffSub(vec2(LOAD_T(XT, ins, pc.xBase + first + k), 0.0), mean);
        squares = ffAdd(squares, ffMul(d, d));
    }
    squares = groupSum(squares, flags);
    vec2 scale = ffDiv(FF_ONE, ffSqrt(ffAddF(ffDiv(squares, n), pc.eps)));
    for (uint k = lid; k < pc.size; k += GROUP) {
        vec2 d = ffSub(vec2(LOAD_T(XT, ins, pc.xBase + first + k), 0.0), mean);
        precise float y = roundToType(OT, ffMul(d, scale).x);
        if (HAS_WEIGHT) {
            y = roundToType(OT, mulRn(y, LOAD_T(WT, weights, pc.wBase + k)));
        }
        if (HAS_BIAS) {
            precise float sum = y + LOAD_T(BT, biases, pc.bBase + k);
            y = roundToType(OT, sum);
        }
        STORE_T(OT, outs, pc.outBase + first + k, y);
    }
}
