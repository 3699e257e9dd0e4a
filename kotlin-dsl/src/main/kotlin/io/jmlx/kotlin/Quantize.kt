@file:OptIn(ExperimentalTypeInference::class)

package io.jmlx.kotlin

import io.jmlx.nn.Calibration
import io.jmlx.nn.MixedPrecision
import io.jmlx.nn.Module
import io.jmlx.nn.Quantizable
import io.jmlx.nn.Quantization
import io.jmlx.nn.QuantizationResult
import io.jmlx.nn.QuantizeDecision
import io.jmlx.quant.QuantizationMode
import io.jmlx.quant.QuantizationSettings
import io.jmlx.quant.method.QuantizationMethod
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
 * [method] chooses the codes, scales and biases (default: MLX's round to nearest); a calibrated one
 * needs [calibration] (e.g. `EncoderCalibration` or `DecoderCalibration` of jmlx-models).
 *
 * ```
 * model.quantize(bits = 4) { path, m -> m is Linear && !path.endsWith("lm_head") }
 * model.quantize(bits = 3, method = QuantizationMethod.GPTQ, calibration = sentences) { _, m -> m is Linear }
 * ```
 */
@OverloadResolutionByLambdaReturnType
fun Module.quantize(
    bits: Int? = null,
    groupSize: Int? = null,
    mode: QuantizationMode? = null,
    method: QuantizationMethod = QuantizationMethod.RTN,
    calibration: Calibration? = null,
    predicate: (path: String, module: Module) -> Boolean = { _, m -> m is Quantizable },
): QuantizationResult =
    Quantization.quantize(
        this,
        QuantizationSettings.resolve(groupSize, bits, mode),
        { path, m -> QuantizeDecision.of(predicate(path, m)) },
        method,
        calibration,
    )

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
    method: QuantizationMethod = QuantizationMethod.RTN,
    calibration: Calibration? = null,
    spec: (path: String, module: Module) -> LayerSpec?,
): QuantizationResult =
    Quantization.quantize(
        this,
        QuantizationSettings.resolve(groupSize, bits, mode),
        { path, m ->
            spec(path, m)?.let { QuantizeDecision.Quantize(it.groupSize, it.bits, it.mode) }
                ?: QuantizeDecision.skip()
        },
        method,
        calibration,
    )

/**
 * Mixed precision: quantizes the layers [predicate] picks with per-layer affine settings that store
 * [bitsPerWeight] bits per weight on average, chosen from each layer's sensitivity (measured on
 * [calibration] when given, else every layer alike; see `MixedPrecision`), with [method].
 *
 * ```
 * model.quantizeToBudget(4.5, QuantizationMethod.GPTQ, sentences) { _, m -> m is Linear }
 * ```
 */
fun Module.quantizeToBudget(
    bitsPerWeight: Double,
    method: QuantizationMethod = QuantizationMethod.RTN,
    calibration: Calibration? = null,
    predicate: (path: String, module: Module) -> Boolean = { _, m -> m is Quantizable },
): QuantizationResult {
    val plan =
        MixedPrecision.plan(
            this,
            { path, m -> QuantizeDecision.of(predicate(path, m)) },
            bitsPerWeight,
            calibration,
        )
    return Quantization.quantize(
        this,
        QuantizationSettings.DEFAULT,
        plan.predicate(),
        method,
        calibration,
    )
}
