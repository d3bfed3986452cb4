package org.labloop.space;

import java.util.regex.Pattern;

/** One input dimension of a campaign's search space. */
public sealed interface Parameter
        permits ContinuousParameter, DiscreteParameter, CategoricalParameter, MoleculeParameter {

    Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    String name();

    /** Unit of measure as the user wrote it; empty when dimensionless or not a number. */
    String unit();

    /** True for continuous and discrete parameters, whose values are numbers. */
    default boolean isNumeric() {
        return this instanceof ContinuousParameter || this instanceof DiscreteParameter;
    }

    /** Numbers describing each choice, when the user gave a table of them (categorical and molecule parameters). */
    default java.util.Optional<DescriptorTable> descriptors() {
        return java.util.Optional.empty();
    }

    /** Checks that {@code value} is allowed; returns the reason when it is not, or null when it is. */
    String reject(Object value);

    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "parameter name '" + name + "' must start with a letter or _ and hold only letters, digits and _");
        }
        return name;
    }
}
