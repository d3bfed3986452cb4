package org.labloop.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.labloop.core.InvalidInputException;
import org.labloop.core.Problem;
import org.labloop.core.Table;

class CsvTablesTest {

    @Test
    void eachRow_knowsTheLineItStartsOn_pastBlankLinesQuotedLineBreaksAndCrlf() {
        Table t = CsvTables.parse("t.csv", "\uFEFFa,b\r\n1,x\r\n\r\n2,\"two\nlines\"\n3,z\n\n\n4,w");

        assertThat(t.rows()).extracting(r -> r.get(0)).containsExactly("1", "2", "3", "4");
        assertThat(t.rows().get(1).get(1)).isEqualTo("two\nlines");
        assertThat(List.of(t.line(0), t.line(1), t.line(2), t.line(3))).containsExactly(2, 4, 6, 9);
        assertThat(t.where(3)).isEqualTo("t.csv:9");
    }

    @Test
    void aTableBuiltWithoutLines_countsTheHeaderAsLineOne() {
        Table t = new Table("mem", List.of("a"), List.of(List.of("1"), List.of("2")));

        assertThat(t.line(0)).isEqualTo(2);
        assertThat(t.line(1)).isEqualTo(3);
    }

    @Test
    void aRowWithTheWrongNumberOfCells_isReportedAtItsLine() {
        InvalidInputException e = catchThrowableOfType(
                InvalidInputException.class, () -> CsvTables.parse("t.csv", "a,b\n1,2\n\n\"x\ny\",3\n4\n"));

        assertThat(e.problems()).extracting(Problem::line).containsExactly(6);
        assertThat(e.problems().get(0).message()).isEqualTo("row has 1 cells but the header has 2");
    }

    @Test
    void aColumnThatIsNotNumeric_namesTheLineOfItsFirstOtherCell() {
        Table t = CsvTables.parse("t.csv", "y\n1\n\n2.5\nn/a\n3\n");

        assertThat(t.isNumeric("y")).isFalse();
        assertThat(t.firstNonNumber("y")).hasValue(2);
        assertThat(t.notNumeric("y")).isEqualTo("line 5 has 'n/a'");
    }
}
