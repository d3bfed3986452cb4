package org.labloop.space;

import java.util.HashSet;
import java.util.List;

/** A parameter that takes one of a listed set of named choices, such as a solvent. */
public record CategoricalParameter(String name, List<String> choices) implements Parameter {
    public CategoricalParameter {
        Parameter.checkName(name);
        choices = List.copyOf(choices);
        if (choices.isEmpty()) {
            throw new IllegalArgumentException("categorical parameter " + name + " needs at least one choice");
        }
        if (new HashSet<>(choices).size() != choices.size()) {
            throw new IllegalArgumentException("categorical parameter " + name + " lists a choice twice: " + choices);
        }
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
