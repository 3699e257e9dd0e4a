package io.jmlx.backend;

/**
 * MLX's reductions along one axis: {@code sum} and {@code mean} (accumulated in double precision), {@code max} (NaN
 * if any element is NaN), {@code logsumexp} (computed stably as m + log Σ exp(x − m)) and {@code argmax} (uint32
 * index of the first maximum).
 */
public enum Reduction {
    SUM("sum", true),
    MEAN("mean", true),
    MAX("max", false),
    LOGSUMEXP("logsumexp", false),
    ARGMAX("argmax", false);

    private final String mlxName;
    private final boolean emptyAllowed;

    Reduction(String mlxName, boolean emptyAllowed) {
        this.mlxName = mlxName;
        this.emptyAllowed = emptyAllowed;
    }

    /** MLX's name, e.g. {@code logsumexp}. */
    public String mlxName() {
        return mlxName;
    }

    /** True when an empty axis has a value (0 for a sum, NaN for a mean). */
    public boolean emptyAllowed() {
        return emptyAllowed;
    }
}
