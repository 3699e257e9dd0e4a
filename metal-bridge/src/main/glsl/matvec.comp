#version 450
#extension GL_GOOGLE_include_directive : require

// Dense product for a few rows of a (m <= ROWS, dense.glsl): each invocation owns one output column and walks k
// once, reading b along its rows (adjacent invocations read adjacent columns) and every row of a.

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint DTYPE = 0u;

#include "floats.glsl"
#include "elements.glsl"
#include "dense.glsl"

const uint ROWS = 8u;

void main() {
    uint col = invocationIndex(64u);
    if (col >= pc.n) {
        return;
    }
    float acc[ROWS];
    for (uint r = 0u; r < ROWS; r++) {
        acc[r] = 0.0;
    }
    for (uint kk = 0u; kk < pc.k; kk++) {
        float bv = bAt(kk, col);
        for (uint r = 0u; r < ROWS; r++) {
            if (r < pc.m) {
                acc[r] += aAt(r, kk) * bv;
            }
        }
    }
    for (uint r = 0u; r < pc.m; r++) {
        storeOut(r, col, acc[r]);
    }
}
