package org.labloop.planner;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;
import org.ejml.data.DMatrixRMaj;
import org.labloop.space.Objective;
import org.labloop.space.Observation;
import org.labloop.space.OutcomeConstraint;
import org.labloop.space.Point;
import org.labloop.space.SearchSpace;

/**
 * Bayesian optimisation: a Gaussian-process surrogate (Matern 5/2 ARD) per objective, an acquisition function (log
 * expected improvement, upper confidence bound or Thompson sampling), batches that account for pending experiments by
 * the kriging believer; for two objectives, exact expected hypervolume improvement, and for three (or two with
 * {@code multi_objective: parego}, or with another acquisition than log EI), random augmented-Chebyshev
 * scalarisations (ParEGO). Works on continuous, discrete, categorical, molecule and mixed spaces, and on finite
 * candidate pools.
 *
 * <p>Outcome constraints ({@code purity >= 95}) get a Gaussian process each, and every acquisition path weighs a
 * candidate by its probability of feasibility (constrained EI, Gardner et al. 2014; Gelbart et al. 2014): log-EI over
 * the best feasible observation plus the log probability; UCB as log(UCB - worst observed) plus the log probability;
 * Thompson sampling draws the constraint outcomes too and keeps only draws that satisfy them. Until some observation
 * is feasible, the planner maximises the probability of feasibility alone (rationale "feasibility").
 *
 * <p>Options: {@code acquisition} (log_ei | ucb | thompson, default log_ei), {@code initial} (observations needed
 * before the model is used; until then proposals are space-filling; default 5), {@code beta} (UCB exploration weight,
 * default 2), {@code restarts} (hyperparameter fitting starts, default 2), {@code raw_samples} (random candidates when
 * maximising the acquisition over a space, default 1024), {@code molecule_encoding} (fingerprint | onehot | tanimoto |
 * descriptors, default fingerprint: ECFP4 reduced by PCA; tanimoto compares molecules by the Tanimoto similarity of
 * their ECFP4 fingerprints inside the kernel; descriptors: standardised physico-chemical descriptors reduced by PCA),
 * {@code molecule_dims} (principal components kept per molecule parameter, default 4, or {@code auto}: as many as
 * explain 95% of the variance), {@code multi_objective} (auto | ehvi |
 * parego, default auto). EHVI counts hypervolume from each objective's {@code threshold} where the campaign gives one.
 * {@code log_outcomes} (default false): an objective whose observed values are all positive and span a factor of 10 or
 * more is modelled on the log scale (see {@link Scale}).
 */
public final class BayesianPlanner implements Planner {
    public static final String NAME = "bayesian";

    /** Observations the model waits for (option {@code initial}); until then proposals are a space-filling design. */
    public static final int DEFAULT_INITIAL = 5;

    /** Acquisition functions the planner offers. */
    enum AcquisitionKind {
        LOG_EI,
        UCB,
        THOMPSON
    }

    record Options(
            AcquisitionKind acquisition,
            int initial,
            double beta,
            int restarts,
            int rawSamples,
            Encoding.MoleculeMode moleculeMode,
            int moleculeDims,
            MultiObjective multiObjective,
            boolean avoidRepeats,
            boolean logOutcomes) {

        /**
         * Whether {@code objectives} objectives are planned by expected hypervolume improvement: by default two are,
         * unless another acquisition than log EI was asked for (ParEGO applies it to scalarised objectives).
         */
        boolean ehvi(int objectives) {
            return switch (multiObjective) {
                case AUTO -> objectives == 2 && acquisition == AcquisitionKind.LOG_EI;
                case EHVI -> true;
                case PAREGO -> false;
            };
        }
    }

    /** How several objectives are planned: exact EHVI (two objectives) or ParEGO; AUTO takes EHVI where it can. */
    enum MultiObjective {
        AUTO,
        EHVI,
        PAREGO
    }

    private static final double CHEBYSHEV_RHO = 0.05;
    private static final int THOMPSON_CANDIDATES = 1000;
    private static final int LOCAL_STARTS = 8;

    private final Options options;
    /** The options the campaign gave, as opposed to defaults. */
    private final Set<String> given;

    private final Map<SearchSpace, Encoding> encodings = new ConcurrentHashMap<>();

    public BayesianPlanner(PlannerSpec spec) {
        this.options = parse(spec.options());
        this.given = Set.copyOf(spec.options().keySet());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return "4";
    }

    Options options() {
        return options;
    }

    @Override
    public void checkObjectives(List<Objective> objectives) {
        if (options.multiObjective() == MultiObjective.PAREGO && objectives.size() == 1) {
            throw multiObjective("planner 'bayesian': multi_objective 'parego' plans several objectives, got one;"
                    + " remove multi_objective");
        }
        if (options.avoidRepeats() && !options.ehvi(objectives.size())) {
            throw new InvalidPlannerOptionsException(List.of(new InvalidPlannerOptionsException.OptionProblem(
                    "avoid_repeats",
                    "planner 'bayesian': avoid_repeats acts on expected hypervolume improvement, which plans two"
                            + " objectives with acquisition log_ei; here it would be ignored, so remove it")));
        }
        if (options.multiObjective() == MultiObjective.EHVI && objectives.size() != 2) {
            throw multiObjective("planner 'bayesian': multi_objective 'ehvi' plans exactly two objectives, got "
                    + objectives.size() + "; "
                    + (objectives.size() == 1
                            ? "remove multi_objective"
                            : "use 'parego' (or remove multi_objective: three objectives get ParEGO)"));
        }
    }

    private static InvalidPlannerOptionsException multiObjective(String message) {
        return new InvalidPlannerOptionsException(
                List.of(new InvalidPlannerOptionsException.OptionProblem("multi_objective", message)));
    }

    /** Whether molecule parameters are encoded by their names (one-hot), not by their structure. */
    public boolean encodesMoleculesByName() {
        return options.moleculeMode() == Encoding.MoleculeMode.ONEHOT;
    }

    @Override
    public boolean usesThresholds(int objectives) {
        return objectives == 2 && options.ehvi(objectives);
    }

