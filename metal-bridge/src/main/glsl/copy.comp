#version 450
#extension GL_GOOGLE_include_directive : require

// A strided copy into a row-major output (transpose, slice): output element c (coordinates in `shape`, up to
// MAX_DIMS after the host merged what it could) is input element inBase + sum c[d] * stride[d]. Elements are
// UNIT bytes (1, 2 or 4; the host copies 8-byte elements as pairs of words); one invocation writes one output
// word, bit for bit; a block starting or ending inside a word leaves the word's other elements as they are (blocks
// are dispatched one after another, so no other invocation writes that word meanwhile).

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint UNIT = 4u;

layout(std430, set = 0, binding = 0) readonly buffer In { uint ins[]; };
layout(std430, set = 0, binding = 1) buffer Out { uint outs[]; };

const uint MAX_DIMS = 6u;

layout(push_constant) uniform Params {
    uint count;   // elements in this dispatch
    uint inBase;  // elements
    uint outBase; // the element the block starts at
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
    // Element e of the word is block element word * perWord + e - lead.
    uint lead = pc.outBase % perWord;
    if (word * perWord >= lead + pc.count) {
        return;
    }
    uint w = pc.outBase / perWord + word;
    if (UNIT == 4u) {
        outs[w] = load(word);
        return;
    }
    uint mask = (1u << (8u * UNIT)) - 1u;
    uint value = outs[w];
    for (uint e = 0u; e < perWord; e++) {
        uint i = word * perWord + e;
        if (i >= lead && i - lead < pc.count) {
            uint shift = 8u * UNIT * e;
            value = (value & ~(mask << shift)) | (load(i - lead) << shift);
        }
    }
    outs[w] = value;
}
