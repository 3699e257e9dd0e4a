#version 450
#extension GL_GOOGLE_include_directive : require

// tanh (unary.glsl)
#define UNARY_TANH
#include "unary.glsl"
