#version 450
#extension GL_GOOGLE_include_directive : require

// Rotary position embedding: each invocation rotates one pair of features of one row (adjacent features when
// TRADITIONAL, else one from each half), or copies one feature from `dims` on. The cosines and sines come from a
// table the host computes in double precision exactly as the CPU does, as float pairs: (cos hi, cos lo, sin hi,
// sin lo) for sequence index l and pair j at 4 * (l * dims/2 + j); the rotation x1 c - x2 s, x1 s + x2 c is computed
// in float-float and rounded once to float32, then to DTYPE (the CPU rounds its double result the same way).

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint DTYPE = 0u;
layout(constant_id = 1) const bool TRADITIONAL = false;

layout(std430, set = 0, binding = 0) readonly buffer In { uint ins[]; };
layout(std430, set = 0, binding = 1) readonly buffer Table { uint table[]; };
layout(std430, set = 0, binding = 2) buffer Out { uint outs[]; };

layout(push_constant) uniform Params {
    uint rows;       // in this dispatch
    uint firstRow;   // row index of the first of them (for its sequence index)
    uint sequence;   // the sequence length: row r has index r % sequence
    uint features;
    uint dims;
    uint inBase;
    uint outBase;
} pc;

#include "floats.glsl"
#include "elements.glsl"
#include "ff.glsl"

vec2 tableAt(uint i) {
    return vec2(uintBitsToFloat(table[i]), uintBitsToFloat(table[i + 1u]));
}

void main() {
    uint half_ = pc.dims / 2u;
    uint tasks = half_ + pc.features - pc.dims;
    uint t = invocationIndex(64u);
    uint row = t / tasks;
    if (row >= pc.rows) {
        return;
    }
    uint task = t % tasks;
    uint rowStart = row * pc.features;
    if (task >= half_) {
        uint f = pc.dims + (task - half_);
        STORE_T(DTYPE, outs, pc.outBase + rowStart + f, LOAD_T(DTYPE, ins, pc.inBase + rowStart + f));
        return;
    }
    uint first = TRADITIONAL ? 2u * task : task;
    uint second = first + (TRADITIONAL ? 1u : half_);
    float x1 = LOAD_T(DTYPE, ins, pc.inBase + rowStart + first);
    float x2 = LOAD_T(DTYPE, ins, pc.inBase + rowStart + second);
    uint at = 4u * (((pc.firstRow + row) % pc.sequence) * half_ + task);
    vec2 c = tableAt(at);
    vec2 s = tableAt(at + 2u);
    float y1 = ffSub(ffMulF(c, x1), ffMulF(s, x2)).x;
    float y2 = ffAdd(ffMulF(s, x1), ffMulF(c, x2)).x;
    STORE_T(DTYPE, outs, pc.outBase + rowStart + first, y1);
    STORE_T(DTYPE, outs, pc.outBase + rowStart + second, y2);
}
