package org.labloop.fuzz;

/**
 * One fuzz case: which target and mutation, how it ended, and for a failure what went wrong (the exception, or the
 * command and what it printed).
 */
public record CaseResult(long caseNumber, String target, String mutation, Outcome outcome, String detail, long nanos) {}
