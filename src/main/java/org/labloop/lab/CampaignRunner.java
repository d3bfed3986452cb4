package org.labloop.lab;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.labloop.campaign.Approval;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.SourceFile;
import org.labloop.chem.Smiles;
import org.labloop.config.LoadedCampaign;
import org.labloop.core.InvalidInputException;
import org.labloop.core.LabClock;
import org.labloop.core.LabLoopException;
import org.labloop.core.Problem;
import org.labloop.core.Version;
import org.labloop.core.VirtualClock;
import org.labloop.core.WallClock;
import org.labloop.device.DeviceMemory;
import org.labloop.device.Driver;
import org.labloop.device.DriverContext;
import org.labloop.emulator.Emulator;
import org.labloop.engine.Engine;
import org.labloop.engine.EngineListener;
import org.labloop.engine.SharedWorkcell;
import org.labloop.engine.WindowFeasibility;
import org.labloop.event.EventBody;
import org.labloop.event.EventLog;
import org.labloop.planner.InvalidPlannerOptionsException;
import org.labloop.planner.Planner;
import org.labloop.planner.PlannerSpec;
import org.labloop.space.Objective;
import org.labloop.space.OutcomeConstraint;
import org.labloop.store.ControlInbox;
import org.labloop.workcell.DeviceSpec;
import org.labloop.workcell.Workcell;

/**
 * Validates a campaign completely, then creates it in the store and runs it. Nothing is written until every check
 * has passed, so a bad file leaves the store as it was.
 */
public final class CampaignRunner {
    /** Virtual time starts here: fixed, so seeded runs are identical event for event. */
    public static final Instant VIRTUAL_START = Instant.EPOCH;

    private final Lab lab;
    /** Whether emulator tables must lie under the campaign's folder (campaigns sent to the server). */
    private final boolean confined;

    public CampaignRunner(Lab lab) {
        this(lab, false);
    }

    /** @param confined refuse emulator tables outside the folder the campaign's paths resolve against */
    public CampaignRunner(Lab lab, boolean confined) {
        this.lab = lab;
        this.confined = confined;
    }

    /**
     * Everything a run needs, built and checked before the store is touched. {@code refusedIfNew}: what a newer
     * LabLoop refuses in a new campaign but lets a campaign already in the store run with (a parameter in another unit
     * than the emulator reads it in); call {@link #requireNew} before creating one.
     */
    public record Prepared(
            CampaignSpec spec,
            List<SourceFile> sources,
            Planner planner,
            Emulator emulator,
            Path baseDir,
            List<Problem> refusedIfNew) {
        public Prepared {
            refusedIfNew = List.copyOf(refusedIfNew);
        }

        /** Refuses to create a new campaign from these files when they hold what only a stored one may keep. */
        public Prepared requireNew() {
            if (!refusedIfNew.isEmpty()) {
                throw new InvalidInputException(refusedIfNew);
            }
            return this;
        }
    }

    /**
     * Reads and checks a campaign file. What only a new campaign is refused for (files that cannot work as written, a
     * parameter in another unit than the emulator reads it in) is left in {@link Prepared#refusedIfNew}: the same
     * files may resume a campaign stored before those checks existed.
     */
    public Prepared prepare(Path campaignFile, Long seedOverride) {
        LoadedCampaign loaded = lab.loader().loadKeepingUnworkable(campaignFile);
        CampaignSpec spec = seedOverride == null ? loaded.spec() : loaded.spec().withSeed(seedOverride);
        Path baseDir = campaignFile.toAbsolutePath().getParent();
        return check(
                spec, loaded.sources(), baseDir, campaignFile.toString(), loaded.places(), true, loaded.unworkable());
    }

    /**
     * Checks a campaign already in the store before it runs again. What a newer LabLoop refuses in a new campaign
     * (a parameter's unit the emulator does not read its input in) is not checked: data recorded stays runnable.
     */
    public Prepared check(CampaignSpec spec, List<SourceFile> sources, Path baseDir, String where) {
        return check(spec, sources, baseDir, where, Map.of(), false, List.of());
    }

    /**
     * Builds the planner, emulator and drivers once to check their options and how they fit the campaign; every
     * problem is reported together, at the section of the files it concerns when {@code places} knows it (see
     * {@link LoadedCampaign#places}), otherwise at {@code where}.
     */
    public Prepared check(
            CampaignSpec spec,
            List<SourceFile> sources,
            Path baseDir,
            String where,
            Map<String, LoadedCampaign.Place> places) {
        return check(spec, sources, baseDir, where, places, true, List.of());
    }

