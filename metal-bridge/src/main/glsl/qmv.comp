#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require

// Quantized matrix-vector product against a weight stored [n, k] (transpose), for each row of x (up to 8; work
// group z numbers batch * m + row): each output is one subgroup's work; its lanes take 32-wide blocks of k in
// turn (one block is BITS whole words and lies in one affine group), apply scale and bias once per block
// (s * sum(x*q) + b * sum(x)), and one subgroup reduction sums the lanes. A work group of 64 invocations owns 8
// columns, whatever the subgroup size (8, 32, 64, ...).

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint DTYPE = 0u;
layout(constant_id = 1) const uint MODE = 0u;
layout(constant_id = 2) const uint BITS = 4u;

#include "floats.glsl"
#include "elements.glsl"
#include "qmatmul.glsl"

const uint COLUMNS_PER_GROUP = 8u;

void main() {
    uint batch = gl_WorkGroupID.z / pc.m;
    uint row = gl_WorkGroupID.z % pc.m;
    uint firstColumn = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * COLUMNS_PER_GROUP;
    uint mask = (1u << BITS) - 1u;
    uint xRow = pc.xBase + batch * pc.xBatch + row * pc.k;
    for (uint c = gl_SubgroupID; c < COLUMNS_PER_GROUP; c += gl_NumSubgroups) {
        uint column = firstColumn + c;
        if (column >= pc.n) {
            break;
        }
        uint rowWord = pc.packedBase + batch * pc.packedBatch + column * pc.wordsPerRow;
        uint rowGroup = batch * pc.scalesBatch + column * pc.groupsPerRow;
        float acc = 0.0;
        uint blocks = (pc.k + 31u) / 32u;
        for (uint block = gl_SubgroupInvocationID; block < blocks; block += gl_SubgroupSize) {
            uint k0 = block * 32u;
            uint count = min(32u, pc.k - k0); // 16 in a final half block (nvfp4)
            uint words[BITS];
            for (uint j = 0u; j < BITS; j++) {
                words[j] = j * 32u < count * BITS ? packed[rowWord + block * BITS + j] : 0u;
            }
            // sum(x*q) and sum(x) (affine), or sum(x*element) for each 16-element half (microscaled).
            float dot0 = 0.0;
            float dot1 = 0.0;
            for (uint i = 0u; i < 32u; i++) {
                uint pos = i * BITS;
                uint code = words[pos >> 5] >> (pos & 31u);
                if ((pos & 31u) + BITS > 32u) {
                    code |= words[(pos >> 5) + 1u] << (32u - (pos & 31u));
                }
                code &= mask;
                float xv = i < count ? LOAD_T(DTYPE, xs, xRow + k0 + i) : 0.0;
                if (MODE == MODE_AFFINE) {
                    dot0 += xv * float(code);
                    dot1 += xv;
                } else if (i < 16u) {
                    dot0 += xv * elementValue(code);
                } else {
                    dot1 += xv * elementValue(code);
                }
            }
            uint g = rowGroup + (k0 >> pc.groupShift);
            float s0 = MODE == MODE_AFFINE ? affineScale(g) : microScale(g);
            float s1 = MODE == MODE_AFFINE ? affineBias(g)
                    : (count > 16u ? microScale(rowGroup + ((k0 + 16u) >> pc.groupShift)) : 0.0);
            acc += s0 * dot0 + s1 * dot1;
        }
        float total = subgroupAdd(acc);
        if (subgroupElect()) {
            storeOut(batch, row, column, total);
        }
    }
}
