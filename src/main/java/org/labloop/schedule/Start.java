package org.labloop.schedule;

/** A decision: start step {@code op} of job {@code job} now, on position {@code lane} of device {@code device}. */
public record Start(int job, int op, int device, int lane) {}