    @Override
    public void checkSpace(SearchSpace space) {
        // molecule_encoding acts on molecules without a descriptor table of their own; molecule_dims on those and on
        // every descriptor table.
        boolean structures = space.parameters().stream()
                .anyMatch(p -> p instanceof org.labloop.space.MoleculeParameter
                        && p.descriptors().isEmpty());
        boolean tables =
                space.parameters().stream().anyMatch(p -> p.descriptors().isPresent());
        List<InvalidPlannerOptionsException.OptionProblem> problems = new ArrayList<>();
        if (given.contains("molecule_encoding") && !structures) {
            problems.add(new InvalidPlannerOptionsException.OptionProblem(
                    "molecule_encoding",
                    "planner 'bayesian': molecule_encoding says how to encode molecule parameters by their"
                            + " structure, and this search space has none"
                            + (tables ? " without a descriptor table (a table replaces the structure)" : "")
                            + "; remove it"));
        }
        if (given.contains("molecule_dims") && !structures && !tables) {
            problems.add(new InvalidPlannerOptionsException.OptionProblem(
                    "molecule_dims",
                    "planner 'bayesian': molecule_dims says how to encode molecule parameters and descriptor tables,"
                            + " and this search space has none; remove it"));
        } else if (given.contains("molecule_dims")
                && !tables
                && (options.moleculeMode() == Encoding.MoleculeMode.ONEHOT
                        || options.moleculeMode() == Encoding.MoleculeMode.TANIMOTO)) {
            problems.add(new InvalidPlannerOptionsException.OptionProblem(
                    "molecule_dims",
                    "planner 'bayesian': molecule_dims is how many principal components of each molecule's encoding"
                            + " are kept, and molecule_encoding "
                            + options.moleculeMode().name().toLowerCase(Locale.ROOT)
                            + " reduces nothing, so it would be ignored; remove molecule_dims, or use"
                            + " molecule_encoding fingerprint or descriptors"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidPlannerOptionsException(problems);
        }
    }

    @Override
    public List<Proposal> propose(PlanningRequest request) {
        checkObjectives(request.objectives());
        request = Feasibility.inForce(request);
        Encoding enc = encodings.computeIfAbsent(
                request.space(), s -> Encoding.of(s, options.moleculeMode(), options.moleculeDims()));
        Set<Point> taken = UnitCube.taken(request);
        List<Observation> usable = new ArrayList<>();
        for (Observation o : request.observations()) {
            if (!o.failed()
                    && request.objectives().stream()
                            .allMatch(obj -> o.outcomes().containsKey(obj.name()))) {
                usable.add(o);
            }
        }
        if (usable.size() < options.initial()) {
            return spaceFilling(request, taken, enc);
        }
        double[][] x = new double[usable.size()][];
        for (int i = 0; i < x.length; i++) {
            x[i] = enc.encode(usable.get(i).point());
        }
        double[][] pending = new double[request.pending().size()][];
        for (int i = 0; i < pending.length; i++) {
            pending[i] = enc.encode(request.pending().get(i));
        }
        List<OutcomeConstraint> constraints = request.constraints();
        Candidates candidates = request.pool().isPresent()
                ? Candidates.pool(enc, request.pool().get(), taken)
                : Candidates.space(enc, taken, anchors(enc, usable, request.objectives(), constraints));
        if (candidates.isPool() && candidates.free() < request.count()) {
            throw new SearchSpaceExhaustedException(
                    "the candidate pool has " + candidates.free() + " untried points left but " + request.count()
                            + " were asked for; lower the budget or enlarge the pool");
        }
        if (!candidates.isPool()) {
            UnitCube.checkRoom(request.space(), taken, request.count());
        }
        List<Objective> objectives = request.objectives();
        RandomGenerator random = request.random();
        if (objectives.size() == 1) {
            Objective obj = objectives.get(0);
            Scale scale = scales(objectives, usable)[0];
            double[] y = outcomes(usable, obj, scale);
            Gp gp = Gp.fit(x, y, options.restarts(), random, enc.metric());
            Feasibility feasibility =
                    Feasibility.fit(constraints, request.observations(), enc, options.restarts(), random);
            Scorer scorer =
                    new Scorer(gp, feasibility, incumbent(y, usable, constraints), worst(y)).withFantasies(pending);
            List<Pick> picks = pickBatch(candidates, scorer, request.count(), random);
            List<Proposal> out = new ArrayList<>();
            for (Pick p : picks) {
                Map<String, Double> details = new LinkedHashMap<>();
                scale.record(details, obj.name(), p.mean(), p.sd(), gp.noiseSd());
                details.put("acquisition", p.acquisition());
                explain(details, scorer.feasibility(), p.features());
                out.add(new Proposal(p.point(), rationale(scorer, p), details));
            }
            return out;
        }
        return options.ehvi(objectives.size())
                ? ehvi(request, usable, x, pending, candidates, random)
                : parEgo(request, usable, x, pending, candidates, random);
    }

    /**
     * Best objective value (maximised direction) among observations that satisfy every constraint; NaN when none
     * does.
     */
    private static double incumbent(double[] y, List<Observation> usable, List<OutcomeConstraint> constraints) {
        double best = Double.NaN;
        for (int i = 0; i < y.length; i++) {
            if (Feasibility.satisfied(constraints, usable.get(i)) && !(y[i] <= best)) {
                best = y[i];
            }
        }
        return best;
    }

    private static double worst(double[] y) {
        return Arrays.stream(y).min().orElseThrow();
    }

    private static String rationale(Scorer s, Pick p) {
        if (s.seeksFeasibility()) {
            return "feasibility";
        }
        return p.exploit() ? "exploit" : "explore";
    }

    /** Adds each constraint's predicted mean and sd, its probability of feasibility, and their product. */
    private static void explain(Map<String, Double> details, Feasibility feasibility, double[] features) {
        if (feasibility.isEmpty()) {
            return;
        }
        double[] mean = new double[1];
        double[] var = new double[1];
        double total = 0;
        for (Feasibility.Model m : feasibility.models()) {
            m.gp().predict(new double[][] {features}, 0, 1, mean, var);
            String outcome = m.constraint().outcome();
            double sd = Math.sqrt(var[0]);
            // An objective that is also constrained keeps its objective model's figures.
            details.putIfAbsent("mean." + outcome, mean[0]);
            details.putIfAbsent("sd." + outcome, sd);
            double log = Acquisition.logFeasibility(m.constraint(), mean[0], sd);
            details.put("feasibility." + m.constraint(), Math.exp(log));
            total += log;
        }
        details.put("feasibility", Math.exp(total));
    }

    // ------------------------------------------------------------------ multi-objective

    /**
     * Two objectives: each batch point maximises the exact expected hypervolume improvement over the front of what is
     * measured, pending or already in the batch (each of those at its predicted mean, as kriging believer), weighed by
     * the probability of meeting the outcome constraints, counted from the objectives' thresholds (or a reference
     * inferred from the front). One GP per objective. The kriging believer leaves the pending and already chosen
     * points the noise the model allows, enough for EHVI to propose nearly the same conditions again; with {@code
     * avoid_repeats} a candidate's uncertainty is what remains once their outcomes are taken as known
     * ({@link KnownPoints}), so it does not (fewer repeats, but lower hypervolume on the SnAr benchmark).
     */
    private List<Proposal> ehvi(
            PlanningRequest request,
            List<Observation> usable,
            double[][] x,
            double[][] pending,
            Candidates candidates,
            RandomGenerator random) {
        List<Objective> objectives = request.objectives();
        List<OutcomeConstraint> constraints = request.constraints();
        int m = objectives.size();
        double[][] ys = new double[m][];
        Scale[] scales = scales(objectives, usable);
        Gp[] models = fitEach(objectives, scales, usable, x, ys, options.restarts(), candidates, random);
        Feasibility feasibility =
                Feasibility.fit(constraints, request.observations(), candidates.encoding(), options.restarts(), random);
        List<double[]> front = new ArrayList<>();
        for (int i = 0; i < usable.size(); i++) {
            if (Feasibility.satisfied(constraints, usable.get(i))) {
                front.add(new double[] {ys[0][i], ys[1][i]});
            }
        }
        // With constraints and nothing feasible yet, only the probability of feasibility counts.
        boolean seekFeasible = !feasibility.isEmpty() && front.isEmpty();
        double[] reference = Ehvi.reference(front.isEmpty() ? Arrays.asList(transpose(ys)) : front);
        // Pending experiments and the batch's earlier points (with avoid_repeats, their outcomes count as known).
        List<double[]> inFlight = new ArrayList<>(Arrays.asList(pending));
        for (int j = 0; j < m; j++) {
            Objective obj = objectives.get(j);
            if (obj.threshold().isPresent()) {
                reference[j] = scales[j].model(obj.threshold().getAsDouble());
            }
        }
        // Pending experiments join the front at their predicted means, unless predicted to break a constraint.
        for (double[] f : pending) {
            if (likelyFeasible(feasibility, f)) {
                front.add(predicted(models, f));
            }
        }
        for (int j = 0; j < m; j++) {
            models[j] = models[j].withFantasies(pending);
        }
        feasibility = feasibility.withFantasies(pending);
        List<Proposal> out = new ArrayList<>();
        for (int q = 0; q < request.count(); q++) {
            Ehvi ehvi = new Ehvi(front, reference);
            KnownPoints[] known = known(models, options.avoidRepeats() ? inFlight : List.of());
            Surface surface = ehviSurface(models, known, feasibility, ehvi, seekFeasible);
            double[] features;
            Point point;
            double value;
            if (candidates.isPool()) {
                double[] score = new double[candidates.size()];
                surface.scoreAll(candidates.features(), score);
                int arg = -1;
                for (int i = 0; i < score.length; i++) {
                    if (candidates.isFree(i) && (arg < 0 || score[i] > score[arg])) {
                        arg = i;
                    }
                }
                if (arg < 0) {
                    throw new PlanningException("the candidate pool ran out of untried points");
                }
                candidates.take(arg);
                features = candidates.features()[arg];
                point = candidates.point(arg);
                value = score[arg];
            } else {
                Found found = maximise(candidates, surface, random);
                features = found.features();
                point = candidates.encoding().point(found.design());
                value = found.value();
                candidates.exclude(point);
            }
            double[] mean = new double[m];
            double[] sd = new double[m];
            Map<String, Double> details = new LinkedHashMap<>();
            double[] mu1 = new double[1];
            double[] var1 = new double[1];
            for (int j = 0; j < m; j++) {
                models[j].predict(new double[][] {features}, 0, 1, mu1, var1);
                mean[j] = mu1[0];
                // The model's own uncertainty is what a person reads; EHVI uses what is left given the points in
                // flight.
                sd[j] = Math.sqrt(known[j].variance(features, var1[0]));
                scales[j].record(details, objectives.get(j).name(), mean[j], Math.sqrt(var1[0]), models[j].noiseSd());
            }
            details.put("acquisition", value);
            double expected = ehvi.expected(mean[0], sd[0], mean[1], sd[1]);
            details.put("ehvi", expected);
            explain(details, feasibility, features);
            // Exploit when the predicted point itself carries at least half the expected improvement.
            double certain = ehvi.improvement(mean[0], mean[1]);
            String rationale =
                    seekFeasible ? "feasibility" : certain > 0 && certain >= 0.5 * expected ? "exploit" : "explore";
            out.add(new Proposal(point, rationale, details));
            if (likelyFeasible(feasibility, features)) {
                front.add(mean);
            }
            inFlight.add(features);
            for (int j = 0; j < m; j++) {
                models[j] = models[j].withFantasies(new double[][] {features});
            }
            feasibility = feasibility.withFantasies(new double[][] {features});
        }
        return out;
    }

    /** Each objective's model with the latent values at {@code points} (still to be measured) taken as known. */
    private static KnownPoints[] known(Gp[] models, List<double[]> points) {
        KnownPoints[] known = new KnownPoints[models.length];
        double[] mu = new double[1];
        double[] var = new double[1];
        for (int j = 0; j < models.length; j++) {
            known[j] = new KnownPoints(models[j]);
            for (double[] p : points) {
                models[j].predict(new double[][] {p}, 0, 1, mu, var);
                known[j].add(p, var[0]);
            }
        }
        return known;
    }

    private static boolean likelyFeasible(Feasibility feasibility, double[] features) {
        return feasibility.isEmpty() || feasibility.logProbability(features) >= Math.log(0.5);
    }

    /**
     * Fills {@code ys[j]} with objective j's outcomes (maximised direction, on its scale) and fits a GP to each, in
     * order.
     */
    private static Gp[] fitEach(
            List<Objective> objectives,
            Scale[] scales,
            List<Observation> usable,
            double[][] x,
            double[][] ys,
            int restarts,
            Candidates candidates,
            RandomGenerator random) {
        Gp[] models = new Gp[objectives.size()];
        for (int j = 0; j < models.length; j++) {
            ys[j] = outcomes(usable, objectives.get(j), scales[j]);
            models[j] = Gp.fit(x, ys[j], restarts, random, candidates.encoding().metric());
        }
        return models;
    }

    private static double[][] transpose(double[][] ys) {
        double[][] out = new double[ys[0].length][ys.length];
        for (int j = 0; j < ys.length; j++) {
            for (int i = 0; i < ys[j].length; i++) {
                out[i][j] = ys[j][i];
            }
        }
        return out;
    }

    private static double[] predicted(Gp[] models, double[] features) {
        double[] out = new double[models.length];
        double[] mu = new double[1];
        double[] var = new double[1];
        for (int j = 0; j < models.length; j++) {
            models[j].predict(new double[][] {features}, 0, 1, mu, var);
            out[j] = mu[0];
        }
        return out;
    }

    /** log EHVI plus the log probability of feasibility; the latter alone while nothing measured is feasible. */
    private static Surface ehviSurface(
            Gp[] models, KnownPoints[] known, Feasibility feasibility, Ehvi ehvi, boolean seekFeasible) {
        return new Surface() {
            @Override
            public void scoreAll(double[][] features, double[] out) {
                int n = features.length;
                double[] m0 = new double[n];
                double[] v0 = new double[n];
                double[] m1 = new double[n];
                double[] v1 = new double[n];
                double[] logFeasible = new double[n];
                models[0].predictAll(features, m0, v0);
                models[1].predictAll(features, m1, v1);
                feasibility.logProbabilityAll(features, logFeasible);
                for (int i = 0; i < n; i++) {
                    out[i] = score(
                            m0[i],
                            known[0].variance(features[i], v0[i]),
                            m1[i],
                            known[1].variance(features[i], v1[i]),
                            logFeasible[i]);
                }
            }

            @Override
            public double scoreAt(double[] f) {
                double[] p0 = new double[2];
                double[] p1 = new double[2];
                models[0].predict(new double[][] {f}, 0, 1, p0, p1);
                double mu0 = p0[0];
                double var0 = known[0].variance(f, p1[0]);
                models[1].predict(new double[][] {f}, 0, 1, p0, p1);
                return score(mu0, var0, p0[0], known[1].variance(f, p1[0]), feasibility.logProbability(f));
            }

            private double score(double mu0, double var0, double mu1, double var1, double logFeasible) {
                if (seekFeasible) {
                    return logFeasible;
                }
                double sd0 = Math.sqrt(var0);
                double sd1 = Math.sqrt(var1);
                double log = sd0 > 0 && sd1 > 0
                        ? ehvi.logExpected(mu0, sd0, mu1, sd1)
                        : Math.log(ehvi.expected(mu0, sd0, mu1, sd1));
                // A score that is not a number must lose to every candidate, not win a comparison by accident.
                return Double.isNaN(log) ? Double.NEGATIVE_INFINITY : log + logFeasible;
            }
        };
    }

    /**
     * ParEGO, for three objectives or when asked for with two: each batch point maximises the acquisition on a random
     * augmented Chebyshev scalarisation of the objectives, with the batch's earlier points and the pending ones as
     * fantasies.
     */
    private List<Proposal> parEgo(
            PlanningRequest request,
            List<Observation> usable,
            double[][] x,
            double[][] pending,
            Candidates candidates,
            RandomGenerator random) {
        List<Objective> objectives = request.objectives();
        int m = objectives.size();
        double[][] ys = new double[m][];
        Scale[] scales = scales(objectives, usable);
        Gp[] models =
                fitEach(objectives, scales, usable, x, ys, Math.max(1, options.restarts() - 1), candidates, random);
        List<OutcomeConstraint> constraints = request.constraints();
        Feasibility feasibility = Feasibility.fit(
                constraints,
                request.observations(),
                candidates.encoding(),
                Math.max(1, options.restarts() - 1),
                random);
        double[] lo = new double[m];
        double[] hi = new double[m];
        for (int j = 0; j < m; j++) {
            lo[j] = Arrays.stream(ys[j]).min().orElseThrow();
            hi[j] = Arrays.stream(ys[j]).max().orElseThrow();
        }
        List<double[]> fantasies = new ArrayList<>(Arrays.asList(pending));
        List<Proposal> out = new ArrayList<>();
        for (int q = 0; q < request.count(); q++) {
            double[] w = new double[m];
            double sum = 0;
            for (int j = 0; j < m; j++) {
                w[j] = -Math.log(1 - random.nextDouble());
                sum += w[j];
            }
            double[] s = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                double min = Double.POSITIVE_INFINITY;
                double lin = 0;
                for (int j = 0; j < m; j++) {
                    double f = hi[j] > lo[j] ? (ys[j][i] - lo[j]) / (hi[j] - lo[j]) : 0.5;
                    min = Math.min(min, w[j] / sum * f);
                    lin += w[j] / sum * f;
                }
                s[i] = min + CHEBYSHEV_RHO * lin;
            }
            Gp gp = Gp.fit(
                    x,
                    s,
                    Math.max(1, options.restarts() - 1),
                    random,
                    candidates.encoding().metric());
            Scorer scorer = new Scorer(gp, feasibility, incumbent(s, usable, constraints), worst(s))
                    .withFantasies(fantasies.toArray(double[][]::new));
            Pick p = pickBatch(candidates, scorer, 1, random).get(0);
            fantasies.add(p.features());
            candidates.exclude(p.point());
            Map<String, Double> details = new LinkedHashMap<>();
            double[] mean = new double[1];
            double[] var = new double[1];
            for (int j = 0; j < m; j++) {
                models[j].predict(new double[][] {p.features()}, 0, 1, mean, var);
                scales[j].record(details, objectives.get(j).name(), mean[0], Math.sqrt(var[0]), models[j].noiseSd());
            }
            details.put("acquisition", p.acquisition());
            explain(details, scorer.feasibility(), p.features());
            out.add(new Proposal(p.point(), rationale(scorer, p), details));
        }
        return out;
    }

    /**
     * Designs of the best few observations (feasible ones first, then by the first objective) for the acquisition
     * search to start near.
     */
    private static List<double[]> anchors(
            Encoding enc, List<Observation> usable, List<Objective> objectives, List<OutcomeConstraint> constraints) {
        Objective obj = objectives.get(0);
        List<Observation> sorted = new ArrayList<>(usable);
        sorted.sort((a, b) -> {
            int feasible =
                    Boolean.compare(Feasibility.satisfied(constraints, b), Feasibility.satisfied(constraints, a));
            return feasible != 0
                    ? feasible
                    : Double.compare(
                            obj.direction().sign() * b.outcomes().get(obj.name()),
                            obj.direction().sign() * a.outcomes().get(obj.name()));
        });
        List<double[]> out = new ArrayList<>();
        for (Observation o : sorted.subList(0, Math.min(5, sorted.size()))) {
            out.add(enc.design(o.point()));
        }
        return out;
    }

    private static double[] outcomes(List<Observation> usable, Objective obj, Scale scale) {
        double[] y = new double[usable.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = scale.model(usable.get(i).outcomes().get(obj.name()));
        }
        return y;
    }

    /**
     * The scale an objective is modelled on. Models always maximise: by default the model sees the value times the
     * direction's sign; on the log scale it sees the sign times the value's natural logarithm (a minimised E-factor
     * of 20 is modelled as -ln 20). Both are increasing in the signed value, so Pareto dominance, the incumbent and the
     * hypervolume's ordering are the same on either scale; EHVI and its reference point are computed on the model's
     * scale.
     *
     * <p>On the log scale the model's Gaussian prediction N(mu, sd^2) of the modelled value means the objective is
     * lognormal, and what proposals record is in the objective's own units: {@code mean.X} is the median exp(sign *
     * mu), never negative, and {@code sd.X} (and {@code noise_sd.X}) the delta-method sd median * sd (not the lognormal
     * sd, which for wide predictions is dominated by the tail). {@code log_mean.X}, {@code log_sd.X} and {@code
     * log_noise_sd.X} give the prediction of ln X itself, where intervals are symmetric.
     */
    record Scale(double sign, boolean log) {
        double model(double value) {
            return log ? sign * Math.log(value) : sign * value;
        }

        /** The predicted value in the objective's units: the model's mean with the sign undone, or the median. */
        double mean(double mu) {
            return log ? Math.exp(sign * mu) : sign * mu;
        }

        /** A standard deviation on the model's scale, in the objective's units at the model mean {@code mu}. */
        double sd(double mu, double sd) {
            return log ? Math.exp(sign * mu) * sd : sd;
        }

        /** Records the prediction for objective {@code name}: mean, sd and the model's noise sd. */
        void record(Map<String, Double> details, String name, double mu, double sd, double noiseSd) {
            details.put("mean." + name, mean(mu));
            details.put("sd." + name, sd(mu, sd));
            details.put("noise_sd." + name, sd(mu, noiseSd));
            if (log) {
                details.put("log_mean." + name, sign * mu);
                details.put("log_sd." + name, sd);
                details.put("log_noise_sd." + name, noiseSd);
            }
        }
    }

    /**
     * Each objective's scale: the log scale under {@code log_outcomes} when every observed value is positive and the
     * largest is at least 10 times the smallest (and a threshold, if given, is positive); otherwise the plain one.
     */
    private Scale[] scales(List<Objective> objectives, List<Observation> usable) {
        Scale[] out = new Scale[objectives.size()];
        for (int j = 0; j < out.length; j++) {
            Objective obj = objectives.get(j);
            boolean log = false;
            if (options.logOutcomes() && !usable.isEmpty()) {
                double min = Double.POSITIVE_INFINITY;
                double max = Double.NEGATIVE_INFINITY;
                for (Observation o : usable) {
                    double v = o.outcomes().get(obj.name());
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                log = min > 0
                        && Double.isFinite(max)
                        && max >= 10 * min
                        && (obj.threshold().isEmpty() || obj.threshold().getAsDouble() > 0);
            }
            out[j] = new Scale(obj.direction().sign(), log);
        }
        return out;
    }

    // ------------------------------------------------------------------ batch selection

    /** One chosen candidate with the model's view of it (mean and sd in the maximised direction). */
    record Pick(Point point, double[] features, double mean, double sd, double acquisition, boolean exploit) {}

    /**
     * What a batch step maximises: the objective's model, the constraints' models, the best feasible observed value
     * ({@code best}, maximised direction; NaN when no observation is feasible) and the worst observed value (the floor
     * that makes UCB positive before it is weighed by the probability of feasibility).
     */
    record Scorer(Gp gp, Feasibility feasibility, double best, double worst) {
        /** Kriging believer on the objective and on every constraint. */
        Scorer withFantasies(double[][] extra) {
            return extra.length == 0
                    ? this
                    : new Scorer(gp.withFantasies(extra), feasibility.withFantasies(extra), best, worst);
        }

        /** True when constraints exist but nothing observed satisfies them: only feasibility counts then. */
        boolean seeksFeasibility() {
            return !feasibility.isEmpty() && Double.isNaN(best);
        }
    }

    private List<Pick> pickBatch(Candidates candidates, Scorer scorer, int count, RandomGenerator random) {
        if (options.acquisition() == AcquisitionKind.THOMPSON) {
            return thompson(candidates, scorer, count, random);
        }
        if (candidates.isPool()) {
            return scorer.feasibility().isEmpty()
                    ? lazyGreedy(candidates, scorer.gp(), scorer.best(), count)
                    : greedy(candidates, scorer, count);
        }
        List<Pick> picks = new ArrayList<>();
        Scorer current = scorer;
        for (int q = 0; q < count; q++) {
            Pick p = maximiseOverSpace(candidates, current, random);
            picks.add(p);
            candidates.exclude(p.point());
            current = current.withFantasies(new double[][] {p.features()});
        }
        return picks;
    }

    private double acquisition(double mu, double var, double best) {
        double sd = Math.sqrt(var);
        return switch (options.acquisition()) {
            case LOG_EI -> Acquisition.logEi(mu, sd, best);
            case UCB, THOMPSON -> Acquisition.ucb(mu, sd, options.beta());
        };
    }

    /**
     * The acquisition weighed by the probability of feasibility, in log space: log a(x) + log P(feasible | x). Without
     * constraints it is the plain acquisition; with no feasible observation yet, the log probability alone.
     */
    private double acquisition(Scorer s, double mu, double var, double logFeasible) {
        if (s.feasibility().isEmpty()) {
            return acquisition(mu, var, s.best());
        }
        if (s.seeksFeasibility()) {
            return logFeasible;
        }
        double sd = Math.sqrt(var);
        double log = switch (options.acquisition()) {
            case LOG_EI -> Acquisition.logEi(mu, sd, s.best());
            // UCB can be negative; shifted by the worst observed value it is positive wherever it is of any interest.
            case UCB, THOMPSON ->
                Math.log(Math.max(Acquisition.ucb(mu, sd, options.beta()) - s.worst(), Double.MIN_NORMAL));
        };
        return log + logFeasible;
    }

    private static Pick pick(Point point, double[] features, double mean, double var, double value, double best) {
        double sd = Math.sqrt(var);
        boolean exploit = !Double.isNaN(best) && Acquisition.exploits(mean, sd, best);
        return new Pick(point, features, mean, sd, value, exploit);
    }

    /**
     * Greedy batch over a finite candidate set with kriging-believer fantasies. The posterior mean does not move and
     * the variance only shrinks as points are added, so log-EI and UCB can only fall: candidates are re-scored lazily,
     * from the best stale score down, which gives the same batch as re-scoring everything.
     */
    private List<Pick> lazyGreedy(Candidates c, Gp gp, double best, int count) {
        int m = c.size();
        double[] mean = new double[m];
        double[] var = new double[m];
        gp.predictAll(c.features(), mean, var);
        PriorityQueue<double[]> queue = new PriorityQueue<>((a, b) -> {
            int cmp = Double.compare(b[0], a[0]);
            return cmp != 0 ? cmp : Double.compare(a[1], b[1]);
        });
        for (int i = 0; i < m; i++) {
            if (c.isFree(i)) {
                queue.add(new double[] {acquisition(mean[i], var[i], best), i, 0});
            }
        }
        List<Pick> picks = new ArrayList<>();
        Gp current = gp;
        double[] mu1 = new double[1];
        double[] var1 = new double[1];
        while (picks.size() < count) {
            double[] top = queue.poll();
            if (top == null) {
                throw new PlanningException("the candidate pool ran out of untried points");
            }
            int i = (int) top[1];
            if (!c.isFree(i)) {
                continue;
            }
            if ((int) top[2] != picks.size()) {
                current.predict(c.features(), i, i + 1, mu1, var1);
                var[i] = var1[0];
                queue.add(new double[] {acquisition(mean[i], var[i], best), i, picks.size()});
                continue;
            }
            picks.add(pick(c.point(i), c.features()[i], mean[i], var[i], top[0], best));
            c.take(i);
            current = current.withFantasies(new double[][] {c.features()[i]});
        }
        return picks;
    }

    /**
     * Greedy batch over a finite candidate set under constraints. Fantasies shrink a constraint model's variance, which
     * raises the probability of feasibility where the predicted mean is feasible, so a stale score is no upper bound:
     * every round re-scores every free candidate.
     */
    private List<Pick> greedy(Candidates c, Scorer scorer, int count) {
        int m = c.size();
        double[] mean = new double[m];
        double[] var = new double[m];
        double[] logFeasible = new double[m];
        List<Pick> picks = new ArrayList<>();
        Scorer current = scorer;
        while (picks.size() < count) {
            current.gp().predictAll(c.features(), mean, var);
            current.feasibility().logProbabilityAll(c.features(), logFeasible);
            int arg = -1;
            double argValue = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < m; i++) {
                if (c.isFree(i)) {
                    double a = acquisition(current, mean[i], var[i], logFeasible[i]);
                    if (arg < 0 || a > argValue) {
                        arg = i;
                        argValue = a;
                    }
                }
            }
            if (arg < 0) {
                throw new PlanningException("the candidate pool ran out of untried points");
            }
            picks.add(pick(c.point(arg), c.features()[arg], mean[arg], var[arg], argValue, current.best()));
            c.take(arg);
            current = current.withFantasies(new double[][] {c.features()[arg]});
        }
        return picks;
    }

    /**
     * Thompson sampling: joint posterior draws over the most promising candidates (by a generous upper bound, those
     * that may plausibly satisfy the constraints first) and the argmax of each fresh draw; candidates already chosen
     * are skipped. Under constraints each draw also samples every constrained outcome, and only candidates whose drawn
     * outcomes satisfy all constraints compete; when none does, the one with the smallest total violation (in units of
     * each outcome's spread) is taken.
     */
    private List<Pick> thompson(Candidates c, Scorer scorer, int count, RandomGenerator random) {
        Gp gp = scorer.gp();
        Candidates pool = c.isPool() ? c : c.sample(random, Math.max(THOMPSON_CANDIDATES, options.rawSamples()));
        int m = pool.size();
        double[] mean = new double[m];
        double[] var = new double[m];
        gp.predictAll(pool.features(), mean, var);
        List<Feasibility.Model> constraints = scorer.feasibility().models();
        int k = constraints.size();
        double[][] cMean = new double[k][m];
        double[][] cVar = new double[k][m];
        for (int j = 0; j < k; j++) {
            constraints.get(j).gp().predictAll(pool.features(), cMean[j], cVar[j]);
        }
        boolean[] plausible = new boolean[m];
        for (int i = 0; i < m; i++) {
            plausible[i] = true;
            for (int j = 0; j < k; j++) {
                plausible[i] &= constraints.get(j).constraint().margin(cMean[j][i]) + 3 * Math.sqrt(cVar[j][i]) >= 0;
            }
        }
        Integer[] order = new Integer[m];
        int free = 0;
        for (int i = 0; i < m; i++) {
            if (pool.isFree(i)) {
                order[free++] = i;
            }
        }
        Integer[] freeIdx = Arrays.copyOf(order, free);
        Arrays.sort(freeIdx, (a, b) -> {
            int cmp = Boolean.compare(plausible[b], plausible[a]);
            return cmp != 0
                    ? cmp
                    : Double.compare(
                            Acquisition.ucb(mean[b], Math.sqrt(var[b]), 9),
                            Acquisition.ucb(mean[a], Math.sqrt(var[a]), 9));
        });
        int size = Math.min(free, Math.max(THOMPSON_CANDIDATES, count));
        double[][] feats = new double[size][];
        for (int i = 0; i < size; i++) {
            feats[i] = pool.features()[freeIdx[i]];
        }
        DMatrixRMaj l = sampler(gp, feats);
        DMatrixRMaj[] cl = new DMatrixRMaj[k];
        for (int j = 0; j < k; j++) {
            cl[j] = sampler(constraints.get(j).gp(), feats);
        }
        List<Pick> picks = new ArrayList<>();
        double[] z = new double[size];
        double[][] cz = new double[k][size];
        while (picks.size() < count) {
            for (int i = 0; i < size; i++) {
                z[i] = random.nextGaussian();
            }
            for (int j = 0; j < k; j++) {
                for (int i = 0; i < size; i++) {
                    cz[j][i] = random.nextGaussian();
                }
            }
            int arg = -1;
            double argVal = Double.NEGATIVE_INFINITY;
            double argViolation = Double.POSITIVE_INFINITY;
            for (int i = 0; i < size; i++) {
                if (!pool.isFree(freeIdx[i])) {
                    continue;
                }
                double f = draw(mean[freeIdx[i]], l, z, i, size);
                double violation = 0;
                for (int j = 0; j < k; j++) {
                    Feasibility.Model model = constraints.get(j);
                    double g = draw(cMean[j][freeIdx[i]], cl[j], cz[j], i, size);
                    violation += Math.max(0, -model.constraint().margin(g))
                            / model.gp().yStd();
                }
                if (violation < argViolation || (violation == argViolation && f > argVal)) {
                    argViolation = violation;
                    argVal = f;
                    arg = i;
                }
            }
            if (arg < 0) {
                throw new PlanningException("Thompson sampling ran out of candidates");
            }
            int i = freeIdx[arg];
            picks.add(pick(pool.point(i), pool.features()[i], mean[i], var[i], argVal, scorer.best()));
            pool.exclude(pool.point(i));
            if (pool != c) {
                c.exclude(pool.point(i));
            }
        }
        return picks;
    }

    /** Cholesky factor of a model's joint posterior covariance at {@code feats}, for drawing samples. */
    private static DMatrixRMaj sampler(Gp gp, double[][] feats) {
        // Jitter relative to the prior variance: the posterior one can be far smaller than the covariance's rounding.
        DMatrixRMaj l = Gp.cholesky(gp.covariance(feats), 1e-9 * gp.priorVariance());
        if (l == null) {
            throw new PlanningException("cannot sample the posterior for Thompson sampling");
        }
        return l;
    }

    /** Row {@code i} of a joint draw: {@code mean + (L z)_i}. */
    private static double draw(double mean, DMatrixRMaj l, double[] z, int i, int size) {
        double f = mean;
        for (int j = 0; j <= i; j++) {
            f += l.data[i * size + j] * z[j];
        }
        return f;
    }

    /** The point of a (mixed) space where the scorer's weighed acquisition is highest, as a pick. */
    private Pick maximiseOverSpace(Candidates c, Scorer s, RandomGenerator random) {
        Found found = maximise(c, surface(s), random);
        double[] mu = new double[1];
        double[] v = new double[1];
        s.gp().predict(new double[][] {found.features()}, 0, 1, mu, v);
        return pick(c.encoding().point(found.design()), found.features(), mu[0], v[0], found.value(), s.best());
    }

    /** An acquisition as the search over a space sees it: a score of encoded features, higher is better. */
    interface Surface {
        void scoreAll(double[][] features, double[] out);

        double scoreAt(double[] features);
    }

    /** The weighed acquisition of one model and its constraints. */
    private Surface surface(Scorer s) {
        return new Surface() {
            @Override
            public void scoreAll(double[][] features, double[] out) {
                int m = features.length;
                double[] mean = new double[m];
                double[] var = new double[m];
                double[] logFeasible = new double[m];
                s.gp().predictAll(features, mean, var);
                s.feasibility().logProbabilityAll(features, logFeasible);
                for (int i = 0; i < m; i++) {
                    out[i] = acquisition(s, mean[i], var[i], logFeasible[i]);
                }
            }

            @Override
            public double scoreAt(double[] f) {
                double[] mu = new double[1];
                double[] v = new double[1];
                s.gp().predict(new double[][] {f}, 0, 1, mu, v);
                return acquisition(s, mu[0], v[0], s.feasibility().logProbability(f));
            }
        };
    }

    /** The best design a search found, its features and its score. */
    record Found(double[] design, double[] features, double value) {}

    /**
     * Multi-start maximisation of an acquisition over a (mixed) space: random candidates plus perturbations of the
     * best observed points, then from the best few a local search that alternates L-BFGS on the continuous
     * coordinates with trying every level of each discrete, categorical and molecule parameter.
     */
    private Found maximise(Candidates c, Surface s, RandomGenerator random) {
        Candidates raw = c.sample(random, options.rawSamples());
        int m = raw.size();
        double[] all = new double[m];
        s.scoreAll(raw.features(), all);
        Integer[] idx = new Integer[m];
        double[] score = new double[m];
        for (int i = 0; i < m; i++) {
            idx[i] = i;
            score[i] = raw.isFree(i) ? all[i] : Double.NEGATIVE_INFINITY;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(score[b], score[a]));
        Encoding enc = c.encoding();
        double[] bestDesign = null;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (int start = 0; start < Math.min(LOCAL_STARTS, m); start++) {
            double[] design = raw.design(idx[start]).clone();
            double value = localSearch(enc, s, design, c);
            if (value > bestValue) {
                bestValue = value;
                bestDesign = design;
            }
        }
        if (bestDesign == null || !Double.isFinite(bestValue)) {
            // Every local search ended on a taken point: fall back to the best free raw candidate.
            for (Integer i : idx) {
                if (raw.isFree(i)) {
                    bestDesign = raw.design(i);
                    break;
                }
            }
            if (bestDesign == null) {
                throw new PlanningException("found no untried point in the search space");
            }
        }
        double[] f = enc.features(bestDesign);
        return new Found(bestDesign, f, s.scoreAt(f));
    }

    private static double evaluate(Encoding enc, Surface s, double[] design, Candidates c) {
        if (c.isTaken(enc.point(design))) {
            return Double.NEGATIVE_INFINITY;
        }
        return s.scoreAt(enc.features(design));
    }

    private static double localSearch(Encoding enc, Surface s, double[] design, Candidates c) {
        int p = enc.parameters();
        List<Integer> continuous = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            if (enc.isContinuous(i)) {
                continuous.add(i);
            }
        }
        double value = evaluate(enc, s, design, c);
        for (int round = 0; round < 3; round++) {
            double before = value;
            if (!continuous.isEmpty()) {
                int k = continuous.size();
                double[] x0 = new double[k];
                for (int j = 0; j < k; j++) {
                    x0[j] = design[continuous.get(j)];
                }
                double[] lo = new double[k];
                double[] hi = new double[k];
                Arrays.fill(hi, 1);
                double[] work = design.clone();
                Lbfgs.Objective f = (xc, grad) -> {
                    for (int j = 0; j < k; j++) {
                        work[continuous.get(j)] = xc[j];
                    }
                    double v0 = acquisitionAt(enc, s, work);
                    for (int j = 0; j < k; j++) {
                        int at = continuous.get(j);
                        double h = 1e-6;
                        double orig = work[at];
                        double up = Math.min(1, orig + h);
                        double down = Math.max(0, orig - h);
                        work[at] = up;
                        double vu = acquisitionAt(enc, s, work);
                        work[at] = down;
                        double vd = acquisitionAt(enc, s, work);
                        work[at] = orig;
                        grad[j] = -(vu - vd) / (up - down);
                    }
                    return -v0;
                };
                Lbfgs.Result r = Lbfgs.minimise(f, x0, lo, hi, 50, 6);
                double[] trial = design.clone();
                for (int j = 0; j < k; j++) {
                    trial[continuous.get(j)] = r.x()[j];
                }
                double tv = evaluate(enc, s, trial, c);
                if (tv > value) {
                    value = tv;
                    System.arraycopy(trial, 0, design, 0, p);
                }
            }
            for (int i = 0; i < p; i++) {
                int levels = enc.levels(i);
                if (levels < 2) {
                    continue;
                }
                for (int level = 0; level < levels; level++) {
                    double old = design[i];
                    if (old == level) {
                        continue;
                    }
                    design[i] = level;
                    double v = evaluate(enc, s, design, c);
                    if (v > value) {
                        value = v;
                    } else {
                        design[i] = old;
                    }
                }
            }
            if (!(value > before + 1e-9 * Math.abs(before))) {
                break;
            }
        }
        return value;
    }

