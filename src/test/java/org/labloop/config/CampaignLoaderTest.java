package org.labloop.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.labloop.config.Fixture.CAMPAIGN;
import static org.labloop.config.Fixture.PROTOCOL;
import static org.labloop.config.Fixture.WORKCELL;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.SourceFile;
import org.labloop.planner.PlannerSpec;
import org.labloop.protocol.Arg;
import org.labloop.protocol.StepSpec;
import org.labloop.space.Bound;
import org.labloop.space.CategoricalParameter;
import org.labloop.space.ContinuousParameter;
import org.labloop.space.Direction;
import org.labloop.space.DiscreteParameter;
import org.labloop.space.MoleculeParameter;
import org.labloop.space.Objective;
import org.labloop.space.OutcomeConstraint;
import org.labloop.workcell.DeviceKind;
import org.labloop.workcell.DeviceSpec;
import org.labloop.workcell.StepTiming;
import org.labloop.workcell.Workcell;

class CampaignLoaderTest {
    @TempDir
    Path dir;

    private CampaignSpec loadFixture(String campaign) {
        return Fixture.spec(dir, campaign, WORKCELL, PROTOCOL);
    }

    @Test
    void load_validFiles_buildsCampaignSpec() {
        CampaignSpec spec = loadFixture(CAMPAIGN);

        assertThat(spec.name()).isEqualTo("test");
        assertThat(spec.description()).isEmpty();
        assertThat(spec.budget()).isEqualTo(40);
        assertThat(spec.batchSize()).isEqualTo(4);
        assertThat(spec.seed()).isEqualTo(7);
        assertThat(spec.planner()).isEqualTo(PlannerSpec.of("sobol"));
        assertThat(spec.emulator().type()).isEqualTo("snar");
        assertThat(spec.emulator().options()).isEqualTo(Map.of("variant", "corrected"));
    }

    @Test
    void load_validFiles_readsEveryParameterKindInOrder() {
        CampaignSpec spec = loadFixture(CAMPAIGN);

        assertThat(spec.space().parameters())
                .containsExactly(
                        new ContinuousParameter("tau", new Bound(0.5, 2.0), "min"),
                        new DiscreteParameter("conc", List.of(0.1, 0.2, 0.5), "mol/L"),
                        new CategoricalParameter("solvent", List.of("EtOH", "MeCN")),
                        new MoleculeParameter(
                                "base",
                                List.of(
                                        new MoleculeParameter.Molecule("KOAc", "CC(=O)[O-].[K+]"),
                                        new MoleculeParameter.Molecule("CsOPiv", "CC(C)(C)C(=O)[O-].[Cs+]"))));
    }

    @Test
    void load_objectives_acceptsBothSpellingsAndOptionalTargetAndThreshold() {
        CampaignSpec spec = loadFixture(CAMPAIGN);

        assertThat(spec.objectives())
                .containsExactly(
                        new Objective(
                                "sty",
                                Direction.MAXIMISE,
                                "kg m-3 h-1",
                                OptionalDouble.empty(),
                                OptionalDouble.empty()),
                        new Objective("e_factor", Direction.MINIMISE, "", OptionalDouble.of(5), OptionalDouble.of(20)));
    }

    @Test
    void load_constraints_areReadInOrderAndAbsentMeansNone() {
        CampaignSpec spec = loadFixture(Fixture.replace(
                CAMPAIGN, "budget: 40\n", "constraints:\n  - e_factor <= 20\n  - \"sty>=1000\"\nbudget: 40\n"));

        assertThat(spec.constraints())
                .containsExactly(OutcomeConstraint.parse("e_factor <= 20"), OutcomeConstraint.parse("sty >= 1000"));
        assertThat(loadFixture(CAMPAIGN).constraints()).isEmpty();
        assertThat(loadFixture(Fixture.replace(CAMPAIGN, "budget: 40\n", "constraints: []\nbudget: 40\n"))
                        .constraints())
                .isEmpty();
    }

