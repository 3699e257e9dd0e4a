package io.jmlx.kernels.vector;

import io.jmlx.DType;
import io.jmlx.kernels.BitPacking;
import io.jmlx.kernels.FpFormat;
import java.lang.foreign.MemorySegment;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** {@link VectorKernels} and the reference agree byte for byte on random shapes, types, settings and values. */
class VectorQuantizeAgreementProperties {

    record Case(DType dtype, int bits, int groupSize, int rows, int groupsPerRow, long seed, float magnitude) {
        int cols() {
            return groupSize * groupsPerRow;
        }

        @Override
        public String toString() {
            return dtype + " bits=" + bits + " g=" + groupSize + " " + rows + "x" + cols() + " seed=" + seed
                    + " magnitude=" + magnitude;
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        return Combinators.combine(
                        Arbitraries.of(DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16),
                        Arbitraries.of(2, 3, 4, 5, 6, 8),
                        Arbitraries.of(32, 64, 128),
                        Arbitraries.integers().between(1, 40),
                        Arbitraries.integers().between(1, 40),
                        Arbitraries.longs(),
                        Arbitraries.of(1e-6f, 1e-3f, 1f, 30f, 1e4f))
                .as(Case::new);
    }

    @Property(tries = 200)
    void affineQuantize(@ForAll("cases") Case c) {
        MemorySegment w =
                AgreementCases.weights(c.dtype(), c.rows(), c.cols(), c.bits(), c.seed(), c.magnitude(), false);
        AgreementCases.assertAffineQuantizeAgrees(
                w, c.dtype(), c.rows(), c.cols(), c.groupSize(), c.bits(), c.toString());
    }

    @Property(tries = 100)
    void affineDequantize(@ForAll("cases") Case c) {
        long groups = (long) c.rows() * c.groupsPerRow();
        MemorySegment packed =
                AgreementCases.randomBytes(c.rows() * BitPacking.words(c.cols(), c.bits()) * 4, c.seed());
        MemorySegment scales = AgreementCases.parameters(c.dtype(), groups, c.seed() + 1, true);
        MemorySegment biases = AgreementCases.parameters(c.dtype(), groups, c.seed() + 2, false);
        AgreementCases.assertAffineDequantizeAgrees(
                packed, scales, biases, c.dtype(), c.rows(), c.cols(), c.groupSize(), c.bits(), c.toString());
    }

    @Property(tries = 100)
    void microscaledQuantize(@ForAll("cases") Case c, @ForAll FpFormat format) {
        Float global = format == FpFormat.NVFP4 && c.seed() % 2 == 0 ? c.magnitude() / 7 : null;
        MemorySegment w = AgreementCases.weights(c.dtype(), c.rows(), c.cols(), 4, c.seed(), c.magnitude(), true);
        AgreementCases.assertFpQuantizeAgrees(
                w, c.dtype(), c.rows(), c.cols(), format, global, c + " " + format + " global=" + global);
    }

    @Property(tries = 100)
    void microscaledDequantize(@ForAll("cases") Case c, @ForAll FpFormat format) {
        Float global = format == FpFormat.NVFP4 && c.seed() % 2 == 0 ? c.magnitude() : null;
        MemorySegment packed =
                AgreementCases.randomBytes(c.rows() * BitPacking.words(c.cols(), format.bits()) * 4, c.seed());
        MemorySegment scales =
                AgreementCases.randomBytes((long) c.rows() * (c.cols() / format.groupSize()), c.seed() + 1);
        AgreementCases.assertFpDequantizeAgrees(
                packed, scales, c.rows(), c.cols(), format, global, c.dtype(), c + " " + format + " global=" + global);
    }
}
