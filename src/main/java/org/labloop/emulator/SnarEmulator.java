package org.labloop.emulator;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.hipparchus.exception.MathRuntimeException;
import org.hipparchus.ode.ODEState;
import org.hipparchus.ode.OrdinaryDifferentialEquation;
import org.hipparchus.ode.nonstiff.DormandPrince853Integrator;

/**
 * The SnAr benchmark (2,4-difluoronitrobenzene with pyrrolidine in ethanol, in a flow reactor) as an analytic
 * kinetic model, so multi-objective planners can be compared without a lab or a data file. Outcomes are the
 * space-time yield {@code sty} (kg m^-3 h^-1, maximise) and the {@code e_factor} (minimise).
 *
 * <p>Two variants exist because published strategy comparisons used a model with a slip in one rate; benchmarks that
 * compare against those numbers need {@link Variant#PUBLISHED_2020}, everything else the {@link Variant#CORRECTED}
 * default. Instances are immutable and thread-safe.
 */
public final class SnarEmulator implements Emulator {
    public static final String NAME = "snar";
    public static final String TAU = "tau";
    public static final String EQUIV = "equiv";
    public static final String CONC = "conc";
    public static final String TEMPERATURE = "temperature";
    public static final String STY = "sty";
    public static final String E_FACTOR = "e_factor";

    static final String OPTION_VARIANT = "variant";
    static final String OPTION_NOISE = "noise_pct";
    static final List<String> OPTIONS = List.of(OPTION_VARIANT, OPTION_NOISE);

    private static final String VERSION = "1";
    private static final List<String> INPUTS = List.of(TAU, EQUIV, CONC, TEMPERATURE);
    private static final List<String> OUTPUTS = List.of(STY, E_FACTOR);

    // Domain and units, in the order of INPUTS: tau (min), equiv, conc (mol/L), temperature (degC).
    private static final String[] UNITS = {"min", "", "mol/L", "degC"};
    private static final double[] LOWER = {0.5, 1.0, 0.1, 30.0};
    private static final double[] UPPER = {2.0, 5.0, 0.5, 120.0};
    // A planner mapping the unit cube to the domain may land an ulp outside; such values are clamped, not rejected.
    private static final double DOMAIN_SLACK = 1e-9;

    // Molar masses (g/mol) of DFNB, pyrrolidine, ortho product, para product, bis-adduct.
    private static final double[] MOLAR_MASS = {159.09, 71.12, 210.21, 210.21, 261.33};
    private static final double ETHANOL_G_PER_L = 789.0;
    private static final double R = 8.314e-3; // kJ/(mol K)
    private static final double KELVIN_OFFSET = 273.71; // as in the published model
    private static final double T_REF = 90.0 + KELVIN_OFFSET;
    private static final double KREF_A = 57.9, EA_A = 33.3;
    private static final double KREF_B = 2.70, EA_B = 35.3;
    private static final double KREF_C = 0.865, EA_C = 38.9;
    private static final double KREF_D = 1.63, EA_D = 44.8;
    private static final double DEPLETED = 1e-6; // fraction of the start below which a reactant counts as gone

    private static final double STY_FLOOR = 1e-6;
    private static final double E_FACTOR_CAP = 1000.0;
    private static final double C2_ZERO = 1e-8; // mol/L; numpy isclose(C2, 0) in the published model

    // The rate switch at depletion bounds the accuracy to about 1e-6 relative whatever the tolerance; tighter than
    // this costs time (730 instead of 570 evaluations per run) and buys nothing.
    private static final double ABS_TOL = 1e-11;
    private static final double REL_TOL = 1e-9;
    private static final double MIN_STEP = 1e-12;

    /** Which rate law for the para product (r3). */
    public enum Variant {
        /** r3 = kb C0 C1 - kd C1 C3, as the kinetics say. The default. */
        CORRECTED("corrected"),
        /** r3 = ka C0 C1 - kd C1 C3, as in the model behind the 2020 strategy comparison (TSEMO 5803, random 1032). */
        PUBLISHED_2020("published-2020");

        private final String id;

        Variant(String id) {
            this.id = id;
        }

        /** The name written in a campaign file. */
        public String id() {
            return id;
        }

        /** The variant with this campaign-file name. */
        public static Variant of(String id) {
            for (Variant v : values()) {
                if (v.id.equals(id)) {
                    return v;
                }
            }
            List<String> known = Arrays.stream(values()).map(Variant::id).toList();
            throw new EmulationException(
                    "emulator '" + NAME + "', option '" + OPTION_VARIANT + "': unknown SnAr variant '" + id
                            + "'; known variants: " + String.join(", ", known),
                    OPTION_VARIANT,
                    id,
                    known);
        }
    }

