package org.labloop.lab;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.SourceFile;
import org.labloop.config.LoadedCampaign;
import org.labloop.core.InvalidInputException;
import org.labloop.core.LabClock;
import org.labloop.core.LabLoopException;
import org.labloop.core.Problem;
import org.labloop.core.Version;
import org.labloop.core.VirtualClock;
import org.labloop.core.WallClock;
import org.labloop.device.Driver;
import org.labloop.device.DriverContext;
import org.labloop.emulator.Emulator;
import org.labloop.engine.Engine;
import org.labloop.engine.EngineListener;
import org.labloop.event.EventBody;
import org.labloop.event.EventLog;
import org.labloop.planner.Planner;
import org.labloop.space.Objective;
import org.labloop.store.SqliteEventLog;
import org.labloop.workcell.DeviceSpec;

/**
 * Validates a campaign completely, then creates it in the store and runs it. Nothing is written until every check
 * has passed, so a bad file leaves the store as it was.
 */
public final class CampaignRunner {
    /** Virtual time starts here: fixed, so seeded runs are identical event for event. */
    public static final Instant VIRTUAL_START = Instant.EPOCH;

    private final Lab lab;

    public CampaignRunner(Lab lab) {
        this.lab = lab;
    }

    /** Everything a run needs, built and checked before the store is touched. */
    public record Prepared(
            CampaignSpec spec, List<SourceFile> sources, Planner planner, Emulator emulator, Path baseDir) {}

    public Prepared prepare(Path campaignFile, Long seedOverride) {
        LoadedCampaign loaded = lab.loader().load(campaignFile);
        CampaignSpec spec = seedOverride == null ? loaded.spec() : loaded.spec().withSeed(seedOverride);
        Path baseDir = campaignFile.toAbsolutePath().getParent();
        return check(spec, loaded.sources(), baseDir, campaignFile.toString());
    }

    public Prepared check(CampaignSpec spec, List<SourceFile> sources, Path baseDir, String where) {
        List<Problem> problems = new ArrayList<>();
        Planner planner = null;
        Emulator emulator = null;
        try {
            planner = lab.planners.create(spec.planner());
        } catch (LabLoopException e) {
            problems.add(Problem.at(where, "planner: " + e.getMessage(), "fix the planner section"));
        }
        try {
            emulator = lab.emulators(baseDir).create(spec.emulator());
            for (Objective o : spec.objectives()) {
                if (!emulator.outputs().contains(o.name())) {
                    problems.add(Problem.at(
                            where,
                            "objective '" + o.name() + "' is not measured by emulator '"
                                    + spec.emulator().type() + "' (it reports " + String.join(", ", emulator.outputs())
                                    + ")",
                            "rename the objective or map it with emulator.outputs"));
                }
            }
            for (String input : emulator.inputs()) {
                if (spec.space().parameter(input).isEmpty()) {
                    problems.add(Problem.at(
                            where,
                            "emulator '" + spec.emulator().type() + "' needs input '" + input
                                    + "' but the campaign has no such parameter",
                            "add the parameter or map it with emulator.inputs"));
                }
            }
        } catch (LabLoopException e) {
            problems.add(Problem.at(where, "emulator: " + e.getMessage(), "fix the emulator section"));
        }
        // Build every driver once against a throwaway clock, so driver options are checked before anything is written.
        try {
            createDrivers(spec, new VirtualClock(VIRTUAL_START), Optional.ofNullable(emulator));
        } catch (LabLoopException e) {
            problems.add(Problem.at(where, "workcell: " + e.getMessage(), "fix the device's driver section"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return new Prepared(spec, sources, planner, emulator, baseDir);
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
        String id = log.newCampaignId(p.spec().name());
        List<EventBody.Source> sources = p.sources().stream()
                .map(s -> new EventBody.Source(s.role(), s.path(), s.sha256(), s.text()))
                .toList();
        Instant at = simulated(p.spec()) ? VIRTUAL_START : Clock.systemUTC().instant();
        log.append(
                id,
                at,
                actor,
                new EventBody.CampaignCreated(p.spec().name(), p.spec().seed(), Version.current(), sources));
        return id;
    }

    /**
     * An engine for campaign {@code id}, on virtual time when every device is simulated and on the wall clock
     * otherwise. The caller runs it (and closes a wall clock when done).
     */
    public Engine engine(Prepared p, EventLog log, String id, EngineListener listener) {
        CampaignState state = CampaignState.load(log, id);
        LabClock clock = simulated(p.spec())
                ? new VirtualClock(Instant.parse(state.lastEventAt()))
                : new WallClock(Clock.systemUTC());
        return new Engine(
                p.spec(),
                state,
                log,
                clock,
                p.planner(),
                createDrivers(p.spec(), clock, Optional.of(p.emulator())),
                listener);
    }

    /** Creates the campaign in the store at {@code dataDir} and runs it to the end. */
    public CampaignState createAndRun(Prepared p, Path dataDir, String actor, EngineListener listener) {
        try (EventLog log = SqliteEventLog.open(dataDir)) {
            String id = create(p, log, actor);
            try (Engine engine = engine(p, log, id, listener)) {
                return engine.run();
            }
        }
    }
}
