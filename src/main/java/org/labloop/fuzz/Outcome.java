package org.labloop.fuzz;

/** How a fuzz case ended. */
public enum Outcome {
    /** The damaged or mutated input was still valid and every command succeeded. */
    ACCEPTED,
    /** Refused with a LabLoop error message and a non-zero exit code, nothing modified. */
    REJECTED,
    /** A crash: an unexpected exception, an internal error, a stack trace, a silent failure or a modified file. */
    UNCAUGHT
}
