package io.jmlx.io.onnx;

import io.jmlx.Array;
import io.jmlx.io.TensorFile;
import io.jmlx.io.TensorInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** An ONNX model's weights as a {@link TensorFile}: module names and linear layout ({@link OnnxWeights}). */
public final class OnnxTensors implements TensorFile {
    private final OnnxFile onnx;
    private final Map<String, Array> weights;

    private OnnxTensors(OnnxFile onnx) {
        this.onnx = onnx;
        this.weights = OnnxWeights.pytorchLayout(onnx);
    }

    /** Opens the ONNX model at {@code path} (memory-mapped) and names its weights. */
    public static OnnxTensors open(Path path) throws IOException {
        OnnxFile onnx = OnnxFile.open(path);
        try {
            return new OnnxTensors(onnx);
        } catch (RuntimeException e) {
            onnx.close();
            throw e;
        }
    }

    @Override
    public List<String> names() {
        return List.copyOf(weights.keySet());
    }

    @Override
    public boolean contains(String name) {
        return weights.containsKey(name);
    }

    @Override
    public Array get(String name) {
        Array a = weights.get(name);
        if (a == null) {
            throw new IllegalArgumentException("No tensor named '" + name + "' in " + onnx.path());
        }
        return a;
    }

    @Override
    public TensorInfo info(String name) {
        Array a = get(name);
        return new TensorInfo(name, a.dtype(), a.shape(), 0, a.nbytes());
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of();
    }

    @Override
    public Path path() {
        return onnx.path();
    }

    @Override
    public void close() {
        onnx.close();
    }
}
