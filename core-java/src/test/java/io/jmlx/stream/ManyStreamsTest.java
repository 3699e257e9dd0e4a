package io.jmlx.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Eight streams, each given 10,000 ops at once by its own thread and evaluated asynchronously, give exactly what the
 * same ops give run one at a time on the default stream, each evaluated before the next is made.
 */
class ManyStreamsTest {
    private static final int STREAMS = 8;
    private static final int OPS = 10_000;

    /**
     * Op {@code i} of chain {@code c}: an added constant, a negation, a column permutation (a matmul), sign flips
     * and a round trip through a half type. Each changes the result in a way later ops do not undo, and the order
     * matters (negating and adding do not commute), so a lost, repeated or reordered op shows in the end.
     */
    private static Array step(Array x, Array permutation, int c, int i, Stream s) {
        return switch (i % 5) {
            case 0 -> Jmlx.add(x, Array.of(new float[] {((i * 7 + c) % 13 - 6) * 0.25f, 0.5f, -0.25f, c}, 4), s);
            case 1 -> Jmlx.negative(x, s);
            case 2 -> Jmlx.matmul(x, permutation, s);
            case 3 -> Jmlx.multiply(x, Array.of(new float[] {1, -1, (i / 5) % 2 == 0 ? 1 : -1, 1}, 4), s);
            default -> Jmlx.astype(Jmlx.astype(x, c % 2 == 0 ? DType.FLOAT16 : DType.BFLOAT16, s), DType.FLOAT32, s);
        };
    }

    /** A cyclic permutation of the four columns. */
    private static Array permutation() {
        float[] v = new float[16];
        for (int i = 0; i < 4; i++) {
            v[i * 4 + (i + 1) % 4] = 1;
        }
        return Array.of(v, 4, 4);
    }

    private static Array start(int c) {
        return Array.of(new float[] {c, 1, -1, 0.5f, 2, -c, 0, 1.5f}, 2, 4);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void eightStreamsOfTenThousandAsyncOpsEqualASequentialRun() throws Exception {
        List<float[]> sequential = new ArrayList<>();
        for (int c = 0; c < STREAMS; c++) {
            Array x = start(c);
            for (int i = 0; i < OPS; i++) {
                x = step(x, permutation(), c, i, null);
                Jmlx.eval(x);
            }
            sequential.add(x.toFloatArray());
        }

        for (int c = 1; c < STREAMS; c++) { // the chains carry their own inputs to the end
            assertFalse(Arrays.equals(sequential.get(c - 1), sequential.get(c)), "chains " + (c - 1) + " and " + c);
        }

        List<Stream> streams = new ArrayList<>();
        for (int c = 0; c < STREAMS; c++) {
            streams.add(Stream.newStream(Device.cpu()));
        }
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<float[]>> results = new ArrayList<>();
        for (int c = 0; c < STREAMS; c++) {
            int chain = c;
            results.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                Array x = start(chain);
                Array p = permutation();
                for (int i = 0; i < OPS; i++) {
                    x = step(x, p, chain, i, streams.get(chain));
                }
                Array last = x;
                return Jmlx.asyncEval(last)
                        .thenApply(done -> last.toFloatArray())
                        .join();
            }));
        }
        go.countDown();
        for (int c = 0; c < STREAMS; c++) {
            assertArrayEquals(sequential.get(c), results.get(c).get(4, TimeUnit.MINUTES), "chain " + c);
        }
    }
}