    private static double acquisitionAt(Encoding enc, Surface s, double[] design) {
        double a = s.scoreAt(enc.features(design));
        return Double.isFinite(a) ? a : -1e300;
    }

    // ------------------------------------------------------------------ initial design

    private List<Proposal> spaceFilling(PlanningRequest request, Set<Point> taken, Encoding enc) {
        if (request.pool().isPresent()) {
            return maximin(request, taken, enc);
        }
        return new SobolPlanner(PlannerSpec.of(SobolPlanner.NAME)).propose(request);
    }

    /**
     * Greedy maximin design over a pool: a random first point (unless something is measured or pending), then each
     * next point as far as possible (in feature space) from everything measured, pending or chosen.
     */
    private static List<Proposal> maximin(PlanningRequest request, Set<Point> taken, Encoding enc) {
        Candidates c = Candidates.pool(enc, request.pool().get(), taken);
        if (c.free() < request.count()) {
            throw new SearchSpaceExhaustedException("the candidate pool has " + c.free() + " untried points left but "
                    + request.count() + " were asked for; lower the budget or enlarge the pool");
        }
        int m = c.size();
        double[] minDist = new double[m];
        Arrays.fill(minDist, Double.POSITIVE_INFINITY);
        List<double[]> anchors = new ArrayList<>();
        request.observations().forEach(o -> anchors.add(enc.encode(o.point())));
        request.pending().forEach(p -> anchors.add(enc.encode(p)));
        for (double[] a : anchors) {
            for (int i = 0; i < m; i++) {
                minDist[i] = Math.min(minDist[i], enc.metric().squared(a, c.features()[i]));
            }
        }
        List<Proposal> out = new ArrayList<>();
        while (out.size() < request.count()) {
            int pick = -1;
            if (anchors.isEmpty()) {
                int skip = request.random().nextInt(c.free());
                for (int i = 0; i < m; i++) {
                    if (c.isFree(i) && skip-- == 0) {
                        pick = i;
                        break;
                    }
                }
            } else {
                double best = -1;
                for (int i = 0; i < m; i++) {
                    if (c.isFree(i) && minDist[i] > best) {
                        best = minDist[i];
                        pick = i;
                    }
                }
            }
            c.take(pick);
            double[] f = c.features()[pick];
            anchors.add(f);
            for (int i = 0; i < m; i++) {
                minDist[i] = Math.min(minDist[i], enc.metric().squared(f, c.features()[i]));
            }
            out.add(Proposal.of(c.point(pick), "space-filling"));
        }
        return out;
    }

