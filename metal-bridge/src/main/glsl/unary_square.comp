#version 450
#extension GL_GOOGLE_include_directive : require

// square (unary.glsl)
#define UNARY_SQUARE
#include "unary.glsl"