    @Test
    void load_workcell_readsDevicesKindsCapacitiesAndTimings() {
        Workcell cell = loadFixture(CAMPAIGN).workcell();

        assertThat(cell.name()).isEqualTo("cell");
        assertThat(cell.devices()).extracting(DeviceSpec::name).containsExactly("handler", "reactor", "hplc");
        DeviceSpec handler = cell.device("handler").orElseThrow();
        assertThat(handler.kind()).isEqualTo(DeviceKind.LIQUID_HANDLER);
        assertThat(handler.capacity()).isEqualTo(1);
        assertThat(handler.driver().durations())
                .isEqualTo(Map.of("dispense", new StepTiming(Duration.ofMinutes(2), Duration.ofSeconds(12))));
        DeviceSpec reactor = cell.device("reactor").orElseThrow();
        assertThat(reactor.capacity()).isEqualTo(8);
        assertThat(reactor.driver().type()).isEqualTo("sim");
        DeviceSpec hplc = cell.device("hplc").orElseThrow();
        assertThat(hplc.driver().type()).isEqualTo("sim");
        assertThat(hplc.driver().durations()).isEqualTo(Map.of("analyse", StepTiming.fixed(Duration.ofMinutes(6))));
        assertThat(hplc.driver().options()).isEqualTo(Map.of("column", "C18", "flow", List.of(1.0, 2.0)));
    }

    @Test
    void load_changeoverAndSetup_areReadAndTheSetupFollowsTheParameter() {
        String workcell =
                Fixture.replace(WORKCELL, "    kind: analyzer\n", "    kind: analyzer\n    changeover_min: 4.5\n");
        String protocol = Fixture.replace(PROTOCOL, "capability: analyse\n", "capability: analyse\n    setup: $base\n");
        CampaignSpec spec = Fixture.spec(dir, CAMPAIGN, workcell, protocol);

        assertThat(spec.workcell().device("hplc").orElseThrow().changeover()).isEqualTo(Duration.ofSeconds(270));
        assertThat(spec.workcell().device("reactor").orElseThrow().changeover()).isZero();
        StepSpec analyse = spec.protocol().steps().get(2);
        assertThat(analyse.setupFor(Map.of("base", "DBU"))).isEqualTo("analyse:DBU");
        assertThat(spec.protocol().steps().get(0).setupFor(Map.of("base", "DBU")))
                .isEqualTo("dispense");
    }

    @Test
    void load_protocol_readsLiteralsReferencesDurationAndMeasuringStep() {
        List<StepSpec> steps = loadFixture(CAMPAIGN).protocol().steps();

        assertThat(steps).extracting(StepSpec::name).containsExactly("dispense", "react", "analyse");
        assertThat(steps.get(0).args())
                .containsExactly(
                        Map.entry("conc", new Arg.Ref("conc")),
                        Map.entry("base", new Arg.Ref("base")),
                        Map.entry("solvent", new Arg.Ref("solvent")),
                        Map.entry("volume", new Arg.Literal(2.0)),
                        Map.entry("note", new Arg.Literal("$5 each")),
                        Map.entry("dry", new Arg.Literal(true)));
        assertThat(steps.get(1).durationMinutes()).contains(new Arg.Ref("tau"));
        assertThat(steps.get(0).durationMinutes()).isEmpty();
        assertThat(steps).extracting(StepSpec::measures).containsExactly(false, false, true);
    }

    @Test
    void load_yesAndNo_areTheWordsAsChoicesButTrueAndFalseWhereABooleanIsExpected() {
        String campaign = Fixture.replace(CAMPAIGN, "choices: [EtOH, MeCN]", "choices: [yes, no]");
        String protocol = Fixture.replace(PROTOCOL, "measures: true", "measures: yes");

        CampaignSpec spec = Fixture.spec(dir, campaign, WORKCELL, protocol);

        assertThat(spec.space().parameter("solvent"))
                .contains(new CategoricalParameter("solvent", List.of("yes", "no")));
        assertThat(spec.protocol().steps().get(2).measures()).isTrue();
    }

    @Test
    void load_optionalKeysAbsent_usesDefaults() {
        String campaign = CAMPAIGN.replace("batch_size: 4\n", "")
                .replace("planner: {type: sobol}\n", "")
                .replace("seed: 7\n", "");

        CampaignSpec spec = loadFixture(campaign);

        assertThat(spec.batchSize()).isEqualTo(1);
        assertThat(spec.planner()).isEqualTo(PlannerSpec.of("sobol"));
        assertThat(spec.seed()).isZero();
    }

    @Test
    void load_descriptionGivenOrLeftEmpty_isKeptOrEmpty() {
        assertThat(loadFixture(CAMPAIGN + "description: >-\n  two\n  lines\n").description())
                .isEqualTo("two lines");
        assertThat(loadFixture(CAMPAIGN + "description:\n").description()).isEmpty();
    }

