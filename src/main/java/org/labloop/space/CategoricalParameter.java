package org.labloop.space;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * A parameter that takes one of a listed set of named choices, such as a solvent; {@code descriptors}, when given,
 * describe each choice by numbers.
 */
public record CategoricalParameter(String name, List<String> choices, Optional<DescriptorTable> descriptors)
        implements Parameter {
    public CategoricalParameter {
        Parameter.checkName(name);
        choices = List.copyOf(choices);
        java.util.Objects.requireNonNull(descriptors, "descriptors");
        if (choices.isEmpty()) {
            throw new IllegalArgumentException("categorical parameter " + name + " needs at least one choice");
        }
        if (new HashSet<>(choices).size() != choices.size()) {
            throw new IllegalArgumentException("categorical parameter " + name + " lists a choice twice: " + choices);
        }
        if (descriptors.isPresent()) {
            descriptors.get().checkCovers(name, choices);
        }
    }

    public CategoricalParameter(String name, List<String> choices) {
        this(name, choices, Optional.empty());
    }

    public CategoricalParameter withDescriptors(DescriptorTable table) {
        return new CategoricalParameter(name, choices, Optional.of(table));
    }

    @Override
    public String unit() {
        return "";
    }

    @Override
    public String reject(Object value) {
        return choices.contains(value) ? null : name + " = " + value + " is not one of " + choices;
    }
}
