package org.labloop.api;

import java.util.Objects;

/**
 * Who made an API request: the token's name and role. Events caused by the request record {@link #actor()}. Roles:
 * {@code viewer} reads, {@code operator} also creates and controls campaigns, {@code admin} may do everything.
 */
public record Principal(String name, String role) {
    public static final String VIEWER = "viewer";
    public static final String OPERATOR = "operator";
    public static final String ADMIN = "admin";

    public Principal {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
    }

    /** The actor written into events: {@code user:NAME}. */
    public String actor() {
        return "user:" + name;
    }

    public boolean mayControl() {
        return OPERATOR.equals(role) || ADMIN.equals(role);
    }

    public static boolean knownRole(String role) {
        return VIEWER.equals(role) || OPERATOR.equals(role) || ADMIN.equals(role);
    }
}
