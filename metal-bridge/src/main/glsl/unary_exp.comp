#version 450
#extension GL_GOOGLE_include_directive : require

// exp (unary.glsl)
#define UNARY_EXP
#include "unary.glsl"
