import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * Writes a synthetic float16 model directory for timing {@code jmlx convert} (scripts/convert-bench.sh runs it as a
 * source file, so it needs no build): {@code config.json} and {@code model.safetensors} with BLOCKS blocks of a
 * 1024×1024 {@code self_attn.o_proj} and a 2048×1024 {@code mlp.up_proj} weight (normal, σ = 0.02) and a 1024
 * {@code input_layernorm} vector. 12 blocks make 75.5 MB, 160 blocks 1.0 GB.
 *
 * <pre>java scripts/ConvertBenchModel.java DIR BLOCKS</pre>
 */
public final class ConvertBenchModel {
    private record Tensor(String name, int[] shape) {
        long bytes() {
            long n = 2;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java scripts/ConvertBenchModel.java DIR BLOCKS");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int blocks = Integer.parseInt(args[1]);
        java.util.List<Tensor> tensors = new java.util.ArrayList<>();
        for (int b = 0; b < blocks; b++) {
            String p = "model.layers." + b + ".";
            tensors.add(new Tensor(p + "input_layernorm.weight", new int[] {1024}));
            tensors.add(new Tensor(p + "mlp.up_proj.weight", new int[] {2048, 1024}));
            tensors.add(new Tensor(p + "self_attn.o_proj.weight", new int[] {1024, 1024}));
        }
        tensors.sort(java.util.Comparator.comparing(Tensor::name));
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (Tensor t : tensors) {
            header.append(",\"").append(t.name()).append("\":{\"dtype\":\"F16\",\"shape\":[");
            for (int i = 0; i < t.shape().length; i++) {
                header.append(i == 0 ? "" : ",").append(t.shape()[i]);
            }
            header.append("],\"data_offsets\":[").append(offset).append(',').append(offset + t.bytes()).append("]}");
            offset += t.bytes();
        }
        header.append('}');
        while (header.length() % 8 != 0) {
            header.append(' ');
        }
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve("config.json"),
                "{\"model_type\": \"synthetic\", \"torch_dtype\": \"float16\", \"num_hidden_layers\": " + blocks
                        + "}\n");
        SplittableRandom random = new SplittableRandom(42);
        try (FileChannel ch = FileChannel.open(
                dir.resolve("model.safetensors"),
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
            ByteBuffer start = ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN);
            start.putLong(h.length).put(h).flip();
            ch.write(start);
            ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : tensors) {
                boolean norm = t.shape().length == 1;
                for (long i = 0; i < t.bytes() / 2; i++) {
                    float v = norm ? 1f + 0.1f * (float) random.nextGaussian() : 0.02f * (float) random.nextGaussian();
                    buf.putShort(Float.floatToFloat16(v));
                    if (!buf.hasRemaining()) {
                        ch.write(buf.flip());
                        buf.clear();
                    }
                }
            }
            ch.write(buf.flip());
        }
    }
}
