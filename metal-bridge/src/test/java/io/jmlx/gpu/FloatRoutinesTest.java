package io.jmlx.gpu;

import static org.junit.jupiter.api.Assertions.fail;

import io.jmlx.DType;
import io.jmlx.gpu.testing.TestGpu;
import io.jmlx.gpu.vulkan.CommandRecorder;
import io.jmlx.gpu.vulkan.ComputePipeline;
import io.jmlx.kernels.FloatFormats;
import io.jmlx.kernels.FpCodecs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntBinaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The integer float routines the kernels rely on for driver-independent results (floats.glsl, elements.glsl),
 * run on the GPU through a test kernel and compared bit for bit with Java's IEEE arithmetic (division, addition,
 * multiplication, scaling by powers of two, all round to nearest even with subnormals; mulRn, which multiplies
 * in float, where its result is not subnormal) and with jmlx's CPU codecs
 * (float16, bfloat16, E4M3, E2M1, E8M0). Division is also checked with its float estimate skewed by ±3 units in
 * the last place, more than the 2.5 ULP Vulkan allows a driver: the result must not change.
 */
class FloatRoutinesTest {
    private static final int COUNT = 1 << 20;
    /** An expected value meaning "not checked": float multiplication with a subnormal result (device-defined). */
    private static final int IGNORE = 0x7FFFFFFF;

    private static final Map<Integer, ComputePipeline> PIPELINES = new HashMap<>();
    private static Gpu gpu;
    private static MemorySegment a;
    private static MemorySegment b;
    private static MemorySegment out;

    @BeforeAll
    static void buffers() {
        gpu = TestGpu.get();
        a = gpu.memory().allocate(4L * COUNT);
        b = gpu.memory().allocate(4L * COUNT);
        out = gpu.memory().allocate(4L * COUNT);
    }

    @AfterAll
    static void release() {
        PIPELINES.values().forEach(ComputePipeline::close);
        PIPELINES.clear();
        a = b = out = null;
    }

    @Test
    void divisionIsCorrectlyRoundedWhateverTheEstimate() {
        Random random = new Random(11);
        for (int skew : new int[] {0, -3, 3}) {
            for (int round = 0; round < 4; round++) {
                fill(random, FloatRoutinesTest::anyFloat, FloatRoutinesTest::anyFloat);
                check(skew, 0, "divRn", (x, y) -> bits(f(x) / f(y)));
            }
        }
    }

    @Test
    void additionAndSmallProductsAreCorrectlyRoundedWithSubnormals() {
        Random random = new Random(12);
        for (int round = 0; round < 3; round++) {
            fill(random, FloatRoutinesTest::anyFloat, FloatRoutinesTest::anyFloat);
            check(0, 1, "addRn", (x, y) -> bits(f(x) + f(y)));
            fill(random, FloatRoutinesTest::anyFloat, r -> r.nextInt(256));
            check(0, 2, "mulSmallRn", (x, y) -> bits(f(x) * (float) (y & 255)));
            fill(random, FloatRoutinesTest::normalOrSpecial, FloatRoutinesTest::normalOrSpecial);
            check(0, 12, "mulRn", (x, y) -> subnormal(f(x) * f(y)) ? IGNORE : bits(f(x) * f(y)));
            fill(random, FloatRoutinesTest::anyFloat, r -> r.nextInt(601) - 300);
            check(0, 3, "ldexpRn", (x, y) -> bits(Math.scalb(f(x), y)));
        }
    }

    @Test
    void halfTypeConversionsMatchTheCpu() {
        Random random = new Random(13);
        fill(random, FloatRoutinesTest::anyFloat, r -> r.nextInt(3));
        check(0, 4, "f32ToF16", (x, y) -> FloatFormats.toFloat16(f(x)) & 0xFFFF);
        check(0, 6, "f32ToBf16", (x, y) -> FloatFormats.toBFloat16(f(x)) & 0xFFFF);
        check(0, 11, "roundToType", (x, y) -> bits(FloatFormats.roundTo(type(y % 3), f(x))));
        fill(random, r -> r.nextInt(1 << 16), r -> 0);
        check(0, 5, "f16ToF32", (x, y) -> bits(Float.float16ToFloat((short) x)));
    }

    @Test
    void microscalingCodecsMatchTheCpu() {
        Random random = new Random(14);
        fill(random, FloatRoutinesTest::anyFloat, r -> r.nextInt(3));
        check(0, 7, "fp8Encode", (x, y) -> FpCodecs.fp8Encode(f(x)));
        check(0, 9, "fp4Encode", (x, y) -> FpCodecs.fp4Encode(f(x), type(y % 3)));
        fill(random, r -> r.nextInt(256), r -> 0);
        check(0, 8, "fp8Decode", (x, y) -> bits(FpCodecs.fp8Decode(x)));
        check(0, 10, "e8m0Decode", (x, y) -> bits(FpCodecs.e8m0Value(x)));
    }

