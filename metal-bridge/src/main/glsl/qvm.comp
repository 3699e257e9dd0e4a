#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require

// Quantized vector-matrix product against a weight stored [k, n] (no transpose; groups run along n), for each
// row of x (up to 8; work group z numbers batch * m + row): a subgroup owns 8 adjacent output columns (8 codes of
// one group: BITS bytes of a weight row), its lanes take rows of the weight in turn, each adding (x*s)*q + x*b per
// column, and one subgroup reduction per output sums them. A work group of 64 invocations owns 64 columns,
// whatever the subgroup size.

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint DTYPE = 0u;
layout(constant_id = 1) const uint MODE = 0u;
layout(constant_id = 2) const uint BITS = 4u;

#include "floats.glsl"
#include "elements.glsl"
#include "qmatmul.glsl"

const uint WIDTH = 8u;           // columns per subgroup task
const uint TASKS_PER_GROUP = 8u; // so 64 columns per work group

void main() {
    uint batch = gl_WorkGroupID.z / pc.m;
    uint row = gl_WorkGroupID.z % pc.m;
    uint firstTask = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * TASKS_PER_GROUP;
    uint mask = (1u << BITS) - 1u;
    uint xRow = pc.xBase + batch * pc.xBatch + row * pc.k;
    for (uint t = gl_SubgroupID; t < TASKS_PER_GROUP; t += gl_NumSubgroups) {
        uint column = (firstTask + t) * WIDTH;
        if (column >= pc.n) {
            break;
        }
        float acc[WIDTH];
        for (uint j = 0u; j < WIDTH; j++) {
            acc[j] = 0.0;
        }
        uint firstBit = column * BITS; // a multiple of 8: the 8 codes are BITS whole bytes
        uint shift = firstBit & 31u;
        for (uint kk = gl_SubgroupInvocationID; kk < pc.k; kk += gl_SubgroupSize) {
            uint word = pc.packedBase + batch * pc.packedBatch + kk * pc.wordsPerRow + (firstBit >> 5);
            // The 8 codes, low bits first, from up to three words.
            uint lo = packed[word];
            uint mid = shift + WIDTH * BITS > 32u ? packed[word + 1u] : 0u;
            uint hi = shift + WIDTH * BITS > 64u ? packed[word + 2u] : 0u;
            uint g = batch * pc.scalesBatch + kk * pc.groupsPerRow + (column >> pc.groupShift);
            float xv = LOAD_T(DTYPE, xs, xRow + kk);
            float xScaled = xv * (MODE == MODE_AFFINE ? affineScale(g) : microScale(g));
            float xBias = MODE == MODE_AFFINE ? xv * affineBias(g) : 0.0;
            for (uint j = 0u; j < WIDTH; j++) {
                uint pos = shift + j * BITS;
                uint code = pos < 32u ? lo >> pos : (pos < 64u ? mid >> (pos - 32u) : hi >> (pos - 64u));
                if (pos < 32u && pos + BITS > 32u) {
                    code |= mid << (32u - pos);
                } else if (pos >= 32u && pos < 64u && pos + BITS > 64u) {
                    code |= hi << (64u - pos);
                }
                code &= mask;
                acc[j] += xScaled * (MODE == MODE_AFFINE ? float(code) : elementValue(code)) + xBias;
            }
        }
        for (uint j = 0u; j < WIDTH; j++) {
            float total = subgroupAdd(acc[j]);
            if (subgroupElect()) {
                storeOut(batch, row, column + j, total);
            }
        }
    }
}
