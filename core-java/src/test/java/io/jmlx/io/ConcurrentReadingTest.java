package io.jmlx.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.io.model.CheckpointWriter;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.io.safetensors.SafetensorsFile;
import io.jmlx.io.safetensors.SafetensorsWriter;
import io.jmlx.quant.QuantizedParts;
import io.jmlx.testing.RandomArrays;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One {@link SafetensorsFile} or {@link ModelCheckpoint} shared by many threads: their reads agree with the
 * arrays written; closing it while they read makes each read either complete correctly or fail with an
 * {@link IllegalStateException} saying the file was closed (never a crash), and the file is unmapped once
 * {@code close} returns, even when a view was being written to a channel at that moment.
 */
class ConcurrentReadingTest {
    private static final int TENSORS = 12;
    private static final int THREADS = 8;

    @TempDir
    static Path dir;

    static Map<String, Array> written;
    static Map<String, float[]> expected;
    static Path file;
    static Path model;

    @BeforeAll
    static void write() throws IOException {
        written = new TreeMap<>();
        expected = new TreeMap<>();
        for (int i = 0; i < TENSORS; i++) {
            Array a = RandomArrays.normal(i, 1f, DType.FLOAT32, 256, 512);
            written.put("layers." + i + ".weight", a);
            expected.put("layers." + i + ".weight", a.toFloatArray());
        }
        file = dir.resolve("weights.safetensors");
        SafetensorsWriter.write(file, written, Map.of());
        model = dir.resolve("model");
        CheckpointWriter.to(model).shardBytes(1_500_000).write(JsonNodeFactory.instance.objectNode(), written);
    }

    /** Runs {@code work} on {@link #THREADS} threads started together; rethrows the first failure. */
    private static void onManyThreads(int iterations, ThrowingConsumer work) throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        List<Throwable> failures = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int seed = t;
            threads.add(Thread.ofPlatform().start(() -> {
                Random random = new Random(seed);
                try {
                    start.await();
                    for (int i = 0; i < iterations; i++) {
                        work.accept("layers." + random.nextInt(TENSORS) + ".weight");
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }));
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.size() + " threads failed", failures.getFirst());
        }
    }

    @FunctionalInterface
    interface ThrowingConsumer {
        void accept(String name) throws Exception;
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void manyThreadsReadOneSafetensorsFile() throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            onManyThreads(100, name -> {
                assertArrayEquals(expected.get(name), f.get(name).toFloatArray(), name);
                assertEquals(DType.FLOAT32, f.info(name).dtype());
                assertTrue(f.names().contains(name));
            });
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void manyThreadsComputeOnOneShardedCheckpoint() throws Exception {
        Map<String, byte[]> quantized = new ConcurrentHashMap<>();
        for (String name : written.keySet()) {
            quantized.put(name, Jmlx.quantize(written.get(name), 64, 4).packed().toBytes());
        }
        try (ModelCheckpoint ckpt = ModelCheckpoint.open(model)) {
            assertTrue(ckpt.files().size() > 2, "sharded: " + ckpt.files());
            onManyThreads(20, name -> {
                QuantizedParts q = Jmlx.quantize(ckpt.get(name), 64, 4);
                assertArrayEquals(quantized.get(name), q.packed().toBytes(), name);
                assertArrayEquals(expected.get(name), ckpt.get(name).toFloatArray(), name);
            });
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void closingASafetensorsFileWhileOthersReadIsSafe() throws Exception {
        for (int round = 0; round < 10; round++) {
            SafetensorsFile f = SafetensorsFile.open(file);
            closeWhileReading(f, f::get, round);
            assertUnmapped(file);
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void closingACheckpointWhileOthersReadIsSafe() throws Exception {
        for (int round = 0; round < 5; round++) {
            ModelCheckpoint ckpt = ModelCheckpoint.open(model);
            List<Path> shards = ckpt.files();
            closeWhileReading(ckpt, ckpt::get, round);
            for (Path shard : shards) {
                assertUnmapped(shard);
            }
        }
    }

    /**
     * Readers of four kinds (a plain copy, an op on the stream, a quantize, a channel writing a view: the JDK
     * refuses to unmap memory lent to I/O) run until {@code source} is closed under them, a few milliseconds in.
     */
    private static void closeWhileReading(AutoCloseable source, Function<String, Array> get, int round)
            throws Exception {
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch running = new CountDownLatch(4);
        List<Throwable> wrong = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        Path sink = dir.resolve("sink-" + round);
        for (int kind = 0; kind < 4; kind++) {
            int k = kind;
            readers.add(Thread.ofPlatform().start(() -> {
                Random random = new Random(k);
                running.countDown();
                try (FileChannel out = FileChannel.open(
                        sink.resolveSibling(sink.getFileName() + "-" + k),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE)) {
                    for (int i = 0; i < 100_000; i++) {
                        String name = "layers." + random.nextInt(TENSORS) + ".weight";
                        try {
                            Array a = get.apply(name);
                            switch (k) {
                                case 0 -> assertArrayEquals(expected.get(name), a.toFloatArray());
                                case 1 ->
                                    assertEquals(256, Jmlx.sum(a, 1, false).toFloatArray().length);
                                case 2 -> Jmlx.quantize(a, 64, 4).packed().data();
                                default -> out.write(a.data().asByteBuffer(), 0);
                            }
                            completed.incrementAndGet();
                        } catch (RuntimeException e) {
                            if (!saysClosed(e)) {
                                throw e;
                            }
                            refused.incrementAndGet();
                            return;
                        }
                    }
                } catch (Throwable e) {
                    synchronized (wrong) {
                        wrong.add(e);
                    }
                }
            }));
        }
        running.await();
        Thread.sleep(5 + round);
        source.close(); // must neither throw nor crash, whatever the readers are doing
        for (Thread t : readers) {
            t.join();
        }
        if (!wrong.isEmpty()) {
            fail("a reader failed otherwise than with 'closed'", wrong.getFirst());
        }
        assertEquals(4, refused.get(), "every reader is stopped by the close (" + completed + " reads completed)");
    }

    /** The close's {@link IllegalStateException}, possibly wrapped by the op that read the file. */
    private static boolean saysClosed(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalStateException
                    && t.getMessage() != null
                    && t.getMessage().contains("closed")) {
                return true;
            }
        }
        return false;
    }

    /** The file no longer appears among this process's memory mappings (Linux; elsewhere nothing is checked). */
    private static void assertUnmapped(Path path) throws IOException {
        Path maps = Path.of("/proc/self/maps");
        if (Files.isReadable(maps)) {
            String real = path.toRealPath().toString();
            assertFalse(Files.readString(maps).contains(real), real + " is still mapped after close");
        }
    }
}
