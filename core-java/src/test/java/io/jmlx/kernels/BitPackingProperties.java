package io.jmlx.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** MLX's packing (spec §2.1): a little-endian bit stream per row, for every bit width. */
class BitPackingProperties {

    record Row(int bits, int[] codes) {
        @Override
        public String toString() {
            return "bits=" + bits + " codes=" + Arrays.toString(codes);
        }
    }

    @Provide
    Arbitrary<Row> rows() {
        return Arbitraries.of(2, 3, 4, 5, 6, 8)
                .flatMap(bits -> Arbitraries.integers()
                        .between(1, 8)
                        .flatMap(packs -> Arbitraries.integers()
                                .between(0, (1 << bits) - 1)
                                .array(int[].class)
                                .ofSize(32 * packs)
                                .map(codes -> new Row(bits, codes))));
    }

    @Property
    void unpackInvertsPack(@ForAll("rows") Row row) {
        MemorySegment packed = Arena.ofAuto().allocate(BitPacking.words(row.codes().length, row.bits()) * 4);
        BitPacking.packRow(row.codes(), row.codes().length, row.bits(), packed, 0);
        int[] back = new int[row.codes().length];
        BitPacking.unpackRow(packed, 0, back.length, row.bits(), back);
        assertArrayEquals(row.codes(), back);
    }

    @Property
    void codeBitsSitAtTheirStreamPosition(@ForAll("rows") Row row) {
        MemorySegment packed = Arena.ofAuto().allocate(BitPacking.words(row.codes().length, row.bits()) * 4);
        BitPacking.packRow(row.codes(), row.codes().length, row.bits(), packed, 0);
        byte[] bytes = packed.toArray(ValueLayout.JAVA_BYTE);
        for (int j = 0; j < row.codes().length; j++) {
            for (int t = 0; t < row.bits(); t++) {
                int streamBit = j * row.bits() + t;
                int bit = (bytes[streamBit / 8] >> (streamBit % 8)) & 1;
                assertEquals((row.codes()[j] >> t) & 1, bit, "bit " + t + " of code " + j);
            }
        }
    }

    @Property
    void rowsNeverShareWords(@ForAll("rows") Row row) {
        // Two rows packed back to back: the second starts exactly at word codes*bits/32.
        int n = row.codes().length;
        long wordsPerRow = BitPacking.words(n, row.bits());
        assertEquals(0, (long) n * row.bits() % 32);
        MemorySegment packed = Arena.ofAuto().allocate(2 * wordsPerRow * 4);
        int[] other =
                Arrays.stream(row.codes()).map(c -> (1 << row.bits()) - 1 - c).toArray();
        BitPacking.packRow(row.codes(), n, row.bits(), packed, 0);
        BitPacking.packRow(other, n, row.bits(), packed, wordsPerRow);
        int[] first = new int[n];
        int[] second = new int[n];
        BitPacking.unpackRow(packed, 0, n, row.bits(), first);
        BitPacking.unpackRow(packed, wordsPerRow, n, row.bits(), second);
        assertArrayEquals(row.codes(), first);
        assertArrayEquals(other, second);
    }
}
