package org.labloop.chem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SmilesTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "CCO",
                "CC(=O)[O-].[K+]",
                "c1ccccc1",
                "O=C([O-])C(C)(C)C.[Cs+]",
                "[CH3-]",
                "C=C=C",
                "CC(C)(P(C(C)(C)C)[c-]1cccc1)C.CC(C)(P(C(C)(C)C)[c-]2cccc2)C.[Fe+2]",
                "CC1=CC=C(N(C2CCCCO2)N=C3)C3=C1[B-](F)(F)F"
            })
    void validSmiles_parse_withTheirAtoms(String smiles) {
        assertThat(Smiles.problem(smiles)).isEmpty();
        assertThat(Smiles.parse(smiles).getAtomCount()).isPositive();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "C1CC(|unclosed ring",
                "CC(C)(C)C(=O|unclosed branch",
                "Xx|unexpected character (at character 1, 'X')",
                "CXy|unexpected character (at character 2, 'X')",
                "CC(=O)[O-] [K+]|contains whitespace",
                "CCO ethanol|contains whitespace",
                "[Cz+]|'Cz+' is not a chemical element",
                "CC(=O)[O-].[Kk+]|'Kk+' is not a chemical element",
                "C*|'*' is not a chemical element",
                "CC(C)(C)(C)(C)C|carbon atom 2 has 6 bonds"
            })
    void invalidSmiles_sayWhy_withoutTheParsersEchoOfTheInput(String smiles, String why) {
        assertThat(Smiles.problem(smiles))
                .hasValueSatisfying(
                        p -> assertThat(p).contains(why).doesNotContain("\n").doesNotEndWith(":"));
        assertThatThrownBy(() -> Smiles.parse(smiles))
                .isInstanceOf(Smiles.InvalidMoleculeException.class)
                .hasMessageContaining(why);
    }

    @Test
    void aSmilesCutShort_isNotGivenThePlaceWhereItEnds_asIfTheFaultWereThere() {
        assertThat(Smiles.problem("C1CC("))
                .hasValueSatisfying(p -> assertThat(p).contains("unclosed ring").doesNotContain("at character"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "CCO | OCC | C(O)C",
                "CC(=O)[O-].[K+] | [K+].CC([O-])=O | [O-]C(C)=O.[K+]",
                "c1ccccc1 | C1=CC=CC=C1 | C=1C=CC=CC=1",
                "ClC1=CC=C(N=CC=C2)C2=C1 | Clc1ccc2ncccc2c1 | c1cc2cc(Cl)ccc2nc1"
            })
    void canonical_givesOneTextPerStructure_howeverItIsWritten(String a, String b, String c) {
        assertThat(Smiles.canonical(a)).isPresent();
        assertThat(Smiles.canonical(b)).isEqualTo(Smiles.canonical(a));
        assertThat(Smiles.canonical(c)).isEqualTo(Smiles.canonical(a));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {"CCO | CCCO", "CC(=O)[O-].[K+] | CC(=O)[O-].[Na+]", "c1ccccc1 | C1CCCCC1"})
    void canonical_tellsDifferentMoleculesApart(String a, String b) {
        assertThat(Smiles.canonical(a)).isNotEqualTo(Smiles.canonical(b));
    }

    @ParameterizedTest
    @ValueSource(strings = {"C/C=C/C", "C/C=C\\C", "N[C@@H](C)C(=O)O", "N[C@H](C)C(=O)O", "[13CH4]", "[2H]C"})
    void canonical_ofAMoleculeMarkingStereochemistryOrIsotopes_isEmpty_soItIsMatchedOnlyAsWritten(String smiles) {
        assertThat(Smiles.problem(smiles)).isEmpty();
        assertThat(Smiles.canonical(smiles)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"C1CC(", "Xx", "C C"})
    void canonical_ofAnInvalidSmiles_isEmpty(String smiles) {
        assertThat(Smiles.canonical(smiles)).isEmpty();
    }
}
