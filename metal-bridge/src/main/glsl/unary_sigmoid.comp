#version 450
#extension GL_GOOGLE_include_directive : require

// sigmoid (unary.glsl)
#define UNARY_SIGMOID
#include "unary.glsl"
