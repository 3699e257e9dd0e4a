#version 450
#extension GL_GOOGLE_include_directive : require

// log (unary.glsl)
#define UNARY_LOG
#include "unary.glsl"
