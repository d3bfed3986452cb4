package org.labloop.space;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A categorical parameter whose choices are molecules, each with a name and a SMILES string. Planners may encode the
 * structures (fingerprints, descriptors) instead of treating the choices as unrelated labels; {@code descriptors},
 * when given, are numbers a user supplies for each choice, which planners use instead of the structures.
 */
public record MoleculeParameter(String name, List<Molecule> choices, Optional<DescriptorTable> descriptors)
        implements Parameter {
    public MoleculeParameter {
        Parameter.checkName(name);
        choices = List.copyOf(choices);
        Objects.requireNonNull(descriptors, "descriptors");
        if (choices.isEmpty()) {
            throw new IllegalArgumentException("molecule parameter " + name + " needs at least one choice");
        }
        if (new HashSet<>(choices.stream().map(Molecule::name).toList()).size() != choices.size()) {
            throw new IllegalArgumentException("molecule parameter " + name + " lists a name twice");
        }
        if (descriptors.isPresent()) {
            descriptors
                    .get()
                    .checkCovers(name, choices.stream().map(Molecule::name).toList());
        }
    }

    public MoleculeParameter(String name, List<Molecule> choices) {
        this(name, choices, Optional.empty());
    }

    public MoleculeParameter withDescriptors(DescriptorTable table) {
        return new MoleculeParameter(name, choices, Optional.of(table));
    }

    @Override
    public String unit() {
        return "";
    }

    @Override
    public String reject(Object value) {
        return choices.stream().anyMatch(m -> m.name().equals(value))
                ? null
                : name + " = " + value + " is not one of "
                        + choices.stream().map(Molecule::name).toList();
    }

    /** The SMILES of the choice called {@code choiceName}. */
    public String smilesOf(String choiceName) {
        return choices.stream()
                .filter(m -> m.name().equals(choiceName))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(name + " has no choice " + choiceName))
                .smiles();
    }

    /** A named molecule. The name is what experiments record; the SMILES is its structure. */
    public record Molecule(String name, String smiles) {
        public Molecule {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(smiles, "smiles");
            if (name.isBlank() || smiles.isBlank()) {
                throw new IllegalArgumentException("a molecule needs a name and a SMILES");
            }
        }
    }
}
