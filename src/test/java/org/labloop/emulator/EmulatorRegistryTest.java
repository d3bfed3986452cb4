package org.labloop.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.labloop.data.CsvTables;

class EmulatorRegistryTest {
    private final EmulatorRegistry registry = EmulatorRegistry.standard(
            p -> CsvTables.read(LookupTableEmulatorTest.shared().resolve(p)));

    @Test
    void names_listsTheShippedTypes() {
        assertThat(registry.names()).containsExactly("snar", "lookup");
        assertThat(registry.options("snar")).containsExactly("variant", "noise_pct", "inputs", "outputs");
    }

    @Test
    void create_snarWithOptions_buildsTheVariantAsked() {
        Emulator e = registry.create(new EmulatorSpec("snar", Map.of("variant", "published-2020", "noise_pct", 2)));

        assertThat(e).isInstanceOf(SnarEmulator.class);
        assertThat(((SnarEmulator) e).variant()).isEqualTo(SnarEmulator.Variant.PUBLISHED_2020);
        assertThat(((SnarEmulator) e).noisePct()).isEqualTo(2.0);
        assertThat(e.version()).contains("published-2020");
    }

    @Test
    void create_snarWithoutOptions_isTheCorrectedNoiselessModel() {
        SnarEmulator e = (SnarEmulator) registry.create(new EmulatorSpec("snar", Map.of()));

        assertThat(e.variant()).isEqualTo(SnarEmulator.Variant.CORRECTED);
        assertThat(e.noisePct()).isZero();
    }

    @Test
    void create_unknownType_listsKnownTypes() {
        assertThatThrownBy(() -> registry.create(new EmulatorSpec("snar2", Map.of())))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("unknown emulator type 'snar2'")
                .hasMessageContaining("snar, lookup");
    }

    @Test
    void create_unknownOption_listsTheKnownOptionsOfThatType() {
        assertThatThrownBy(() -> registry.create(new EmulatorSpec("snar", Map.of("noise", 1.0))))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("has no option 'noise'")
                .hasMessageContaining("variant, noise_pct, inputs, outputs");
        assertThatThrownBy(() -> registry.create(new EmulatorSpec("lookup", Map.of("path", "x.csv"))))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("file, outcomes, ignore, inputs, outputs");
    }

    @Test
    void create_optionOfWrongType_saysWhatWasExpected() {
        assertThatThrownBy(() -> registry.create(new EmulatorSpec("snar", Map.of("noise_pct", "high"))))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("option 'noise_pct': expected a finite number, got string high");
        assertThatThrownBy(() -> registry.create(new EmulatorSpec("snar", Map.of("variant", 2020))))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("option 'variant': expected a string");
        assertThatThrownBy(() -> registry.create(new EmulatorSpec("snar", Map.of("inputs", List.of("tau")))))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("option 'inputs': expected a map of names to names");
        assertThatThrownBy(() -> registry.create(new EmulatorSpec("snar", Map.of("variant", "2019"))))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("unknown SnAr variant '2019'");
    }

    @Test
    void create_severalBadOptions_reportsEachAtItsOption() {
        assertThatThrownBy(() -> registry.create(
                        new EmulatorSpec("snar", Map.of("noise_pct", -1, "variant", "newest", "varaint", "x"))))
                .isInstanceOfSatisfying(
                        EmulationException.class,
                        e -> assertThat(e.problems())
                                .extracting(p -> p.option().orElse(null), EmulationException::getMessage)
                                .containsExactlyInAnyOrder(
                                        org.assertj.core.groups.Tuple.tuple(
                                                "varaint",
                                                "emulator 'snar' has no option 'varaint'; its options are variant, noise_pct,"
                                                        + " inputs, outputs"),
                                        org.assertj.core.groups.Tuple.tuple(
                                                "variant",
                                                "emulator 'snar', option 'variant': unknown SnAr variant 'newest'; known"
                                                        + " variants: corrected, published-2020"),
                                        org.assertj.core.groups.Tuple.tuple(
                                                "noise_pct",
                                                "emulator 'snar', option 'noise_pct': must be 0 or more (percent), got -1.0")));
    }

    @Test
    void create_misspeltRequiredOption_isReportedOnceAsUnknown() {
        assertThatThrownBy(() -> registry.create(new EmulatorSpec("lookup", Map.of("fiel", "t.csv", "outcomes", "y"))))
                .isInstanceOfSatisfying(
                        EmulationException.class,
                        e -> assertThat(e.problems())
                                .singleElement()
                                .satisfies(p -> assertThat(p.getMessage()).contains("has no option 'fiel'")));
    }

    @Test
    void create_lookupWithoutFileOrOutcomes_saysWhichOptionIsMissing() {
        assertThatThrownBy(() -> registry.create(new EmulatorSpec("lookup", Map.of("outcomes", List.of("yield")))))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("needs option 'file'");
        assertThatThrownBy(() -> registry.create(
                        new EmulatorSpec("lookup", Map.of("file", "data/direct_arylation/experiment_index.csv"))))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("needs option 'outcomes'");
    }

