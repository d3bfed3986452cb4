package org.labloop.emulator;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Emulators by type name, as a campaign file writes them ({@code emulator: {type: snar, variant: published-2020}}).
 * {@link #standard(TableSource)} holds every emulator that ships with LabLoop.
 *
 * <p>Each type declares its options, so a misspelt option fails when the campaign is loaded instead of being
 * silently ignored. Every type also takes two generic options, {@code inputs} and {@code outputs}: maps from the
 * emulator's names to the campaign's parameter and objective names, so a campaign keeps its own vocabulary. Names
 * not listed stay as they are.
 */
public final class EmulatorRegistry {
    /** Generic option: map of emulator input name to campaign parameter name. */
    public static final String OPTION_INPUTS = "inputs";

    /** Generic option: map of emulator output name to campaign objective name. */
    public static final String OPTION_OUTPUTS = "outputs";

    private static final List<String> GENERIC_OPTIONS = List.of(OPTION_INPUTS, OPTION_OUTPUTS);

    private record Entry(List<String> options, Function<EmulatorSpec, Emulator> factory) {}

    private final Map<String, Entry> entries;

    private EmulatorRegistry(Map<String, Entry> entries) {
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /**
     * The emulators that ship with LabLoop: {@code snar} (options {@code variant}, {@code noise_pct}) and
     * {@code lookup} (options {@code file}, {@code outcomes}, {@code ignore}).
     *
     * @param tables resolves the {@code file} option of table-backed emulators
     */
    public static EmulatorRegistry standard(TableSource tables) {
        Objects.requireNonNull(tables, "tables");
        Map<String, Entry> e = new LinkedHashMap<>();
        e.put(SnarEmulator.NAME, new Entry(SnarEmulator.OPTIONS, spec -> SnarEmulator.fromOptions(spec.options())));
        e.put(
                LookupTableEmulator.NAME,
                new Entry(
                        LookupTableEmulator.OPTIONS, spec -> LookupTableEmulator.fromOptions(spec.options(), tables)));
        return new EmulatorRegistry(e);
    }

    /**
     * A copy of this registry with one more emulator type.
     *
     * @param options the type-specific options it accepts; the factory gets a spec holding only those (the generic
     *     {@code inputs} and {@code outputs} are applied by the registry)
     */
    public EmulatorRegistry with(String name, Collection<String> options, Function<EmulatorSpec, Emulator> factory) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(factory, "factory");
        List<String> opts = List.copyOf(options);
        for (String generic : GENERIC_OPTIONS) {
            if (opts.contains(generic)) {
                throw new IllegalArgumentException(
                        "option '" + generic + "' is generic; emulator '" + name + "' must not declare it");
            }
        }
        Map<String, Entry> e = new LinkedHashMap<>(entries);
        e.put(name, new Entry(opts, factory));
        return new EmulatorRegistry(e);
    }

    public Set<String> names() {
        return entries.keySet();
    }

    /** The options a type accepts, its own first, then the generic ones. */
    public List<String> options(String type) {
        return knownOptions(entry(type));
    }

    /**
     * Builds the emulator a campaign file describes.
     *
     * @throws EmulationException for an unknown type, an unknown option (the message lists the known ones), an option
     *     of the wrong type or value, or a renaming that names an input or output the emulator does not have
     */
    public Emulator create(EmulatorSpec spec) {
        Objects.requireNonNull(spec, "spec");
        Entry entry = entry(spec.type());
        List<String> known = knownOptions(entry);
        Set<String> unknown = new TreeSet<>(spec.options().keySet());
        unknown.removeAll(known);
        // Every problem at once: an unknown option does not hide a wrong value under a known one.
        List<EmulationException> problems = new ArrayList<>();
        for (String u : unknown) {
            // One problem per unknown option, each at its own line of the file.
            problems.add(new EmulationException(
                    "emulator '" + spec.type() + "' has no option '" + u + "'; its options are "
                            + String.join(", ", known),
                    u,
                    u,
                    known));
        }
        Map<String, String> inputNames = Map.of();
        Map<String, String> outputNames = Map.of();
        try {
            inputNames = Options.stringMap(spec.type(), spec.options(), OPTION_INPUTS);
        } catch (EmulationException e) {
            problems.add(e);
        }
        try {
            outputNames = Options.stringMap(spec.type(), spec.options(), OPTION_OUTPUTS);
        } catch (EmulationException e) {
            problems.add(e);
        }
        Map<String, Object> own = new HashMap<>(spec.options());
        own.keySet().removeAll(GENERIC_OPTIONS);
        own.keySet().removeAll(unknown);
        Emulator emulator = null;
        try {
            emulator = entry.factory().apply(new EmulatorSpec(spec.type(), own));
        } catch (EmulationException e) {
            for (EmulationException q : e.problems()) {
                // Beside an unknown option, an option found missing is most likely that one misspelt: said once.
                boolean missing =
                        q.option().filter(o -> !spec.options().containsKey(o)).isPresent();
                if (unknown.isEmpty() || !missing) {
                    problems.add(q);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw EmulationException.of(problems);
        }
        if (emulator == null) {
            throw new EmulationException("emulator '" + spec.type() + "': its factory returned nothing");
        }
        if (inputNames.isEmpty() && outputNames.isEmpty()) {
            return emulator;
        }
        return new RenamedEmulator(emulator, inputNames, outputNames);
    }

    private Entry entry(String type) {
        Entry entry = entries.get(type);
        if (entry == null) {
            throw new EmulationException(
                    "unknown emulator type '" + type + "'; known emulators: " + String.join(", ", names()));
        }
        return entry;
    }

    private static List<String> knownOptions(Entry entry) {
        List<String> all = new ArrayList<>(entry.options());
        all.addAll(GENERIC_OPTIONS);
        return List.copyOf(all);
    }
}