    @Test
    void load_plannerAsBareString_isPlannerWithoutOptions() {
        CampaignSpec spec = loadFixture(Fixture.replace(CAMPAIGN, "planner: {type: sobol}", "planner: random"));

        assertThat(spec.planner()).isEqualTo(PlannerSpec.of("random"));
    }

    @Test
    void load_plannerOptions_arePassedThroughAsPlainJava() {
        CampaignSpec spec = loadFixture(Fixture.replace(
                CAMPAIGN,
                "planner: {type: sobol}",
                "planner: {type: lhs, beta: 2, kernel: matern, ard: true, grid: [1, 2.5], nested: {a: 1}}"));

        assertThat(spec.planner().type()).isEqualTo("lhs");
        assertThat(spec.planner().options())
                .isEqualTo(Map.of(
                        "beta",
                        2.0,
                        "kernel",
                        "matern",
                        "ard",
                        true,
                        "grid",
                        List.of(1.0, 2.5),
                        "nested",
                        Map.of("a", 1.0)));
    }

    @Test
    void load_emulatorAsBareString_isEmulatorWithoutOptions() {
        CampaignSpec spec =
                loadFixture(Fixture.replace(CAMPAIGN, "emulator: {type: snar, variant: corrected}", "emulator: snar"));

        assertThat(spec.emulator().type()).isEqualTo("snar");
        assertThat(spec.emulator().options()).isEmpty();
    }

    @Test
    void load_workcellAndProtocolInSubfolder_resolvesPathsFromCampaignFolder() throws Exception {
        Path sub = java.nio.file.Files.createDirectories(dir.resolve("lab"));
        Fixture.write(sub, CAMPAIGN, WORKCELL, PROTOCOL);
        Path campaign = java.nio.file.Files.writeString(
                dir.resolve("campaign.yaml"),
                CAMPAIGN.replace("workcell.yaml", "lab/workcell.yaml").replace("protocol.yaml", "lab/protocol.yaml"));

        LoadedCampaign loaded = Fixture.loader().load(campaign);

        assertThat(loaded.spec().workcell().name()).isEqualTo("cell");
        assertThat(loaded.sources())
                .extracting(SourceFile::path)
                .containsExactly(
                        campaign.toString(),
                        sub.resolve("workcell.yaml").toString(),
                        sub.resolve("protocol.yaml").toString());
    }

    @Test
    void load_keepsTheTextOfEveryFileWithItsRole() {
        LoadedCampaign loaded = Fixture.loader().load(Fixture.write(dir, CAMPAIGN, WORKCELL, PROTOCOL));

        assertThat(loaded.sources()).extracting(SourceFile::role).containsExactly("campaign", "workcell", "protocol");
        assertThat(loaded.sources()).extracting(SourceFile::text).containsExactly(CAMPAIGN, WORKCELL, PROTOCOL);
        assertThat(loaded.sources().get(0).sha256()).isEqualTo(SourceFile.sha256(CAMPAIGN));
    }

    @Test
    void parseStored_readsACampaignThatCannotWorkAsWritten_whichParseRefuses() {
        LoadedCampaign loaded = Fixture.loader().load(Fixture.write(dir, CAMPAIGN, WORKCELL, PROTOCOL));
        // As a campaign stored before the check existed: a timeout no attempt can meet.
        String protocol = loaded.sources().get(2).text();
        assertThat(protocol).contains("capability: react");
        String unworkable = protocol.replace("capability: react", "capability: react\n    timeout: 0.001");
        List<SourceFile> stored = loaded.sources().stream()
                .map(f -> f.role().equals("protocol") ? SourceFile.of(f.role(), f.path(), unworkable) : f)
                .toList();

        assertThatThrownBy(() -> Fixture.loader().parse(stored))
                .isInstanceOf(org.labloop.core.InvalidInputException.class)
                .hasMessageContaining("every attempt would time out");
        CampaignSpec spec = Fixture.loader().parseStored(stored).spec();
        assertThat(spec.protocol().steps().stream()
                        .filter(st -> st.capability().equals("react"))
                        .findFirst()
                        .orElseThrow()
                        .timeout())
                .hasValue(java.time.Duration.ofMillis(60));
        // A file broken in its syntax is refused either way.
        List<SourceFile> broken = loaded.sources().stream()
                .map(f -> f.role().equals("campaign") ? SourceFile.of(f.role(), f.path(), "budget: [") : f)
                .toList();
        assertThatThrownBy(() -> Fixture.loader().parseStored(broken))
                .isInstanceOf(org.labloop.core.InvalidInputException.class);
    }

