#version 450
#extension GL_GOOGLE_include_directive : require

// gelu_approx (unary.glsl)
#define UNARY_GELU_APPROX
#include "unary.glsl"