    private Prepared check(
            CampaignSpec spec,
            List<SourceFile> sources,
            Path baseDir,
            String where,
            Map<String, LoadedCampaign.Place> places,
            boolean fresh,
            List<Problem> unworkable) {
        List<Problem> problems = new ArrayList<>();
        List<Problem> refusedIfNew = new ArrayList<>(unworkable);
        // Parameters with a SMILES that does not parse: an emulator cannot match their molecules by structure, and
        // what it would say about them only hides the SMILES problem.
        java.util.Set<String> unparsed = new java.util.HashSet<>();
        for (org.labloop.space.Parameter param : spec.space().parameters()) {
            if (param instanceof org.labloop.space.MoleculeParameter m) {
                for (org.labloop.space.MoleculeParameter.Molecule choice : m.choices()) {
                    Smiles.problem(choice.smiles()).ifPresent(why -> {
                        unparsed.add(m.name());
                        problems.add(locate(
                                places,
                                where,
                                LoadedCampaign.moleculeChoice(m.name(), choice.name()),
                                "choice '" + choice.name() + "' of parameter '" + m.name()
                                        + "' (molecule) has an invalid SMILES '" + choice.smiles() + "': " + why,
                                "correct the SMILES (for example from the supplier's data sheet or PubChem)"));
                    });
                }
            }
        }
        Planner planner = null;
        Emulator emulator = null;
        Planner checked = null;
        // A table the campaign already stored answers as stored (the file may have changed since); one read from disk
        // is stored with the campaign when it is created.
        Map<String, SourceFile> storedTables = new java.util.HashMap<>();
        for (SourceFile s : sources) {
            if (s.role().startsWith(Lab.TABLE)) {
                storedTables.put(s.role().substring(Lab.TABLE.length()), s);
            }
        }
        List<SourceFile> readTables = new ArrayList<>();
        try {
            planner = lab.planners.create(spec.planner());
            checked = planner;
        } catch (LabLoopException e) {
            plannerProblems(e, places, where, problems);
            checked = withoutWrongOptions(spec.planner(), e);
        }
        if (checked != null) {
            // Both checks run, even on options some of which were wrong, so every problem is reported at once.
            Planner p = checked;
            List<Runnable> checks =
                    List.of(() -> p.checkObjectives(spec.objectives()), () -> p.checkSpace(spec.space()));
            for (Runnable check : checks) {
                try {
                    check.run();
                } catch (LabLoopException e) {
                    plannerProblems(e, places, where, problems);
                }
            }
        }
        try {
            emulator = org.labloop.emulator.MoleculeAliases.bind(
                    lab.emulators(baseDir, storedTables, readTables, confined).create(spec.emulator()), spec.space());
            for (Objective o : spec.objectives()) {
                if (!emulator.outputs().contains(o.name())) {
                    problems.add(locate(
                            places,
                            where,
                            LoadedCampaign.objective(o.name()),
                            "objective '" + o.name() + "' is not measured by emulator '"
                                    + spec.emulator().type() + "' (it reports " + String.join(", ", emulator.outputs())
                                    + ")",
                            org.labloop.core.Suggest.closest(o.name(), emulator.outputs())
                                    .map(m -> "did you mean '" + m + "'?")
                                    .orElse("rename the objective or map it with emulator.outputs")));
                }
            }
            for (OutcomeConstraint c : spec.constraints()) {
                if (!emulator.outputs().contains(c.outcome())) {
                    problems.add(locate(
                            places,
                            where,
                            LoadedCampaign.constraint(c.toString()),
                            "constraint '" + c + "' is on '" + c.outcome() + "', which emulator '"
                                    + spec.emulator().type() + "' does not measure (it reports "
                                    + String.join(", ", emulator.outputs()) + ")",
                            org.labloop.core.Suggest.closest(c.outcome(), emulator.outputs())
                                    .map(m -> "did you mean '" + m + "'?")
                                    .orElse("constrain a reported outcome or map it with emulator.outputs")));
                }
            }
            Problem neverMet = neverMet(spec, emulator, places, where);
            if (neverMet != null) {
                problems.add(neverMet);
            }
            for (String input : emulator.inputs()) {
                if (spec.space().parameter(input).isEmpty()) {
                    problems.add(locate(
                            places,
                            where,
                            LoadedCampaign.EMULATOR,
                            "emulator '" + spec.emulator().type() + "' needs input '" + input
                                    + "' but the campaign has no such parameter"
                                    + didYouMean(input, spec.space().names()),
                            "add the parameter or map it with emulator.inputs"
                                    + (spec.emulator().type().equals("lookup")
                                            ? "; a column of the table that is no input goes under the emulator's"
                                                    + " outcomes or ignore"
                                            : "")));
                    continue;
                }
                // A range in the wrong unit is out of the model's domain for that reason alone: say only that.
                String[] unit = otherUnit(spec, emulator, input);
                if (unit != null) {
                    refusedIfNew.add(locate(places, where, LoadedCampaign.parameter(input), unit[0], unit[1]));
                    continue;
                }
                String[] outside = outsideDomain(spec, emulator, input);
                if (outside != null) {
                    problems.add(locate(places, where, LoadedCampaign.parameter(input), outside[0], outside[1]));
                }
            }
            problems.addAll(unusedParameters(spec, emulator, places, where));
            for (Emulator.Gap g : emulator.gaps(spec.space()::parameter)) {
                if (g.parameter() != null && unparsed.contains(g.parameter())) {
                    continue;
                }
                problems.add(locate(
                        places,
                        where,
                        g.parameter() == null ? LoadedCampaign.EMULATOR : LoadedCampaign.parameter(g.parameter()),
                        "emulator '" + spec.emulator().type() + "': " + g.problem(),
                        g.fix()));
            }
        } catch (InvalidInputException e) {
            // A table that cannot be read: its own problems, with their own hints, at the file it names.
            String file = LoadedCampaign.emulatorOption("file");
            for (Problem q : e.problems()) {
                problems.add(locate(
                        places,
                        where,
                        places.containsKey(file) ? file : LoadedCampaign.EMULATOR,
                        "emulator: " + describe(q),
                        q.hint()));
            }
        } catch (org.labloop.emulator.EmulationException e) {
            for (org.labloop.emulator.EmulationException x : e.problems()) {
                String option = x.option().map(LoadedCampaign::emulatorOption).orElse(LoadedCampaign.EMULATOR);
                String hint = x.meant(org.labloop.core.Suggest::closest)
                        .map(c -> "did you mean '" + c + "'?")
                        .orElse(
                                x.known().isEmpty()
                                        ? "fix the emulator section"
                                        : "write one of " + String.join(", ", x.known()));
                problems.add(emulatorProblem(places, where, option, x.getMessage(), hint));
            }
        } catch (LabLoopException e) {
            problems.add(emulatorProblem(
                    places, where, LoadedCampaign.EMULATOR, e.getMessage(), "fix the emulator section"));
        }
        List<Problem> durations = durationParameters(spec, places, where);
        problems.addAll(durations);
        if (durations.isEmpty()) {
            for (WindowFeasibility.Unkeepable u : WindowFeasibility.check(spec)) {
                problems.add(locate(places, where, LoadedCampaign.window(u.step()), unkeepable(spec, u), fix(spec, u)));
            }
        }
        // Build every driver once against a throwaway clock, so driver options are checked before anything is written.
        VirtualClock scratch = new VirtualClock(VIRTUAL_START);
        for (DeviceSpec d : spec.workcell().devices()) {
            try {
                lab.drivers.create(d, new DriverContext(scratch, spec.seed(), Optional.ofNullable(emulator)));
            } catch (org.labloop.device.DriverOptionException e) {
                for (org.labloop.device.DriverOptionException.Problem q : e.problems()) {
                    String place = LoadedCampaign.driverOption(d.name(), q.option());
                    problems.add(locate(
                            places,
                            where,
                            places.containsKey(place) ? place : LoadedCampaign.device(d.name()),
                            "device " + d.name() + ": " + q.message(),
                            q.known().isEmpty()
                                    ? "fix the option in the driver section of device '" + d.name() + "'"
                                    : org.labloop.core.Suggest.closest(q.option(), q.known())
                                            .map(c -> "did you mean '" + c + "'?")
                                            .orElse("use one of the known options")));
                }
            } catch (LabLoopException e) {
                problems.add(locate(
                        places,
                        where,
                        LoadedCampaign.device(d.name()),
                        e.getMessage(),
                        "fix the driver section of device '" + d.name() + "'"));
            }
        }
        if (!problems.isEmpty()) {
            if (fresh) {
                problems.addAll(refusedIfNew);
            }
            // File by file (in the order they first come up), then top to bottom, as the loader reports them.
            List<String> files =
                    problems.stream().map(Problem::source).distinct().toList();
            problems.sort(java.util.Comparator.comparingInt((Problem x) -> files.indexOf(x.source()))
                    .thenComparingInt(Problem::line)
                    .thenComparingInt(Problem::column));
            throw new InvalidInputException(problems);
        }
        List<SourceFile> all = new ArrayList<>(sources);
        all.addAll(readTables);
        return new Prepared(spec, List.copyOf(all), planner, emulator, baseDir, fresh ? refusedIfNew : List.of());
    }

