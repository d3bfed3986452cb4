package org.labloop.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpreadsheetSafeTest {
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "=HYPERLINK(\"http://x\")|'=HYPERLINK(\"http://x\")",
                "+cmd|'+cmd",
                "-ERR 42 from reactor|'-ERR 42 from reactor",
                "@SUM(A1)|'@SUM(A1)",
                "-2+3|'-2+3",
                "-1.5|-1.5",
                "+4|+4",
                "-1.25E-7|-1.25E-7",
                "-Infinity|-Infinity",
                "120|120",
                "DMAc|DMAc",
                "CC(=O)N(C)C|CC(=O)N(C)C",
                "a=b|a=b",
            })
    void formulaLikeText_getsAQuote_numbersAndOtherTextStayAsTheyAre(String cell, String written) {
        assertThat(Dataset.spreadsheetSafe(cell)).isEqualTo(written);
    }

    @ParameterizedTest
    @CsvSource({"'\tx'", "'\rx'"})
    void leadingTabOrCarriageReturn_getsAQuote(String cell) {
        assertThat(Dataset.spreadsheetSafe(cell)).isEqualTo("'" + cell);
    }

    @ParameterizedTest
    @CsvSource({"-1d", "-0x1p3"})
    void javaNumberSpellings_areNotTakenForNumbers(String cell) {
        assertThat(Dataset.spreadsheetSafe(cell)).isEqualTo("'" + cell);
    }
}
