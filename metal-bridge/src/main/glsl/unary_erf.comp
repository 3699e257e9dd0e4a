#version 450
#extension GL_GOOGLE_include_directive : require

// erf (unary.glsl)
#define UNARY_ERF
#include "unary.glsl"
