package io.jmlx.io.onnx;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Shape;
import io.jmlx.io.FileMapping;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights and graph outline of an ONNX model, read-only: initializers (name, dtype, shape, data) and nodes
 * (name, op type, inputs, outputs), parsed from the protobuf with a small reader of its own. The file is
 * memory-mapped and {@code raw_data} initializers are zero-copy views of it, valid until {@link #close()}.
 * Models with external data or sparse initializers are refused with an {@link OnnxFormatException}, as is any
 * malformed or truncated protobuf.
 *
 * <pre>{@code
 * try (OnnxFile onnx = OnnxFile.open(Path.of("all-minilm-l6-v2.onnx"))) {
 *     Map<String, Array> weights = OnnxWeights.pytorchLayout(onnx);   // module names, [out, in] weights
 * }
 * }</pre>
 */
public final class OnnxFile implements AutoCloseable {
    /** One node of the graph. */
    public record Node(String name, String opType, List<String> inputs, List<String> outputs) {}

    private final Path path;
    private final FileMapping mapping;
    private final Map<String, Array> initializers;
    private final List<Node> nodes;
    private final List<String> inputs;
    private final List<String> outputs;

    private OnnxFile(
            Path path,
            FileMapping mapping,
            Map<String, Array> initializers,
            List<Node> nodes,
            List<String> inputs,
            List<String> outputs) {
        this.path = path;
        this.mapping = mapping;
        this.initializers = Collections.unmodifiableMap(initializers);
        this.nodes = List.copyOf(nodes);
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
    }

    /**
     * Maps and parses {@code path}.
     *
     * @throws java.nio.file.NoSuchFileException if there is no such file
     * @throws OnnxFormatException                if it is not a well-formed ONNX model jmlx can read
     */
    public static OnnxFile open(Path path) throws IOException {
        FileMapping mapping = FileMapping.map(path);
        try {
            MemorySegment file = mapping.segment();
            Parser parser = new Parser(path);
            ProtobufReader model = new ProtobufReader(path, file, 0, file.byteSize(), "ModelProto");
            boolean hasGraph = false;
            while (model.hasMore()) {
                if (model.nextField() == 7 && model.wireType() == ProtobufReader.LENGTH_DELIMITED) {
                    parser.graph(model.readMessage("GraphProto"));
                    hasGraph = true;
                } else {
                    model.skip();
                }
            }
            if (!hasGraph) {
                throw new OnnxFormatException(path, "no graph: not an ONNX model (ModelProto field 7 is missing)");
            }
            return new OnnxFile(path, mapping, parser.initializers, parser.nodes, parser.inputs, parser.outputs);
        } catch (Throwable t) {
            mapping.close();
            throw t;
        }
    }

    /** The initializers by name, in file order (views of the mapped file where stored as raw data). */
    public Map<String, Array> initializers() {
        return initializers;
    }

    /** The graph's nodes in file order. */
    public List<Node> nodes() {
        return nodes;
    }

    /** The names of the graph's inputs (initializers excluded where listed). */
    public List<String> inputs() {
        return inputs;
    }

    /** The names of the graph's outputs. */
    public List<String> outputs() {
        return outputs;
    }

    /** The file this was read from. */
    public Path path() {
        return path;
    }

    /**
     * Unmaps the file; raw-data initializers can no longer be read. Safe while other threads read them (see
     * {@link FileMapping}); closing twice does nothing.
     */
    @Override
    public void close() {
        mapping.close();
    }

    /** Reads a GraphProto's parts into lists. */
    private static final class Parser {
        private final Path path;
        final Map<String, Array> initializers = new LinkedHashMap<>();
        final List<Node> nodes = new ArrayList<>();
        final List<String> inputs = new ArrayList<>();
        final List<String> outputs = new ArrayList<>();

        Parser(Path path) {
            this.path = path;
        }

        void graph(ProtobufReader g) throws OnnxFormatException {
            while (g.hasMore()) {
                int field = g.nextField();
                boolean message = g.wireType() == ProtobufReader.LENGTH_DELIMITED;
                switch (message ? field : -1) {
                    case 1 -> nodes.add(node(g.readMessage("NodeProto")));
                    case 5 -> {
                        Initializer t = tensor(g.readMessage("TensorProto"));
                        if (initializers.put(t.name, t.array) != null) {
                            throw g.error("two initializers are named '" + t.name + "'");
                        }
                    }
                    case 11 -> inputs.add(valueName(g.readMessage("ValueInfoProto")));
                    case 12 -> outputs.add(valueName(g.readMessage("ValueInfoProto")));
                    case 15 -> throw g.error("sparse initializers are not supported");
                    default -> g.skip();
                }
            }
            inputs.removeAll(initializers.keySet());
        }

        private Node node(ProtobufReader n) throws OnnxFormatException {
            List<String> in = new ArrayList<>();
            List<String> out = new ArrayList<>();
            String name = "";
            String op = "";
            while (n.hasMore()) {
                int field = n.nextField();
                if (n.wireType() != ProtobufReader.LENGTH_DELIMITED) {
                    n.skip();
                    continue;
                }
                switch (field) {
                    case 1 -> in.add(n.readString());
                    case 2 -> out.add(n.readString());
                    case 3 -> name = n.readString();
                    case 4 -> op = n.readString();
                    default -> n.skip();
                }
            }
            return new Node(name, op, List.copyOf(in), List.copyOf(out));
        }

        private static String valueName(ProtobufReader v) throws OnnxFormatException {
            String name = "";
            while (v.hasMore()) {
                if (v.nextField() == 1 && v.wireType() == ProtobufReader.LENGTH_DELIMITED) {
                    name = v.readString();
                } else {
                    v.skip();
                }
            }
            return name;
        }

        private record Initializer(String name, Array array) {}

        /** A TensorProto: raw data as a view, or typed repeated fields copied into a new array. */
        private Initializer tensor(ProtobufReader t) throws OnnxFormatException {
            List<Long> dims = new ArrayList<>();
            int dataType = 0;
            String name = null;
            MemorySegment raw = null;
            List<Number> values = new ArrayList<>();
            while (t.hasMore()) {
                int field = t.nextField();
                switch (field) {
                    case 1 -> repeatedVarints(t, dims);
                    case 2 -> dataType = (int) t.readVarint();
                    case 4 -> repeatedFloats(t, values);
                    case 5, 7 -> repeatedVarints(t, values);
                    case 8 -> name = t.readString();
                    case 9 -> raw = t.readBytes();
                    case 10 -> repeatedDoubles(t, values);
                    case 13 ->
                        throw t.error("initializer " + (name == null ? "" : "'" + name + "' ")
                                + "uses external data, which jmlx does not read");
                    case 14 -> {
                        if (t.readVarint() == 1) {
                            throw t.error("initializer " + (name == null ? "" : "'" + name + "' ")
                                    + "uses external data, which jmlx does not read");
                        }
                    }
                    default -> t.skip();
                }
            }
            if (name == null) {
                throw t.error("an initializer has no name");
            }
            DType dtype = dtype(dataType, name);
            int[] shape = new int[dims.size()];
            for (int i = 0; i < shape.length; i++) {
                long d = dims.get(i);
                if (d < 0 || d > Integer.MAX_VALUE) {
                    throw t.error("initializer '" + name + "' has dimension " + d);
                }
                shape[i] = (int) d;
            }
            long count;
            long want;
            try {
                count = Shape.size(shape);
                want = Math.multiplyExact(count, dtype.byteSize());
            } catch (ArithmeticException e) {
                throw t.error("initializer '" + name + "' " + Shape.format(shape) + " " + dtype
                        + " has more bytes than a long counts");
            }
            if (raw != null) {
                if (raw.byteSize() != want) {
                    throw t.error("initializer '" + name + "' " + Shape.format(shape) + " " + dtype + " needs " + want
                            + " bytes of raw data but has " + raw.byteSize());
                }
                return new Initializer(name, Array.wrap(raw, dtype, shape));
            }
            if (values.size() != count) {
                throw t.error("initializer '" + name + "' " + Shape.format(shape) + " needs " + count
                        + " values but has " + values.size());
            }
            return new Initializer(name, copy(values, dtype, shape));
        }

        private static Array copy(List<Number> values, DType dtype, int[] shape) {
            MemorySegment out = Arena.ofAuto().allocate((long) values.size() * dtype.byteSize(), Array.ALIGNMENT);
            for (int i = 0; i < values.size(); i++) {
                Number v = values.get(i);
                switch (dtype) {
                    case FLOAT32 -> out.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v.floatValue());
                    case FLOAT64 -> out.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i, v.doubleValue());
                    case INT64, UINT64 -> out.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i, v.longValue());
                    case INT32, UINT32 -> out.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i, v.intValue());
                    case INT16, UINT16, FLOAT16, BFLOAT16 ->
                        out.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) v.intValue());
                    default -> out.set(ValueLayout.JAVA_BYTE, i, (byte) v.intValue());
                }
            }
            return Array.wrap(out, dtype, shape);
        }

        /** ONNX's TensorProto.DataType codes. */
        private DType dtype(int code, String name) throws OnnxFormatException {
            return switch (code) {
                case 1 -> DType.FLOAT32;
                case 2 -> DType.UINT8;
                case 3 -> DType.INT8;
                case 4 -> DType.UINT16;
                case 5 -> DType.INT16;
                case 6 -> DType.INT32;
                case 7 -> DType.INT64;
                case 9 -> DType.BOOL;
                case 10 -> DType.FLOAT16;
                case 11 -> DType.FLOAT64;
                case 12 -> DType.UINT32;
                case 13 -> DType.UINT64;
                case 16 -> DType.BFLOAT16;
                default ->
                    throw new OnnxFormatException(
                            path,
                            "initializer '" + name + "' has ONNX data type " + code + ", which jmlx does not read");
            };
        }

        /** A repeated varint field, packed or not. */
        private static void repeatedVarints(ProtobufReader t, List<? super Long> out) throws OnnxFormatException {
            if (t.wireType() == ProtobufReader.LENGTH_DELIMITED) {
                ProtobufReader packed = t.readMessage("packed field");
                while (packed.hasMore()) {
                    out.add(packed.readVarint());
                }
            } else {
                out.add(t.readVarint());
            }
        }

        private static void repeatedFloats(ProtobufReader t, List<Number> out) throws OnnxFormatException {
            if (t.wireType() == ProtobufReader.LENGTH_DELIMITED) {
                ProtobufReader packed = t.readMessage("packed floats");
                while (packed.hasMore()) {
                    out.add(Float.intBitsToFloat(packed.readFixed32()));
                }
            } else {
                out.add(Float.intBitsToFloat(t.readFixed32()));
            }
        }

        private static void repeatedDoubles(ProtobufReader t, List<Number> out) throws OnnxFormatException {
            if (t.wireType() == ProtobufReader.LENGTH_DELIMITED) {
                ProtobufReader packed = t.readMessage("packed doubles");
                while (packed.hasMore()) {
                    out.add(Double.longBitsToDouble(packed.readFixed64()));
                }
            } else {
                out.add(Double.longBitsToDouble(t.readFixed64()));
            }
        }
    }
}
