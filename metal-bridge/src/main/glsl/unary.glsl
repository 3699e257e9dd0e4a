// Elementwise math on one array: the function of io.jmlx.backend.UnaryFunction that the including kernel names with
// a macro (UNARY_EXP, ..., one kernel per function, so that each holds the code of its own function only: drivers
// compile a kernel with every branch before specialization constants prune any). Each result is computed in
// float-float from the input's value, rounded to float32, then to DTYPE, as the CPU rounds its double result. One
// invocation writes one output word (one float32, or two 16-bit elements).

layout(local_size_x = 64) in;

layout(constant_id = 0) const uint DTYPE = 0u;

layout(std430, set = 0, binding = 0) readonly buffer In { uint ins[]; };
layout(std430, set = 0, binding = 1) buffer Out { uint outs[]; };
layout(std430, set = 0, binding = 2) readonly buffer ErfTable { uint erfTable[]; };

layout(push_constant) uniform Params {
    uint count;
    uint inBase;
    uint outBase; // even for 16-bit types
} pc;

#define ERF_TABLE
#include "floats.glsl"
#include "elements.glsl"
#include "ff.glsl"
#include "ffmath.glsl"

float apply(float x) {
    vec2 v = vec2(x, 0.0);
#if defined(UNARY_EXP)
    return ffExp(v).x;
#elif defined(UNARY_LOG)
    return ffLog(v).x;
#elif defined(UNARY_SQRT)
    return ffSqrt(v).x;
#elif defined(UNARY_RSQRT)
    return ffDiv(FF_ONE, ffSqrt(v)).x;
#elif defined(UNARY_TANH)
    return ffTanh(v).x;
#elif defined(UNARY_ERF)
    return ffErf(v).x;
#elif defined(UNARY_SIGMOID)
    int scale;
    return ffLdexp(ffSigmoidScaled(x, scale), scale).x;
#elif defined(UNARY_SQUARE)
    return mulRn(x, x);
#elif defined(UNARY_NEGATIVE)
    return -x;
#elif defined(UNARY_SILU)
    int scale;
    return ffLdexp(ffMulF(ffSigmoidScaled(x, scale), x), scale).x;
#elif defined(UNARY_GELU)
    // x (1 + erf(x / sqrt 2)) / 2
    return ffMulF(ffMulF(ffAdd(FF_ONE, ffErf(ffMulF(INV_SQRT2, x))), 0.5), x).x;
#elif defined(UNARY_GELU_APPROX)
    // x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    vec2 cube = ffMulF(ffTwoProd(x, x), x);
    vec2 inner = ffMul(SQRT_2_OVER_PI, ffAdd(v, ffMul(GELU_CUBIC, cube)));
    return ffMulF(ffMulF(ffAdd(FF_ONE, ffTanh(inner)), 0.5), x).x;
#endif
}

void main() {
    uint word = invocationIndex(64u);
    uint perWord = DTYPE == DT_F32 ? 1u : 2u;
    uint first = word * perWord;
    if (first >= pc.count) {
        return;
    }
    bool both = perWord == 2u && first + 1u < pc.count;
    float v0 = apply(LOAD_T(DTYPE, ins, pc.inBase + first));
    float v1 = both ? apply(LOAD_T(DTYPE, ins, pc.inBase + first + 1u)) : 0.0;
    uint w = pc.outBase / perWord + word;
    STORE_WORD_T(DTYPE, outs, w, v0, v1, both);
}
