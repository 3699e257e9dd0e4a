#version 450
#extension GL_GOOGLE_include_directive : require

// Reductions along an axis and softmax (OP), one work group per line (lines.glsl), as the CPU computes them in
// double precision and rounds once: sums in float-float, max and argmax exactly (NaN as the CPU treats it),
// logsumexp and softmax from float-float exponentials of x - max (exact differences).

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint DTYPE = 0u;
layout(constant_id = 1) const uint OP = 0u;

layout(std430, set = 0, binding = 0) readonly buffer In { uint ins[]; };
layout(std430, set = 0, binding = 1) buffer Out { uint outs[]; };

layout(push_constant) uniform Params {
    uint lines;     // lines in the bound part of the array
    uint firstLine; // the line of this dispatch's first work group
    uint lineLength;
    uint inner;
    uint inBase;
    uint outBase;
} pc;

#include "floats.glsl"
#include "elements.glsl"
#include "ff.glsl"
#include "ffmath.glsl"
#include "lines.glsl"

// io.jmlx.backend.Reduction's ordinals, then softmax.
const uint SUM = 0u;
const uint MEAN = 1u;
const uint MAX = 2u;
const uint LOGSUMEXP = 3u;
const uint ARGMAX = 4u;
const uint SOFTMAX = 5u;

const uint NONE = 0xFFFFFFFFu;

float element(uint first, uint k) {
    return LOAD_T(DTYPE, ins, pc.inBase + first + k * pc.inner);
}

float lineMax(uint first) {
    float m = -uintBitsToFloat(F32_INF);
    for (uint k = gl_LocalInvocationIndex; k < pc.lineLength; k += GROUP) {
        float v = element(first, k);
        m = isNanF(v) || isNanF(m) ? uintBitsToFloat(F32_QNAN) : max(m, v);
    }
    return groupMax(m);
}

// Sum of exp(x - m) for a finite m.
vec2 lineExpSum(uint first, float m) {
    vec2 acc = FF_ZERO;
    for (uint k = gl_LocalInvocationIndex; k < pc.lineLength; k += GROUP) {
        acc = ffAdd(acc, ffExp(ffTwoSum(element(first, k), -m)));
    }
    uint flags = 0u;
    return groupSum(acc, flags);
}

// The first index of the largest value (NaN skipped), or 0: the CPU's `if (x[k] > x[best]) best = k` from best = 0.
uint lineArgmax(uint first) {
    uint lid = gl_LocalInvocationIndex;
    float best = 0.0;
    uint index = NONE;
    for (uint k = lid; k < pc.lineLength; k += GROUP) {
        float v = element(first, k);
        if (!isNanF(v) && (index == NONE || v > best)) {
            best = v;
            index = k;
        }
    }
    partValue[lid] = vec2(best, 0.0);
    partAux[lid] = index;
    barrier();
    for (uint s = GROUP / 2u; s > 0u; s >>= 1u) {
        if (lid < s) {
            float v = partValue[lid + s].x;
            uint i = partAux[lid + s];
            uint mine = partAux[lid];
            if (i != NONE && (mine == NONE || v > partValue[lid].x || (v == partValue[lid].x && i < mine))) {
                partValue[lid].x = v;
                partAux[lid] = i;
            }
        }
        barrier();
    }
    uint result = partAux[0];
    return result == NONE || isNanF(element(first, 0u)) ? 0u : result;
}

void main() {
    uint line = pc.firstLine + lineIndex();
    if (line >= pc.lines) {
        return;
    }
    uint first = (line / pc.inner) * pc.lineLength * pc.inner + line % pc.inner;
    uint lid = gl_LocalInvocationIndex;
    if (OP == ARGMAX) {
        uint index = lineArgmax(first);
        if (lid == 0u) {
            outs[pc.outBase + line] = index;
        }
        return;
    }
    if (OP == SUM || OP == MEAN) {
        vec2 acc = FF_ZERO;
        uint flags = 0u;
        for (uint k = lid; k < pc.lineLength; k += GROUP) {
            float v = element(first, k);
            if (isFiniteF(v)) {
                acc = ffAdd(acc, vec2(v, 0.0));
            } else {
                flags |= nonFiniteFlag(v);
            }
        }
        vec2 sum = groupSum(acc, flags);
        float result = sumWithFlags(sum, flags);
        if (OP == MEAN) {
            result = flags == 0u ? ffDiv(sum, ffFromUint(pc.lineLength)).x : result;
        }
        if (lid == 0u) {
            STORE_T(DTYPE, outs, pc.outBase + line, result);
        }
        return;
    }
    float m = lineMax(first);
    if (OP == MAX || OP == LOGSUMEXP) {
        float result = m;
        if (OP == LOGSUMEXP && isFiniteF(m)) { // uniform in the group (m is), as the barriers need
            result = ffAdd(vec2(m, 0.0), ffLog(lineExpSum(first, m))).x;
        }
        if (lid == 0u) {
            STORE_T(DTYPE, outs, pc.outBase + line, result);
        }
        return;
    }
    // SOFTMAX: a line whose maximum is not finite gives NaN, as the CPU's exp(x - max) does.
    bool finite = isFiniteF(m);
    vec2 sum = finite ? lineExpSum(first, m) : FF_ZERO;
    for (uint k = lid; k < pc.lineLength; k += GROUP) {
        float p = finite ? ffDiv(ffExp(ffTwoSum(element(first, k), -m)), sum).x : uintBitsToFloat(F32_QNAN);
        STORE_T(DTYPE, outs, pc.outBase + first + k * pc.inner, p);
    }
}
