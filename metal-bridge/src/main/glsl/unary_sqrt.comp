#version 450
#extension GL_GOOGLE_include_directive : require

// sqrt (unary.glsl)
#define UNARY_SQRT
#include "unary.glsl"
