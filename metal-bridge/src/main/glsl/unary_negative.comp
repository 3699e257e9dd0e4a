#version 450
#extension GL_GOOGLE_include_directive : require

// negative (unary.glsl)
#define UNARY_NEGATIVE
#include "unary.glsl"
