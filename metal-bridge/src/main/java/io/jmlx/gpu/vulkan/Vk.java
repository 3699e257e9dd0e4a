package io.jmlx.gpu.vulkan;

/** The Vulkan enum values and flag bits the compute bindings use, with the names of {@code vulkan_core.h}. */
public final class Vk {
    private Vk() {}

    /** {@code VK_MAKE_API_VERSION(0, major, minor, 0)}. */
    public static int apiVersion(int major, int minor) {
        return (major << 22) | (minor << 12);
    }

    /** {@code major.minor.patch} of a packed API version. */
    public static String versionString(int v) {
        return (v >>> 22 & 0x7F) + "." + (v >>> 12 & 0x3FF) + "." + (v & 0xFFF);
    }

    public static final int SUCCESS = 0;
    public static final int TIMEOUT = 2;
    public static final int INCOMPLETE = 5;

    public static final int STRUCTURE_TYPE_APPLICATION_INFO = 0;
    public static final int STRUCTURE_TYPE_INSTANCE_CREATE_INFO = 1;
    public static final int STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO = 2;
    public static final int STRUCTURE_TYPE_DEVICE_CREATE_INFO = 3;
    public static final int STRUCTURE_TYPE_SUBMIT_INFO = 4;
    public static final int STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO = 5;
    public static final int STRUCTURE_TYPE_FENCE_CREATE_INFO = 8;
    public static final int STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO = 11;
    public static final int STRUCTURE_TYPE_BUFFER_CREATE_INFO = 12;
    public static final int STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO = 16;
    public static final int STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO = 18;
    public static final int STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO = 29;
    public static final int STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO = 30;
    public static final int STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO = 32;
    public static final int STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO = 33;
    public static final int STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO = 34;
    public static final int STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET = 35;
    public static final int STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO = 39;
    public static final int STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO = 40;
    public static final int STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO = 42;
    public static final int STRUCTURE_TYPE_MEMORY_BARRIER = 46;
    public static final int STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2 = 1000059001;
    public static final int STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES = 1000094000;

    public static final int INSTANCE_CREATE_ENUMERATE_PORTABILITY_BIT_KHR = 0x1;
    public static final String KHR_PORTABILITY_ENUMERATION = "VK_KHR_portability_enumeration";
    public static final String KHR_PORTABILITY_SUBSET = "VK_KHR_portability_subset";

    public static final int PHYSICAL_DEVICE_TYPE_OTHER = 0;
    public static final int PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU = 1;
    public static final int PHYSICAL_DEVICE_TYPE_DISCRETE_GPU = 2;
    public static final int PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU = 3;
    public static final int PHYSICAL_DEVICE_TYPE_CPU = 4;

    public static final int QUEUE_COMPUTE_BIT = 0x2;

    public static final int MEMORY_PROPERTY_DEVICE_LOCAL_BIT = 0x1;
    public static final int MEMORY_PROPERTY_HOST_VISIBLE_BIT = 0x2;
    public static final int MEMORY_PROPERTY_HOST_COHERENT_BIT = 0x4;
    public static final int MEMORY_PROPERTY_HOST_CACHED_BIT = 0x8;

    public static final int BUFFER_USAGE_TRANSFER_SRC_BIT = 0x1;
    public static final int BUFFER_USAGE_TRANSFER_DST_BIT = 0x2;
    public static final int BUFFER_USAGE_STORAGE_BUFFER_BIT = 0x20;
    public static final int SHARING_MODE_EXCLUSIVE = 0;

    public static final int DESCRIPTOR_TYPE_STORAGE_BUFFER = 7;
    public static final int SHADER_STAGE_COMPUTE_BIT = 0x20;

    public static final int COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT = 0x2;
    public static final int COMMAND_BUFFER_LEVEL_PRIMARY = 0;
    public static final int COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT = 0x1;
    public static final int PIPELINE_BIND_POINT_COMPUTE = 1;

    public static final int PIPELINE_STAGE_TOP_OF_PIPE_BIT = 0x1;
    public static final int PIPELINE_STAGE_COMPUTE_SHADER_BIT = 0x800;
    public static final int PIPELINE_STAGE_TRANSFER_BIT = 0x1000;
    public static final int PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT = 0x2000;
    public static final int PIPELINE_STAGE_HOST_BIT = 0x4000;

    public static final int ACCESS_SHADER_READ_BIT = 0x20;
    public static final int ACCESS_SHADER_WRITE_BIT = 0x40;
    public static final int ACCESS_TRANSFER_READ_BIT = 0x800;
    public static final int ACCESS_TRANSFER_WRITE_BIT = 0x1000;
    public static final int ACCESS_HOST_READ_BIT = 0x2000;
    public static final int ACCESS_HOST_WRITE_BIT = 0x4000;

    public static final int QUERY_TYPE_TIMESTAMP = 2;
    public static final int QUERY_RESULT_64_BIT = 0x1;
    public static final int QUERY_RESULT_WAIT_BIT = 0x2;

    public static final int SUBGROUP_FEATURE_BASIC_BIT = 0x1;
    public static final int SUBGROUP_FEATURE_ARITHMETIC_BIT = 0x4;
}