    @Test
    void create_lookupFromFile_answersFromTheTable() {
        Emulator e = registry.create(new EmulatorSpec(
                "lookup",
                Map.of(
                        "file", "data/direct_arylation/yield_and_cost.csv",
                        "outcomes", "yield",
                        "ignore", List.of("new_index", "cost"))));

        assertThat(e.inputs()).containsExactly("base", "ligand", "solvent", "concentration", "temperature");
        assertThat(e.evaluate(
                        Map.of(
                                "base", "KOAc",
                                "ligand", "BrettPhos",
                                "solvent", "DMAc",
                                "concentration", 0.1,
                                "temperature", 105.0),
                        null))
                .containsExactlyEntriesOf(Map.of("yield", 5.47));
    }

    @Test
    void create_withRenaming_usesCampaignNamesForInputsAndOutputs() {
        Emulator e = registry.create(new EmulatorSpec(
                "snar",
                Map.of(
                        "inputs", Map.of("tau", "residence_min", "temperature", "temp_c"),
                        "outputs", Map.of("sty", "space_time_yield"))));

        assertThat(e.inputs()).containsExactly("residence_min", "equiv", "conc", "temp_c");
        assertThat(e.outputs()).containsExactly("space_time_yield", "e_factor");
        assertThat(e.name()).isEqualTo("snar");
        Map<String, Double> out = e.evaluate(
                Map.of("residence_min", 1.25, "equiv", 3.0, "conc", 0.3, "temp_c", 75.0), new SplittableRandom(1));
        double[] expected = SnarEmulator.objectives(SnarEmulator.Variant.CORRECTED, 1.25, 3.0, 0.3, 75.0);
        assertThat(out).containsOnlyKeys("space_time_yield", "e_factor");
        assertThat(out.get("space_time_yield")).isEqualTo(expected[0]);
        assertThat(out.get("e_factor")).isEqualTo(expected[1]);
    }

    @Test
    void aRenamedTable_givesItsAnswersUnderTheCampaignsOutcomeNames() {
        Emulator plain = registry.create(new EmulatorSpec(
                "lookup",
                Map.of(
                        "file", "data/direct_arylation/yield_and_cost.csv",
                        "outcomes", List.of("yield", "cost"),
                        "ignore", List.of("new_index"))));
        Emulator renamed = registry.create(new EmulatorSpec(
                "lookup",
                Map.of(
                        "file", "data/direct_arylation/yield_and_cost.csv",
                        "outcomes", List.of("yield", "cost"),
                        "ignore", List.of("new_index"),
                        "outputs", Map.of("yield", "area_pct"))));

        var answers = renamed.answers().orElseThrow();
        assertThat(answers).hasSameSizeAs(plain.answers().orElseThrow());
        assertThat(answers).allSatisfy(a -> assertThat(a).containsOnlyKeys("area_pct", "cost"));
        assertThat(answers.stream().mapToDouble(a -> a.get("area_pct")).max().orElseThrow())
                .isEqualTo(plain.answers().orElseThrow().stream()
                        .mapToDouble(a -> a.get("yield"))
                        .max()
                        .orElseThrow());
    }

    @Test
    void renamedEmulator_missingOrBadInput_namesTheCampaignParameter() {
        Emulator e = registry.create(new EmulatorSpec("snar", Map.of("inputs", Map.of("tau", "residence_min"))));

        assertThatThrownBy(() -> e.evaluate(Map.of("tau", 1.0, "equiv", 3.0, "conc", 0.3, "temperature", 75.0), null))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("missing input 'residence_min' (emulator input 'tau')");
        assertThatThrownBy(() ->
                        e.evaluate(Map.of("residence_min", 9.0, "equiv", 3.0, "conc", 0.3, "temperature", 75.0), null))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("'tau' = 9.0")
                .hasMessageContaining("residence_min is emulator input tau");
    }

    @Test
    void create_renamingUnknownNameOrCollision_rejected() {
        assertThatThrownBy(() -> registry.create(new EmulatorSpec("snar", Map.of("inputs", Map.of("time", "t")))))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("'time' is not one of its inputs; they are tau, equiv, conc, temperature");
        assertThatThrownBy(() ->
                        registry.create(new EmulatorSpec("snar", Map.of("outputs", Map.of("sty", "e_factor")))))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("would both be called 'e_factor'");
    }

    @Test
    void with_addsATypeWhoseOptionsAreChecked() {
        EmulatorRegistry extended = registry.with("fixed", List.of("level"), spec -> new SnarEmulator());

        assertThat(extended.names()).containsExactly("snar", "lookup", "fixed");
        assertThat(registry.names()).doesNotContain("fixed");
        assertThat(extended.create(new EmulatorSpec("fixed", Map.of("level", 1))))
                .isInstanceOf(SnarEmulator.class);
        assertThatThrownBy(() -> extended.create(new EmulatorSpec("fixed", Map.of("lvl", 1))))
                .isInstanceOf(EmulationException.class)
                .hasMessageContaining("its options are level, inputs, outputs");
    }
}
