#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require

// Quantized vector-matrix product for up to 8 rows of x against a weight stored [k, n] (no transpose; groups run
// along n): a subgroup owns 8 adjacent output columns, its lanes take rows of the weight in turn, and one subgroup
// reduction per output sums them. A work group of 64 invocations owns 64 columns, whatever the subgroup size.

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint DTYPE = 0u;
layout(constant_id = 1) const uint MODE = 0u;

#include "floats.glsl"
#include "elements.glsl"
#include "qmatmul.glsl"

const uint MAX_ROWS = 8u;        // rows of x (pc.m) are 1..8
const uint WIDTH = 8u;           // columns per subgroup task
const uint TASKS_PER_GROUP = 8u; // so 64 columns per work group

void main() {
    uint batch = gl_WorkGroupID.z;
    uint firstTask = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * TASKS_PER_GROUP;
    for (uint t = gl_SubgroupID; t < TASKS_PER_GROUP; t += gl_NumSubgroups) {
        uint column = (firstTask + t) * WIDTH;
        if (column >= pc.n) {
            break;
        }
        float acc[MAX_ROWS * WIDTH];
        for (uint i = 0u; i < pc.m * WIDTH; i++) {
            acc[i] = 0.0;
        }
        for (uint kk = gl_SubgroupInvocationID; kk < pc.k; kk += gl_SubgroupSize) {
            float wv[WIDTH];
            for (uint j = 0u; j < WIDTH; j++) {
                wv[j] = weightAt(batch, kk, column + j);
            }
            for (uint r = 0u; r < pc.m; r++) {
                float xv = xAt(batch, r, kk);
                for (uint j = 0u; j < WIDTH; j++) {
                    acc[r * WIDTH + j] += xv * wv[j];
                }
            }
        }
        for (uint i = 0u; i < pc.m * WIDTH; i++) {
            float total = subgroupAdd(acc[i]);
            if (subgroupElect()) {
                storeOut(batch, i / WIDTH, column + i % WIDTH, total);
            }
        }
    }
}
