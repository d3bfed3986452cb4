package org.labloop.emulator;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.labloop.space.Parameter;

/** An emulator shown differently to a campaign: everything it does not change is the inner emulator's. */
abstract class ForwardingEmulator implements Emulator {
    protected final Emulator inner;

    ForwardingEmulator(Emulator inner) {
        this.inner = inner;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public String version() {
        return inner.version();
    }

    @Override
    public List<String> inputs() {
        return inner.inputs();
    }

    @Override
    public List<String> outputs() {
        return inner.outputs();
    }

    @Override
    public Optional<org.labloop.space.Bound> domain(String input) {
        return inner.domain(input);
    }

    @Override
    public Optional<String> unit(String input) {
        return inner.unit(input);
    }

    @Override
    public Optional<List<String>> texts(String input) {
        return inner.texts(input);
    }

    @Override
    public List<Gap> gaps(Function<String, Optional<Parameter>> parameterOf) {
        return inner.gaps(parameterOf);
    }

    @Override
    public Optional<java.util.Collection<Map<String, Double>>> answers() {
        return inner.answers();
    }

    @Override
    public Map<String, Double> evaluate(Map<String, Object> inputs, RandomGenerator noise) {
        return inner.evaluate(inputs, noise);
    }
}
