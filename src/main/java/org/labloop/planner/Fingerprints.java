package org.labloop.planner;

import java.util.BitSet;
import org.labloop.chem.Smiles;
import org.openscience.cdk.exception.CDKException;
import org.openscience.cdk.fingerprint.CircularFingerprinter;
import org.openscience.cdk.interfaces.IAtomContainer;

/** ECFP-style circular fingerprints of SMILES strings, via the CDK. */
final class Fingerprints {
    static final int BITS = 2048;

    private Fingerprints() {}

    /** The molecule of a parameter's choice; PlanningException naming both when its SMILES is invalid. */
    static IAtomContainer molecule(String parameter, String choice, String smiles) {
        try {
            return Smiles.parse(smiles);
        } catch (Smiles.InvalidMoleculeException e) {
            throw new PlanningException("molecule parameter " + parameter + ": choice '" + choice
                    + "' has an invalid SMILES '" + smiles + "': " + e.getMessage());
        }
    }

    /** ECFP4 (radius 2) bits folded to {@link #BITS}; throws PlanningException naming the parameter and value. */
    static BitSet ecfp4(String parameter, String choice, String smiles) {
        IAtomContainer mol = molecule(parameter, choice, smiles);
        try {
            CircularFingerprinter fp = new CircularFingerprinter(CircularFingerprinter.CLASS_ECFP4, BITS);
            return fp.getBitFingerprint(mol).asBitSet();
        } catch (CDKException | RuntimeException e) {
            throw new PlanningException("molecule parameter " + parameter + ": cannot fingerprint choice '" + choice
                    + "' (SMILES '" + smiles + "'): " + firstLine(e.getMessage()));
        }
    }

    /**
     * Tanimoto (Jaccard) similarity of two bit fingerprints: shared bits over bits set in either; 1 for two empty
     * ones. As a kernel it is positive semi-definite (Gower 1971; Ralaivola et al. 2005), so {@code 1 - T} is half
     * the squared distance between the fingerprints in the kernel's feature space.
     */
    static double tanimoto(BitSet a, BitSet b) {
        BitSet and = (BitSet) a.clone();
        and.and(b);
        int shared = and.cardinality();
        int union = a.cardinality() + b.cardinality() - shared;
        return union == 0 ? 1 : (double) shared / union;
    }

    /** The first line of a library's message (the CDK's run on with the input and a caret). */
    static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
