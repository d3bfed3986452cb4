package org.labloop.config;

import java.util.List;
import java.util.Objects;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.SourceFile;

/**
 * A campaign as read from its files: the validated spec, and the text of every file it came from (roles campaign,
 * workcell, protocol, in that order) so that the event log can store exactly what was run and
 * {@link CampaignLoader#parse} can rebuild the same spec later.
 */
public record LoadedCampaign(
        CampaignSpec spec,
        List<SourceFile> sources,
        java.util.Map<String, Place> places,
        List<org.labloop.core.Problem> unworkable) {
    /** {@link #places} key of the campaign's planner section. */
    public static final String PLANNER = "planner";

    /** {@link #places} key of one option of the campaign's planner section. */
    public static String plannerOption(String option) {
        return "planner:" + option;
    }

    /** {@link #places} key of the campaign's emulator section. */
    public static final String EMULATOR = "emulator";

    /** {@link #places} key of one option of the campaign's emulator section. */
    public static String emulatorOption(String option) {
        return "emulator:" + option;
    }

    /** {@link #places} key of a device's driver section (its entry when it has none). */
    public static String device(String name) {
        return "device:" + name;
    }

    /** {@link #places} key of one option of a device's driver. */
    public static String driverOption(String device, String option) {
        return "driver-option:" + device + ":" + option;
    }

    /** {@link #places} key of a protocol step's time window ('within_min' or 'exactly_min'). */
    public static String window(String step) {
        return "window:" + step;
    }

    /** {@link #places} key of the SMILES of one choice of a molecule parameter. */
    public static String moleculeChoice(String parameter, String choice) {
        return "molecule:" + parameter + ":" + choice;
    }

    /** {@link #places} key of the value of a parameter's {@code descriptors}. */
    public static String descriptors(String parameter) {
        return "descriptors:" + parameter;
    }

    /** {@link #places} key of an objective's entry. */
    public static String objective(String name) {
        return "objective:" + name;
    }

    /** {@link #places} key of a constraint, by its text as {@code OutcomeConstraint.toString} writes it. */
    public static String constraint(String text) {
        return "constraint:" + text;
    }

    /** {@link #places} key of a parameter's entry. */
    public static String parameter(String name) {
        return "parameter:" + name;
    }

    /** Where a section was written: file, line and column (1-based), for problems found after loading. */
    public record Place(String file, int line, int column) {}

    /**
     * {@code unworkable}: what makes files that read cannot work as written (see {@link CampaignLoader#loadKeepingUnworkable}); empty
     * from {@link CampaignLoader#load}, which refuses such files.
     */
    public LoadedCampaign {
        Objects.requireNonNull(spec, "spec");
        sources = List.copyOf(sources);
        places = java.util.Map.copyOf(places);
        unworkable = List.copyOf(unworkable);
    }

    public LoadedCampaign(CampaignSpec spec, List<SourceFile> sources, java.util.Map<String, Place> places) {
        this(spec, sources, places, List.of());
    }

    public LoadedCampaign(CampaignSpec spec, List<SourceFile> sources) {
        this(spec, sources, java.util.Map.of());
    }
}
