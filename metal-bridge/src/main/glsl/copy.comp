#version 450
#extension GL_GOOGLE_include_directive : require

// A strided copy into a row-major output (transpose, slice): output element c (coordinates in `shape`, up to
// MAX_DIMS after the host merged what it could) is input element inBase + sum c[d] * stride[d]. Elements are
// UNIT bytes (1, 2 or 4; the host copies 8-byte elements as pairs of words); one invocation writes one output
// word, bit for bit.

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint UNIT = 4u;

layout(std430, set = 0, binding = 0) readonly buffer In { uint ins[]; };
layout(std430, set = 0, binding = 1) buffer Out { uint outs[]; };

const uint MAX_DIMS = 6u;

layout(push_constant) uniform Params {
    uint count;   // elements in this dispatch
    uint inBase;  // elements
    uint outBase; // elements, a whole number of words
    uint dims;
    uint shape[MAX_DIMS];
    uint stride[MAX_DIMS];
} pc;

#include "floats.glsl"
#include "elements.glsl"

uint load(uint i) {
    uint from = pc.inBase;
    for (uint d = pc.dims; d > 0u; d--) {
        from += (i % pc.shape[d - 1u]) * pc.stride[d - 1u];
        i /= pc.shape[d - 1u];
    }
    return UNIT == 4u ? ins[from] : (UNIT == 2u ? LOAD16(ins, from) : LOAD8(ins, from));
}

void main() {
    uint word = invocationIndex(64u);
    uint perWord = 4u / UNIT;
    uint first = word * perWord;
    if (first >= pc.count) {
        return;
    }
    uint n = min(perWord, pc.count - first);
    uint w = pc.outBase / perWord + word;
    uint value = n < perWord ? outs[w] & (0xFFFFFFFFu << (8u * UNIT * n)) : 0u;
    for (uint j = 0u; j < n; j++) {
        value |= load(first + j) << (8u * UNIT * j);
    }
    outs[w] = value;
}
