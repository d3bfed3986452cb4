package org.labloop.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.labloop.core.InvalidInputException;
import picocli.CommandLine.Option;

/** The repeatable {@code --option KEY=VALUE} of the benchmark commands: planner options, as in a campaign file. */
final class PlannerOptions {
    @Option(
            names = "--option",
            paramLabel = "KEY=VALUE",
            description = "A planner option, as under 'planner:' in a campaign file (repeatable), for example"
                    + " --option acquisition=ucb --option restarts=5.")
    List<String> raw = new ArrayList<>();

    /** The options in the order given; a malformed or repeated key is an input error, not a silent last-wins. */
    Map<String, Object> parse() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String r : raw) {
            int eq = r.indexOf('=');
            if (eq <= 0) {
                throw InvalidInputException.of("--option " + r, "is not KEY=VALUE", "for example --option restarts=5");
            }
            String key = r.substring(0, eq).trim();
            if (out.put(key, r.substring(eq + 1).trim()) != null) {
                throw InvalidInputException.of("--option " + key, "is given twice", "give each planner option once");
            }
        }
        return out;
    }
}
