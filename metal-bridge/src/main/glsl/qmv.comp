#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require

// Quantized matrix-vector product for up to 8 rows of x against a weight stored [n, k] (transpose): each output
// column is one subgroup's work; its lanes take 32-wide blocks of k in turn and one subgroup reduction per row
// sums them. A work group of 64 invocations owns 8 columns, whatever the subgroup size (8, 32, 64, ...).

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint DTYPE = 0u;
layout(constant_id = 1) const uint MODE = 0u;

#include "floats.glsl"
#include "elements.glsl"
#include "qmatmul.glsl"

const uint MAX_ROWS = 8u; // rows of x (pc.m) are 1..8
const uint COLUMNS_PER_GROUP = 8u;

void main() {
    uint batch = gl_WorkGroupID.z;
    uint firstColumn = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * COLUMNS_PER_GROUP;
    for (uint c = gl_SubgroupID; c < COLUMNS_PER_GROUP; c += gl_NumSubgroups) {
        uint column = firstColumn + c;
        if (column >= pc.n) {
            break;
        }
        float acc[MAX_ROWS];
        for (uint r = 0u; r < pc.m; r++) {
            acc[r] = 0.0;
        }
        for (uint k0 = gl_SubgroupInvocationID * 32u; k0 < pc.k; k0 += gl_SubgroupSize * 32u) {
            uint end = min(k0 + 32u, pc.k);
            for (uint kk = k0; kk < end; kk++) {
                float wv = weightAt(batch, column, kk);
                for (uint r = 0u; r < pc.m; r++) {
                    acc[r] += xAt(batch, r, kk) * wv;
                }
            }
        }
        for (uint r = 0u; r < pc.m; r++) {
            float total = subgroupAdd(acc[r]);
            if (subgroupElect()) {
                storeOut(batch, r, column, total);
            }
        }
    }
}
