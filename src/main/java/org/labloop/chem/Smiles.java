package org.labloop.chem;

import java.util.Optional;
import org.openscience.cdk.exception.InvalidSmilesException;
import org.openscience.cdk.interfaces.IAtom;
import org.openscience.cdk.interfaces.IAtomContainer;
import org.openscience.cdk.interfaces.IBond;
import org.openscience.cdk.interfaces.IPseudoAtom;
import org.openscience.cdk.silent.SilentChemObjectBuilder;
import org.openscience.cdk.smiles.SmilesParser;

/** SMILES strings read with the CDK: the one place that decides whether a molecule as written is valid. */
public final class Smiles {
    private Smiles() {}

    /** The molecule {@code smiles} describes; {@link InvalidMoleculeException} saying why when it describes none. */
    public static IAtomContainer parse(String smiles) {
        if (smiles.chars().anyMatch(Character::isWhitespace)) {
            // The CDK reads whatever follows a space as a title and drops it without a word.
            throw new InvalidMoleculeException("it contains whitespace; write one SMILES without spaces, with '.'"
                    + " between the components of a salt or mixture");
        }
        IAtomContainer mol;
        try {
            mol = new SmilesParser(SilentChemObjectBuilder.getInstance()).parseSmiles(smiles);
        } catch (InvalidSmilesException e) {
            throw new InvalidMoleculeException(reason(e.getMessage()));
        }
        if (mol.getAtomCount() == 0) {
            throw new InvalidMoleculeException("it has no atoms");
        }
        // The parser reads syntax only: it accepts a symbol no element has and a carbon with six bonds.
        for (IAtom atom : mol.atoms()) {
            Integer z = atom.getAtomicNumber();
            if (atom instanceof IPseudoAtom || z == null || z <= 0) {
                String label =
                        atom instanceof IPseudoAtom pa && pa.getLabel() != null ? pa.getLabel() : atom.getSymbol();
                throw new InvalidMoleculeException("'" + label + "' is not a chemical element");
            }
            if (z == 6) {
                int bonds = atom.getImplicitHydrogenCount() == null ? 0 : atom.getImplicitHydrogenCount();
                for (IBond b : mol.getConnectedBondsList(atom)) {
                    bonds += b.getOrder() == null || b.getOrder() == IBond.Order.UNSET
                            ? 1
                            : b.getOrder().numeric();
                }
                if (bonds > 4) {
                    throw new InvalidMoleculeException("carbon atom " + (mol.indexOf(atom) + 1) + " has " + bonds
                            + " bonds (hydrogens included); carbon makes at most 4");
                }
            }
        }
        return mol;
    }

    /**
     * One text per structure (the CDK's unique SMILES): two ways of writing the same molecule, such as {@code OCC} and
     * {@code C(O)C}, or a salt's components in another order, give the same text. Empty when {@code smiles} is not a
     * valid molecule, and when it marks stereochemistry or isotopes: the unique SMILES leaves those out (two
     * enantiomers would compare equal), and the canonical form that keeps them needs the InChI library, which LabLoop
     * does not ship, so such a molecule is matched only as written.
     */
    public static Optional<String> canonical(String smiles) {
        try {
            IAtomContainer mol = parse(smiles);
            if (mol.stereoElements().iterator().hasNext()) {
                return Optional.empty();
            }
            for (IAtom atom : mol.atoms()) {
                if (atom.getMassNumber() != null) {
                    return Optional.empty();
                }
            }
            return Optional.of(
                    new org.openscience.cdk.smiles.SmilesGenerator(org.openscience.cdk.smiles.SmiFlavor.Unique)
                            .create(mol));
        } catch (InvalidMoleculeException | org.openscience.cdk.exception.CDKException e) {
            return Optional.empty();
        }
    }

    /** Why {@code smiles} is not a valid molecule, or empty when it is. */
    public static Optional<String> problem(String smiles) {
        try {
            parse(smiles);
            return Optional.empty();
        } catch (InvalidMoleculeException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * The CDK's reason without its echo of the input: "could not parse 'C1CC(', Unclosed ring detected, SMILES may
     * be truncated:" followed by the SMILES and a caret on further lines.
     */
    private static String reason(String message) {
        if (message == null || message.isBlank()) {
            return "it cannot be parsed";
        }
        // The CDK writes the SMILES on a second line and a caret under the place it stopped on a third.
        String[] lines = message.split("\n");
        String place = "";
        if (lines.length >= 3) {
            int caret = lines[2].indexOf('^');
            // Where the input was cut short the caret only marks its end, which says nothing.
            if (caret >= 0 && caret < lines[1].length() && !lines[0].contains("truncated")) {
                place = " (at character " + (caret + 1) + ", '" + lines[1].charAt(caret) + "')";
            }
        }
        String s = message.strip();
        int nl = s.indexOf('\n');
        if (nl >= 0) {
            s = s.substring(0, nl).strip();
        }
        if (s.startsWith("could not parse '")) {
            int end = s.indexOf("', ");
            if (end > 0) {
                s = s.substring(end + 3);
            }
        }
        while (s.endsWith(":") || s.endsWith(",")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        return s.isEmpty()
                ? "it cannot be parsed" + place
                : Character.toLowerCase(s.charAt(0)) + s.substring(1) + place;
    }

    /** A SMILES string that describes no molecule; the message says why. */
    public static final class InvalidMoleculeException extends org.labloop.core.LabLoopException {
        private static final long serialVersionUID = 1L;

        InvalidMoleculeException(String reason) {
            super(reason);
        }
    }
}
