package org.labloop.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import org.labloop.core.Suggest;
import org.labloop.emulator.EmulatorSpec;
import org.labloop.planner.PlannerSpec;
import org.labloop.space.Bound;
import org.labloop.space.CategoricalParameter;
import org.labloop.space.ContinuousParameter;
import org.labloop.space.Direction;
import org.labloop.space.DiscreteParameter;
import org.labloop.space.MoleculeParameter;
import org.labloop.space.Objective;
import org.labloop.space.OutcomeConstraint;
import org.labloop.space.Parameter;
import org.labloop.space.SearchSpace;

/** Reads a campaign file (format: docs/campaign-file.md), except the workcell and protocol files it names. */
final class CampaignParser {
    static final List<String> KEYS = List.of(
            "campaign",
            "description",
            "workcell",
            "protocol",
            "emulator",
            "parameters",
            "objectives",
            "constraints",
            "budget",
            "batch_size",
            "planner",
            "seed",
            "priority",
            "pause_after_failures",
            "approval");
    static final Map<String, List<String>> PARAMETER_KEYS = parameterKeys();
    static final List<String> OBJECTIVE_KEYS = List.of("direction", "unit", "target", "threshold");
    static final List<String> DIRECTIONS = List.of("maximise", "minimise", "maximize", "minimize");
    static final int MAX_BUDGET = 1_000_000;
    static final int MAX_BATCH_SIZE = 10_000;
    static final String DEFAULT_PLANNER = "sobol";

    /** A file the campaign names, as written, with the position of the value. */
    record FileRef(String path, Node.Loc at) {}

    /**
     * What was read. Every field may be null when its part of the file has problems; {@code parameterTypes} holds
     * each declared parameter's type (null when unreadable), or is null when the parameters could not be listed.
     */
    record Result(
            String name,
            String description,
            FileRef workcell,
            FileRef protocol,
            EmulatorSpec emulator,
            SearchSpace space,
            Map<String, String> parameterTypes,
            List<Objective> objectives,
            List<OutcomeConstraint> constraints,
            Integer budget,
            Integer batchSize,
            PlannerSpec planner,
            Long seed,
            Integer priority,
            Integer pauseAfterFailures,
            Integer signaturesNeeded,
            Map<String, FileRef> descriptors) {}

    /** Descriptor tables the parameters name (parameter name to file), in the order declared. */
    private final Map<String, FileRef> descriptorFiles = new LinkedHashMap<>();

    private final Values v;
    private final Set<String> plannerTypes;
    private final Set<String> emulatorTypes;

    private CampaignParser(Values v, Set<String> plannerTypes, Set<String> emulatorTypes) {
        this.v = v;
        this.plannerTypes = new TreeSet<>(plannerTypes);
        this.emulatorTypes = new TreeSet<>(emulatorTypes);
    }

    /** The campaign's parts, or null when the file is not even a map. */
    static Result parse(Node root, Doc doc, Set<String> plannerTypes, Set<String> emulatorTypes) {
        return new CampaignParser(new Values(doc), plannerTypes, emulatorTypes).read(root);
    }

