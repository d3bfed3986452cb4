package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SummaryTest {
    @ParameterizedTest
    @CsvSource({
        "120.0, 120",
        "90.0, 90",
        "0.5, 0.5",
        "11561.43, 11561.4",
        "1.23456, 1.235",
        "-2.5, -2.5",
        "0.0, 0",
        "-0.0, 0",
        "-0.0004, -0.0004",
        "0.00001234, 1.234e-05",
        "10000000, 1.000e+07",
        // Two costs of a Pareto front that the same three decimals would show as equal (0.021).
        "0.020775, 0.02078",
        "0.020752, 0.02075",
        "0.155, 0.155",
        "-0.5, -0.5"
    })
    void numbers_areShownWithTheSamePrecisionRule_withoutTrailingZeros(double value, String shown) {
        assertThat(Summary.num(value)).isEqualTo(shown);
    }
}
