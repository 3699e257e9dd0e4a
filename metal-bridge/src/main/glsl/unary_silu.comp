#version 450
#extension GL_GOOGLE_include_directive : require

// silu (unary.glsl)
#define UNARY_SILU
#include "unary.glsl"
