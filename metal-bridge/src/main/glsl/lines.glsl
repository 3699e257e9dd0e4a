// Work on whole lines of an array (io.jmlx.backend.AxisLines): one work group of GROUP invocations per line, each
// invocation taking every GROUP-th element; partial results meet in shared memory in a fixed tree order, so the
// result does not depend on the subgroup size. Float-float accumulation (ff.glsl) makes the order immaterial to the
// rounded result. Requires floats.glsl, elements.glsl, ff.glsl and a `uint ins[]` buffer of floats of DTYPE.

const uint GROUP = 64u;

shared vec2 partValue[GROUP];
shared uint partAux[GROUP];

// This work group's line.
uint lineIndex() {
    return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
}

// The maximum of the values each invocation offers, NaN if any is NaN (every invocation gets it).
float groupMax(float mine) {
    uint lid = gl_LocalInvocationIndex;
    partValue[lid] = vec2(mine, 0.0);
    barrier();
    for (uint s = GROUP / 2u; s > 0u; s >>= 1u) {
        if (lid < s) {
            float a = partValue[lid].x;
            float b = partValue[lid + s].x;
            partValue[lid].x = isNanF(a) || isNanF(b) ? uintBitsToFloat(F32_QNAN) : max(a, b);
        }
        barrier();
    }
    float result = partValue[0].x;
    barrier();
    return result;
}

// The float-float sum of the values each invocation offers, and the OR of their flags (every invocation gets both).
vec2 groupSum(vec2 mine, inout uint flags) {
    uint lid = gl_LocalInvocationIndex;
    partValue[lid] = mine;
    partAux[lid] = flags;
    barrier();
    for (uint s = GROUP / 2u; s > 0u; s >>= 1u) {
        if (lid < s) {
            partValue[lid] = ffAdd(partValue[lid], partValue[lid + s]);
            partAux[lid] |= partAux[lid + s];
        }
        barrier();
    }
    vec2 result = partValue[0];
    flags = partAux[0];
    barrier();
    return result;
}

// Flags of the non-finite values a sum met: the sum is then NaN, +inf or -inf as IEEE arithmetic says.
const uint SAW_NAN = 1u;
const uint SAW_POS_INF = 2u;
const uint SAW_NEG_INF = 4u;

uint nonFiniteFlag(float v) {
    return isNanF(v) ? SAW_NAN : (v > 0.0 ? SAW_POS_INF : SAW_NEG_INF);
}

// The sum's value given the flags of what it skipped.
float sumWithFlags(vec2 sum, uint flags) {
    if ((flags & SAW_NAN) != 0u || flags == (SAW_POS_INF | SAW_NEG_INF)) {
        return uintBitsToFloat(F32_QNAN);
    }
    if (flags != 0u) {
        return flags == SAW_POS_INF ? uintBitsToFloat(F32_INF) : -uintBitsToFloat(F32_INF);
    }
    return sum.x;
}

// n as an exact float-float.
vec2 ffFromUint(uint n) {
    float hi = float(n);
    return vec2(hi, float(int(n - uint(hi))));
}
