package org.labloop.core;

/** The running LabLoop version, recorded with every campaign for provenance. */
public final class Version {
    private Version() {}

    public static String current() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
