package org.labloop.protocol;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/** The steps one experiment goes through, in order. */
public record Protocol(String name, List<StepSpec> steps) {
    public Protocol {
        Objects.requireNonNull(name, "name");
        steps = List.copyOf(steps);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("protocol " + name + " needs at least one step");
        }
        Set<String> seen = new HashSet<>();
        for (StepSpec s : steps) {
            if (!seen.add(s.name())) {
                throw new IllegalArgumentException("protocol " + name + " has two steps named " + s.name());
            }
        }
    }

    public Set<String> parameterRefs() {
        Set<String> refs = new TreeSet<>();
        steps.forEach(s -> refs.addAll(s.parameterRefs()));
        return refs;
    }
}
