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
 * Stands in for a layer during calibration: adds the second moments of the inputs its weight multiplies,
 * {@code Σ x xᵀ} over every input row, to a running {@code [in, in]} sum, tells its {@link Stage}, and computes the
 * output as the layer does. For a {@link Linear} those are its forward inputs; for a token embedding, the inputs of
 * the output head it is tied to ({@link TiedHead#asLinear}), its lookups passing through. Input rows are gathered and
 * folded into the sum a few thousand at a time, so memory stays bounded.
 */
final class HessianRecorder extends Layer implements TiedHead {
    /** Input rows gathered before they are folded into the sum. */
    private static final int FLUSH_ROWS = 4096;

    private final Layer layer;
    private final Array weight;
    private final Stage stage;
    private final List<Array> pending = new ArrayList<>();
    private int pendingRows;
    private float[] sum;

    /**
     * @param layer  what computes the outputs meanwhile
     * @param weight the dense weight {@code [out, in]} the recorded inputs multiply (what gets quantized)
     */
    HessianRecorder(Layer layer, Array weight, Stage stage) {
        this.layer = layer;
        this.weight = weight;
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

    /** New recorders for linear layers, sharing one stage. */
    static Map<String, HessianRecorder> forStage(Map<String, Linear> layers) {
        Stage stage = new Stage();
        stage.size = layers.size();
        Map<String, HessianRecorder> out = new LinkedHashMap<>();
        layers.forEach((path, layer) -> out.put(path, new HessianRecorder(layer, layer.weight(), stage)));
        return out;
    }

    /**
     * New recorders for token embeddings as output heads, sharing one stage: {@code lookups} compute the lookups
     * (and the head) meanwhile, {@code weights} are the dense tables.
     */
    static Map<String, HessianRecorder> forHeads(Map<String, Layer> lookups, Map<String, Array> weights) {
        Stage stage = new Stage();
        stage.size = Integer.MAX_VALUE; // until the first input shows which embeddings serve as heads
        Map<String, HessianRecorder> out = new LinkedHashMap<>();
        lookups.forEach((path, layer) -> out.put(path, new HessianRecorder(layer, weights.get(path), stage)));
        return out;
    }

    /**
     * Runs every calibration input, each until the stage's recorders have seen it. A stage whose size is open (heads)
     * learns it from the first input: the recorders that saw it; when none did, the other inputs are not run.
     */
    static void runStage(Map<String, HessianRecorder> recorders, Module model, Calibration calibration) {
        Stage stage = recorders.values().iterator().next().stage;
        for (int i = 0; i < calibration.size(); i++) {
            stage.reset();
            try {
                calibration.run(model, i);
            } catch (Done done) {
                // the rest of the forward pass does not reach this stage's layers
            }
            if (stage.size == Integer.MAX_VALUE) {
                stage.size = stage.seen.size();
                if (stage.size == 0) {
                    return;
                }
            }
        }
    }

    /** What computes the outputs meanwhile. */
    Layer layer() {
        return layer;
    }

    /** The dense weight to quantize. */
    Array weight() {
        return weight;
    }

    @Override
    public Array forward(Array x) {
        if (!(layer instanceof Linear)) {
            return layer.forward(x); // an embedding's lookups
        }
        record(x);
        return layer.forward(x);
    }

    @Override
    public Array asLinear(Array x) {
        record(x);
        return ((TiedHead) layer).asLinear(x);
    }

    private void record(Array x) {
        int in = weight.shape()[1];
        int n = Math.toIntExact(x.size() / in);
        pending.add(x.astype(DType.FLOAT32).reshape(n, in));
        pendingRows += n;
        if (pendingRows >= FLUSH_ROWS) {
            flush();
        }
        stage.seen(this);
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
        int in = weight.shape()[1];
        return sum == null ? null : Array.of(sum, DType.FLOAT32, in, in);
    }
}