    private static Map<String, List<String>> parameterKeys() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("continuous", List.of("type", "min", "max", "unit"));
        m.put("discrete", List.of("type", "values", "unit"));
        m.put("categorical", List.of("type", "choices", "descriptors"));
        m.put("molecule", List.of("type", "choices", "descriptors"));
        return m;
    }

    private Result read(Node root) {
        Node.MapNode map = v.map(root, "the campaign file");
        if (map == null) {
            return null;
        }
        MapReader r = new MapReader(v, map, "the campaign file", map.at(), KEYS);

        Node.Entry e = r.required("campaign", "my-campaign");
        String name = e == null ? null : v.name(e.value(), "'campaign' (the campaign's name)");
        String description = "";
        e = r.optional("description");
        if (e != null && !(e.value() instanceof Node.ScalarNode s && s.kind() == Node.Kind.NULL)) {
            description = v.text(e.value(), "'description'");
        }
        FileRef workcell = fileRef(r, "workcell", "workcell.yaml");
        FileRef protocol = fileRef(r, "protocol", "protocol.yaml");
        EmulatorSpec emulator = emulator(r);

        Map<String, String> parameterTypes = null;
        SearchSpace space = null;
        Node.MapNode params = null;
        e = r.required("parameters", "{temperature: {type: continuous, min: 30, max: 120, unit: degC}}");
        if (e != null) {
            params = v.map(e.value(), "'parameters'");
            if (params != null) {
                parameterTypes = new LinkedHashMap<>();
                space = space(e, params, parameterTypes);
            }
        }
        List<Objective> objectives = objectives(r);
        List<OutcomeConstraint> constraints = constraints(r);
        if (params != null) {
            outcomesNotParameters(params, objectives, constraints);
        }

        Integer budget = null;
        e = r.required("budget", "40");
        if (e != null) {
            budget = v.integer(e.value(), "'budget' (experiments to run)", 1, MAX_BUDGET);
        }
        Integer batchSize = 1;
        e = r.optional("batch_size");
        if (e != null) {
            batchSize = v.integer(e.value(), "'batch_size' (experiments in flight at once)", 1, MAX_BATCH_SIZE);
        }
        PlannerSpec planner = planner(r);
        Long seed = 0L;
        e = r.optional("seed");
        if (e != null) {
            seed = v.longInteger(e.value(), "'seed'");
        }
        Integer priority = 0;
        e = r.optional("priority");
        if (e != null) {
            priority = v.integer(
                    e.value(),
                    "'priority' (higher goes first on a shared workcell)",
                    -org.labloop.campaign.CampaignSpec.MAX_PRIORITY,
                    org.labloop.campaign.CampaignSpec.MAX_PRIORITY);
        }
        Integer pauseAfterFailures = org.labloop.campaign.CampaignSpec.DEFAULT_PAUSE_AFTER_FAILURES;
        e = r.optional("pause_after_failures");
        if (e != null) {
            pauseAfterFailures = v.integer(
                    e.value(),
                    "'pause_after_failures' (experiments failing in a row that pause the campaign; 0 never)",
                    0,
                    org.labloop.campaign.CampaignSpec.MAX_PAUSE_AFTER_FAILURES);
        }
        Integer signaturesNeeded = 0;
        e = r.optional("approval");
        if (e != null) {
            signaturesNeeded = approval(e);
        }
        return new Result(
                name,
                description,
                workcell,
                protocol,
                emulator,
                space,
                parameterTypes,
                objectives,
                constraints,
                budget,
                batchSize,
                planner,
                seed,
                priority,
                pauseAfterFailures,
                signaturesNeeded,
                java.util.Collections.unmodifiableMap(new LinkedHashMap<>(descriptorFiles)));
    }

    /** {@code approval: {signatures: N}}: how many people sign the campaign's definition before it runs. */
    private Integer approval(Node.Entry e) {
        Node.MapNode map = v.map(e.value(), "'approval' (for example 'approval: {signatures: 1}')");
        if (map == null) {
            return null;
        }
        MapReader r = new MapReader(v, map, "'approval'", e.keyAt(), List.of("signatures"));
        Node.Entry n = r.required("signatures", "1");
        return n == null
                ? null
                : v.integer(
                        n.value(),
                        "'signatures' of 'approval' (people who sign the campaign before it runs)",
                        0,
                        org.labloop.campaign.CampaignSpec.MAX_SIGNATURES);
    }

    /** Notes the descriptor table a categorical or molecule parameter names, if any. */
    private void descriptorFile(String name, MapReader r) {
        Node.Entry e = r.optional("descriptors");
        if (e == null) {
            return;
        }
        String path = v.name(e.value(), "'descriptors' of " + r.what() + " (path of a CSV file)");
        if (path != null) {
            descriptorFiles.put(name, new FileRef(path, e.value().at()));
            v.doc().place(LoadedCampaign.descriptors(name), e.value().at());
        }
    }

    private FileRef fileRef(MapReader r, String key, String example) {
        Node.Entry e = r.required(key, example);
        if (e == null) {
            return null;
        }
        String path = v.name(e.value(), "'" + key + "' (path of the " + key + " file)");
        return path == null ? null : new FileRef(path, e.value().at());
    }

    // ---------------------------------------------------------------- emulator and planner

    private EmulatorSpec emulator(MapReader r) {
        Node.Entry e = r.required("emulator", "{type: snar}");
        if (e == null) {
            return null;
        }
        v.doc().place(LoadedCampaign.EMULATOR, e.keyAt());
        PlugIn p = plugIn(e, "emulator", emulatorTypes, "known emulators", "snar");
        return p == null ? null : new EmulatorSpec(p.type, p.options);
    }

    private PlannerSpec planner(MapReader r) {
        Node.Entry e = r.optional("planner");
        if (e == null) {
            return PlannerSpec.of(DEFAULT_PLANNER);
        }
        v.doc().place(LoadedCampaign.PLANNER, e.keyAt());
        PlugIn p = plugIn(e, "planner", plannerTypes, "known planners", DEFAULT_PLANNER);
        return p == null ? null : new PlannerSpec(p.type, p.options);
    }

    private record PlugIn(String type, Map<String, Object> options) {}

    /** {@code key: name} or {@code key: {type: name, option: value, ...}}. */
    private PlugIn plugIn(Node.Entry entry, String key, Set<String> known, String knownLabel, String example) {
        Node n = entry.value();
        String type;
        Node.Loc typeAt;
        Map<String, Object> options = new LinkedHashMap<>();
        if (n instanceof Node.MapNode map) {
            MapReader r = new MapReader(v, map, "'" + key + "'", entry.keyAt(), null);
            Node.Entry t = map.entries().get("type");
            if (t == null) {
                Node.Entry typo = r.others(List.of()).stream()
                        .filter(o -> Suggest.closest(o.key(), List.of("type")).isPresent())
                        .findFirst()
                        .orElse(null);
                if (typo != null) {
                    v.error(
                            typo.keyAt(),
                            "'" + key + "' has no 'type'",
                            "did you mean 'type' instead of '" + typo.key() + "'?");
                } else {
                    r.required("type", example);
                }
                return null;
            }
            type = v.name(t.value(), "'type' of the " + key);
            typeAt = t.value().at();
            boolean ok = type != null;
            for (Node.Entry o : r.others(List.of("type"))) {
                if (key.equals(LoadedCampaign.PLANNER)) {
                    v.doc().place(LoadedCampaign.plannerOption(o.key()), o.keyAt());
                } else if (key.equals(LoadedCampaign.EMULATOR)) {
                    v.doc().place(LoadedCampaign.emulatorOption(o.key()), o.keyAt());
                }
                Object value = v.plain(o.value(), key + " option '" + o.key() + "'");
                ok &= value != null;
                options.put(o.key(), value);
            }
            if (!ok) {
                return null;
            }
        } else if (n instanceof Node.ScalarNode s && s.kind() != Node.Kind.NULL) {
            type = v.name(n, "'" + key + "'");
            typeAt = n.at();
            if (type == null) {
                return null;
            }
        } else {
            v.wrongType(n, "'" + key + "'", "a name or {type: name, ...}");
            return null;
        }
        if (!known.contains(type)) {
            v.error(typeAt, "unknown " + key + " type '" + type + "'", Suggest.unknownName(type, known, knownLabel));
            return null;
        }
        return new PlugIn(type, options);
    }

    // ---------------------------------------------------------------- parameters

    private SearchSpace space(Node.Entry paramsEntry, Node.MapNode params, Map<String, String> types) {
        if (params.entries().isEmpty()) {
            v.error(
                    paramsEntry.keyAt(),
                    "the campaign has no parameters",
                    "declare at least one, e.g. temperature: {type: continuous, min: 30, max: 120}");
            return null;
        }
        List<Parameter> out = new ArrayList<>();
        boolean ok = true;
        for (Node.Entry p : params.entries().values()) {
            Parameter parameter = parameter(p, types);
            ok &= parameter != null;
            if (parameter != null) {
                out.add(parameter);
            }
        }
        if (!ok) {
            return null;
        }
        try {
            return new SearchSpace(out);
        } catch (IllegalArgumentException | NullPointerException ex) {
            v.error(paramsEntry.keyAt(), "invalid parameters: " + ex.getMessage(), "fix the parameters");
            return null;
        }
    }

    private boolean checkName(Node.Entry e, String kind) {
        if (!Parameter.NAME.matcher(e.key()).matches()) {
            // Accents dropped (solvänt -> solvant), anything else outside a-z, 0-9 and _ made a _.
            String fixed = java.text.Normalizer.normalize(e.key(), java.text.Normalizer.Form.NFD)
                    .replaceAll("\\p{M}", "")
                    .replaceAll("[^A-Za-z0-9_]", "_");
            if (fixed.isEmpty() || Character.isDigit(fixed.charAt(0))) {
                fixed = "_" + fixed;
            }
            String example = fixed.matches("_*") ? "such as 'residence_time'" : "e.g. '" + fixed + "'";
            v.error(
                    e.keyAt(),
                    kind + " name '" + e.key() + "' is not allowed",
                    "start with a letter or _ and use only the letters a-z and A-Z, digits and _, " + example);
            return false;
        }
        return true;
    }

    private Parameter parameter(Node.Entry entry, Map<String, String> types) {
        String name = entry.key();
        String what = "parameter '" + name + "'";
        types.put(name, null);
        v.doc().place(LoadedCampaign.parameter(name), entry.keyAt());
        boolean ok = checkName(entry, "parameter");
        Node.MapNode map = v.map(entry.value(), what);
        if (map == null) {
            return null;
        }
        Node.Entry typeEntry = map.entries().get("type");
        if (typeEntry == null) {
            v.error(
                    entry.keyAt(),
                    what + " has no 'type'",
                    "add 'type: ' followed by one of " + String.join(", ", PARAMETER_KEYS.keySet()));
            return null;
        }
        String type = v.text(typeEntry.value(), "'type' of " + what);
        if (type == null) {
            return null;
        }
        if (!PARAMETER_KEYS.containsKey(type)) {
            v.error(
                    typeEntry.value().at(),
                    "unknown parameter type '" + type + "' for " + what,
                    Suggest.unknownName(type, PARAMETER_KEYS.keySet(), "parameter types"));
            return null;
        }
        if (ok) {
            types.put(name, type); // a name that is not allowed cannot be referred to, so it is not suggested either
        } else {
            types.remove(name);
        }
        // A bad name is already reported; read the rest under a valid stand-in name to report its problems too.
        String checkedName = ok ? name : "_";
        int before = v.doc().errorCount();
        MapReader r = new MapReader(v, map, what + " (" + type + ")", entry.keyAt(), PARAMETER_KEYS.get(type));
        try {
            Parameter p = switch (type) {
                case "continuous" -> continuous(checkedName, r);
                case "discrete" -> discrete(checkedName, r);
                case "categorical" -> categorical(checkedName, r);
                default -> molecule(checkedName, r);
            };
            return ok && v.doc().errorCount() == before ? p : null;
        } catch (IllegalArgumentException | NullPointerException ex) {
            v.error(entry.keyAt(), "invalid " + what + ": " + ex.getMessage(), "fix " + what);
            return null;
        }
    }

    private String unit(MapReader r) {
        Node.Entry e = r.optional("unit");
        return e == null ? "" : v.text(e.value(), "'unit' of " + r.what());
    }

    private Parameter continuous(String name, MapReader r) {
        Node.Entry minEntry = r.required("min", "0");
        Node.Entry maxEntry = r.required("max", "1");
        Double min = minEntry == null ? null : v.number(minEntry.value(), "'min' of " + r.what());
        Double max = maxEntry == null ? null : v.number(maxEntry.value(), "'max' of " + r.what());
        String unit = unit(r);
        if (min == null || max == null || unit == null) {
            return null;
        }
        if (min > max) {
            v.error(
                    minEntry.value().at(),
                    "'min' of " + r.what() + " is greater than 'max': " + fmt(min) + " > " + fmt(max),
                    "swap them: min: " + fmt(max) + ", max: " + fmt(min));
            return null;
        }
        return new ContinuousParameter(name, new Bound(min, max), unit);
    }

    private Parameter discrete(String name, MapReader r) {
        Node.Entry e = r.required("values", "[0.1, 0.2, 0.5]");
        String unit = unit(r);
        if (e == null) {
            return null;
        }
        Node.ListNode list = v.list(e.value(), "'values' of " + r.what());
        if (list == null) {
            return null;
        }
        if (list.items().isEmpty()) {
            v.error(e.value().at(), r.what() + " has no values", "list at least one, e.g. values: [0.1, 0.2, 0.5]");
            return null;
        }
        List<Double> values = new ArrayList<>();
        Map<Double, Node.Loc> seen = new HashMap<>();
        boolean ok = true;
        for (Node item : list.items()) {
            Double d = v.number(item, "a value of " + r.what());
            if (d == null) {
                ok = false;
            } else if (seen.containsKey(d)) {
                v.error(
                        item.at(),
                        "value " + fmt(d) + " is listed twice in " + r.what(),
                        "remove the repeat (first on line " + seen.get(d).line() + ")");
                ok = false;
            } else {
                seen.put(d, item.at());
                values.add(d);
            }
        }
        return ok && unit != null ? new DiscreteParameter(name, values, unit) : null;
    }

    private Parameter categorical(String name, MapReader r) {
        Node.Entry e = r.required("choices", "[EtOH, MeCN]");
        if (e == null) {
            return null;
        }
        Node.ListNode list = v.list(e.value(), "'choices' of " + r.what());
        if (list == null) {
            return null;
        }
        if (list.items().isEmpty()) {
            v.error(e.value().at(), r.what() + " has no choices", "list at least one, e.g. choices: [EtOH, MeCN]");
            return null;
        }
        descriptorFile(name, r);
        List<String> choices = new ArrayList<>();
        Map<String, Node.Loc> seen = new HashMap<>();
        boolean ok = true;
        for (Node item : list.items()) {
            String c = v.name(item, "a choice of " + r.what());
            if (c == null) {
                ok = false;
            } else if (seen.containsKey(c)) {
                v.error(
                        item.at(),
                        "choice '" + c + "' is listed twice in " + r.what(),
                        "remove the repeat (first on line " + seen.get(c).line() + ")");
                ok = false;
            } else {
                seen.put(c, item.at());
                choices.add(c);
            }
        }
        return ok ? new CategoricalParameter(name, choices) : null;
    }

    private Parameter molecule(String name, MapReader r) {
        Node.Entry e = r.required("choices", "{KOAc: \"CC(=O)[O-].[K+]\"}");
        if (e == null) {
            return null;
        }
        Node.MapNode map = v.map(e.value(), "'choices' of " + r.what() + " (name: SMILES)");
        if (map == null) {
            return null;
        }
        if (map.entries().isEmpty()) {
            v.error(
                    e.value().at(),
                    r.what() + " has no choices",
                    "list at least one as name: SMILES, e.g. {KOAc: \"CC(=O)[O-].[K+]\"}");
            return null;
        }
        descriptorFile(name, r);
        List<MoleculeParameter.Molecule> choices = new ArrayList<>();
        boolean ok = true;
        for (Node.Entry c : map.entries().values()) {
            if (c.key().isBlank()) {
                v.error(c.keyAt(), "a choice of " + r.what() + " has a blank name", "name each molecule");
                ok = false;
                continue;
            }
            if (!org.labloop.core.AuditText.oneLine(c.key(), Integer.MAX_VALUE)) {
                v.error(
                        c.keyAt(),
                        "the name of a choice of " + r.what()
                                + " holds a line break, a control or a text-direction character",
                        "write it on one line of visible characters");
                ok = false;
                continue;
            }
            if (c.value() instanceof Node.ListNode) {
                // [Cs+] unquoted is a YAML list holding "Cs+".
                v.error(
                        c.value().at(),
                        "the SMILES of choice '" + c.key() + "' of " + r.what() + " was read as a YAML list",
                        "a SMILES with [brackets] must be quoted: write " + c.key() + ": \"[...]\"");
                ok = false;
                continue;
            }
            String smiles = v.name(
                    c.value(),
                    "the SMILES of choice '" + c.key() + "' of " + r.what(),
                    "write the molecule's SMILES (for example \"CCO\" for ethanol)");
            if (smiles == null) {
                ok = false;
            } else {
                // Whether the SMILES describes a molecule is checked before a campaign is created or run
                // (CampaignRunner), not here: files stored by an older version must still read.
                v.doc()
                        .place(
                                LoadedCampaign.moleculeChoice(name, c.key()),
                                c.value().at());
                choices.add(new MoleculeParameter.Molecule(c.key(), smiles));
            }
        }
        return ok ? new MoleculeParameter(name, choices) : null;
    }

    /**
     * A parameter named like a measured outcome would give the dataset two columns of one name, and the planner a
     * condition it sets that is also a result it reads.
     */
    private void outcomesNotParameters(
            Node.MapNode params, List<Objective> objectives, List<OutcomeConstraint> constraints) {
        Map<String, String> outcomes = new LinkedHashMap<>();
        if (objectives != null) {
            objectives.forEach(o -> outcomes.putIfAbsent(o.name(), "objective"));
        }
        if (constraints != null) {
            constraints.forEach(c -> outcomes.putIfAbsent(c.outcome(), "constrained outcome"));
        }
        for (Node.Entry p : params.entries().values()) {
            String kind = outcomes.get(p.key());
            if (kind != null) {
                v.error(
                        p.keyAt(),
                        "parameter '" + p.key() + "' has the name of the campaign's " + kind + " '" + p.key() + "'",
                        "rename the parameter (and each '$" + p.key() + "' that refers to it in the protocol):"
                                + " a name is either a condition the planner sets or an outcome the lab measures");
            }
        }
    }

    // ---------------------------------------------------------------- objectives

    private List<Objective> objectives(MapReader r) {
        Node.Entry e = r.required("objectives", "{yield: {direction: maximise}}");
        if (e == null) {
            return null;
        }
        Node.MapNode map = v.map(e.value(), "'objectives'");
        if (map == null) {
            return null;
        }
        if (map.entries().isEmpty()) {
            v.error(
                    e.keyAt(),
                    "the campaign has no objectives",
                    "declare at least one, e.g. yield: {direction: maximise}");
            return null;
        }
        List<Objective> out = new ArrayList<>();
        boolean ok = true;
        for (Node.Entry o : map.entries().values()) {
            v.doc().place(LoadedCampaign.objective(o.key()), o.keyAt());
            Objective objective = objective(o);
            ok &= objective != null;
            if (objective != null) {
                out.add(objective);
            }
        }
        return ok ? out : null;
    }

    private Objective objective(Node.Entry entry) {
        String what = "objective '" + entry.key() + "'";
        boolean ok = checkName(entry, "objective");
        Node.MapNode map = v.map(entry.value(), what);
        if (map == null) {
            return null;
        }
        int before = v.doc().errorCount();
        MapReader r = new MapReader(v, map, what, entry.keyAt(), OBJECTIVE_KEYS);
        Direction direction = null;
        Node.Entry d = r.required("direction", "maximise");
        if (d != null) {
            String text = v.text(d.value(), "'direction' of " + what);
            if (text != null) {
                direction = direction(text);
                if (direction == null) {
                    v.error(
                            d.value().at(),
                            "unknown direction '" + text + "' for " + what,
                            Suggest.didYouMean(text, DIRECTIONS) + "write maximise or minimise");
                }
            }
        }
        Node.Entry u = r.optional("unit");
        String unit = u == null ? "" : v.text(u.value(), "'unit' of " + what);
        Node.Entry t = r.optional("target");
        Double targetValue = t == null ? null : v.number(t.value(), "'target' of " + what);
        OptionalDouble target = targetValue == null ? OptionalDouble.empty() : OptionalDouble.of(targetValue);
        OptionalDouble threshold = optionalNumber(r, "threshold", what);
        if (!ok || v.doc().errorCount() != before || direction == null) {
            return null;
        }
        // The threshold is the worst value still worth having, the target the value that ends the campaign.
        if (target.isPresent()
                && threshold.isPresent()
                && direction.sign() * target.getAsDouble() < direction.sign() * threshold.getAsDouble()) {
            v.error(
                    t.value().at(),
                    "the target of " + what + " (" + fmt(target.getAsDouble()) + ") is worse than its threshold ("
                            + fmt(threshold.getAsDouble()) + "), the worst value still worth having",
                    "set a target at least as good as the threshold ("
                            + (direction == Direction.MAXIMISE ? ">= " : "<= ") + fmt(threshold.getAsDouble()) + ")");
            return null;
        }
        try {
            return new Objective(entry.key(), direction, unit, target, threshold);
        } catch (IllegalArgumentException | NullPointerException ex) {
            v.error(entry.keyAt(), "invalid " + what + ": " + ex.getMessage(), "fix " + what);
            return null;
        }
    }

    // ---------------------------------------------------------------- constraints

    /** {@code constraints: ["purity >= 95", ...]}: optional; each item is reported at its own line. */
    private List<OutcomeConstraint> constraints(MapReader r) {
        Node.Entry e = r.optional("constraints");
        if (e == null || e.value() instanceof Node.ScalarNode s && s.kind() == Node.Kind.NULL) {
            return List.of();
        }
        Node.ListNode list = v.list(e.value(), "'constraints'");
        if (list == null) {
            return null;
        }
        List<OutcomeConstraint> out = new ArrayList<>();
        Map<OutcomeConstraint, Node.Loc> seen = new HashMap<>();
        boolean ok = true;
        for (Node item : list.items()) {
            String text = v.text(item, "a constraint (such as \"purity >= 95\")");
            if (text == null) {
                ok = false;
                continue;
            }
            try {
                OutcomeConstraint c = OutcomeConstraint.parse(text);
                Node.Loc first = seen.putIfAbsent(c, item.at());
                if (first != null) {
                    v.error(
                            item.at(),
                            "constraint '" + c + "' is listed twice",
                            "remove the repeat (first on line " + first.line() + ")");
                    ok = false;
                } else {
                    v.doc().place(LoadedCampaign.constraint(c.toString()), item.at());
                    out.add(c);
                }
            } catch (IllegalArgumentException ex) {
                String[] parts = ex.getMessage().split("; ", 2);
                v.error(
                        item.at(),
                        parts[0],
                        parts.length > 1 ? parts[1] : "write OUTCOME >= NUMBER or OUTCOME <= NUMBER");
                ok = false;
            }
        }
        return ok ? out : null;
    }

    private OptionalDouble optionalNumber(MapReader r, String key, String what) {
        Node.Entry e = r.optional(key);
        if (e == null) {
            return OptionalDouble.empty();
        }
        Double d = v.number(e.value(), "'" + key + "' of " + what);
        return d == null ? OptionalDouble.empty() : OptionalDouble.of(d);
    }

    static Direction direction(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "maximise", "maximize" -> Direction.MAXIMISE;
            case "minimise", "minimize" -> Direction.MINIMISE;
            default -> null;
        };
    }

    static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
    }
}
