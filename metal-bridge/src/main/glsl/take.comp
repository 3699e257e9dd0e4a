#version 450
#extension GL_GOOGLE_include_directive : require

// take: for each outer block, the slices of `a` along the axis that the indices name, in order. One invocation
// writes one output word, byte by byte (or as one word when slices and `a` are word-aligned: WORDS). An index
// outside [-axisSize, axisSize) leaves its slice unwritten and records the smallest such index position in
// status[0] (the host then fails the op with the CPU's message). When `a` is larger than one binding, each
// dispatch binds a window of rows [rowFirst, rowFirst + rowCount) and writes only the slices it holds.

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint INDEX_TYPE = 0u;
layout(constant_id = 1) const bool WORDS = false;

layout(std430, set = 0, binding = 0) readonly buffer A { uint as[]; };
layout(std430, set = 0, binding = 1) readonly buffer Indices { uint indices[]; };
layout(std430, set = 0, binding = 2) buffer Out { uint outs[]; };
layout(std430, set = 0, binding = 3) buffer Status { uint status[]; };

layout(push_constant) uniform Params {
    uint outBytes;   // in this dispatch
    uint count;      // indices
    uint axisSize;
    uint sliceBytes;
    uint aBase;      // bytes (words when WORDS)
    uint indexBase;  // index elements
    uint outBase;    // words
    uint rowFirst;   // the window of rows `a` is bound at
    uint rowCount;
} pc;

#include "floats.glsl"
#include "elements.glsl"

// GpuGather's index type codes.
const uint I32 = 0u;
const uint U32 = 1u;
const uint I64 = 2u; // and uint64, which the CPU reads as signed too
const uint I8 = 3u;
const uint U8 = 4u;
const uint I16 = 5u;
const uint U16 = 6u;

// The row index i names, or NONE when it is out of range.
const uint NONE = 0xFFFFFFFFu;

uint row(uint i) {
    uint at = pc.indexBase + i;
    int size = int(pc.axisSize);
    int v;
    if (INDEX_TYPE == U32) {
        uint u = indices[at];
        return u < pc.axisSize ? u : NONE;
    } else if (INDEX_TYPE == I64) {
        uint lo = indices[2u * at];
        uint hi = indices[2u * at + 1u];
        if (hi == 0u && lo < pc.axisSize) {
            return lo;
        }
        if (hi != 0xFFFFFFFFu || int(lo) >= 0) {
            return NONE;
        }
        v = int(lo);
    } else if (INDEX_TYPE == I32) {
        v = int(indices[at]);
    } else if (INDEX_TYPE == I8) {
        v = int(LOAD8(indices, at) << 24) >> 24;
    } else if (INDEX_TYPE == U8) {
        v = int(LOAD8(indices, at));
    } else if (INDEX_TYPE == I16) {
        v = int(LOAD16(indices, at) << 16) >> 16;
    } else {
        v = int(LOAD16(indices, at));
    }
    if (v < -size || v >= size) {
        return NONE;
    }
    return uint(v < 0 ? v + size : v);
}

// A source outside this dispatch's window of rows.
const uint ELSEWHERE = 0xFFFFFFFEu;

// The source byte (or word) of output byte (or word) position p, with unit = 1 (or 4) bytes; NONE if its index is
// out of range, ELSEWHERE if its row is outside the bound window.
uint source(uint p, uint unitsPerSlice) {
    uint slice = p / unitsPerSlice;
    uint i = slice % pc.count;
    uint r = row(i);
    if (r == NONE) {
        atomicMin(status[0], i);
        return NONE;
    }
    if (r < pc.rowFirst || r - pc.rowFirst >= pc.rowCount) {
        return ELSEWHERE;
    }
    return pc.aBase + ((slice / pc.count) * pc.rowCount + r - pc.rowFirst) * unitsPerSlice + p % unitsPerSlice;
}

void main() {
    uint word = invocationIndex(64u);
    if (word * 4u >= pc.outBytes) {
        return;
    }
    if (WORDS) {
        uint from = source(word, pc.sliceBytes / 4u);
        if (from < ELSEWHERE) {
            outs[pc.outBase + word] = as[from];
        }
        return;
    }
    uint n = min(4u, pc.outBytes - word * 4u);
    bool windowed = pc.rowCount < pc.axisSize;
    uint value = n < 4u || windowed ? outs[pc.outBase + word] : 0u;
    for (uint j = 0u; j < n; j++) {
        uint from = source(word * 4u + j, pc.sliceBytes);
        if (from == NONE) {
            return;
        }
        if (from != ELSEWHERE) {
            value = (value & ~(0xFFu << (8u * j))) | (LOAD8(as, from) << (8u * j));
        }
    }
    outs[pc.outBase + word] = value;
}
