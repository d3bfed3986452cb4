package org.labloop.emulator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Shows an emulator under the campaign's names: a campaign may call the SnAr residence time {@code residence_min} and
 * its objective {@code space_time_yield}. Built by the registry from the generic {@code inputs} and {@code outputs}
 * options (emulator name to campaign name); names not listed stay as they are.
 */
final class RenamedEmulator extends ForwardingEmulator {
    private final String[] innerInputs;
    private final String[] outerInputs;
    private final List<String> inputs;
    private final List<String> outputs;
    private final Map<String, String> outputNames; // emulator output -> campaign name
    private final String renamingNote;

    RenamedEmulator(Emulator inner, Map<String, String> inputNames, Map<String, String> outputNames) {
        super(inner);
        this.innerInputs = inner.inputs().toArray(String[]::new);
        this.inputs = rename(inner, "inputs", inner.inputs(), inputNames);
        this.outerInputs = inputs.toArray(String[]::new);
        this.outputs = rename(inner, "outputs", inner.outputs(), outputNames);
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < outputs.size(); i++) {
            out.put(inner.outputs().get(i), outputs.get(i));
        }
        this.outputNames = Map.copyOf(out);
        List<String> notes = new ArrayList<>();
        for (int i = 0; i < innerInputs.length; i++) {
            if (!innerInputs[i].equals(outerInputs[i])) {
                notes.add(outerInputs[i] + " is emulator input " + innerInputs[i]);
            }
        }
        this.renamingNote = notes.isEmpty() ? "" : " (" + String.join(", ", notes) + ")";
    }

    private static List<String> rename(Emulator inner, String option, List<String> names, Map<String, String> map) {
        for (Map.Entry<String, String> e : map.entrySet()) {
            if (!names.contains(e.getKey())) {
                throw new EmulationException(
                        "emulator '" + inner.name() + "', option '" + option + "': '" + e.getKey()
                                + "' is not one of its " + option + "; they are " + String.join(", ", names),
                        option,
                        e.getKey(),
                        names);
            }
            if (e.getValue().isBlank()) {
                throw new EmulationException("emulator '" + inner.name() + "', option '" + option + "': the name for '"
                        + e.getKey() + "' is blank");
            }
        }
        List<String> out = new ArrayList<>(names.size());
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            String renamed = map.getOrDefault(n, n);
            if (!seen.add(renamed)) {
                throw new EmulationException("emulator '" + inner.name() + "', option '" + option + "': two of its "
                        + option + " would both be called '" + renamed + "'");
            }
            out.add(renamed);
        }
        return List.copyOf(out);
    }

    @Override
    public List<String> inputs() {
        return inputs;
    }

    @Override
    public List<String> outputs() {
        return outputs;
    }

    @Override
    public List<Gap> gaps(
            java.util.function.Function<String, java.util.Optional<org.labloop.space.Parameter>> parameterOf) {
        return inner.gaps(innerName -> {
            for (int i = 0; i < innerInputs.length; i++) {
                if (innerInputs[i].equals(innerName)) {
                    return parameterOf.apply(outerInputs[i]);
                }
            }
            return java.util.Optional.empty();
        });
    }

    @Override
    public java.util.Optional<org.labloop.space.Bound> domain(String input) {
        int i = outerIndex(input);
        return i < 0 ? java.util.Optional.empty() : inner.domain(innerInputs[i]);
    }

    @Override
    public java.util.Optional<String> unit(String input) {
        int i = outerIndex(input);
        return i < 0 ? java.util.Optional.empty() : inner.unit(innerInputs[i]);
    }

    @Override
    public java.util.Optional<List<String>> texts(String input) {
        int i = outerIndex(input);
        return i < 0 ? java.util.Optional.empty() : inner.texts(innerInputs[i]);
    }

    /** The position of the campaign's name {@code input} among the model's inputs; -1 when it is none. */
    private int outerIndex(String input) {
        for (int i = 0; i < outerInputs.length; i++) {
            if (outerInputs[i].equals(input)) {
                return i;
            }
        }
        return -1;
    }

    /** The inner model's answers under the campaign's outcome names. */
    @Override
    public java.util.Optional<java.util.Collection<Map<String, Double>>> answers() {
        return inner.answers().map(all -> {
            java.util.Collection<Map<String, Double>> renamed = new ArrayList<>(all.size());
            for (Map<String, Double> a : all) {
                Map<String, Double> r = new java.util.LinkedHashMap<>();
                a.forEach((k, v) -> r.put(outputNames.getOrDefault(k, k), v));
                renamed.add(r);
            }
            return renamed;
        });
    }

    @Override
    public Map<String, Double> evaluate(Map<String, Object> values, RandomGenerator noise) {
        if (values == null) {
            throw new EmulationException(
                    "emulator '" + name() + "': no inputs given; it needs " + String.join(", ", inputs));
        }
        Map<String, Object> innerValues = HashMap.newHashMap(innerInputs.length);
        for (int i = 0; i < innerInputs.length; i++) {
            Object v = values.get(outerInputs[i]);
            if (v == null) {
                String alias =
                        outerInputs[i].equals(innerInputs[i]) ? "" : " (emulator input '" + innerInputs[i] + "')";
                throw new EmulationException(
                        "emulator '" + name() + "': missing input '" + outerInputs[i] + "'" + alias);
            }
            innerValues.put(innerInputs[i], v);
        }
        Map<String, Double> result;
        try {
            result = inner.evaluate(innerValues, noise);
        } catch (EmulationException e) {
            if (renamingNote.isEmpty()) {
                throw e;
            }
            throw new EmulationException(e.getMessage() + renamingNote, e);
        }
        Map<String, Double> renamed = HashMap.newHashMap(result.size());
        for (Map.Entry<String, Double> e : result.entrySet()) {
            renamed.put(outputNames.getOrDefault(e.getKey(), e.getKey()), e.getValue());
        }
        return Collections.unmodifiableMap(renamed);
    }
}
