package io.jmlx.nn;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A node of a model (MLX's {@code nn.Module}): named {@link Parameter}s and named child modules, in the order they
 * were added. Paths are dotted names relative to the module they are asked of, e.g.
 * {@code model.layers.0.mlp.up_proj}; the items of a {@link ModuleList} are named {@code 0}, {@code 1}, ...
 *
 * <p>Build your own modules by subclassing (or {@link Layer} for something with a forward pass) and adding children
 * and parameters in the constructor; read them back through the returned handles:
 *
 * <pre>{@code
 * final class Mlp extends Layer {
 *     private final Child<Layer> up;
 *     private final Child<Layer> down;
 *
 *     Mlp(int dims, int hidden) {
 *         up = addChild("up_proj", Layer.class, new Linear(dims, hidden));
 *         down = addChild("down_proj", Layer.class, new Linear(hidden, dims));
 *     }
 *
 *     public Array forward(Array x) {
 *         return down.get().forward(up.get().forward(x));
 *     }
 * }
 * }</pre>
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Child<?>> children = new LinkedHashMap<>();

    /** An empty module; subclasses add their parameters and children in their constructors. */
    protected Module() {}

    // ---------------------------------------------------------------- building

    /**
     * Adds a parameter named {@code name} (no dots, unique within this module) holding {@code value}; returns the
     * handle to read it through.
     */
    protected final Parameter addParameter(String name, Array value) {
        checkNewName(name);
        Objects.requireNonNull(
                value, () -> "parameter '" + name + "' of " + getClass().getName() + " is null");
        Parameter p = new Parameter(name, value);
        parameters.put(name, p);
        return p;
    }

    /**
     * Adds a child module named {@code name} (no dots, unique within this module), declared as {@code type}: the
     * child can later be replaced by any instance of {@code type}. Returns the handle to read it through.
     */
    protected final <T extends Module> Child<T> addChild(String name, Class<T> type, T module) {
        checkNewName(name);
        if (!type.isInstance(module)) {
            throw new IllegalArgumentException(
                    "child '" + name + "' of " + getClass().getName() + " must be a " + type.getName() + " but is "
                            + (module == null ? "null" : module.getClass().getName()));
        }
        Child<T> child = new Child<>(name, type, module, true);
        children.put(name, child);
        return child;
    }

    /**
     * Adds a list of child modules under {@code name}: their paths are {@code name.0}, {@code name.1}, ... The items
     * can be replaced (by instances of {@code type}); the list itself cannot.
     */
    protected final <T extends Module> ModuleList<T> addModuleList(
            String name, Class<T> type, List<? extends T> modules) {
        checkNewName(name);
        ModuleList<T> list = new ModuleList<>(type, modules);
        children.put(name, new Child<>(name, Module.class, list, false));
        return list;
    }

    private void checkNewName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("names of parameters and children must be non-empty and contain no '.' "
                    + "but " + getClass().getName() + " was given " + (name == null ? "null" : "'" + name + "'"));
        }
        if (parameters.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(
                    getClass().getName() + " already has a parameter or child named '" + name + "'");
        }
    }

    // ---------------------------------------------------------------- the tree

    /** The direct children, by name, in the order they were added. */
    public final Map<String, Module> children() {
        Map<String, Module> out = new LinkedHashMap<>();
        children.forEach((name, child) -> out.put(name, child.get()));
        return Collections.unmodifiableMap(out);
    }

    /**
     * Every parameter of this module and its descendants by dotted path ({@code layers.0.weight}): what a checkpoint
     * of this module stores. A module's own parameters come before its children's.
     */
    public final Map<String, Array> parameters() {
        Map<String, Array> out = new LinkedHashMap<>();
        parameterHandles().forEach((path, p) -> out.put(path, p.get()));
        return Collections.unmodifiableMap(out);
    }

    /**
     * The modules without children below this one (this module itself excluded), by dotted path, depth first in
     * the order children were added: the modules {@link Quantization#quantize} considers.
     */
    public final Map<String, Module> leafModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectLeaves("", out);
        return Collections.unmodifiableMap(out);
    }

    /** True for a module with no children. A {@link ModuleList} is never a leaf, even when empty. */
    boolean isLeaf() {
        return children.isEmpty();
    }

    private void collectLeaves(String prefix, Map<String, Module> out) {
        children.forEach((name, child) -> {
            Module m = child.get();
            String path = join(prefix, name);
            if (m.isLeaf()) {
                out.put(path, m);
            } else {
                m.collectLeaves(path, out);
            }
        });
    }

    private Map<String, Parameter> parameterHandles() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collectParameters("", out);
        return out;
    }

    private void collectParameters(String prefix, Map<String, Parameter> out) {
        parameters.forEach((name, p) -> out.put(join(prefix, name), p));
        children.forEach((name, child) -> {
            Module m = child.get();
            m.collectParameters(join(prefix, name), out);
        });
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    /** The module at the dotted {@code path} below this one; throws naming the first name that does not exist. */
    public final Module module(String path) {
        return childAt(path).get();
    }

    private Child<?> childAt(String path) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException(
                    "a module path must be non-empty but was " + (path == null ? "null" : "''"));
        }
        String[] names = path.split("\\.", -1);
        Module parent = this;
        Child<?> child = null;
        for (int i = 0; i < names.length; i++) {
            child = parent.children.get(names[i]);
            if (child == null) {
                String where =
                        i == 0 ? "this " + getClass().getName() : "'" + String.join(".", Arrays.copyOf(names, i)) + "'";
                throw new IllegalArgumentException("No module at '" + path + "': " + where + " has no child '"
                        + names[i] + "' (its children: " + String.join(", ", parent.children.keySet()) + ").");
            }
            parent = child.get();
        }
        return child;
    }

    // ---------------------------------------------------------------- changing the tree

    /** Replaces the module at {@code path} (see {@link #updateModules}). */
    public final void replaceModule(String path, Module replacement) {
        updateModules(Collections.singletonMap(path, replacement));
    }

    /**
     * Replaces modules in place (MLX's {@code update_modules}), all or nothing: every path must name an existing
     * child and every replacement must fit the type its parent declared, or nothing is replaced.
     */
    public final void updateModules(Map<String, ? extends Module> replacements) {
        Map<Child<?>, Module> checked = new LinkedHashMap<>();
        replacements.forEach((path, replacement) -> {
            Child<?> child = childAt(path);
            child.checkReplacement(path, replacement);
            checked.put(child, replacement);
        });
        checked.forEach(Child::set);
    }

    /**
     * Assigns the parameters named by {@code weights} (keys as in {@link #parameters()}), all or nothing. Each array
     * must have the current parameter's shape; a floating parameter takes any floating type (a bfloat16 checkpoint
     * loads into a float32 model, as in MLX), any other parameter exactly its current type (uint32 packed codes, uint8
     * microscaling scales). {@code strict}: the keys must be exactly the model's (MLX's messages for unexpected and
     * missing keys); otherwise keys the model lacks are ignored and parameters without a key keep their value.
     */
    public final void loadWeights(Map<String, Array> weights, boolean strict) {
        Map<String, Parameter> current = parameterHandles();
        if (strict) {
            TreeSet<String> unexpected = new TreeSet<>(weights.keySet());
            unexpected.removeAll(current.keySet());
            if (!unexpected.isEmpty()) {
                throw new IllegalArgumentException("Received " + unexpected.size() + " parameters not in model: \n"
                        + String.join(",\n", unexpected) + ".");
            }
            TreeSet<String> missing = new TreeSet<>(current.keySet());
            missing.removeAll(weights.keySet());
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException(
                        "Missing " + missing.size() + " parameters: \n" + String.join(",\n", missing) + ".");
            }
        }
        List<Runnable> assignments = new ArrayList<>();
        current.forEach((path, parameter) -> {
            if (!weights.containsKey(path)) {
                return;
            }
            Array given = weights.get(path);
            checkLoadable(path, parameter.get(), given);
            assignments.add(() -> parameter.set(given));
        });
        assignments.forEach(Runnable::run);
    }

    private static void checkLoadable(String path, Array have, Array given) {
        if (given == null) {
            throw new IllegalArgumentException("Expected an Array but received null for parameter " + path);
        }
        if (!Arrays.equals(have.shape(), given.shape())) {
            throw new IllegalArgumentException("Expected shape " + Shape.format(have.shape()) + " but received shape "
                    + Shape.format(given.shape()) + " for parameter " + path);
        }
        DType want = have.dtype();
        boolean fits = want.isFloating() ? given.dtype().isFloating() : given.dtype() == want;
        if (!fits) {
            throw new IllegalArgumentException("Expected " + (want.isFloating() ? "a floating dtype" : "dtype " + want)
                    + " but received " + given.dtype() + " for parameter " + path);
        }
    }
}
