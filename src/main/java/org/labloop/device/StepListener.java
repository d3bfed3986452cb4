package org.labloop.device;

import java.util.Map;

/** How a driver reports the end of a step. Called on the engine's loop thread (drivers hand it over via the clock). */
public interface StepListener {

    void completed(StepRequest request, Map<String, Double> outputs);

    void failed(StepRequest request, String reason);
}
