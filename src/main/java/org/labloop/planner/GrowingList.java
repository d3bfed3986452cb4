package org.labloop.planner;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A list that only grows and hands out fixed views of what it holds so far, so that a planning request can carry every
 * observation of a long campaign without copying them all at each round. A view never changes: later additions land
 * past its end, and a full backing array is replaced by a larger copy, never rewritten.
 */
public final class GrowingList<T> {
    private Object[] items = new Object[16];
    private int size;

    public void add(T item) {
        Objects.requireNonNull(item, "item");
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size++] = item;
    }

    public int size() {
        return size;
    }

    /** The items so far followed by {@code more}, as an unmodifiable list that later additions leave as it is. */
    public List<T> view(Collection<? extends T> more) {
        return new View<>(items, size, List.copyOf(more));
    }

    /** Unmodifiable (AbstractList refuses every change), so {@link PlanningRequest} keeps it without a copy. */
    static final class View<T> extends AbstractList<T> implements RandomAccess {
        private final Object[] items;
        private final int count;
        private final List<? extends T> more;

        private View(Object[] items, int count, List<? extends T> more) {
            this.items = items;
            this.count = count;
            this.more = more;
        }

        @Override
        @SuppressWarnings("unchecked") // only add(T) writes the array
        public T get(int index) {
            Objects.checkIndex(index, size());
            return index < count ? (T) items[index] : more.get(index - count);
        }

        @Override
        public int size() {
            return count + more.size();
        }
    }
}
