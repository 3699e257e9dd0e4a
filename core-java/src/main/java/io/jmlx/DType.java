package io.jmlx;

import java.util.Locale;

/**
 * Element types of an {@link Array}, with MLX's names ({@code float32}, {@code bfloat16}, ...) and the
 * codes safetensors files use ({@code F32}, {@code BF16}, ...). Data is always little-endian.
 */
public enum DType {
    BOOL("bool", "BOOL", 1, Kind.BOOL),
    UINT8("uint8", "U8", 1, Kind.UNSIGNED),
    UINT16("uint16", "U16", 2, Kind.UNSIGNED),
    UINT32("uint32", "U32", 4, Kind.UNSIGNED),
    UINT64("uint64", "U64", 8, Kind.UNSIGNED),
    INT8("int8", "I8", 1, Kind.SIGNED),
    INT16("int16", "I16", 2, Kind.SIGNED),
    INT32("int32", "I32", 4, Kind.SIGNED),
    INT64("int64", "I64", 8, Kind.SIGNED),
    FLOAT16("float16", "F16", 2, Kind.FLOAT),
    BFLOAT16("bfloat16", "BF16", 2, Kind.FLOAT),
    FLOAT32("float32", "F32", 4, Kind.FLOAT),
    FLOAT64("float64", "F64", 8, Kind.FLOAT),
    /** 8-bit float (E4M3), storage only: read and written by safetensors, not computed on. */
    FLOAT8_E4M3("float8_e4m3", "F8_E4M3", 1, Kind.STORAGE),
    /** 8-bit float (E5M2), storage only: read and written by safetensors, not computed on. */
    FLOAT8_E5M2("float8_e5m2", "F8_E5M2", 1, Kind.STORAGE);

    private enum Kind {
        BOOL,
        UNSIGNED,
        SIGNED,
        FLOAT,
        STORAGE
    }

    private final String mlxName;
    private final String safetensorsCode;
    private final int byteSize;
    private final Kind kind;

    DType(String mlxName, String safetensorsCode, int byteSize, Kind kind) {
        this.mlxName = mlxName;
        this.safetensorsCode = safetensorsCode;
        this.byteSize = byteSize;
        this.kind = kind;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** MLX's name for this type, e.g. {@code bfloat16}. */
    public String mlxName() {
        return mlxName;
    }

    /** The dtype code used in safetensors headers, e.g. {@code BF16}. */
    public String safetensorsCode() {
        return safetensorsCode;
    }

    /** True for the real floating types that ops compute on: float16, bfloat16, float32, float64. */
    public boolean isFloating() {
        return kind == Kind.FLOAT;
    }

    /** True for signed and unsigned integer types. */
    public boolean isInteger() {
        return kind == Kind.SIGNED || kind == Kind.UNSIGNED;
    }

    /**
     * The type MLX gives the result of a binary op on {@code a} and {@code b}: the floating type wins over an
     * integer one, the wider float wins between floats, and float16 with bfloat16 gives float32.
     */
    public static DType promote(DType a, DType b) {
        if (a == b) {
            return a;
        }
        if (a.isFloating() != b.isFloating()) {
            return a.isFloating() ? a : b;
        }
        if (a.isFloating()) {
            if ((a == FLOAT16 && b == BFLOAT16) || (a == BFLOAT16 && b == FLOAT16)) {
                return FLOAT32;
            }
            return a.byteSize >= b.byteSize ? a : b;
        }
        if (a.kind == b.kind || a.kind == Kind.BOOL || b.kind == Kind.BOOL) {
            return a.byteSize >= b.byteSize ? a : b;
        }
        DType signed = a.kind == Kind.SIGNED ? a : b;
        DType unsigned = a.kind == Kind.SIGNED ? b : a;
        if (signed.byteSize > unsigned.byteSize) {
            return signed;
        }
        return switch (unsigned.byteSize) {
            case 1 -> INT16;
            case 2 -> INT32;
            default -> INT64;
        };
    }

    /** Looks a type up by its safetensors code ({@code F32}); throws naming the code and the known ones. */
    public static DType fromSafetensorsCode(String code) {
        for (DType t : values()) {
            if (t.safetensorsCode.equals(code)) {
                return t;
            }
        }
        throw new IllegalArgumentException("Unknown safetensors dtype '" + code + "'; expected one of " + knownCodes());
    }

    /** Looks a type up by MLX's name ({@code float16}) or its safetensors code ({@code F16}), case-insensitively. */
    public static DType parse(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (DType t : values()) {
            if (t.mlxName.equals(wanted)
                    || t.safetensorsCode.toLowerCase(Locale.ROOT).equals(wanted)) {
                return t;
            }
        }
        throw new IllegalArgumentException("Unknown dtype '" + name + "'; expected one of float32, float16, "
                + "bfloat16, float64, uint8, uint16, uint32, uint64, int8, int16, int32, int64, bool");
    }

    private static String knownCodes() {
        StringBuilder sb = new StringBuilder();
        for (DType t : values()) {
            sb.append(sb.isEmpty() ? "" : ", ").append(t.safetensorsCode);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return mlxName;
    }
}
