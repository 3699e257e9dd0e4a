/** A Java module using jmlx from the module path: only the exported API, the CPU backend found as a service. */
module consumer.java {
    requires io.jmlx.core;
}
