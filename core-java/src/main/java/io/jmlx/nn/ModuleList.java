package io.jmlx.nn;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * An ordered list of modules (MLX's plain Python list of modules), made with {@link Module#addModuleList}: its items
 * have the paths {@code <list name>.0}, {@code <list name>.1}, ... Items can be replaced by instances of the list's
 * declared type; the list never changes length.
 *
 * @param <T> the declared type of the items
 */
public final class ModuleList<T extends Module> extends Module implements Iterable<T> {
    private final List<Child<T>> items = new ArrayList<>();

    ModuleList(Class<T> type, List<? extends T> modules) {
        for (T module : modules) {
            items.add(addChild(Integer.toString(items.size()), type, module));
        }
    }

    /** The current item at {@code index}. */
    public T get(int index) {
        return items.get(index).get();
    }

    /** Number of items. */
    public int size() {
        return items.size();
    }

    /** The current items, in order. */
    @Override
    public Iterator<T> iterator() {
        return items.stream().map(Child::get).iterator();
    }

    @Override
    boolean isLeaf() {
        return false;
    }
}
