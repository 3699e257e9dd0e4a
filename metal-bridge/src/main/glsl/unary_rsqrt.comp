#version 450
#extension GL_GOOGLE_include_directive : require

// rsqrt (unary.glsl)
#define UNARY_RSQRT
#include "unary.glsl"
