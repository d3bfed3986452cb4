package org.labloop;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

    @Test
    void onlyAdapters_touchSqlHttpOrFiles() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "org.labloop.core..",
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
                        "org.labloop.schedule..")
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

    @Test
    void engine_readsTimeOnlyFromTheInjectedClock() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "org.labloop.engine..",
                        "org.labloop.device..",
                        "org.labloop.planner..",
                        "org.labloop.schedule..")
                .should()
                .callMethod(java.time.Instant.class, "now")
                .orShould()
                .callMethod(System.class, "currentTimeMillis")
                .orShould()
                .callMethod(java.time.LocalDateTime.class, "now")
                .check(classes);
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
