@file:OptIn(ExperimentalTypeInference::class)

package io.jmlx.kotlin

import io.jmlx.nn.Module
import io.jmlx.nn.Quantizable
import io.jmlx.nn.Quantization
import io.jmlx.nn.QuantizationResult
import io.jmlx.nn.QuantizeDecision
import io.jmlx.quant.QuantizationMode
import io.jmlx.quant.QuantizationSettings
import kotlin.experimental.ExperimentalTypeInference

/**
 * How one layer is quantized, for the per-layer form of [quantize]: any setting left `null` comes
 * from the call (its mode; its group size and bits when the layer's mode is the call's, else the
 * layer mode's defaults).
 */
data class LayerSpec(
    val bits: Int? = null,
    val groupSize: Int? = null,
    val mode: QuantizationMode? = null,
)

/**
 * Quantizes this model in place, MLX's `nn.quantize`: each leaf module for which [predicate]
 * answers `true` is replaced by its quantized twin with the call's settings (`null`: the mode's
 * defaults; affine 64/4). All or nothing: an error (MLX's messages) leaves the model as it was.
 *
 * ```
 * model.quantize(bits = 4) { path, m -> m is Linear && !path.endsWith("lm_head") }
 * ```
 */
@OverloadResolutionByLambdaReturnType
fun Module.quantize(
    bits: Int? = null,
    groupSize: Int? = null,
    mode: QuantizationMode? = null,
    predicate: (path: String, module: Module) -> Boolean = { _, m -> m is Quantizable },
): QuantizationResult =
    Quantization.quantize(this, QuantizationSettings.resolve(groupSize, bits, mode)) { path, m ->
        QuantizeDecision.of(predicate(path, m))
    }

/**
 * [quantize] with per-layer settings: [spec] answers a [LayerSpec] for a layer to quantize (its
 * `null` fields come from the call) or `null` to leave it as it is.
 *
 * ```
 * model.quantize(bits = 4) { path, m -> if (path == "lm_head") LayerSpec(bits = 8) else if (m is Linear) LayerSpec() else null }
 * ```
 */
@OverloadResolutionByLambdaReturnType
@JvmName("quantizeWithSpecs")
fun Module.quantize(
    bits: Int? = null,
    groupSize: Int? = null,
    mode: QuantizationMode? = null,
    spec: (path: String, module: Module) -> LayerSpec?,
): QuantizationResult =
    Quantization.quantize(this, QuantizationSettings.resolve(groupSize, bits, mode)) { path, m ->
        spec(path, m)?.let { QuantizeDecision.Quantize(it.groupSize, it.bits, it.mode) }
            ?: QuantizeDecision.skip()
    }
