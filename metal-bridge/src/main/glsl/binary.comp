#version 450
#extension GL_GOOGLE_include_directive : require

// Elementwise arithmetic of two arrays with broadcasting (io.jmlx.backend.BinaryFunction, FUNCTION its ordinal):
// computed in float32 and rounded once to DTYPE, as the CPU does. Add, subtract and multiply are correctly rounded
// in Vulkan (`precise`: no contraction); the quotient is divRn's, correctly rounded on any driver. So results are
// the CPU's bits, bar subnormal operands and results, which a device may flush to zero.
// The output (up to MAX_DIMS dimensions after the host merged what it could) is row-major; each operand element is
// found through the operand's strides (0 along a broadcast axis). One invocation writes one output word; a block
// starting or ending inside a word (16-bit types) leaves the word's other element as it is (blocks are dispatched
// one after another, so no other invocation writes that word meanwhile).

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint DTYPE = 0u;
layout(constant_id = 1) const uint FUNCTION = 0u;

layout(std430, set = 0, binding = 0) readonly buffer A { uint as[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { uint bs[]; };
layout(std430, set = 0, binding = 2) buffer Out { uint outs[]; };

const uint MAX_DIMS = 6u;

layout(push_constant) uniform Params {
    uint count;
    uint aBase;
    uint bBase;
    uint outBase; // the element the block starts at
    uint dims;
    uint shape[MAX_DIMS];
    uint aStride[MAX_DIMS];
    uint bStride[MAX_DIMS];
} pc;

#include "floats.glsl"
#include "elements.glsl"

const uint ADD = 0u;
const uint SUBTRACT = 1u;
const uint MULTIPLY = 2u;

float apply(float a, float b) {
    precise float r;
    if (FUNCTION == ADD) {
        r = a + b;
    } else if (FUNCTION == SUBTRACT) {
        r = a - b;
    } else if (FUNCTION == MULTIPLY) {
        r = mulRn(a, b);
    } else {
        r = divRn(a, b);
    }
    return r;
}

float at(uint i) {
    uint aIndex = pc.aBase;
    uint bIndex = pc.bBase;
    for (uint d = pc.dims; d > 0u; d--) {
        uint c = i % pc.shape[d - 1u];
        i /= pc.shape[d - 1u];
        aIndex += c * pc.aStride[d - 1u];
        bIndex += c * pc.bStride[d - 1u];
    }
    return apply(LOAD_T(DTYPE, as, aIndex), LOAD_T(DTYPE, bs, bIndex));
}

void main() {
    uint word = invocationIndex(64u);
    if (DTYPE == DT_F32) {
        if (word < pc.count) {
            outs[pc.outBase + word] = floatBitsToUint(at(word));
        }
        return;
    }
    // Element e of the word is block element word * 2 + e - lead.
    uint lead = pc.outBase & 1u;
    uint w = pc.outBase / 2u + word;
    uint value = outs[w];
    for (uint e = 0u; e < 2u; e++) {
        uint i = word * 2u + e;
        if (i >= lead && i - lead < pc.count) {
            uint shift = 16u * e;
            value = (value & ~(0xFFFFu << shift)) | (f32ToHalfBits(DTYPE, at(i - lead)) << shift);
        }
    }
    if (word * 2u < lead + pc.count) {
        outs[w] = value;
    }
}
