package org.labloop.emulator;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.labloop.space.MoleculeParameter;
import org.labloop.space.Parameter;
import org.labloop.space.SearchSpace;

/**
 * Lets a model that knows molecules by their SMILES (a table whose column holds SMILES, as published reaction tables
 * do) answer for the molecules a campaign calls by name ({@code ArCl: "ClC1=CC=..."}): each name is passed on as the
 * model's own text for that structure, which is the SMILES the campaign file writes, or one the model holds for the
 * same structure written another way ({@code C(O)C} for {@code OCC}, a salt's components in another order). Used for
 * a molecule parameter only where the model has no answer for its names and one for every one of its molecules.
 */
public final class MoleculeAliases extends ForwardingEmulator {
    /** Campaign parameter, then choice name, to the SMILES passed on. */
    private final Map<String, Map<String, String>> smiles;

    private MoleculeAliases(Emulator inner, Map<String, Map<String, String>> smiles) {
        super(inner);
        this.smiles = Map.copyOf(smiles);
    }

    /** {@code inner}, or {@code inner} answering for molecule names by SMILES where only that way it answers. */
    public static Emulator bind(Emulator inner, SearchSpace space) {
        Map<String, Map<String, String>> smiles = new LinkedHashMap<>();
        for (String input : inner.inputs()) {
            if (!(space.parameter(input).orElse(null) instanceof MoleculeParameter m)) {
                continue;
            }
            List<String> codes = asWritten(inner.texts(input).orElse(List.of()), m);
            if (new HashSet<>(codes).size() != codes.size()) {
                continue; // two names for one structure: a name cannot be told from the other by its SMILES
            }
            MoleculeParameter bySmiles = new MoleculeParameter(
                    m.name(),
                    codes.stream()
                            .map(code -> new MoleculeParameter.Molecule(code, code))
                            .toList());
            if (hasGap(inner, space, input, m) && !hasGap(inner, space, input, bySmiles)) {
                Map<String, String> byName = new HashMap<>();
                for (int i = 0; i < codes.size(); i++) {
                    byName.put(m.choices().get(i).name(), codes.get(i));
                }
                smiles.put(input, byName);
            }
        }
        return smiles.isEmpty() ? inner : new MoleculeAliases(inner, smiles);
    }

    /**
     * For each molecule of {@code m}, the text among {@code texts} (the model's) that names it: its SMILES as written
     * when the model holds that text, else the one text the model holds for the same structure, else its SMILES.
     */
    private static List<String> asWritten(List<String> texts, MoleculeParameter m) {
        java.util.Set<String> held = new HashSet<>(texts);
        List<String> asGiven =
                m.choices().stream().map(MoleculeParameter.Molecule::smiles).toList();
        if (held.containsAll(asGiven)
                || texts.stream()
                        .anyMatch(t -> org.labloop.chem.Smiles.problem(t).isPresent())) {
            // Every one as the model writes it, or a column that is not all SMILES (names such as EtOH beside CO):
            // no structure to compare.
            return asGiven;
        }
        Map<String, String> byStructure = new HashMap<>();
        java.util.Set<String> ambiguous = new HashSet<>();
        for (String t : texts) {
            org.labloop.chem.Smiles.canonical(t).ifPresent(key -> {
                if (byStructure.putIfAbsent(key, t) != null) {
                    ambiguous.add(key); // two texts for one structure: neither is the model's name for it
                }
            });
        }
        List<String> out = new java.util.ArrayList<>();
        for (MoleculeParameter.Molecule c : m.choices()) {
            String code = c.smiles();
            if (!held.contains(code)) {
                String key = org.labloop.chem.Smiles.canonical(code).orElse(null);
                if (key != null && !ambiguous.contains(key) && byStructure.containsKey(key)) {
                    code = byStructure.get(key);
                }
            }
            out.add(code);
        }
        return out;
    }

    private static boolean hasGap(Emulator e, SearchSpace space, String input, Parameter as) {
        Function<String, Optional<Parameter>> parameterOf =
                name -> name.equals(input) ? Optional.of(as) : space.parameter(name);
        return e.gaps(parameterOf).stream().anyMatch(g -> input.equals(g.parameter()));
    }

    @Override
    public List<Gap> gaps(Function<String, Optional<Parameter>> parameterOf) {
        return inner.gaps(name -> parameterOf.apply(name).map(p -> asSmiles(name, p)));
    }

    private Parameter asSmiles(String input, Parameter p) {
        if (!smiles.containsKey(input) || !(p instanceof MoleculeParameter m)) {
            return p;
        }
        return new MoleculeParameter(
                m.name(),
                m.choices().stream()
                        .map(c -> {
                            String code = smiles.get(input).getOrDefault(c.name(), c.smiles());
                            return new MoleculeParameter.Molecule(code, code);
                        })
                        .toList());
    }

    @Override
    public Map<String, Double> evaluate(Map<String, Object> inputs, RandomGenerator noise) {
        if (inputs == null) {
            return inner.evaluate(null, noise);
        }
        Map<String, Object> passed = new LinkedHashMap<>(inputs);
        smiles.forEach((input, byName) -> {
            Object v = passed.get(input);
            if (v instanceof String name && byName.containsKey(name)) {
                passed.put(input, byName.get(name));
            }
        });
        return inner.evaluate(passed, noise);
    }
}