    private final Variant variant;
    private final double noisePct;

    /** The corrected model without noise. */
    public SnarEmulator() {
        this(Variant.CORRECTED, 0.0);
    }

    /**
     * @param noisePct standard deviation, in percent, of the multiplicative Gaussian noise on each final
     *     concentration; 0 for none
     */
    public SnarEmulator(Variant variant, double noisePct) {
        if (variant == null) {
            throw new EmulationException("SnAr emulator: variant must not be null");
        }
        if (!(noisePct >= 0.0) || !Double.isFinite(noisePct)) {
            throw new EmulationException("SnAr emulator: noise_pct must be a finite number >= 0, got " + noisePct);
        }
        this.variant = variant;
        this.noisePct = noisePct;
    }

    /** Builds it from campaign-file options ({@code variant}, {@code noise_pct}); the registry checked the keys. */
    static SnarEmulator fromOptions(Map<String, Object> options) {
        List<EmulationException> problems = new java.util.ArrayList<>();
        Variant v = null;
        try {
            v = Variant.of(Options.string(NAME, options, OPTION_VARIANT, Variant.CORRECTED.id()));
        } catch (EmulationException e) {
            problems.add(e);
        }
        double noise = 0;
        try {
            noise = Options.number(NAME, options, OPTION_NOISE, 0.0);
            if (noise < 0) {
                problems.add(new EmulationException(
                        "emulator '" + NAME + "', option '" + OPTION_NOISE + "': must be 0 or more (percent), got "
                                + noise,
                        OPTION_NOISE,
                        null,
                        List.of()));
            }
        } catch (EmulationException e) {
            problems.add(e);
        }
        if (!problems.isEmpty()) {
            throw EmulationException.of(problems);
        }
        return new SnarEmulator(v, noise);
    }

    public Variant variant() {
        return variant;
    }

