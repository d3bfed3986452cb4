package org.labloop.space;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UnitsTest {
    @ParameterizedTest
    @CsvSource({
        "min, minutes, true",
        "Min, min, true",
        "' ', min, true",
        "h, min, false",
        "hours, min, false",
        "s, min, false",
        "°C, degC, true",
        "deg C, degC, true",
        "oC, degC, true",
        "K, degC, false",
        "M, mol/L, true",
        "mol l-1, mol/L, true",
        "mM, mol/L, false",
        "m, mol/L, false",
        "rpm, '', true",
        "mL, uL, false",
    })
    void agree_readsSpellingsOfOneQuantityAsTheSame_andOtherUnitsAsDifferent(
            String given, String expected, boolean agree) {
        assertThat(Units.agree(given, expected)).isEqualTo(agree);
    }
}
