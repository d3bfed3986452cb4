package org.labloop.planner;

import java.util.BitSet;
import org.openscience.cdk.exception.CDKException;
import org.openscience.cdk.exception.InvalidSmilesException;
import org.openscience.cdk.fingerprint.CircularFingerprinter;
import org.openscience.cdk.interfaces.IAtomContainer;
import org.openscience.cdk.silent.SilentChemObjectBuilder;
import org.openscience.cdk.smiles.SmilesParser;

/** ECFP-style circular fingerprints of SMILES strings, via the CDK. */
final class Fingerprints {
    static final int BITS = 2048;

    private Fingerprints() {}

    /** ECFP4 (radius 2) bits folded to {@link #BITS}; throws PlanningException naming the parameter and value. */
    static BitSet ecfp4(String parameter, String choice, String smiles) {
        SmilesParser parser = new SmilesParser(SilentChemObjectBuilder.getInstance());
        IAtomContainer mol;
        try {
            mol = parser.parseSmiles(smiles);
        } catch (InvalidSmilesException e) {
            throw new PlanningException("molecule parameter " + parameter + ": choice '" + choice
                    + "' has an invalid SMILES '" + smiles + "': " + firstLine(e.getMessage()));
        }
        if (mol.getAtomCount() == 0) {
            throw new PlanningException("molecule parameter " + parameter + ": choice '" + choice
                    + "' has an invalid SMILES '" + smiles + "': no atoms");
        }
        try {
            CircularFingerprinter fp = new CircularFingerprinter(CircularFingerprinter.CLASS_ECFP4, BITS);
            return fp.getBitFingerprint(mol).asBitSet();
        } catch (CDKException | RuntimeException e) {
            throw new PlanningException("molecule parameter " + parameter + ": cannot fingerprint choice '" + choice
                    + "' (SMILES '" + smiles + "'): " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
