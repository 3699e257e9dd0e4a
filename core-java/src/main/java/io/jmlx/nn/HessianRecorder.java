package io.jmlx.nn;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stands in for a {@link Linear} during calibration: adds the second moments of its inputs, {@code Σ x xᵀ} over
 * every input row, to a running {@code [in, in]} sum, tells its {@link Stage}, and computes the layer's output as the
 * layer does. Input rows are gathered and folded into the sum a few thousand at a time, so memory stays bounded.
 */
final class HessianRecorder extends Layer {
    /** Input rows gathered before they are folded into the sum. */
    private static final int FLUSH_ROWS = 4096;

    private final Linear layer;
    private final Stage stage;
    private final List<Array> pending = new ArrayList<>();
    private int pendingRows;
    private float[] sum;

    HessianRecorder(Linear layer, Stage stage) {
        this.layer = layer;
        this.stage = stage;
    }

    /**
     * The recorders measured in one calibration run. Once each has seen the current input, the rest of the model's
     * forward pass is not needed: the last one stops it by throwing {@link Done}.
     */
    static final class Stage {
        private final Set<HessianRecorder> seen = new HashSet<>();
        private int size;

        /** Starts a new input. */
        void reset() {
            seen.clear();
        }

        void seen(HessianRecorder r) {
            seen.add(r);
            if (seen.size() == size) {
                throw Done.INSTANCE;
            }
        }
    }

    /** Ends a calibration input's forward pass early: every recorder of the stage has seen it. */
    static final class Done extends RuntimeException {
        static final Done INSTANCE = new Done();

        private Done() {
            super("calibration stage done", null, false, false);
        }
    }

    /** New recorders, one per layer, sharing one stage. */
    static Map<String, HessianRecorder> forStage(Map<String, Linear> layers) {
        Stage stage = new Stage();
        stage.size = layers.size();
        Map<String, HessianRecorder> out = new LinkedHashMap<>();
        layers.forEach((path, layer) -> out.put(path, new HessianRecorder(layer, stage)));
        return out;
    }

    /** Resets the stage of these recorders and runs every calibration input, each until the stage has seen it. */
    static void runStage(Map<String, HessianRecorder> recorders, Module model, Calibration calibration) {
        Stage stage = recorders.values().iterator().next().stage;
        for (int i = 0; i < calibration.size(); i++) {
            stage.reset();
            try {
                calibration.run(model, i);
            } catch (Done done) {
                // the rest of the forward pass does not reach this stage's layers
            }
        }
    }

    /** The layer it stands in for. */
    Linear layer() {
        return layer;
    }

    @Override
    public Array forward(Array x) {
        int in = layer.inputDims();
        int n = Math.toIntExact(x.size() / in);
        pending.add(x.astype(DType.FLOAT32).reshape(n, in));
        pendingRows += n;
        if (pendingRows >= FLUSH_ROWS) {
            flush();
        }
        stage.seen(this);
        return layer.forward(x);
    }

    private void flush() {
        if (pending.isEmpty()) {
            return;
        }
        Array rows = pending.size() == 1 ? pending.getFirst() : Jmlx.concatenate(pending, 0);
        float[] moments = Jmlx.matmul(Jmlx.matrixTranspose(rows), rows).toFloatArray();
        if (sum == null) {
            sum = moments;
        } else {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += moments[i];
            }
        }
        pending.clear();
        pendingRows = 0;
    }

    /** {@code Σ x xᵀ} so far ({@code [in, in]}, float32), or {@code null} when the layer has seen no input. */
    Array hessian() {
        flush();
        int in = layer.inputDims();
        return sum == null ? null : Array.of(sum, DType.FLOAT32, in, in);
    }
}
