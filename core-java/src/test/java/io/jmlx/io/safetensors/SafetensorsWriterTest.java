package io.jmlx.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.EvaluationException;
import io.jmlx.Jmlx;
import io.jmlx.quant.QuantizedParts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer's safety: temporary file plus rename, nothing left behind, and the destination untouched on failure. */
class SafetensorsWriterTest {
    @TempDir
    Path dir;

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A quantize whose computation fails: MLX leaves NaN unspecified and jmlx refuses it at evaluation time. */
    private static QuantizedParts failingQuantize() {
        float[] w = new float[4 * 64];
        for (int i = 0; i < w.length; i++) {
            w[i] = (i % 13) * 0.25f - 1f;
        }
        w[70] = Float.NaN;
        return Jmlx.quantize(Array.of(w, 4, 64), 64, 4);
    }

    @Test
    void aSuccessfulWriteLeavesOnlyTheDestination() throws IOException {
        Path out = dir.resolve("out.safetensors");
        SafetensorsWriter.write(out, Map.of("a", Array.of(new float[] {1, 2}, 2)), Map.of("format", "mlx"));
        assertEquals(List.of("out.safetensors"), listing());
        SafetensorsWriter.write(out, Map.of("b", Array.of(new float[] {3}, 1)), Map.of());
        assertEquals(List.of("out.safetensors"), listing());
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertEquals(List.of("b"), f.names(), "the second write replaced the first");
        }
    }

    @Test
    void aFailedComputationLeavesTheDestinationUntouchedAndNoTempFile() throws IOException {
        Path out = dir.resolve("model.safetensors");
        SafetensorsWriter.write(out, Map.of("old", Array.of(new float[] {1, 2, 3}, 3)), Map.of("v", "old"));
        byte[] before = Files.readAllBytes(out);

        QuantizedParts q = failingQuantize();
        Map<String, Array> tensors = new TreeMap<>();
        tensors.put("a.bias", Array.of(new float[] {1}, 1));
        tensors.put("a.weight", q.packed());
        EvaluationException e = assertThrows(
                EvaluationException.class, () -> SafetensorsWriter.write(out, tensors, Map.of("v", "new")));
        assertEquals("quantize", e.op());
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("'a.weight'"), e.getMessage());

        assertArrayEquals(before, Files.readAllBytes(out));
        assertEquals(List.of("model.safetensors"), listing());
    }

    @Test
    void aFailedComputationCreatesNoFileWhenThereWasNone() {
        Path out = dir.resolve("new.safetensors");
        assertThrows(
                EvaluationException.class,
                () -> SafetensorsWriter.write(out, Map.of("w", failingQuantize().scales()), Map.of()));
        assertTrue(Files.notExists(out));
        assertEquals(0, dir.toFile().list().length);
    }

    @Test
    void anArrayThatFailsWhileStreamingLeavesNoTempFile() throws IOException {
        Path out = dir.resolve("stream.safetensors");
        Files.writeString(out, "previous content");
        Path source = dir.resolve("source.safetensors");
        SafetensorsWriter.write(source, Map.of("x", Array.of(new float[] {1, 2, 3, 4}, 4)), Map.of());
        SafetensorsFile f = SafetensorsFile.open(source);
        Array view = f.get("x");
        f.close(); // the view can no longer be read: writing it fails half-way
        assertThrows(IllegalStateException.class, () -> SafetensorsWriter.write(out, Map.of("x", view), Map.of()));
        assertEquals("previous content", Files.readString(out));
        assertEquals(List.of("source.safetensors", "stream.safetensors"), listing());
    }

    @Test
    void aDirectoryAtTheDestinationIsRefused() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("sub.safetensors"));
        IOException e = assertThrows(
                IOException.class,
                () -> SafetensorsWriter.write(sub, Map.of("a", Array.of(new float[] {1}, 1)), Map.of()));
        assertTrue(e.getMessage().contains("directory"), e.getMessage());
        assertTrue(Files.isDirectory(sub));
        assertEquals(List.of("sub.safetensors"), listing());
    }

    @Test
    void aMissingDirectoryIsAnIoError() {
        Path out = dir.resolve("no/such/dir/out.safetensors");
        assertThrows(
                IOException.class,
                () -> SafetensorsWriter.write(out, Map.of("a", Array.of(new float[] {1}, 1)), Map.of()));
    }

    @Test
    void theMetadataKeyCannotNameATensor() throws IOException {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> SafetensorsWriter.write(
                        dir.resolve("x.safetensors"), Map.of("__metadata__", Array.of(new float[] {1}, 1)), Map.of()));
        assertTrue(e.getMessage().contains("__metadata__"), e.getMessage());
        assertEquals(List.of(), listing());
    }

    @Test
    void relativePathsWork() throws IOException {
        Path relative = Path.of("").toAbsolutePath().relativize(dir.resolve("rel.safetensors"));
        SafetensorsWriter.write(relative, Map.of("a", Array.of(new float[] {5}, 1)), Map.of());
        try (SafetensorsFile f = SafetensorsFile.open(relative)) {
            assertArrayEquals(new float[] {5}, f.get("a").toFloatArray());
        }
    }
}
