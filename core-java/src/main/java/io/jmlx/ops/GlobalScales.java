package io.jmlx.ops;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.kernels.Elements;
import java.lang.foreign.MemorySegment;

/** nvfp4's optional global scale as an extra, last input of the quantization ops. */
final class GlobalScales {
    private GlobalScales() {}

    /** The op's inputs: {@code arrays} followed by the global scale when there is one. */
    static Array[] withGlobalScale(Array globalScale, Array... arrays) {
        if (globalScale == null) {
            return arrays;
        }
        Array[] all = java.util.Arrays.copyOf(arrays, arrays.length + 1);
        all[arrays.length] = globalScale;
        return all;
    }

    /** The global scale's value inside a computation ({@code null} when the op has none). */
    static Float value(MemorySegment[] inputs, int index) {
        return inputs.length > index ? Elements.getFloat(inputs[index], DType.FLOAT32, 0) : null;
    }
}
