package org.labloop.planner;

import java.util.List;
import org.openscience.cdk.aromaticity.Aromaticity;
import org.openscience.cdk.exception.CDKException;
import org.openscience.cdk.interfaces.IAtom;
import org.openscience.cdk.interfaces.IAtomContainer;
import org.openscience.cdk.qsar.DescriptorValue;
import org.openscience.cdk.qsar.IMolecularDescriptor;
import org.openscience.cdk.qsar.descriptors.molecular.AromaticAtomsCountDescriptor;
import org.openscience.cdk.qsar.descriptors.molecular.FractionalCSP3Descriptor;
import org.openscience.cdk.qsar.descriptors.molecular.HBondAcceptorCountDescriptor;
import org.openscience.cdk.qsar.descriptors.molecular.HBondDonorCountDescriptor;
import org.openscience.cdk.qsar.descriptors.molecular.RotatableBondsCountDescriptor;
import org.openscience.cdk.qsar.descriptors.molecular.TPSADescriptor;
import org.openscience.cdk.qsar.descriptors.molecular.WeightDescriptor;
import org.openscience.cdk.qsar.descriptors.molecular.XLogPDescriptor;
import org.openscience.cdk.qsar.result.DoubleResult;
import org.openscience.cdk.qsar.result.IDescriptorResult;
import org.openscience.cdk.qsar.result.IntegerResult;
import org.openscience.cdk.silent.SilentChemObjectBuilder;
import org.openscience.cdk.tools.manipulator.AtomContainerManipulator;

/**
 * A fixed set of physico-chemical descriptors of a molecule, via the CDK: molecular weight, XLogP, topological polar
 * surface area, hydrogen-bond donors and acceptors, rotatable bonds, aromatic atoms, fraction of sp3 carbons, heavy
 * atoms and the sum of the absolute formal charges. A salt or mixture written with '.' is described as a whole, so a
 * counter-ion adds its weight, atoms and charge.
 */
final class Descriptors {
    /** What each entry of {@link #of} measures, in order. */
    static final List<String> NAMES = List.of(
            "molecular weight",
            "XLogP",
            "TPSA",
            "H-bond donors",
            "H-bond acceptors",
            "rotatable bonds",
            "aromatic atoms",
            "fraction sp3 carbons",
            "heavy atoms",
            "absolute formal charge");

    private Descriptors() {}

    /**
     * The descriptors named by {@link #NAMES}, all finite; throws PlanningException naming the parameter and choice
     * when the SMILES is invalid or a descriptor cannot be computed.
     */
    static double[] of(String parameter, String choice, String smiles) {
        IAtomContainer mol = Fingerprints.molecule(parameter, choice, smiles);
        try {
            AtomContainerManipulator.percieveAtomTypesAndConfigureAtoms(mol);
            Aromaticity.apply(Aromaticity.Model.CDK_AtomTypes, mol);
        } catch (CDKException | RuntimeException e) {
            throw cannot(parameter, choice, smiles, e.getMessage());
        }
        List<IMolecularDescriptor> cdk = List.of(
                new WeightDescriptor(),
                new XLogPDescriptor(),
                new TPSADescriptor(),
                new HBondDonorCountDescriptor(),
                new HBondAcceptorCountDescriptor(),
                new RotatableBondsCountDescriptor(),
                new AromaticAtomsCountDescriptor(),
                new FractionalCSP3Descriptor());
        double[] out = new double[NAMES.size()];
        for (int i = 0; i < cdk.size(); i++) {
            IMolecularDescriptor d = cdk.get(i);
            d.initialise(SilentChemObjectBuilder.getInstance());
            DescriptorValue v;
            try {
                v = d.calculate(mol);
            } catch (RuntimeException e) {
                throw cannot(parameter, choice, smiles, NAMES.get(i) + ": " + e.getMessage());
            }
            if (v.getException() != null) {
                throw cannot(
                        parameter,
                        choice,
                        smiles,
                        NAMES.get(i) + ": " + v.getException().getMessage());
            }
            out[i] = number(v.getValue());
        }
        int heavy = 0;
        int charge = 0;
        for (IAtom a : mol.atoms()) {
            if (a.getAtomicNumber() == null || a.getAtomicNumber() != 1) {
                heavy++;
            }
            charge += Math.abs(a.getFormalCharge() == null ? 0 : a.getFormalCharge());
        }
        out[cdk.size()] = heavy;
        out[cdk.size() + 1] = charge;
        for (int i = 0; i < out.length; i++) {
            if (!Double.isFinite(out[i])) {
                throw cannot(parameter, choice, smiles, NAMES.get(i) + " is " + out[i]);
            }
        }
        return out;
    }

    private static double number(IDescriptorResult r) {
        return switch (r) {
            case DoubleResult d -> d.doubleValue();
            case IntegerResult n -> n.intValue();
            default -> Double.NaN;
        };
    }

    private static PlanningException cannot(String parameter, String choice, String smiles, String why) {
        return new PlanningException("molecule parameter " + parameter + ": cannot compute descriptors of choice '"
                + choice + "' (SMILES '" + smiles + "'): " + Fingerprints.firstLine(why));
    }
}