    // ------------------------------------------------------------------ options

    /** Parses the options, reporting every problem in them at once. */
    static Options parse(Map<String, Object> raw) {
        Set<String> known = Set.of(
                "acquisition",
                "initial",
                "beta",
                "restarts",
                "raw_samples",
                "molecule_encoding",
                "molecule_dims",
                "multi_objective",
                "avoid_repeats",
                "log_outcomes");
        List<InvalidPlannerOptionsException.OptionProblem> problems = new ArrayList<>();
        for (String k : raw.keySet().stream().sorted().toList()) {
            if (!known.contains(k)) {
                problems.add(new InvalidPlannerOptionsException.OptionProblem(
                        k,
                        "planner 'bayesian' has no option '" + k + "'; its options are "
                                + String.join(", ", known.stream().sorted().toList())
                                + (k.equals("reference_point")
                                        ? " (the reference point is the objectives' threshold)"
                                        : ""),
                        known.stream().sorted().toList()));
            }
        }
        Map<String, Object> o = new HashMap<>(raw);
        AcquisitionKind acq = checked(problems, "acquisition", AcquisitionKind.LOG_EI, () -> switch (text(
                o, "acquisition", "log_ei")) {
            case "log_ei", "logei", "ei" -> AcquisitionKind.LOG_EI;
            case "ucb" -> AcquisitionKind.UCB;
            case "thompson", "ts" -> AcquisitionKind.THOMPSON;
            default ->
                throw new PlanningException("planner 'bayesian': acquisition must be log_ei, ucb or thompson, got '"
                        + o.get("acquisition") + "'");
        });
        Encoding.MoleculeMode mode =
                checked(problems, "molecule_encoding", Encoding.MoleculeMode.FINGERPRINT, () -> switch (text(
                        o, "molecule_encoding", "fingerprint")) {
                    case "fingerprint", "ecfp" -> Encoding.MoleculeMode.FINGERPRINT;
                    case "onehot", "one_hot" -> Encoding.MoleculeMode.ONEHOT;
                    case "tanimoto" -> Encoding.MoleculeMode.TANIMOTO;
                    case "descriptors" -> Encoding.MoleculeMode.DESCRIPTORS;
                    default ->
                        throw new PlanningException("planner 'bayesian': molecule_encoding must be fingerprint,"
                                + " onehot, tanimoto or descriptors, got '"
                                + o.get("molecule_encoding") + "'");
                });
        MultiObjective multi = checked(problems, "multi_objective", MultiObjective.AUTO, () -> switch (text(
                o, "multi_objective", "auto")) {
            case "auto" -> MultiObjective.AUTO;
            case "ehvi" -> MultiObjective.EHVI;
            case "parego" -> MultiObjective.PAREGO;
            default ->
                throw new PlanningException("planner 'bayesian': multi_objective must be auto, ehvi or parego, got '"
                        + o.get("multi_objective") + "'");
        });
        if (multi == MultiObjective.EHVI && acq != AcquisitionKind.LOG_EI) {
            problems.add(new InvalidPlannerOptionsException.OptionProblem(
                    "multi_objective",
                    "planner 'bayesian': multi_objective 'ehvi' chooses by expected hypervolume improvement, so"
                            + " acquisition '" + o.get("acquisition")
                            + "' would be ignored; remove one of them (with two"
                            + " objectives, acquisition ucb or thompson runs ParEGO)"));
        }
        int initial = checked(problems, "initial", DEFAULT_INITIAL, () ->
                (int) number(o, "initial", DEFAULT_INITIAL, 1, 1_000_000, true));
        double beta = checked(problems, "beta", 2.0, () -> {
            double b = number(o, "beta", 2.0, -Double.MAX_VALUE, Double.MAX_VALUE, false);
            if (!(b > 0 && b <= 1e6)) {
                throw new PlanningException("planner 'bayesian': beta must be a number greater than 0 and at most"
                        + " 1000000, got " + shown(o.get("beta")));
            }
            return b;
        });
        boolean betaOrAcquisitionWrong = problems.stream()
                .anyMatch(p -> p.option().equals("beta") || p.option().equals("acquisition"));
        if (o.containsKey("beta") && acq != AcquisitionKind.UCB && !betaOrAcquisitionWrong) {
            problems.add(new InvalidPlannerOptionsException.OptionProblem(
                    "beta",
                    "planner 'bayesian': beta weighs exploration in acquisition ucb only, so with "
                            + acq.name().toLowerCase(Locale.ROOT) + " it would be ignored; remove beta or set"
                            + " acquisition: ucb"));
        }
        int restarts = checked(problems, "restarts", 2, () -> (int) number(o, "restarts", 2, 1, 100, true));
        int rawSamples =
                checked(problems, "raw_samples", 1024, () -> (int) number(o, "raw_samples", 1024, 16, 1_000_000, true));
        int dims = checked(
                problems,
                "molecule_dims",
                4,
                () -> "auto".equals(text(o, "molecule_dims", "4"))
                        ? Encoding.AUTO_DIMS
                        : (int) number(o, "molecule_dims", 4, 1, 64, true));
        boolean avoidRepeats =
                checked(problems, "avoid_repeats", false, () -> switch (text(o, "avoid_repeats", "false")) {
                    case "true", "yes" -> true;
                    case "false", "no" -> false;
                    default ->
                        throw new PlanningException("planner 'bayesian': avoid_repeats must be true or false, got '"
                                + o.get("avoid_repeats") + "'");
                });
        boolean logOutcomes = checked(problems, "log_outcomes", false, () -> switch (text(o, "log_outcomes", "false")) {
            case "true", "yes" -> true;
            case "false", "no" -> false;
            default ->
                throw new PlanningException(
                        "planner 'bayesian': log_outcomes must be true or false, got '" + o.get("log_outcomes") + "'");
        });
        if (!problems.isEmpty()) {
            throw new InvalidPlannerOptionsException(problems);
        }
        return new Options(acq, initial, beta, restarts, rawSamples, mode, dims, multi, avoidRepeats, logOutcomes);
    }

