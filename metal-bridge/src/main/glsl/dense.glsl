// Shared by the dense matmul kernels: out[m x n] = a[m x k] . b[k x n], row-major operands of DTYPE (b and out
// with row strides of their own, so that a dispatch can cover a window of columns), sums accumulated in float32
// and rounded to DTYPE once, as the CPU kernels do (their order of summation differs; results are checked against
// an error bound). Requires floats.glsl and elements.glsl and the specialization constant DTYPE.

layout(std430, set = 0, binding = 0) readonly buffer A { uint as[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { uint bs[]; };
layout(std430, set = 0, binding = 2) buffer Out { uint outs[]; };

layout(push_constant) uniform Params {
    uint m;
    uint n;
    uint k;
    uint aBase;
    uint bBase;
    uint outBase;
    uint bStride;   // elements between rows of b
    uint outStride; // elements between rows of out
} pc;

float aAt(uint row, uint col) {
    return LOAD_T(DTYPE, as, pc.aBase + row * pc.k + col);
}

float bAt(uint row, uint col) {
    return LOAD_T(DTYPE, bs, pc.bBase + row * pc.bStride + col);
}

void storeOut(uint row, uint col, float v) {
    STORE_T(DTYPE, outs, pc.outBase + row * pc.outStride + col, v);
}
