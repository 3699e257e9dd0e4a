package io.jmlx.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend's memory: aligned segments that are not zero-filled (poisoned on demand), whose blocks come back
 * to a pool once unreachable, and whose total stays bounded when garbage piles up.
 */
class NativeBlocksTest {
    private static final long MIB = 1 << 20;

    @Test
    void poisonedSegmentsAreAlignedAndFilledWithOnes() {
        NativeBlocks memory = new NativeBlocks(true, 64 * MIB);
        MemorySegment s = memory.allocate(1000);
        assertEquals(1000, s.byteSize());
        assertEquals(0, s.address() % 64);
        for (long i = 0; i < s.byteSize(); i++) {
            assertEquals((byte) 0xFF, s.get(ValueLayout.JAVA_BYTE, i));
        }
        s.set(ValueLayout.JAVA_LONG, 992, 42L);
        assertEquals(42L, s.get(ValueLayout.JAVA_LONG, 992));
    }

    @Test
    void unreachableSegmentsReturnTheirBlocksToThePool() throws InterruptedException {
        NativeBlocks memory = new NativeBlocks(false, 64 * MIB);
        allocateAndDrop(memory, 4 * MIB);
        for (int i = 0; i < 100 && memory.outstanding() > 0; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(0, memory.outstanding(), "the dropped segment's block came back");
        long pooled = memory.pooled();
        assertTrue(pooled >= 4 * MIB, "and is kept for reuse: " + pooled);
        MemorySegment again = memory.allocate(4 * MIB);
        assertEquals(pooled - 4 * MIB - 64, memory.pooled(), "the next segment of that size takes it");
        assertEquals(4 * MIB, again.byteSize());
    }

    @Test
    void garbageDoesNotPileUpPastTheLimit() {
        long limit = 16 * MIB;
        NativeBlocks memory = new NativeBlocks(false, limit);
        long most = 0;
        for (int i = 0; i < 200; i++) {
            allocateAndDrop(memory, MIB);
            most = Math.max(most, memory.outstanding());
        }
        assertTrue(most <= limit + 2 * MIB, "at most the limit was outstanding, but " + most + " bytes were");
    }

    /** What makes every other test a check that kernels write their whole outputs. */
    @Test
    void theTestsRunOnPoisonedMemory() {
        assertTrue(Boolean.getBoolean(NativeBlocks.POISON_PROPERTY), "the tests run with -Djmlx.memory.poison=true");
        assertTrue(NativeBlocksTest.class.getModule().isNativeAccessEnabled(), "and with native access");
    }

    private static void allocateAndDrop(NativeBlocks memory, long bytes) {
        memory.allocate(bytes).set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
    }
}