    /** The value {@code parse} gives, or {@code fallback} with its problem noted against {@code option}. */
    private static <T> T checked(
            List<InvalidPlannerOptionsException.OptionProblem> problems,
            String option,
            T fallback,
            java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (PlanningException e) {
            problems.add(new InvalidPlannerOptionsException.OptionProblem(option, e.getMessage()));
            return fallback;
        }
    }

    private static String text(Map<String, Object> o, String key, String fallback) {
        Object v = o.get(key);
        return v == null ? fallback : v.toString().trim().toLowerCase(Locale.ROOT);
    }

    private static double number(
            Map<String, Object> o, String key, double fallback, double min, double max, boolean integer) {
        Object v = o.get(key);
        if (v == null) {
            return fallback;
        }
        double d;
        if (v instanceof Number n) {
            d = n.doubleValue();
        } else {
            try {
                d = Double.parseDouble(v.toString().trim());
            } catch (NumberFormatException e) {
                throw new PlanningException("planner 'bayesian': " + key + " must be a number, got '" + v + "'");
            }
        }
        if (!Double.isFinite(d) || d < min || d > max || (integer && d != Math.rint(d))) {
            throw new PlanningException(
                    "planner 'bayesian': " + key + " must be " + (integer ? "an integer" : "a number") + " in ["
                            + fmt(min) + ", " + fmt(max) + "], got " + shown(v));
        }
        return d;
    }

    /** A value as the file most likely wrote it: a whole number without the ".0" YAML reading adds. */
    private static String shown(Object v) {
        return v instanceof Number n && Double.isFinite(n.doubleValue()) ? fmt(n.doubleValue()) : String.valueOf(v);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
