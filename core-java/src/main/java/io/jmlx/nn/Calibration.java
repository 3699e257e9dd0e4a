package io.jmlx.nn;

import io.jmlx.Array;

/**
 * Calibration inputs for a calibrated quantization method: representative inputs (sentences to embed, text to
 * predict) and how to run one of them through a model, so that the method can measure what each layer sees.
 * Forward passes only; outputs are discarded. Inputs are run several times, on the model as quantized so far, and
 * must be the same each time. A run may be cut short once the layers being measured have seen the input: let every
 * exception from the model pass through {@link #run}.
 */
public interface Calibration {
    /** The number of calibration inputs. */
    int size();

    /**
     * Runs input {@code index} ({@code 0 <= index < size()}) through {@code model}, waits for it and returns the
     * model's output (what a comparison with the float model looks at: token states, logits).
     */
    Array run(Module model, int index);
}
