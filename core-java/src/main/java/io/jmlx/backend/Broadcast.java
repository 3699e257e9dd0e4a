package io.jmlx.backend;

/**
 * The shapes of a broadcast binary op: the output's and each operand's (NumPy's rules: operands aligned on their
 * last axes, size-1 and missing axes repeated).
 */
public record Broadcast(int[] out, int[] a, int[] b) {
    /** Copies the shapes. */
    public Broadcast {
        out = out.clone();
        a = a.clone();
        b = b.clone();
    }

    @Override
    public int[] out() {
        return out.clone();
    }

    @Override
    public int[] a() {
        return a.clone();
    }

    @Override
    public int[] b() {
        return b.clone();
    }
}