    public double noisePct() {
        return noisePct;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The model version and variant: a measurement must say which rate law produced it. */
    @Override
    public String version() {
        return VERSION + "-" + variant.id();
    }

    @Override
    public List<String> inputs() {
        return INPUTS;
    }

    @Override
    public List<String> outputs() {
        return OUTPUTS;
    }

    @Override
    public Map<String, Double> evaluate(Map<String, Object> inputs, RandomGenerator noise) {
        if (inputs == null) {
            throw new EmulationException("SnAr emulator: no inputs given; it needs " + String.join(", ", INPUTS));
        }
        double tau = number(inputs, TAU, 0);
        double equiv = number(inputs, EQUIV, 1);
        double conc = number(inputs, CONC, 2);
        double temperature = number(inputs, TEMPERATURE, 3);
        double[] c = integrate(variant, tau, equiv, conc, temperature);
        if (noisePct > 0.0) {
            if (noise == null) {
                throw new EmulationException(
                        "SnAr emulator: noise_pct is " + noisePct + " but no random generator was" + " given");
            }
            for (int i = 0; i < c.length; i++) {
                c[i] = Math.max(0.0, c[i] + c[i] * noise.nextGaussian(0.0, noisePct) / 100.0);
            }
        }
        return Map.of(STY, sty(c, tau), E_FACTOR, eFactor(c));
    }

    /**
     * STY and E-factor of the model without noise, as {@code {sty, eFactor}}: the fast path for benchmarks that
     * sample the model many times (dense sampling for a reference hypervolume, for instance).
     *
     * @throws EmulationException when a value is outside the model's domain
     */
    public static double[] objectives(Variant variant, double tau, double equiv, double conc, double temperature) {
        double[] c = concentrations(variant, tau, equiv, conc, temperature);
        return new double[] {sty(c, tau), eFactor(c)};
    }

    /**
     * Final concentrations (mol/L) of DFNB, pyrrolidine, ortho product, para product and bis-adduct after the
     * residence time, without noise.
     *
     * @throws EmulationException when a value is outside the model's domain
     */
    public static double[] concentrations(Variant variant, double tau, double equiv, double conc, double temperature) {
        if (variant == null) {
            throw new EmulationException("SnAr emulator: variant must not be null");
        }
        return integrate(
                variant,
                inDomain(TAU, tau, 0),
                inDomain(EQUIV, equiv, 1),
                inDomain(CONC, conc, 2),
                inDomain(TEMPERATURE, temperature, 3));
    }

    private static double[] integrate(Variant variant, double tau, double equiv, double conc, double temperature) {
        double tk = temperature + KELVIN_OFFSET;
        Rates rates = new Rates(
                variant == Variant.PUBLISHED_2020,
                rateConstant(KREF_A, EA_A, tk),
                rateConstant(KREF_B, EA_B, tk),
                rateConstant(KREF_C, EA_C, tk),
                rateConstant(KREF_D, EA_D, tk),
                DEPLETED * conc,
                DEPLETED * equiv * conc);
        double[] start = {conc, equiv * conc, 0.0, 0.0, 0.0};
        // The integrator keeps per-run state, so each call gets its own; building one costs far less than a run.
        DormandPrince853Integrator integrator = new DormandPrince853Integrator(MIN_STEP, tau, ABS_TOL, REL_TOL);
        try {
            return integrator.integrate(rates, new ODEState(0.0, start), tau).getPrimaryState();
        } catch (MathRuntimeException e) {
            throw new EmulationException(
                    String.format(
                            Locale.ROOT,
                            "SnAr emulator: integration failed at tau=%s, equiv=%s, conc=%s, temperature=%s: %s",
                            tau,
                            equiv,
                            conc,
                            temperature,
                            e.getMessage()),
                    e);
        }
    }

    /** Per M per min; 0.6 converts the published 1e-2 M^-1 s^-1. */
    private static double rateConstant(double kref, double ea, double tk) {
        return 0.6 * kref * Math.exp(-(ea / R) * (1.0 / tk - 1.0 / T_REF));
    }

    static double sty(double[] c, double tau) {
        return Math.max(STY_FLOOR, 60.0 * MOLAR_MASS[2] * c[2] / tau);
    }

    static double eFactor(double[] c) {
        if (Math.abs(c[2]) <= C2_ZERO) {
            return E_FACTOR_CAP;
        }
        double waste = ETHANOL_G_PER_L;
        for (int i = 0; i < c.length; i++) {
            if (i != 2) {
                waste += MOLAR_MASS[i] * c[i];
            }
        }
        return Math.min(E_FACTOR_CAP, waste / (MOLAR_MASS[2] * c[2]));
    }

    private static double number(Map<String, Object> inputs, String name, int index) {
        Object v = inputs.get(name);
        if (v == null) {
            throw new EmulationException("SnAr emulator: missing input '" + name + "'" + range(index));
        }
        if (!(v instanceof Number n)) {
            throw new EmulationException(
                    "SnAr emulator: input '" + name + "' must be a number" + range(index) + ", got '" + v + "'");
        }
        return inDomain(name, n.doubleValue(), index);
    }

    private static double inDomain(String name, double x, int index) {
        double lo = LOWER[index];
        double hi = UPPER[index];
        double slack = DOMAIN_SLACK * (hi - lo);
        if (!(x >= lo - slack && x <= hi + slack)) {
            throw new EmulationException(
                    "SnAr emulator: input '" + name + "' = " + x + " is outside the allowed range" + range(index));
        }
        return Math.min(hi, Math.max(lo, x));
    }

    @Override
    public java.util.Optional<org.labloop.space.Bound> domain(String input) {
        int index = INPUTS.indexOf(input);
        return index < 0
                ? java.util.Optional.empty()
                : java.util.Optional.of(new org.labloop.space.Bound(LOWER[index], UPPER[index]));
    }

    @Override
    public java.util.Optional<String> unit(String input) {
        int index = INPUTS.indexOf(input);
        return index < 0 || UNITS[index].isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(UNITS[index]);
    }

    private static String range(int index) {
        return " [" + LOWER[index] + ", " + UPPER[index] + "]";
    }

    /** The rate laws; C0 and C1 count as 0 once nearly used up, as in the published model. */
    private record Rates(
            boolean published2020, double ka, double kb, double kc, double kd, double c0Gone, double c1Gone)
            implements OrdinaryDifferentialEquation {

        @Override
        public int getDimension() {
            return 5;
        }

        @Override
        public double[] computeDerivatives(double t, double[] y) {
            double c0 = y[0] < c0Gone ? 0.0 : y[0];
            double c1 = y[1] < c1Gone ? 0.0 : y[1];
            double c2 = y[2];
            double c3 = y[3];
            double c0c1 = c0 * c1;
            double toOrtho = ka * c0c1;
            double toPara = (published2020 ? ka : kb) * c0c1;
            double orthoToBis = kc * c1 * c2;
            double paraToBis = kd * c1 * c3;
            double consumed = (ka + kb) * c0c1;
            return new double[] {
                -consumed,
                -consumed - orthoToBis - paraToBis,
                toOrtho - orthoToBis,
                toPara - paraToBis,
                orthoToBis + paraToBis
            };
        }
    }
}
