package org.labloop.chem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
                "Xx|unexpected character",
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
}