    @Test
    void parse_sourcesOfALoad_givesAnEqualSpec() {
        LoadedCampaign loaded = Fixture.loader().load(Fixture.write(dir, CAMPAIGN, WORKCELL, PROTOCOL));

        LoadedCampaign again = Fixture.loader().parse(loaded.sources());

        assertThat(again.spec()).isEqualTo(loaded.spec());
        assertThat(again.sources()).isEqualTo(loaded.sources());
    }

    @Test
    void parse_doesNotReadTheDisk() {
        LoadedCampaign loaded = Fixture.loader().load(Fixture.write(dir, CAMPAIGN, WORKCELL, PROTOCOL));
        List<SourceFile> moved = loaded.sources().stream()
                .map(s -> SourceFile.of(s.role(), "/nowhere/" + s.role() + ".yaml", s.text()))
                .toList();

        assertThat(Fixture.loader().parse(moved).spec()).isEqualTo(loaded.spec());
    }

    @Test
    void parse_missingRole_reportsWhichFileIsMissing() {
        List<SourceFile> sources = List.of(SourceFile.of("campaign", "c.yaml", CAMPAIGN));

        assertThat(Fixture.problems(() -> Fixture.loader().parse(sources)))
                .extracting(p -> p.message())
                .containsExactly("no workcell file among the sources", "no protocol file among the sources");
    }

    @Test
    void parse_badText_reportsProblemsUnderTheStoredPath() {
        List<SourceFile> sources = List.of(
                SourceFile.of("campaign", "c.yaml", CAMPAIGN),
                SourceFile.of("workcell", "w.yaml", WORKCELL.replace("kind: reactor", "kind: reactr")),
                SourceFile.of("protocol", "p.yaml", PROTOCOL));

        assertThat(Fixture.problems(() -> Fixture.loader().parse(sources)))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.source()).isEqualTo("w.yaml");
                    assertThat(p.line()).isEqualTo(11);
                });
    }

    @Test
    void load_example_snarCampaignFromExamplesFolder() {
        LoadedCampaign loaded = Fixture.loader().load(Path.of("examples/snar/campaign.yaml"));

        CampaignSpec spec = loaded.spec();
        assertThat(spec.name()).isEqualTo("snar-demo");
        assertThat(spec.space().names()).containsExactly("tau", "equiv", "conc", "temperature");
        assertThat(spec.objectives())
                .extracting(Objective::name, Objective::direction)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("sty", Direction.MAXIMISE),
                        org.assertj.core.groups.Tuple.tuple("e_factor", Direction.MINIMISE));
        assertThat(spec.budget()).isEqualTo(40);
        assertThat(spec.batchSize()).isEqualTo(4);
        assertThat(spec.seed()).isEqualTo(7);
        assertThat(spec.planner())
                .isEqualTo(new PlannerSpec("bayesian", Map.of("avoid_repeats", true, "log_outcomes", true)));
        assertThat(spec.emulator().options()).containsEntry("variant", "corrected");
        assertThat(spec.workcell().device("reactor").orElseThrow().capacity()).isEqualTo(8);
        assertThat(spec.workcell().devicesFor("analyse"))
                .singleElement()
                .satisfies(d -> assertThat(d.kind()).isEqualTo(DeviceKind.ANALYZER));
        assertThat(spec.protocol().steps())
                .extracting(StepSpec::capability)
                .containsExactly("dispense", "transfer", "react", "transfer", "analyse");
        assertThat(spec.protocol().steps().get(2).durationMinutes()).isEqualTo(Optional.of(new Arg.Ref("tau")));
        assertThat(spec.protocol().steps().get(4).measures()).isTrue();
        assertThat(Fixture.loader().parse(loaded.sources()).spec()).isEqualTo(spec);
    }

    @Test
    void loadWorkcell_validFile_readsItAlone() {
        Fixture.write(dir, CAMPAIGN, WORKCELL, PROTOCOL);

        assertThat(CampaignLoader.loadWorkcell(dir.resolve("workcell.yaml")).devices())
                .hasSize(3);
    }
}
