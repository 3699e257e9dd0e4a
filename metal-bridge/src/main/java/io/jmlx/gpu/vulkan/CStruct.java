package io.jmlx.gpu.vulkan;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A C struct as the platform's C compiler lays it out: fields in order, each at the next offset aligned to its
 * own alignment, the size rounded up to the largest alignment. Fields are declared once by name and type
 * ({@link #u32}, {@link #u64}, {@link #ptr}, nested structs, arrays); the layout, the byte offset of every field
 * (nested ones by dotted path, e.g. {@code limits.maxStorageBufferRange}) and typed accessors follow from that.
 * {@code StructLayoutTest} checks every offset against the C headers. 64-bit platforms only.
 */
public final class CStruct {
    /** One field: its name and its layout (a value, an array or a nested struct). */
    public record Field(String name, MemoryLayout layout, CStruct nested) {}

    private final String name;
    private final List<Field> fields;
    private final StructLayout layout;
    private final Map<String, Long> offsets = new LinkedHashMap<>();

    private CStruct(String name, List<Field> fields) {
        if (ValueLayout.ADDRESS.byteSize() != 8) {
            throw new UnsupportedOperationException("jmlx's Vulkan bindings need a 64-bit platform");
        }
        this.name = name;
        this.fields = List.copyOf(fields);
        List<MemoryLayout> members = new ArrayList<>();
        long offset = 0;
        long maxAlign = 1;
        for (Field f : fields) {
            long align = f.layout().byteAlignment();
            maxAlign = Math.max(maxAlign, align);
            long aligned = (offset + align - 1) / align * align;
            if (aligned > offset) {
                members.add(MemoryLayout.paddingLayout(aligned - offset));
            }
            members.add(f.layout().withName(f.name()));
            offsets.put(f.name(), aligned);
            if (f.nested() != null) {
                for (Map.Entry<String, Long> inner : f.nested().offsets.entrySet()) {
                    offsets.put(f.name() + "." + inner.getKey(), aligned + inner.getValue());
                }
            }
            offset = aligned + f.layout().byteSize();
        }
        long size = (offset + maxAlign - 1) / maxAlign * maxAlign;
        if (size > offset) {
            members.add(MemoryLayout.paddingLayout(size - offset));
        }
        this.layout =
                MemoryLayout.structLayout(members.toArray(MemoryLayout[]::new)).withName(name);
    }

    /** A struct of the given fields, in declaration order. */
    public static CStruct of(String name, Field... fields) {
        return new CStruct(name, List.of(fields));
    }

    /** {@code uint32_t}, {@code int32_t}, enums, flags and {@code VkBool32}. */
    public static Field u32(String name) {
        return new Field(name, ValueLayout.JAVA_INT, null);
    }

    /** {@code uint64_t}, {@code VkDeviceSize}, {@code size_t} and non-dispatchable handles. */
    public static Field u64(String name) {
        return new Field(name, ValueLayout.JAVA_LONG, null);
    }

    /** {@code float}. */
    public static Field f32(String name) {
        return new Field(name, ValueLayout.JAVA_FLOAT, null);
    }

    /** A pointer or a dispatchable handle. */
    public static Field ptr(String name) {
        return new Field(name, ValueLayout.ADDRESS, null);
    }

    /** {@code char name[length]} or {@code uint8_t name[length]}. */
    public static Field bytes(String name, int length) {
        return new Field(name, MemoryLayout.sequenceLayout(length, ValueLayout.JAVA_BYTE), null);
    }

    /** {@code uint32_t name[length]}. */
    public static Field u32s(String name, int length) {
        return new Field(name, MemoryLayout.sequenceLayout(length, ValueLayout.JAVA_INT), null);
    }

    /** {@code float name[length]}. */
    public static Field f32s(String name, int length) {
        return new Field(name, MemoryLayout.sequenceLayout(length, ValueLayout.JAVA_FLOAT), null);
    }

    /** A nested struct. */
    public static Field struct(String name, CStruct type) {
        return new Field(name, type.layout, type);
    }

    /** An array of {@code length} structs. */
    public static Field structs(String name, CStruct type, int length) {
        return new Field(name, MemoryLayout.sequenceLayout(length, type.layout), null);
    }

    /** The C name, e.g. {@code VkBufferCreateInfo}. */
    public String name() {
        return name;
    }

    /** The fields as declared. */
    public List<Field> fields() {
        return fields;
    }

    /** The memory layout, padding included. */
    public StructLayout layout() {
        return layout;
    }

    /** {@code sizeof} this struct. */
    public long size() {
        return layout.byteSize();
    }

    /** Every field's offset by path: top-level names, then {@code outer.inner} for fields of nested structs. */
    public Map<String, Long> offsets() {
        return Collections.unmodifiableMap(offsets);
    }

    /** The byte offset of a field ({@code a} or {@code a.b}). */
    public long offset(String path) {
        Long o = offsets.get(path);
        if (o == null) {
            throw new IllegalArgumentException(name + " has no field " + path);
        }
        return o;
    }

    /** A zeroed struct (or {@code count} consecutive structs) from {@code arena}. */
    public MemorySegment allocate(Arena arena, long count) {
        return arena.allocate(layout, count);
    }

    /** A zeroed struct from {@code arena}. */
    public MemorySegment allocate(Arena arena) {
        return arena.allocate(layout);
    }

    /** Element {@code index} of an array of these structs. */
    public MemorySegment at(MemorySegment array, long index) {
        return array.asSlice(index * size(), size());
    }

    public void setInt(MemorySegment s, String field, int value) {
        s.set(ValueLayout.JAVA_INT, offset(field), value);
    }

    public void setLong(MemorySegment s, String field, long value) {
        s.set(ValueLayout.JAVA_LONG, offset(field), value);
    }

    public void setFloat(MemorySegment s, String field, float value) {
        s.set(ValueLayout.JAVA_FLOAT, offset(field), value);
    }

    public void setAddress(MemorySegment s, String field, MemorySegment value) {
        s.set(ValueLayout.ADDRESS, offset(field), value);
    }

    public int getInt(MemorySegment s, String field) {
        return s.get(ValueLayout.JAVA_INT, offset(field));
    }

    /** Element {@code index} of a {@code uint32_t[]} field. */
    public int getInt(MemorySegment s, String field, int index) {
        return s.get(ValueLayout.JAVA_INT, offset(field) + 4L * index);
    }

    public long getLong(MemorySegment s, String field) {
        return s.get(ValueLayout.JAVA_LONG, offset(field));
    }

    public float getFloat(MemorySegment s, String field) {
        return s.get(ValueLayout.JAVA_FLOAT, offset(field));
    }

    public MemorySegment getAddress(MemorySegment s, String field) {
        return s.get(AddressLayout.ADDRESS, offset(field));
    }

    /** A NUL-terminated {@code char[]} field as a Java string. */
    public String getString(MemorySegment s, String field) {
        return s.asSlice(offset(field)).getString(0, StandardCharsets.UTF_8);
    }

    /** The bytes of a {@code uint8_t[]} field. */
    public byte[] getBytes(MemorySegment s, String field, int length) {
        return s.asSlice(offset(field), length).toArray(ValueLayout.JAVA_BYTE);
    }

    @Override
    public String toString() {
        return name;
    }
}
