#version 450
#extension GL_GOOGLE_include_directive : require

// Tiled dense matrix product (dense.glsl): a work group of 8x8 invocations computes a 32x32 tile of the output, each
// invocation 4x4 outputs, through tiles of a and b 32 deep in k in shared memory (8.4 KiB).

layout(local_size_x = 8, local_size_y = 8) in;

layout(constant_id = 0) const uint DTYPE = 0u;

#include "floats.glsl"
#include "elements.glsl"
#include "dense.glsl"

const uint TILE = 32u;
shared float aTile[TILE][TILE + 1u];
shared float bTile[TILE][TILE + 1u]; // [output column][k]

void main() {
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
            uint r = e / TILE;
            uint c = e % TILE;
            aTile[r][c] = row0 + r < pc.m && k0 + c < pc.k ? aAt(row0 + r, k0 + c) : 0.0;
            // b is read along its rows (c runs over columns) and stored transposed.
            bTile[c][r] = k0 + r < pc.k && col0 + c < pc.n ? bAt(k0 + r, col0 + c) : 0.0;
        }
        barrier();
        for (uint kk = 0u; kk < TILE; kk++) {
            float av[4];
            float bv[4];
            for (uint i = 0u; i < 4u; i++) {
                av[i] = aTile[ty + 8u * i][kk];
                bv[i] = bTile[tx + 8u * i][kk];
            }
            for (uint i = 0u; i < 4u; i++) {
                for (uint j = 0u; j < 4u; j++) {
                    acc[i][j] += av[i] * bv[j];
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
                storeOut(row, col, acc[i][j]);
            }
        }
    }
}
