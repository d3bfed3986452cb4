package org.labloop.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.labloop.config.Fixture.CAMPAIGN;
import static org.labloop.config.Fixture.PROTOCOL;
import static org.labloop.config.Fixture.WORKCELL;
import static org.labloop.config.Fixture.assertSingle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.labloop.campaign.SourceFile;
import org.labloop.core.Problem;

/** Files that are missing, unreadable, not YAML, not maps, or hostile. */
class FileAndYamlErrorsTest {
    @TempDir
    Path dir;

    @Test
    void load_campaignFileMissing_reportsTheFileWithoutPosition() {
        Path missing = dir.resolve("campain.yaml");

        List<Problem> problems = Fixture.problems(() -> Fixture.loader().load(missing));

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.source()).isEqualTo(missing.toString());
            assertThat(p.line()).isZero();
            assertThat(p.message()).isEqualTo("campaign file " + missing + " does not exist");
        });
    }

    @Test
    void load_campaignFileMissingNextToASimilarName_suggestsIt() throws Exception {
        Files.writeString(dir.resolve("campaign.yaml"), CAMPAIGN);

        List<Problem> problems = Fixture.problems(() -> Fixture.loader().load(dir.resolve("campain.yaml")));

        assertThat(problems)
                .singleElement()
                .satisfies(p -> assertThat(p.hint()).isEqualTo("did you mean 'campaign.yaml'?"));
    }

    @Test
    void load_campaignPathIsAFolder_reportsIt() {
        List<Problem> problems = Fixture.problems(() -> Fixture.loader().load(dir));

        assertThat(problems)
                .singleElement()
                .satisfies(p -> assertThat(p.message()).endsWith("is a folder"));
    }

    @Test
    void load_workcellFileMissing_reportsAtTheKeyInCampaignFile() {
        String campaign = Fixture.replace(CAMPAIGN, "workcell: workcell.yaml", "workcell: cell.yaml");

        List<Problem> problems = Fixture.problems(dir, campaign, WORKCELL, PROTOCOL);

        assertSingle(
                problems,
                "campaign.yaml",
                2,
                11,
                "workcell file " + dir.resolve("cell.yaml") + " does not exist",
                "relative to the campaign file's folder");
    }

    @Test
    void load_protocolFileMissing_reportsAtTheKeyAndStillChecksTheRest() {
        String campaign = Fixture.replace(CAMPAIGN, "protocol: protocol.yaml", "protocol: protocl.yaml")
                .replace("budget: 40", "budget: -1");

        List<Problem> problems = Fixture.problems(dir, campaign, WORKCELL, PROTOCOL);

        assertThat(problems).extracting(Problem::line).containsExactly(3, 13);
        assertThat(problems.get(0).hint()).isEqualTo("did you mean 'protocol.yaml'?");
    }

    @Test
    void load_yamlSyntaxError_reportsParserLineAndColumn() {
        List<Problem> problems = Fixture.problems(dir, "campaign: x\n  budget: 2\n", WORKCELL, PROTOCOL);

        assertSingle(
                problems,
                "campaign.yaml",
                2,
                9,
                "YAML syntax error: mapping values are not allowed here",
                "check the indentation");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "base: {type: molecule, choices: {CsF: [Cs+].[F-], KOAc: \"CC(=O)[O-].[K+]\"}}",
                "base:\n    type: molecule\n    choices:\n      CsF: [Cs+].[F-]\n      KOAc: \"CC(=O)[O-].[K+]\""
            })
    void load_unquotedSmilesWithBrackets_isAYamlError_whoseHintSaysToQuoteIt(String base) {
        String campaign = Fixture.replace(
                CAMPAIGN,
                "base: {type: molecule, choices: {KOAc: \"CC(=O)[O-].[K+]\", CsOPiv: \"CC(C)(C)C(=O)[O-].[Cs+]\"}}",
                base.replace("\n", "\n  "));

        List<Problem> problems = Fixture.problems(dir, campaign, WORKCELL, PROTOCOL);

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.message()).startsWith("YAML syntax error");
            assertThat(p.hint()).contains("[Cs+]").contains("reads as a YAML list unless quoted");
        });
    }

    @Test
    void load_unquotedSmilesThatReadsAsAList_isRefusedAtItsChoice_sayingToQuoteIt() {
        String campaign = Fixture.replace(CAMPAIGN, "KOAc: \"CC(=O)[O-].[K+]\"", "CsF: [Cs+]");

        List<Problem> problems = Fixture.problems(dir, campaign, WORKCELL, PROTOCOL);

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.message()).contains("the SMILES of choice 'CsF'").contains("was read as a YAML list");
            assertThat(p.hint()).contains("must be quoted");
        });
    }

    @Test
    void load_unclosedListWithoutSmiles_keepsTheGeneralHint() {
        List<Problem> problems =
                Fixture.problems(dir, Fixture.replace(CAMPAIGN, "[EtOH, MeCN]", "[EtOH MeCN] x]"), WORKCELL, PROTOCOL);

        assertThat(problems).singleElement().satisfies(p -> assertThat(p.hint()).doesNotContain("SMILES"));
    }

    @Test
    void load_nameLongerThanAYamlKeyMayBe_saysSo_notThatAColonIsMissing() {
        String workcell = "workcell: c\ndevices:\n  " + "r".repeat(5000) + ":\n    kind: reactor\n";
        List<Problem> problems = Fixture.problems(dir, CAMPAIGN, workcell, PROTOCOL);

        assertSingle(problems, "workcell.yaml", 3, 1, "longer than YAML allows for a key (1024 characters)", "shorten");
    }

    @Test
    void load_tabIndentation_reportsTheTab() {
        List<Problem> problems = Fixture.problems(dir, CAMPAIGN, "workcell: c\ndevices:\n\tx: 1\n", PROTOCOL);

        assertSingle(problems, "workcell.yaml", 3, 1, "YAML syntax error", "takes no tab characters");
    }

    @Test
    void load_unclosedFlowList_reportsWhereItEnds() {
        List<Problem> problems =
                Fixture.problems(dir, CAMPAIGN, WORKCELL, Fixture.replace(PROTOCOL, "{conc: $conc,", "[conc: $conc,"));

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.source()).endsWith("protocol.yaml");
            assertThat(p.line()).isEqualTo(5);
            assertThat(p.message()).startsWith("YAML syntax error: while parsing a flow sequence");
        });
    }

    @Test
    void load_emptyFile_reportsEmpty() {
        assertSingle(
                Fixture.problems(dir, CAMPAIGN, "# nothing here\n", PROTOCOL),
                "workcell.yaml",
                1,
                1,
                "the file is empty",
                "");
    }

    @Test
    void load_fileIsAList_reportsMapExpected() {
        assertSingle(
                Fixture.problems(dir, "- campaign: x\n- budget: 3\n", WORKCELL, PROTOCOL),
                "campaign.yaml",
                1,
                1,
                "the campaign file must be a map of 'key: value' entries, got a list",
                "not '- ' items");
    }

    @Test
    void load_fileIsAScalar_reportsMapExpected() {
        assertSingle(
                Fixture.problems(dir, CAMPAIGN, WORKCELL, "just text\n"),
                "protocol.yaml",
                1,
                1,
                "the protocol file must be a map of 'key: value' entries, got text 'just text'",
                "");
    }

    @Test
    void load_twoDocumentsInOneFile_reportsTheSecond() {
        assertSingle(
                Fixture.problems(dir, CAMPAIGN, WORKCELL, PROTOCOL + "---\nprotocol: other\n"),
                "protocol.yaml",
                13,
                1,
                "more than one YAML document",
                "remove the '---'");
    }

    @Test
    void load_yamlAlias_isRefused() {
        String campaign = Fixture.replace(CAMPAIGN, "seed: 7", "seed: &s 7\nbatch: *s");

        List<Problem> problems = Fixture.problems(dir, campaign, WORKCELL, PROTOCOL);

        assertSingle(problems, "campaign.yaml", 17, 8, "YAML aliases (*s) are not supported", "write the value out");
    }

    @Test
    void load_hugeFile_isRefusedBeforeParsing() throws Exception {
        Path big = dir.resolve("campaign.yaml");
        Files.writeString(big, "# " + "x".repeat(YamlTree.MAX_CHARS) + "\n");

        List<Problem> problems = Fixture.problems(() -> Fixture.loader().load(big));

        assertThat(problems)
                .singleElement()
                .satisfies(p -> assertThat(p.message()).contains("is larger than " + YamlTree.MAX_CHARS + " bytes"));
    }

    @Test
    void parse_hugeStoredText_isRefused() {
        String huge = "campaign: x\ndescription: " + "y".repeat(YamlTree.MAX_CHARS) + "\n";
        List<SourceFile> sources = List.of(
                SourceFile.of("campaign", "c.yaml", huge),
                SourceFile.of("workcell", "w.yaml", WORKCELL),
                SourceFile.of("protocol", "p.yaml", PROTOCOL));

        assertSingle(Fixture.problems(() -> Fixture.loader().parse(sources)), "c.yaml", 1, 1, "too large", "");
    }

    @Test
    void load_deeplyNestedValue_isRefused() {
        String deep = "[".repeat(200) + "]".repeat(200);
        String campaign = Fixture.replace(CAMPAIGN, "variant: corrected", "variant: " + deep);

        List<Problem> problems = Fixture.problems(dir, campaign, WORKCELL, PROTOCOL);

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(4);
            assertThat(p.message()).contains("nested more than " + YamlTree.MAX_DEPTH + " levels deep");
        });
    }

    @Test
    void load_tooManyValues_isRefused() {
        String many = "[" + "1,".repeat(YamlTree.MAX_NODES) + "1]";
        String campaign = Fixture.replace(CAMPAIGN, "variant: corrected", "variant: " + many);

        List<Problem> problems = Fixture.problems(dir, campaign, WORKCELL, PROTOCOL);

        assertThat(problems)
                .singleElement()
                .satisfies(p -> assertThat(p.message()).contains("more than " + YamlTree.MAX_NODES + " values"));
    }

    @Test
    void load_veryLongNumber_isRefused() {
        String campaign = Fixture.replace(CAMPAIGN, "seed: 7", "seed: " + "9".repeat(5000));

        List<Problem> problems = Fixture.problems(dir, campaign, WORKCELL, PROTOCOL);

        assertSingle(problems, "campaign.yaml", 16, 7, "'seed' must be a whole number", "more than 100 digits");
    }

    @Test
    void load_longNumberWithinTheParsersBuffer_isRefusedAtItsPlace_withoutTheLibrarysWords() {
        String campaign = Fixture.replace(CAMPAIGN, "budget: 40", "budget: " + "1".repeat(150));

        List<Problem> problems = Fixture.problems(dir, campaign, WORKCELL, PROTOCOL);

        assertSingle(problems, "campaign.yaml", 13, 9, "a number here has more than 100 digits", "plain decimal");
        assertThat(problems.get(0).message()).doesNotContain("StreamReadConstraints");
    }

    @Test
    void load_notUtf8_reportsEncoding() throws Exception {
        Path file = dir.resolve("campaign.yaml");
        Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xC3, (byte) 0x28, '\n'});

        List<Problem> problems = Fixture.problems(() -> Fixture.loader().load(file));

        assertThat(problems)
                .singleElement()
                .satisfies(p -> assertThat(p.message()).endsWith("is not UTF-8 text"));
    }

    @Test
    void load_garbageBytes_neverThrowsAnythingButInvalidInput() {
        String[] inputs = {
            "\u0000\u0001\u0002",
            "{a: ",
            "? [a, b]\n: c\n",
            "!!binary AAAA",
            "a: !!python/object:x {}",
            "%YAML 9.9\n---\na: 1",
            "a: 'unclosed",
            "\"\\q\"",
            "a: b: c",
            "&a [*a]",
            "- - - - -",
            "campaign: [",
            "{",
            "]",
            "---\n...\n",
        };
        for (String input : inputs) {
            for (int role = 0; role < 3; role++) {
                String c = role == 0 ? input : CAMPAIGN;
                String w = role == 1 ? input : WORKCELL;
                String p = role == 2 ? input : PROTOCOL;
                assertThat(Fixture.problems(dir, c, w, p))
                        .as(input)
                        .isNotEmpty()
                        .noneMatch(problem -> problem.message().startsWith("internal error"));
            }
        }
    }

    @Test
    void parse_randomlyMutatedFiles_onlyEverSucceedOrReportProblems() {
        java.util.Random random = new java.util.Random(42);
        String alphabet = " :-[]{},'\"$#&*!|>\n\t0123456789abcxyz.";
        String[] originals = {CAMPAIGN, WORKCELL, PROTOCOL};
        int refused = 0;
        for (int round = 0; round < 600; round++) {
            String[] texts = originals.clone();
            int which = round % 3;
            StringBuilder sb = new StringBuilder(texts[which]);
            for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
                int at = random.nextInt(sb.length());
                switch (random.nextInt(3)) {
                    case 0 -> sb.deleteCharAt(at);
                    case 1 -> sb.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> sb.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            texts[which] = sb.toString();
            List<SourceFile> sources = List.of(
                    SourceFile.of("campaign", "c.yaml", texts[0]),
                    SourceFile.of("workcell", "w.yaml", texts[1]),
                    SourceFile.of("protocol", "p.yaml", texts[2]));
            try {
                Fixture.loader().parse(sources);
            } catch (org.labloop.core.InvalidInputException e) {
                refused++;
                assertThat(e.problems())
                        .as(texts[which])
                        .isNotEmpty()
                        .noneMatch(problem -> problem.message().startsWith("internal error"))
                        .allMatch(problem -> problem.line() > 0 && problem.column() > 0);
            }
        }
        // Most edits of one to three characters break a file (a loader that took everything would fail here);
        // some land in a comment, a name or a number and leave it valid.
        assertThat(refused).isBetween(300, 599);
    }
}