    /** A random float32 bit pattern of any class, with the small exponents around the subnormal range favoured. */
    private static int anyFloat(Random random) {
        int bits = random.nextInt();
        return switch (random.nextInt(8)) {
            case 0 -> bits & 0x807FFFFF; // subnormal or zero
            case 1 -> (bits & 0x807FFFFF) | ((random.nextInt(40) + 1) << 23); // just above
            case 2 -> (bits & 0x80FFFFFF) | 0x3F000000; // around 1
            case 3 -> Float.floatToRawIntBits((random.nextInt(2001) - 1000) / 8f); // small multiples of 1/8
            case 4 -> (bits & 0xFFF00000) | (random.nextBoolean() ? 0x00080000 : 0x0007FFFF); // near ties
            case 5 -> random.nextBoolean() ? bits | 0x7F800000 : (bits & 0x80000000) | 0x7F800000; // NaN, inf
            default -> bits;
        };
    }

    /** A normal float, a zero or a non-finite value (never subnormal). */
    private static int normalOrSpecial(Random random) {
        int bits = anyFloat(random);
        return (bits & 0x7F800000) == 0 ? bits & 0x80000000 : bits;
    }

    private static boolean subnormal(float v) {
        return v != 0 && Math.abs(v) < Float.MIN_NORMAL;
    }

    private interface Source {
        int next(Random random);
    }

    private static void fill(Random random, Source x, Source y) {
        for (int i = 0; i < COUNT; i++) {
            a.setAtIndex(ValueLayout.JAVA_INT, i, x.next(random));
            b.setAtIndex(ValueLayout.JAVA_INT, i, y.next(random));
        }
    }

    private static void check(int skew, int op, String name, IntBinaryOperator expected) {
        run(skew, op);
        for (int i = 0; i < COUNT; i++) {
            int x = a.getAtIndex(ValueLayout.JAVA_INT, i);
            int y = b.getAtIndex(ValueLayout.JAVA_INT, i);
            int want = expected.applyAsInt(x, y);
            if (want == IGNORE) {
                continue;
            }
            int got = out.getAtIndex(ValueLayout.JAVA_INT, i);
            boolean bothNaN = Float.isNaN(Float.intBitsToFloat(want))
                    && Float.isNaN(Float.intBitsToFloat(got))
                    && op != 4
                    && op != 6
                    && op != 7
                    && op != 9;
            if (want != got && !bothNaN) {
                fail(name + (skew == 0 ? "" : " (estimate skewed " + skew + " ulp)") + " of " + hex(x) + ", " + hex(y)
                        + " (" + f(x) + ", " + f(y) + "): GPU " + hex(got) + ", Java " + hex(want));
            }
        }
    }

    private static void run(int skew, int op) {
        ComputePipeline pipeline = pipeline(skew);
        long[] buffers = new long[3];
        long[] offsets = new long[3];
        long[] ranges = new long[3];
        MemorySegment[] segments = {a, b, out};
        for (int i = 0; i < 3; i++) {
            GpuMemory.Location location = gpu.memory().locate(segments[i]).orElseThrow();
            buffers[i] = location.buffer();
            offsets[i] = location.offset();
            ranges[i] = segments[i].byteSize();
        }
        gpu.queue()
                .record(
                        List.of((CommandRecorder recorder) -> {
                            try (Arena arena = Arena.ofConfined()) {
                                recorder.dispatch(
                                        pipeline,
                                        buffers,
                                        offsets,
                                        ranges,
                                        arena.allocateFrom(ValueLayout.JAVA_INT, COUNT, op),
                                        COUNT / 64,
                                        1,
                                        1);
                            }
                        }),
                        () -> {},
                        null);
        gpu.queue().flush();
        gpu.device().waitIdle();
    }

    private static ComputePipeline pipeline(int skew) {
        return PIPELINES.computeIfAbsent(skew, s -> {
            try (InputStream in = FloatRoutinesTest.class.getResourceAsStream("/io/jmlx/gpu/spirv/float_ops.spv")) {
                return ComputePipeline.create(gpu.device(), "float_ops", in.readAllBytes(), 3, 8, new int[] {s});
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static DType type(int code) {
        return switch (code) {
            case 0 -> DType.FLOAT32;
            case 1 -> DType.FLOAT16;
            default -> DType.BFLOAT16;
        };
    }

    private static float f(int bits) {
        return Float.intBitsToFloat(bits);
    }

    private static int bits(float v) {
        return Float.floatToRawIntBits(v);
    }

    private static String hex(int v) {
        return String.format("0x%08x", v);
    }
}
