package org.labloop.protocol;

import java.util.Map;
import java.util.Objects;

/** A step argument: a literal value, or a reference to one of the experiment's parameters ({@code $name}). */
public sealed interface Arg permits Arg.Literal, Arg.Ref {

    /** The value for an experiment with these parameter values. */
    Object resolve(Map<String, Object> parameters);

    record Literal(Object value) implements Arg {
        public Literal {
            Objects.requireNonNull(value, "value");
            if (!(value instanceof Double || value instanceof String || value instanceof Boolean)) {
                throw new IllegalArgumentException("a literal argument is a number, text or true/false, got " + value);
            }
        }

        @Override
        public Object resolve(Map<String, Object> parameters) {
            return value;
        }
    }

    record Ref(String parameter) implements Arg {
        public Ref {
            Objects.requireNonNull(parameter, "parameter");
        }

        @Override
        public Object resolve(Map<String, Object> parameters) {
            Object v = parameters.get(parameter);
            if (v == null) {
                throw new IllegalArgumentException("the experiment has no parameter " + parameter);
            }
            return v;
        }
    }
}