    /** A problem's place and message, without its hint (which the caller gives on its own). */
    private static String describe(Problem q) {
        return new Problem(q.source(), q.line(), q.column(), q.message(), "").toString();
    }

    private static String didYouMean(String word, List<String> names) {
        String s = org.labloop.core.Suggest.didYouMean(word, names).strip();
        return s.isEmpty() ? "" : " (" + s + ")";
    }

    /**
     * Parameters that neither the emulator reads nor any protocol step passes to a device. Nothing in the lab would set
     * them, so the values recorded with each experiment would not describe it, and the planner would spend
     * experiments exploring a dimension with no effect.
     */
    private static List<Problem> unusedParameters(
            CampaignSpec spec, Emulator emulator, Map<String, LoadedCampaign.Place> places, String where) {
        java.util.Set<String> used = new java.util.HashSet<>(emulator.inputs());
        used.addAll(spec.protocol().parameterRefs());
        List<Problem> out = new ArrayList<>();
        for (org.labloop.space.Parameter param : spec.space().parameters()) {
            if (!used.contains(param.name())) {
                out.add(locate(
                        places,
                        where,
                        LoadedCampaign.parameter(param.name()),
                        "parameter '" + param.name() + "' is read by no protocol step and not by emulator '"
                                + spec.emulator().type() + "' (it reads " + String.join(", ", emulator.inputs())
                                + "): nothing in the lab would set it, so the values recorded for it would not describe"
                                + " the experiments",
                        "pass it to a step of protocol '" + spec.protocol().name() + "' (args: {NAME: $" + param.name()
                                + "}), map it with emulator.inputs, or remove it"));
            }
        }
        return out;
    }

    /**
     * Drivers of campaign {@code campaignId} whose simulated devices remember their steps in {@code memory} (the
     * store's, to survive a crash).
     */
    public Map<String, Driver> createDrivers(
            CampaignSpec spec, String campaignId, LabClock clock, Optional<Emulator> emulator, DeviceMemory memory) {
        Map<String, Driver> drivers = new LinkedHashMap<>();
        for (DeviceSpec d : spec.workcell().devices()) {
            drivers.put(
                    d.name(),
                    lab.drivers.create(d, new DriverContext(clock, spec.seed(), emulator, memory, campaignId)));
        }
        return drivers;
    }

    public Map<String, Driver> createDrivers(CampaignSpec spec, LabClock clock, Optional<Emulator> emulator) {
        Map<String, Driver> drivers = new LinkedHashMap<>();
        for (DeviceSpec d : spec.workcell().devices()) {
            drivers.put(d.name(), lab.drivers.create(d, new DriverContext(clock, spec.seed(), emulator)));
        }
        return drivers;
    }

    public boolean simulated(CampaignSpec spec) {
        return spec.workcell().devices().stream()
                .allMatch(d -> lab.drivers.isSimulated(d.driver().type()));
    }

    /** Appends the campaign's first event; from here on it exists in the store. Returns its id. */
    public String create(Prepared p, EventLog log, String actor) {
        List<EventBody.Source> sources = p.sources().stream()
                .map(s -> new EventBody.Source(s.role(), s.path(), s.sha256(), s.text()))
                .toList();
        Instant at = simulated(p.spec()) ? VIRTUAL_START : Clock.systemUTC().instant();
        return log.create(
                        p.spec().name(),
                        at,
                        actor,
                        new EventBody.CampaignCreated(p.spec().name(), p.spec().seed(), Version.current(), sources))
                .campaignId();
    }

    /**
     * Constraints that no answer of a finite model (a table) meets all together: every experiment of the campaign
     * would be infeasible, so its budget would be spent for nothing. Null when some answer meets them, or when the
     * model's answers are not finite.
     */
    private static Problem neverMet(
            CampaignSpec spec, Emulator emulator, Map<String, LoadedCampaign.Place> places, String where) {
        if (spec.constraints().isEmpty()
                || !spec.constraints().stream().allMatch(c -> emulator.outputs().contains(c.outcome()))) {
            return null;
        }
        java.util.Collection<Map<String, Double>> answers = emulator.answers().orElse(null);
        if (answers == null || answers.isEmpty() || answers.stream().anyMatch(spec::feasible)) {
            return null;
        }
        List<String> counts = new ArrayList<>();
        for (OutcomeConstraint c : spec.constraints()) {
            long met = answers.stream()
                    .filter(a -> a.get(c.outcome()) != null && c.satisfiedBy(a.get(c.outcome())))
                    .count();
            counts.add("'" + c + "' " + met + " of " + answers.size());
        }
        OutcomeConstraint first = spec.constraints().get(0);
        return locate(
                places,
                where,
                LoadedCampaign.constraint(first.toString()),
                "no row of the emulator's table meets every constraint, so no experiment could be feasible (rows"
                        + " meeting each: " + String.join(", ", counts) + ")",
                "loosen the constraints, or check their outcomes and units against the table");
    }

