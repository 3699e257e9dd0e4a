package io.jmlx.io.onnx;

import io.jmlx.Array;
import io.jmlx.Jmlx;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * An ONNX model's weights under the module names a PyTorch / MLX checkpoint uses. Exporters often give a
 * {@code MatMul}'s weight an anonymous initializer name ({@code onnx::MatMul_787}); the consuming node's name says
 * which module it belongs to ({@code /encoder/layer.0/attention/self/query/MatMul} →
 * {@code encoder.layer.0.attention.self.query.weight}), and the weight is transposed from ONNX's
 * {@code [in, out]} to the {@code [out, in]} of a linear layer. Named initializers keep their names.
 */
public final class OnnxWeights {
    private static final String ANONYMOUS = "onnx::";

    private OnnxWeights() {}

    /**
     * The initializers with recovered names, sorted; transposed weights are computed lazily (ops on the default
     * stream), the others are views of the file.
     *
     * @throws IllegalArgumentException if two initializers end up with the same name
     */
    public static Map<String, Array> pytorchLayout(OnnxFile onnx) {
        Map<String, String> renamed = new LinkedHashMap<>();
        for (OnnxFile.Node node : onnx.nodes()) {
            if (!node.opType().equals("MatMul") || node.inputs().size() != 2) {
                continue;
            }
            String weight = node.inputs().get(1);
            Array w = onnx.initializers().get(weight);
            if (weight.startsWith(ANONYMOUS)
                    && w != null
                    && w.ndim() == 2
                    && node.name().endsWith("/MatMul")) {
                String module = node.name()
                        .substring(
                                node.name().startsWith("/") ? 1 : 0, node.name().length() - "/MatMul".length())
                        .replace('/', '.');
                renamed.put(weight, module + ".weight");
            }
        }
        Map<String, Array> out = new TreeMap<>();
        onnx.initializers().forEach((name, a) -> {
            String newName = renamed.getOrDefault(name, name);
            Array value = renamed.containsKey(name) ? Jmlx.matrixTranspose(a) : a;
            if (out.put(newName, value) != null) {
                throw new IllegalArgumentException(onnx.path() + ": two initializers would be named '" + newName
                        + "' (one recovered from a MatMul node's name)");
            }
        });
        return out;
    }
}
