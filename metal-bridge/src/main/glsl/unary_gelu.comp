#version 450
#extension GL_GOOGLE_include_directive : require

// gelu (unary.glsl)
#define UNARY_GELU
#include "unary.glsl"
