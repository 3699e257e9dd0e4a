#version 450
#extension GL_GOOGLE_include_directive : require

// Tiled quantized matrix-matrix product: a work group of 8x8 invocations computes a 32x32 tile of the output,
// each invocation 4x4 outputs; tiles of x and of the decoded weight (32 deep in k) go through shared memory
// (8.4 KiB, well under the 32 KiB lavapipe offers). Both weight layouts: [n, k] (pc.transpose) or [k, n].

layout(local_size_x = 8, local_size_y = 8) in;

layout(constant_id = 0) const uint DTYPE = 0u;
layout(constant_id = 1) const uint MODE = 0u;

#include "floats.glsl"
#include "elements.glsl"
#include "qmatmul.glsl"

const uint TILE = 32u;
shared float xTile[TILE][TILE + 1u];
shared float wTile[TILE][TILE + 1u]; // [output column][k]

void main() {
    uint batch = gl_WorkGroupID.z;
    uint row0 = gl_WorkGroupID.y * TILE;
    uint col0 = gl_WorkGroupID.x * TILE;
    uint lid = gl_LocalInvocationIndex;
    uint ty = gl_LocalInvocationID.y;
    uint tx = gl_LocalInvocationID.x;
    float acc[4][4];
    for (uint i = 0u; i < 4u; i++) {
        for (uint j = 0u; j < 4u; j++) {
            acc[i][j] = 0.0;
        }
    }
    for (uint k0 = 0u; k0 < pc.k; k0 += TILE) {
        for (uint e = lid; e < TILE * TILE; e += 64u) {
            uint a = e / TILE;
            uint kk = e % TILE;
            bool inK = k0 + kk < pc.k;
            xTile[a][kk] = inK && row0 + a < pc.m ? xAt(batch, row0 + a, k0 + kk) : 0.0;
            uint col = col0 + a;
            float wv = 0.0;
            if (inK && col < pc.n) {
                wv = pc.transpose != 0u ? weightAt(batch, col, k0 + kk) : weightAt(batch, k0 + kk, col);
            }
            wTile[a][kk] = wv;
        }
        barrier();
        for (uint kk = 0u; kk < TILE; kk++) {
            float xv[4];
            float wv[4];
            for (uint i = 0u; i < 4u; i++) {
                xv[i] = xTile[ty + 8u * i][kk];
                wv[i] = wTile[tx + 8u * i][kk];
            }
            for (uint i = 0u; i < 4u; i++) {
                for (uint j = 0u; j < 4u; j++) {
                    acc[i][j] += xv[i] * wv[j];
                }
            }
        }
        barrier();
    }
    for (uint i = 0u; i < 4u; i++) {
        for (uint j = 0u; j < 4u; j++) {
            uint row = row0 + ty + 8u * i;
            uint col = col0 + tx + 8u * j;
            if (row < pc.m && col < pc.n) {
                storeOut(batch, row, col, acc[i][j]);
            }
        }
    }
}
