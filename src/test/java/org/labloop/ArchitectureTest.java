package org.labloop;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaConstructor;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The dependency rules that keep the architecture readable from the package tree. */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.labloop");
    }

    @Test
    void planner_isAPureLibrary() {
        noClasses()
                .that()
                .resideInAPackage("org.labloop.planner..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.labloop.device..",
                        "org.labloop.store..",
                        "org.labloop.engine..",
                        "org.labloop.cli..",
                        "org.labloop.api..",
                        "org.labloop.config..",
                        "java.sql..",
                        "java.net..",
                        "java.nio.file..",
                        "io.javalin..")
                .check(classes);
    }

    /** The packages that talk to the outside world: files, SQL, HTTP, the terminal. Every other one is checked. */
    private static final String[] ADAPTERS = {
        "org.labloop.config..",
        "org.labloop.store..",
        "org.labloop.data..",
        "org.labloop.lab..",
        "org.labloop.api..",
        "org.labloop.fuzz..",
        "org.labloop.bench..",
        "org.labloop.cli.."
    };

    /** Where the engine's decisions are made: time comes from the injected clock, randomness from a seeded source. */
    private static final String[] DETERMINISTIC = {
        "org.labloop.space..",
        "org.labloop.campaign..",
        "org.labloop.workcell..",
        "org.labloop.protocol..",
        "org.labloop.event..",
        "org.labloop.engine..",
        "org.labloop.device..",
        "org.labloop.emulator..",
        "org.labloop.planner..",
        "org.labloop.chem..",
        "org.labloop.schedule.."
    };

    @Test
    void onlyAdapters_touchSqlHttpOrFiles() {
        noClasses()
                .that()
                .resideInAPackage("org.labloop..")
                .and()
                .resideOutsideOfPackages(ADAPTERS)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("java.sql..", "java.net.http..", "io.javalin..", "java.io.File", "java.nio.file..")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("java.io.FileInputStream")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("java.io.FileOutputStream")
                .check(classes);
    }

    /** Calls of, and references to, what reads the wall clock, in any of its forms. */
    private static final DescribedPredicate<JavaAccess<?>> READS_THE_WALL_CLOCK =
            new DescribedPredicate<>("read the wall clock") {
                @Override
                public boolean test(JavaAccess<?> access) {
                    String owner = access.getTargetOwner().getName();
                    String name = access.getName();
                    return (name.equals("now") && owner.startsWith("java.time."))
                            || (owner.equals("java.time.Clock")
                                    && (name.startsWith("system")
                                            || name.equals("tickMillis")
                                            || name.equals("tickSeconds")
                                            || name.equals("tickMinutes")))
                            || (owner.equals("java.time.InstantSource") && name.equals("system"))
                            || (owner.equals("java.lang.System")
                                    && (name.equals("currentTimeMillis") || name.equals("nanoTime")))
                            || (owner.equals("java.util.Date") && noArgumentConstructor(access));
                }
            };

    /** Randomness that no seed controls. */
    private static final DescribedPredicate<JavaAccess<?>> UNSEEDED_RANDOMNESS =
            new DescribedPredicate<>("draw unseeded random numbers") {
                @Override
                public boolean test(JavaAccess<?> access) {
                    String owner = access.getTargetOwner().getName();
                    String name = access.getName();
                    return ((owner.equals("java.util.Random") || owner.equals("java.util.SplittableRandom"))
                                    && noArgumentConstructor(access))
                            || (owner.equals("java.security.SecureRandom")
                                    && name.equals(JavaConstructor.CONSTRUCTOR_NAME))
                            || (owner.equals("java.lang.Math") && name.equals("random"))
                            || owner.equals("java.util.concurrent.ThreadLocalRandom")
                            || (owner.equals("java.util.UUID") && name.equals("randomUUID"))
                            || (owner.equals("java.util.random.RandomGenerator")
                                    && (name.equals("getDefault") || name.equals("of")))
                            || (owner.equals("java.util.random.RandomGeneratorFactory") && name.equals("create"))
                            || (owner.equals("java.util.Collections")
                                    && name.equals("shuffle")
                                    && access.getTarget() instanceof AccessTarget.CodeUnitAccessTarget t
                                    && t.getRawParameterTypes().size() == 1);
                }
            };

    private static boolean noArgumentConstructor(JavaAccess<?> access) {
        return access.getName().equals(JavaConstructor.CONSTRUCTOR_NAME)
                && access.getTarget() instanceof AccessTarget.CodeUnitAccessTarget t
                && t.getRawParameterTypes().isEmpty();
    }

    @Test
    void decisions_readTimeOnlyFromTheInjectedClock_andRandomnessOnlyFromASeededSource() {
        noClasses()
                .that()
                .resideInAnyPackage(DETERMINISTIC)
                .should()
                .accessTargetWhere(READS_THE_WALL_CLOCK.forSubtype())
                .orShould()
                .accessTargetWhere(UNSEEDED_RANDOMNESS.forSubtype())
                .check(classes);
    }

    @ParameterizedTest
    @CsvSource({
        "instant, true",
        "instantReference, true",
        "clock, true",
        "tick, true",
        "instantSource, true",
        "nanos, true",
        "nanosReference, true",
        "date, true",
        "random, true",
        "math, true",
        "uuid, true",
        "shuffle, true",
        "named, true",
        "seeded, false",
        "seededShuffle, false",
        "recorded, false"
    })
    void theClockAndRandomnessRules_catchEveryFormOfWhatTheyForbid(String method, boolean forbidden) {
        JavaClasses offender = new ClassFileImporter().importClasses(Offender.class);
        boolean caught = offender.get(Offender.class).getMethods().stream()
                .filter(m -> m.getName().equals(method))
                .flatMap(m -> m.getAccessesFromSelf().stream())
                .anyMatch(a -> READS_THE_WALL_CLOCK.test(a) || UNSEEDED_RANDOMNESS.test(a));
        assertThat(caught).isEqualTo(forbidden);
    }

    /** What the rules above must catch, and what they must let through. */
    @SuppressWarnings("unused")
    private static final class Offender {
        Object instant() {
            return java.time.Instant.now();
        }

        java.util.function.Supplier<java.time.Instant> instantReference() {
            return java.time.Instant::now;
        }

        Object clock() {
            return java.time.Clock.systemDefaultZone();
        }

        Object tick() {
            return java.time.Clock.tickMillis(java.time.ZoneOffset.UTC);
        }

        Object instantSource() {
            return java.time.InstantSource.system();
        }

        long nanos() {
            return System.nanoTime();
        }

        java.util.function.LongSupplier nanosReference() {
            return System::nanoTime;
        }

        Object date() {
            return new java.util.Date();
        }

        Object random() {
            return new java.util.Random();
        }

        double math() {
            return Math.random();
        }

        Object uuid() {
            return java.util.UUID.randomUUID();
        }

        void shuffle(java.util.List<?> list) {
            java.util.Collections.shuffle(list);
        }

        Object named() {
            return java.util.random.RandomGenerator.of("L64X128MixRandom");
        }

        Object seeded() {
            return new java.util.SplittableRandom(42);
        }

        void seededShuffle(java.util.List<?> list) {
            java.util.Collections.shuffle(list, new java.util.Random(42));
        }

        Object recorded() {
            return java.time.Instant.ofEpochMilli(42);
        }
    }

    @Test
    void domainPackages_doNotDependOnTheEngineStoreOrCli() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "org.labloop.space..",
                        "org.labloop.workcell..",
                        "org.labloop.protocol..",
                        "org.labloop.campaign..",
                        "org.labloop.event..",
                        "org.labloop.emulator..",
                        "org.labloop.device..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.labloop.engine..", "org.labloop.store..", "org.labloop.cli..")
                .check(classes);
    }

    @Test
    void featurePackages_haveNoCycles() {
        slices().matching("org.labloop.(*)..").should().beFreeOfCycles().check(classes);
    }
}
