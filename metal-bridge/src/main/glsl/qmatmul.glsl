// Shared by the quantized matmul kernels (qmv, qvm, qmm): bindings, push constants and the decoding of stored
// weights. The tiled kernel decodes each weight as jmlx's CPU kernels do (affine: T(T(s*q) + b); microscaled:
// element * (scale * factor)); the matrix-vector kernels apply scale and bias once per group instead
// (s * sum(x*q) + b * sum(x)), which the Kernels contract allows. Sums accumulate in float32; products are checked
// against error bounds, not bits.
// Requires floats.glsl and elements.glsl and the specialization constants DTYPE and MODE; bits and group size are
// push constants (the matrix-vector kernels specialize bits too), so few pipelines serve every setting: building
// one takes long on some drivers.

const uint MODE_AFFINE = 0u;
const uint MODE_MXFP4 = 1u;
const uint MODE_MXFP8 = 2u;
const uint MODE_NVFP4 = 3u;

layout(std430, set = 0, binding = 0) readonly buffer X { uint xs[]; };
layout(std430, set = 0, binding = 1) readonly buffer Packed { uint packed[]; };
layout(std430, set = 0, binding = 2) readonly buffer Scales { uint scales[]; };
layout(std430, set = 0, binding = 3) readonly buffer Biases { uint biases[]; };
layout(std430, set = 0, binding = 4) buffer Out { uint outs[]; };

layout(push_constant) uniform Params {
    uint m;            // rows of x and of the output in this dispatch
    uint n;            // output columns in this dispatch
    uint k;            // the contracted dimension
    uint outStride;    // elements between output rows
    uint xBase;
    uint packedBase;
    uint scalesBase;
    uint biasesBase;
    uint outBase;
    uint xBatch;       // elements between batches of x (work group z is the batch)
    uint packedBatch;  // words between batches of the weight, 0 when it is shared
    uint scalesBatch;  // elements between batches of scales and biases
    uint outBatch;     // elements between batches of the output
    uint wordsPerRow;  // packed words per stored row of the weight
    uint groupsPerRow; // scales per stored row
    float factor;      // nvfp4's global factor, else 1
    uint bits;         // bits per code
    uint groupShift;   // log2 of the group size
    uint transpose;    // qmm: 1 when the weight is stored [n, k]
} pc;

// Affine scale, affine bias, or microscaling scale (times the global factor) of group g (an index into scales).
float affineScale(uint g) {
    return LOAD_T(DTYPE, scales, pc.scalesBase + g);
}

float affineBias(uint g) {
    return LOAD_T(DTYPE, biases, pc.biasesBase + g);
}

float microScale(uint g) {
    uint scaleByte = LOAD8(scales, pc.scalesBase + g);
    return (MODE == MODE_NVFP4 ? fp8Decode(scaleByte) : e8m0Decode(scaleByte)) * pc.factor;
}

// The value of a microscaled element code.
float elementValue(uint code) {
    return MODE == MODE_MXFP8 ? fp8Decode(code) : E2M1_VALUES[code];
}

float xAt(uint batch, uint row, uint col) {
    return LOAD_T(DTYPE, xs, pc.xBase + batch * pc.xBatch + row * pc.k + col);
}

// The decoded weight at stored row r, column c (for transpose the weight is stored [n, k], else [k, n]).
float weightAt(uint batch, uint r, uint c) {
    uint pos = c * pc.bits;
    uint word = pc.packedBase + batch * pc.packedBatch + r * pc.wordsPerRow + (pos >> 5);
    uint shift = pos & 31u;
    uint code = codeFromWords(packed[word], shift + pc.bits > 32u ? packed[word + 1u] : 0u, shift, pc.bits);
    uint g = batch * pc.scalesBatch + r * pc.groupsPerRow + (c >> pc.groupShift);
    if (MODE == MODE_AFFINE) {
        precise float sum = roundToType(DTYPE, mulRn(affineScale(g), float(code))) + affineBias(g);
        return roundToType(DTYPE, sum);
    }
    return elementValue(code) * microScale(g);
}

void storeOut(uint batch, uint row, uint col, float v) {
    STORE_T(DTYPE, outs, pc.outBase + batch * pc.outBatch + row * pc.outStride + col, v);
}
