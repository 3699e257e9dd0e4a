package io.jmlx.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species the quantization kernels share: float, int and long lanes of one shape (the machine's
 * preferred one, capped at 512 bits so that a vector never holds more than 16 floats and always divides a block of
 * 16 codes), plus the short and byte species that narrowing conversions of such a vector land in.
 */
final class LaneShapes {
    private LaneShapes() {}

    /** The common shape: the preferred one, at most 512 bits. */
    static final VectorShape SHAPE =
            VectorShape.forBitSize(Math.min(512, FloatVector.SPECIES_PREFERRED.vectorBitSize()));

    /** Float lanes. */
    static final VectorSpecies<Float> F = VectorSpecies.of(float.class, SHAPE);

    /** Int lanes, as many as {@link #F} has. */
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, SHAPE);

    /** Long lanes: half as many, each holding two int lanes (low lane in the low half). */
    static final VectorSpecies<Long> L = VectorSpecies.of(long.class, SHAPE);

    /** Lanes per float vector: 4, 8 or 16 where the kernels are usable. */
    static final int LANES = F.length();

    /** Short lanes, as many as {@link #F} has (half the bits). */
    static final VectorSpecies<Short> S =
            VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, LANES * 16)));

    /**
     * Byte lanes: at least as many as {@link #F} has, at least 128 bits (conversions into 64-bit byte vectors are not
     * compiled to vector instructions on x86: they ran about 80 times slower).
     */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(128, LANES * 8)));

    /** Codes per block: the unit the packing works in (16 codes of b bits are 2b whole bytes). */
    static final int BLOCK = 16;

    /** Vectors per block. */
    static final int PER_BLOCK = BLOCK / Math.max(1, LANES);

    /** True when this machine's vectors fit the kernels (4 to 16 float lanes); otherwise they use the reference. */
    static final boolean USABLE = LANES >= 4 && LANES <= 16;
}
