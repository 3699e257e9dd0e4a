package io.jmlx.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.jmlx.DType;
import io.jmlx.io.TensorSpec;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link SafetensorsOutput} larger than {@link SafetensorsOutput#EARLY_FLUSH_BYTES} is flushed to disk early,
 * beside the writer: it still reads back byte for byte, and abandoned while such a flush runs it leaves nothing.
 */
class SafetensorsOutputTest {
    /** Half the early-flush size and a bit: the second tensor starts a flush, the third is written during it. */
    private static final int TENSOR_BYTES = (int) (SafetensorsOutput.EARLY_FLUSH_BYTES / 2) + 4096;

    @TempDir
    Path dir;

    private static List<TensorSpec> specs() {
        return List.of(spec("a"), spec("b"), spec("c"));
    }

    private static TensorSpec spec(String name) {
        return new TensorSpec(name, DType.UINT8, new int[] {TENSOR_BYTES});
    }

    /** Bytes that differ from tensor to tensor and along each one. */
    private static MemorySegment data(Arena arena, int seed) {
        MemorySegment s = arena.allocate(TENSOR_BYTES);
        for (int i = 0; i < TENSOR_BYTES; i += 4) {
            s.set(ValueLayout.JAVA_INT_UNALIGNED, i, i * 31 + seed);
        }
        return s;
    }

    @Test
    void anOutputFlushedEarlyReadsBackByteForByte() throws IOException {
        Path file = dir.resolve("big.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            List<TensorSpec> specs = specs();
            try (SafetensorsOutput out = SafetensorsOutput.create(file, specs, null)) {
                for (int t = 0; t < specs.size(); t++) {
                    out.write(specs.get(t).name(), data(arena, t));
                }
                out.commit();
            }
            try (SafetensorsFile back = SafetensorsFile.open(file)) {
                for (int t = 0; t < specs.size(); t++) {
                    MemorySegment read = back.get(specs.get(t).name()).data();
                    assertEquals(
                            -1,
                            read.mismatch(data(arena, t)),
                            "tensor " + specs.get(t).name());
                }
            }
        }
        assertEquals(List.of("big.safetensors"), listing());
    }

    @Test
    void anOutputAbandonedWhileFlushingEarlyLeavesNothing() throws IOException {
        Path file = dir.resolve("big.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            List<TensorSpec> specs = specs();
            try (SafetensorsOutput out = SafetensorsOutput.create(file, specs, null)) {
                out.write("a", data(arena, 0));
                out.write("b", data(arena, 1)); // past the early-flush size: a flush starts
            } // closed without a commit
        }
        assertFalse(Files.exists(file));
        assertEquals(List.of(), listing());
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
