package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShellTest {
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "/tmp/labloop-data|/tmp/labloop-data",
                "/tmp/a b|'/tmp/a b'",
                "it's|'it'\\''s'",
                "données|'données'",
                "$HOME|'$HOME'"
            })
    void quote_leavesPlainWordsAlone_andQuotesWhatAShellWouldSplitOrExpand(String word, String quoted) {
        assertThat(Shell.quote(word)).isEqualTo(quoted);
    }
}
