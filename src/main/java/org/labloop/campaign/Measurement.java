package org.labloop.campaign;

/** A recorded value with its provenance: device, step, method (emulator or instrument) and when. */
public record Measurement(String name, double value, String unit, String device, int step, String method, String at) {}