    /**
     * What is allowed but likely not meant, to say before a run: a constraint every answer of the emulator's table
     * meets (it rules nothing out: a sign or direction slip?), and, for simulated devices, a parameter the emulator does
     * not read (only steps do), which the planner will vary although no simulated outcome depends on it.
     */
    public List<String> notes(Prepared p) {
        List<String> notes = new ArrayList<>();
        CampaignSpec spec = p.spec();
        notes.addAll(lookAlike(spec));
        Emulator emulator = p.emulator();
        if (emulator == null) {
            return notes;
        }
        java.util.Collection<Map<String, Double>> answers = emulator.answers().orElse(List.of());
        if (!answers.isEmpty()
                && spec.objectives().stream().anyMatch(o -> o.target().isPresent())) {
            boolean reachable = answers.stream()
                    .anyMatch(a -> spec.objectives().stream()
                                    .allMatch(o -> o.target().isEmpty()
                                            || (a.get(o.name()) != null && o.targetMet(a.get(o.name()))))
                            && spec.constraints().stream()
                                    .allMatch(c -> a.get(c.outcome()) != null && c.satisfiedBy(a.get(c.outcome()))));
            if (!reachable) {
                notes.add("no row of the emulator's table meets every objective's target"
                        + (spec.constraints().isEmpty() ? "" : " within the constraints")
                        + ", so the goal cannot be met and the whole budget will be spent");
            }
        }
        for (OutcomeConstraint c : spec.constraints()) {
            if (!answers.isEmpty()
                    && answers.stream()
                            .allMatch(a -> a.get(c.outcome()) != null && c.satisfiedBy(a.get(c.outcome())))) {
                notes.add("every row of the emulator's table meets constraint '" + c + "', so it rules nothing out;"
                        + " check its direction and sign if it was meant to");
            }
        }
        if (simulated(spec)) {
            for (org.labloop.space.Parameter param : spec.space().parameters()) {
                if (!emulator.inputs().contains(param.name())) {
                    notes.add("parameter '" + param.name() + "' is no input of emulator '"
                            + spec.emulator().type()
                            + "': the planner varies it, but no simulated outcome depends on it");
                }
            }
        }
        return notes;
    }

    /**
     * Choices a model-based planner cannot tell apart: the same descriptors in the parameter's table, or, for a molecule
     * described by its structure, the same molecule written twice ({@code OCC} and {@code CCO}). Allowed (two suppliers'
     * lots of one solvent are two choices), but the planner learns them as one.
     */
    private static List<String> lookAlike(CampaignSpec spec) {
        List<String> notes = new ArrayList<>();
        // Model-free planners tell nothing apart anyway; the Bayesian one one-hot encodes molecules by name if asked.
        if (!spec.planner().type().equals(org.labloop.planner.BayesianPlanner.NAME)) {
            return notes;
        }
        boolean byName = new org.labloop.planner.BayesianPlanner(spec.planner()).encodesMoleculesByName();
        for (org.labloop.space.Parameter param : spec.space().parameters()) {
            Map<Object, List<String>> groups = new java.util.LinkedHashMap<>();
            String same;
            if (param.descriptors().isPresent()) {
                org.labloop.space.DescriptorTable t = param.descriptors().get();
                same = "the same descriptors in " + t.source();
                for (String choice : choiceNames(param)) {
                    groups.computeIfAbsent(List.copyOf(t.values().get(choice)), k -> new ArrayList<>())
                            .add(choice);
                }
            } else if (param instanceof org.labloop.space.MoleculeParameter m && !byName) {
                same = "the same structure";
                for (org.labloop.space.MoleculeParameter.Molecule c : m.choices()) {
                    Smiles.canonical(c.smiles())
                            .ifPresent(key -> groups.computeIfAbsent(key, k -> new ArrayList<>())
                                    .add(c.name()));
                }
            } else {
                continue;
            }
            for (List<String> g : groups.values()) {
                if (g.size() > 1) {
                    notes.add("choices " + String.join(", ", g) + " of parameter '" + param.name() + "' have " + same
                            + ", so a model-based planner cannot tell them apart");
                }
            }
        }
        return notes;
    }

    private static List<String> choiceNames(org.labloop.space.Parameter param) {
        return switch (param) {
            case org.labloop.space.CategoricalParameter c -> c.choices();
            case org.labloop.space.MoleculeParameter m ->
                m.choices().stream()
                        .map(org.labloop.space.MoleculeParameter.Molecule::name)
                        .toList();
            default -> List.of();
        };
    }

    /** Rebuilds and re-checks what a stored campaign needs to run, from the files' text kept in its first event. */
    public Prepared prepareStored(CampaignState state) {
        CampaignSpec spec = lab.specOf(state);
        List<SourceFile> sources = state.sources().stream()
                .map(s -> new SourceFile(s.role(), s.path(), s.text(), s.sha256()))
                .toList();
        Path baseDir = state.sources().stream()
                .filter(s -> s.role().equals("campaign"))
                .map(s -> Path.of(s.path()).toAbsolutePath().getParent())
                .findFirst()
                .orElse(Path.of("").toAbsolutePath());
        return check(spec, sources, baseDir, "campaign " + state.id());
    }

    /**
     * An engine for campaign {@code id}, on virtual time when every device is simulated and on the wall clock
     * otherwise. Virtual time resumes where the log left off.
     */
    public Engine engine(Prepared p, LabStore store, String id, EngineListener listener) {
        return engine(p, store, id, listener, 0);
    }

    /**
     * As {@link #engine(Prepared, LabStore, String, EngineListener)}, simulated time passing {@code pace} virtual
     * seconds per real second (0: as fast as possible), so that a person can watch and steer a simulated run.
     */
    public Engine engine(Prepared p, LabStore store, String id, EngineListener listener, double pace) {
        CampaignState state = CampaignState.load(store.log(), id);
        Instant start = resumeAt(store.log(), List.of(state));
        LabClock clock = !simulated(p.spec())
                ? new WallClock(Clock.systemUTC())
                : pace > 0 ? new org.labloop.core.PacedClock(start, pace) : new VirtualClock(start);
        Map<String, Driver> drivers = createDrivers(p.spec(), id, clock, Optional.of(p.emulator()), store.devices());
        return new Engine(p.spec(), state, store.log(), clock, p.planner(), drivers, listener);
    }

    /** Creates the campaign in the store at {@code dataDir} and runs it to the end. */
    public CampaignState createAndRun(Prepared p, Path dataDir, String actor, EngineListener listener) {
        try (LabStore store = LabStore.open(dataDir)) {
            String id = create(p, store.log(), actor);
            return run(p, store, id, listener);
        }
    }

    /** Runs (or resumes) campaign {@code id} under its lock until it ends or is aborted. */
    public CampaignState run(Prepared p, LabStore store, String id, EngineListener listener) {
        return run(p, store, id, listener, "engine", engine -> {});
    }

    /**
     * Runs campaign {@code id} under its lock until it ends or is aborted, after handing {@code first} the engine (to
     * queue a resume, an abort, an acknowledgement). While it runs, requests that other processes leave in the
     * store's control inbox (labloop pause, resume, abort, ack) reach the engine within a quarter of a second.
     * {@code startedBy} is recorded as the actor of the campaign's start.
     */
    public CampaignState run(
            Prepared p,
            LabStore store,
            String id,
            EngineListener listener,
            String startedBy,
            java.util.function.Consumer<Engine> first) {
        return run(p, store, id, listener, startedBy, first, 0);
    }

    /** As {@link #run(Prepared, LabStore, String, EngineListener, String, java.util.function.Consumer)}, paced. */
    public CampaignState run(
            Prepared p,
            LabStore store,
            String id,
            EngineListener listener,
            String startedBy,
            java.util.function.Consumer<Engine> first,
            double pace) {
        LabStore.EngineLock lock = store.lock(id);
        try {
            // Before any driver connects: a campaign awaiting signatures touches no device.
            Approval.require(p.spec(), CampaignState.load(store.log(), id));
            requireDevicesFree(store, List.of(p), List.of(id));
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        try (lock;
                Engine engine = engine(p, store, id, listener, pace);
                ControlInbox inbox = ControlInbox.open(store.location())) {
            java.util.Set<Long> handed = handPending(inbox, id, engine);
            first.accept(engine);
            Thread poller = startControlPoller(inbox, id, engine, handed);
            try {
                return engine.run(startedBy);
            } finally {
                poller.interrupt();
                try {
                    poller.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * Runs (or resumes) several campaigns at once on the workcell they share, each under its lock, until each ends: one
     * clock (virtual when every device is simulated, resuming where the latest log left off), one plan for all their
     * experiments with higher campaign priority first (org.labloop.engine.SharedWorkcell). Requests from the control
     * inbox reach each campaign as in {@link #run}. {@code resumeReason} (if not null) lifts a pause of the first
     * campaign only, the one the user named: the others keep a pause an operator put on them. Returns the final states
     * in the order given; {@code taken} runs once every campaign's lock is held.
     */
    public List<CampaignState> runShared(
            List<Prepared> prepared,
            LabStore store,
            List<String> ids,
            String startedBy,
            String resumeReason,
            Runnable taken) {
        requireOneWorkcell(prepared, ids.stream().map(id -> "campaign " + id).toList());
        Workcell workcell = prepared.get(0).spec().workcell();
        List<LabStore.EngineLock> locks = new ArrayList<>();
        List<Thread> pollers = new ArrayList<>();
        try (ControlInbox inbox = ControlInbox.open(store.location())) {
            for (String id : ids.stream().sorted().toList()) {
                locks.add(store.lock(id));
            }
            taken.run();
            requireDevicesFree(store, prepared, ids);
            List<CampaignState> states =
                    ids.stream().map(id -> CampaignState.load(store.log(), id)).toList();
            for (int i = 0; i < ids.size(); i++) {
                Approval.require(prepared.get(i).spec(), states.get(i));
            }
            boolean simulated = prepared.stream().allMatch(p -> simulated(p.spec()));
            LabClock clock =
                    simulated ? new VirtualClock(resumeAt(store.log(), states)) : new WallClock(Clock.systemUTC());
            try (SharedWorkcell cell = new SharedWorkcell(workcell, clock)) {
                for (int i = 0; i < ids.size(); i++) {
                    Prepared p = prepared.get(i);
                    Map<String, Driver> drivers =
                            createDrivers(p.spec(), ids.get(i), clock, Optional.of(p.emulator()), store.devices());
                    Engine engine =
                            cell.add(p.spec(), states.get(i), store.log(), p.planner(), drivers, EngineListener.NONE);
                    java.util.Set<Long> handed = handPending(inbox, ids.get(i), engine);
                    if (resumeReason != null && i == 0) {
                        engine.resume(startedBy, resumeReason);
                    }
                    pollers.add(startControlPoller(inbox, ids.get(i), engine, handed));
                }
                return cell.run(startedBy);
            } finally {
                stopPollers(pollers); // before the inbox they read closes
            }
        } finally {
            stopPollers(pollers);
            for (LabStore.EngineLock l : locks) {
                l.close();
            }
        }
    }

    /** Interrupts the control pollers and waits (briefly) for them to end. */
    public static void stopPollers(List<Thread> pollers) {
        for (Thread t : pollers) {
            t.interrupt();
        }
        for (Thread t : pollers) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Most minutes a step may last (as the files allow for durations). */
    private static final double MAX_STEP_MINUTES = 1_000_000;

    /**
     * A parameter that sets a step's duration ({@code duration: $tau}) is a number of minutes: its range must lie within
     * 0 to 1,000,000, or some experiment's step would have no meaningful length.
     */
    private static List<Problem> durationParameters(
            CampaignSpec spec, Map<String, LoadedCampaign.Place> places, String where) {
        List<Problem> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (org.labloop.protocol.StepSpec step : spec.protocol().steps()) {
            if (step.durationMinutes().isEmpty()
                    || !(step.durationMinutes().get() instanceof org.labloop.protocol.Arg.Ref ref)
                    || !seen.add(ref.parameter())) {
                continue;
            }
            double lo;
            double hi;
            switch (spec.space().parameter(ref.parameter()).orElse(null)) {
                case org.labloop.space.ContinuousParameter c -> {
                    lo = c.bound().min();
                    hi = c.bound().max();
                }
                case org.labloop.space.DiscreteParameter d -> {
                    lo = d.values().stream()
                            .mapToDouble(Double::doubleValue)
                            .min()
                            .orElse(0);
                    hi = d.values().stream()
                            .mapToDouble(Double::doubleValue)
                            .max()
                            .orElse(0);
                }
                case null, default -> {
                    continue;
                }
            }
            if (lo < 0 || hi > MAX_STEP_MINUTES) {
                out.add(locate(
                        places,
                        where,
                        LoadedCampaign.parameter(ref.parameter()),
                        "parameter '" + ref.parameter() + "' is the duration of step '" + step.name() + "' in minutes,"
                                + " but goes from " + number(lo) + " to " + number(hi),
                        "keep '" + ref.parameter() + "' within 0 to 1000000 minutes"));
            }
        }
        return out;
    }

    private static String unkeepable(CampaignSpec spec, WindowFeasibility.Unkeepable u) {
        org.labloop.protocol.TimeWindow w = window(spec, u);
        String when = exact(w)
                ? "exactly " + number(w.maxMinutes()) + " min after '" + u.after() + "' ends"
                : "within " + number(w.maxMinutes()) + " min after '" + u.after() + "' ends";
        List<String> why = new ArrayList<>();
        if (u.endRangeMinutes() > 0) {
            why.add("'" + u.after() + "' may end anywhere in a range of " + minutes(u.endRangeMinutes())
                    + " min (its planned duration, mean - 3 sd to mean + 3 sd of the device's timing or the range of"
                    + " the parameter that sets it, with that of the steps before it in the chain)");
        }
        if (u.betweenMinutes() > 0) {
            why.add("the steps in between may take up to " + minutes(u.betweenMinutes()) + " min");
        }
        String changeovers = changeoverNote(spec, u);
        if (!changeovers.isEmpty()) {
            why.add(changeovers);
        }
        return "step '" + u.step() + "' is to begin " + when + ", which the workcell cannot promise for every"
                + " experiment: its place is reserved when the chain starts"
                + (why.isEmpty() ? "" : ", while " + String.join(" and ", why));
    }

    /** {@code within_min: 0} and {@code exactly_min: 0} read the same: only a positive lag is called exact. */
    private static boolean exact(org.labloop.protocol.TimeWindow w) {
        return w.minMinutes() == w.maxMinutes() && w.maxMinutes() > 0;
    }

    /** The devices with a changeover that the window's steps may use, named with it (in the workcell file). */
    private static String changeoverNote(CampaignSpec spec, WindowFeasibility.Unkeepable u) {
        List<String> names = spec.protocol().steps().stream()
                .map(org.labloop.protocol.StepSpec::name)
                .toList();
        int from = names.indexOf(u.after());
        int to = names.indexOf(u.step());
        java.util.Set<String> devices = new java.util.LinkedHashSet<>();
        for (int k = Math.max(0, from + 1); k >= 0 && k <= to && k < names.size(); k++) {
            for (DeviceSpec d :
                    spec.workcell().devicesFor(spec.protocol().steps().get(k).capability())) {
                if (!d.changeover().isZero()) {
                    devices.add("device '" + d.name() + "' may first need its changeover of "
                            + number(d.changeover().toMillis() / 60_000.0) + " min");
                }
            }
        }
        return devices.isEmpty() ? "" : String.join(" and ", devices) + " (changeover_min in the workcell file)";
    }

    private static String fix(CampaignSpec spec, WindowFeasibility.Unkeepable u) {
        List<String> narrow = new ArrayList<>();
        if (u.endRangeMinutes() > 0) {
            narrow.add("narrow the timing (sd) of '" + u.after() + "'");
        }
        if (u.betweenMinutes() > 0) {
            narrow.add("shorten the steps in between");
        }
        if (!changeoverNote(spec, u).isEmpty()) {
            narrow.add("lower changeover_min");
        }
        String or = String.join(", ", narrow);
        if (u.neededMinutes().isEmpty()) {
            return or + ", or remove the window";
        }
        String at = number(u.neededMinutes().getAsDouble());
        org.labloop.protocol.TimeWindow w = window(spec, u);
        return exact(w)
                ? "an exact window cannot absorb that uncertainty: give it 'within_min: " + at + "' (or more) instead,"
                        + " or " + or
                : "raise 'within_min' to at least " + at + ", or " + or;
    }

    private static org.labloop.protocol.TimeWindow window(CampaignSpec spec, WindowFeasibility.Unkeepable u) {
        return spec.protocol().steps().stream()
                .filter(s -> s.name().equals(u.step()))
                .findFirst()
                .orElseThrow()
                .window()
                .orElseThrow();
    }

    private static String minutes(double m) {
        return String.format(java.util.Locale.ROOT, "%.2f", m).replaceAll("\\.?0+$", "");
    }

    /** The planner built from the options that were not wrong, to check the rest with; null when it cannot be built. */
    private Planner withoutWrongOptions(PlannerSpec spec, LabLoopException e) {
        if (!(e instanceof InvalidPlannerOptionsException wrong)) {
            return null;
        }
        Map<String, Object> rest = new LinkedHashMap<>(spec.options());
        wrong.problems().forEach(o -> rest.remove(o.option()));
        try {
            return lab.planners.create(new PlannerSpec(spec.type(), rest));
        } catch (LabLoopException again) {
            return null;
        }
    }

    /** A planner problem where the files say it is: each wrong option at its own line, the rest at the section. */
    private static void plannerProblems(
            LabLoopException e, Map<String, LoadedCampaign.Place> places, String where, List<Problem> problems) {
        if (e instanceof InvalidPlannerOptionsException options) {
            for (InvalidPlannerOptionsException.OptionProblem o : options.problems()) {
                String key = LoadedCampaign.plannerOption(o.option());
                problems.add(locate(
                        places,
                        where,
                        places.containsKey(key) ? key : LoadedCampaign.PLANNER,
                        plannerMessage(o.message()),
                        org.labloop.core.Suggest.closest(o.option(), o.known())
                                .map(c -> "did you mean '" + c + "'?")
                                .orElse("fix the planner section")));
            }
        } else {
            problems.add(locate(
                    places, where, LoadedCampaign.PLANNER, plannerMessage(e.getMessage()), "fix the planner section"));
        }
    }

    /** A planner's message names the planner already ("planner 'bayesian': ..."); others get the section's name. */
    private static String plannerMessage(String message) {
        return message.startsWith("planner '") ? message : "planner: " + message;
    }

    /** A problem of the emulator section, at the option it is about when the file has that option. */
    private static Problem emulatorProblem(
            Map<String, LoadedCampaign.Place> places, String where, String option, String message, String hint) {
        String at = places.containsKey(option) ? option : LoadedCampaign.EMULATOR;
        return locate(places, where, at, message.startsWith("emulator '") ? message : "emulator: " + message, hint);
    }

    /** A problem at the section {@code key} names when {@code places} knows it, otherwise at {@code where}. */
    private static Problem locate(
            Map<String, LoadedCampaign.Place> places, String where, String key, String message, String hint) {
        LoadedCampaign.Place p = places.get(key);
        return p == null
                ? Problem.at(where, message, hint)
                : new Problem(p.file(), p.line(), p.column(), message, hint);
    }

    /**
     * The message and hint of a problem when parameter {@code input} can take values the emulator does not answer for
     * (every experiment there would fail and spend budget); null when it cannot.
     */
    private static String[] outsideDomain(CampaignSpec spec, Emulator emulator, String input) {
        Optional<org.labloop.space.Bound> domain = emulator.domain(input);
        if (domain.isEmpty()) {
            return null;
        }
        double lo;
        double hi;
        switch (spec.space().parameter(input).orElseThrow()) {
            case org.labloop.space.ContinuousParameter c -> {
                lo = c.bound().min();
                hi = c.bound().max();
            }
            case org.labloop.space.DiscreteParameter d -> {
                lo = d.values().stream().mapToDouble(Double::doubleValue).min().orElse(0);
                hi = d.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
            }
            default -> {
                return null;
            }
        }
        org.labloop.space.Bound b = domain.get();
        if (lo >= b.min() && hi <= b.max()) {
            return null;
        }
        return new String[] {
            "parameter '" + input + "' goes from " + number(lo) + " to " + number(hi) + ", but emulator '"
                    + spec.emulator().type() + "' answers only for " + number(b.min()) + " to " + number(b.max())
                    + "; experiments outside would fail and use up the budget",
            "keep '" + input + "' within " + number(b.min()) + " to " + number(b.max())
        };
    }

    /**
     * The message and hint of a problem when parameter {@code input} is given in a unit other than the one the emulator
     * reads it in (it would take 1.5 h for 1.5 min); null when they agree or either says nothing.
     */
    private static String[] otherUnit(CampaignSpec spec, Emulator emulator, String input) {
        Optional<String> expected = emulator.unit(input);
        String given = spec.space()
                .parameter(input)
                .map(org.labloop.space.Parameter::unit)
                .orElse("");
        if (expected.isEmpty() || org.labloop.space.Units.agree(given, expected.get())) {
            return null;
        }
        return new String[] {
            "parameter '" + input + "' is in '" + given.trim() + "', but emulator '"
                    + spec.emulator().type()
                    + "' reads it in " + expected.get() + ": every value would be taken as " + expected.get(),
            "give '" + input + "' unit: " + expected.get() + " and its range in " + expected.get()
        };
    }

    private static String number(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : Double.toString(x);
    }

    /**
     * Refuses campaigns that are to share a workcell but do not name the same one; {@code names} says how to call each
     * campaign in the message (its file, its id).
     */
    public static void requireOneWorkcell(List<Prepared> prepared, List<String> names) {
        Workcell workcell = prepared.get(0).spec().workcell();
        for (int i = 1; i < prepared.size(); i++) {
            Workcell other = prepared.get(i).spec().workcell();
            if (!other.equals(workcell)) {
                throw InvalidInputException.of(
                        names.get(i),
                        other.name().equals(workcell.name())
                                ? "its workcell '" + other.name() + "' differs from the workcell of the same name of "
                                        + names.get(0) + " (" + difference(workcell, other) + ")"
                                : "its workcell '" + other.name() + "' is not the workcell '" + workcell.name()
                                        + "' of " + names.get(0),
                        "campaigns share a workcell only when their workcell files describe the same devices; name"
                                + " one workcell file in each");
            }
        }
    }

    /**
     * Where virtual time resumes for {@code states}: at the latest event of theirs or of a campaign they last ran beside.
     * A partner that finished meanwhile may have used the devices until after the others' last events; starting from
     * their own would plan those devices free when they were not. A partner whose last start did not include the
     * campaign ran on without it, on its own clock, and does not count.
     */
    public static Instant resumeAt(EventLog log, List<CampaignState> states) {
        Instant at = Instant.EPOCH;
        List<String> known = log.campaignIds();
        for (CampaignState s : states) {
            at = later(at, Instant.parse(s.lastEventAt()));
            for (String partner : s.sharedWith()) {
                if (!known.contains(partner)) {
                    continue;
                }
                List<org.labloop.event.Event> events = log.readAll(partner);
                EventBody.CampaignStarted lastStart = null;
                for (org.labloop.event.Event e : events) {
                    if (e.body() instanceof EventBody.CampaignStarted started) {
                        lastStart = started;
                    }
                }
                if (lastStart != null && lastStart.sharedWith().contains(s.id())) {
                    at = later(at, events.get(events.size() - 1).at());
                }
            }
        }
        return at;
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /** The first device that two workcells of one name describe differently, as "device X differs". */
    private static String difference(Workcell a, Workcell b) {
        Map<String, org.labloop.workcell.DeviceSpec> theirs = new java.util.LinkedHashMap<>();
        b.devices().forEach(d -> theirs.put(d.name(), d));
        for (org.labloop.workcell.DeviceSpec d : a.devices()) {
            org.labloop.workcell.DeviceSpec o = theirs.remove(d.name());
            if (o == null) {
                return "device '" + d.name() + "' is missing from the second";
            }
            if (!o.equals(d)) {
                return "device '" + d.name() + "' differs"
                        + (o.capacity() != d.capacity()
                                ? ": capacity " + d.capacity() + " against " + o.capacity()
                                : "");
            }
        }
        return theirs.isEmpty()
                ? "the devices are listed in another order"
                : "device '" + theirs.keySet().iterator().next() + "' is only in the second";
    }

    /**
     * Starts a daemon thread that hands requests from the control inbox (labloop pause, resume, abort, ack from
     * another process) to {@code engine} every quarter of a second until interrupted.
     */
    public static Thread startControlPoller(ControlInbox inbox, String id, Engine engine) {
        return startControlPoller(inbox, id, engine, java.util.Set.of());
    }

    /** As above, {@code handed} (by {@link #handPending}) not being handed again. */
    public static Thread startControlPoller(ControlInbox inbox, String id, Engine engine, java.util.Set<Long> handed) {
        return Thread.ofPlatform()
                .daemon()
                .name("labloop-control-" + id)
                .start(() -> poll(inbox, id, engine, new java.util.HashSet<>(handed)));
    }

    /** How often the control inbox is read; after a failure, the wait doubles up to {@link #POLL_MAX_MS}. */
    static final long POLL_MS = 250;

    static final long POLL_MAX_MS = 10_000;

    private static void poll(ControlInbox inbox, String id, Engine engine, java.util.Set<Long> handed) {
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CampaignRunner.class);
        long pause = POLL_MS;
        boolean failing = false; // a failure is said once, until the inbox reads again
        while (!Thread.currentThread().isInterrupted()) {
            try {
                for (ControlInbox.Request r : inbox.open(id)) {
                    // Open until its event is recorded: handed once, then waited for.
                    if (handed.add(r.id())) {
                        hand(r, engine, inbox);
                    }
                }
                if (failing) {
                    log.warn("control inbox of {} reads again", id);
                    failing = false;
                }
                pause = POLL_MS;
            } catch (LabLoopException e) {
                if (!failing) {
                    log.warn(
                            "control inbox of {}: {} (pause, resume and abort from other terminals wait until it"
                                    + " reads again)",
                            id,
                            e.getMessage());
                    failing = true;
                }
                pause = Math.min(pause * 2, POLL_MAX_MS);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Hands {@code engine}, before it starts, the requests a person left in the control inbox for campaign {@code id}
     * that no engine recorded: made while an engine ran the campaign that stopped (killed, crashed) before recording
     * them. They are still meant (an abort must not be lost to a crash): the engine records them, in the order they
     * were made, right after its start and before it proposes or starts anything. Returns the requests handed.
     */
    public static java.util.Set<Long> handPending(ControlInbox inbox, String id, Engine engine) {
        java.util.Set<Long> handed = java.util.concurrent.ConcurrentHashMap.newKeySet();
        for (ControlInbox.Request r : inbox.open(id)) {
            hand(r, engine, inbox);
            handed.add(r.id());
        }
        return handed;
    }

    /**
     * Hands a person's request from the control inbox to the engine, which records it on its next turn; the request is
     * marked done in the inbox only then, so a crash in between leaves it for the next engine.
     */
    private static void hand(ControlInbox.Request r, Engine engine, ControlInbox inbox) {
        Runnable done = () -> {
            try {
                inbox.done(r.id());
            } catch (LabLoopException e) {
                // Left open, the request is read again by the next engine; recording it twice changes nothing.
                org.slf4j.LoggerFactory.getLogger(CampaignRunner.class)
                        .warn("control request {} stays open: {}", r.id(), e.getMessage());
            }
        };
        switch (r.action()) {
            case "pause" -> engine.pause(r.actor(), r.reason(), r.immediate(), done);
            case "resume" -> engine.resume(r.actor(), r.reason(), done);
            case "abort" -> engine.abort(r.actor(), r.reason(), done);
            default -> {
                if (r.action().startsWith("ack:")) {
                    engine.acknowledge(r.actor(), r.action().substring(4), r.reason(), done);
                } else {
                    done.run(); // an action this version does not know: nothing to record
                }
            }
        }
    }

    /**
     * Refuses to run campaigns {@code ids} on real devices (not simulated) while another campaign of the store runs on
     * a workcell of the same name with real devices, in this process or another: two plans that do not know of each
     * other would book the same instruments. Campaigns meant to share a workcell run together, on one plan. Simulated
     * campaigns each have their own simulated devices and are never refused.
     */
    public void requireDevicesFree(LabStore store, List<Prepared> prepared, List<String> ids) {
        for (Prepared p : prepared) {
            if (simulated(p.spec())) {
                continue;
            }
            String cell = p.spec().workcell().name();
            for (String other : store.log().campaignIds()) {
                if (ids.contains(other) || !store.driven(other)) {
                    continue;
                }
                CampaignState s = CampaignState.load(store.log(), other);
                CampaignSpec theirs;
                try {
                    theirs = lab.specOf(s);
                } catch (LabLoopException e) {
                    continue; // files this version cannot read: not runnable here, so not running on these devices
                }
                if (!s.status().finished() && theirs.workcell().name().equals(cell) && !simulated(theirs)) {
                    throw new CampaignLockedException("workcell '" + cell + "' is in use: campaign " + other + " runs"
                            + " on its devices now; wait for it to finish, or run the campaigns together on one plan"
                            + " (labloop run A.yaml B.yaml, or start with together_with)");
                }
            }
        }
    }

    /** An unfinished campaign in the store defined by exactly these files and seed, if any: run resumes it. */
    public Optional<String> unfinishedTwin(Prepared p, EventLog log) {
        for (String id : log.campaignIds()) {
            CampaignState s = CampaignState.load(log, id);
            if (!s.status().finished() && isTwin(p, s)) {
                return Optional.of(id);
            }
        }
        return Optional.empty();
    }

    /** True when {@code s} was created from the same files (by content) and seed as {@code p}. */
    public boolean isTwin(Prepared p, CampaignState s) {
        return s.seed() == p.spec().seed()
                && s.sources().stream()
                        .map(EventBody.Source::sha256)
                        .sorted()
                        .toList()
                        .equals(p.sources().stream()
                                .map(SourceFile::sha256)
                                .sorted()
                                .toList());
    }
}
