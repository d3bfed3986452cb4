package org.labloop.config;

import java.util.ArrayList;
import java.util.List;
import org.labloop.core.Suggest;

/**
 * Reads the keys of one map: reports keys it does not know (with a "did you mean" hint) and required keys that are
 * missing (at {@code ownerAt}: the key that names the map, or the start of the file).
 */
final class MapReader {
    private final Values values;
    private final Node.MapNode map;
    private final String what;
    private final Node.Loc ownerAt;

    /**
     * @param what how messages name the map, e.g. "parameter 'tau'"
     * @param allowed the keys this map may hold; null to accept any key (the caller reads the rest as options)
     */
    MapReader(Values values, Node.MapNode map, String what, Node.Loc ownerAt, List<String> allowed) {
        this.values = values;
        this.map = map;
        this.what = what;
        this.ownerAt = ownerAt;
        if (allowed != null) {
            for (Node.Entry e : map.entries().values()) {
                if (!allowed.contains(e.key())) {
                    values.error(
                            e.keyAt(),
                            "unknown key '" + e.key() + "' in " + what,
                            Suggest.unknownKey(e.key(), allowed));
                }
            }
        }
    }

    /** The entry for {@code key}; reports it missing, with an example of what to add, when it is not there. */
    Node.Entry required(String key, String example) {
        Node.Entry e = map.entries().get(key);
        if (e == null) {
            values.error(ownerAt, what + " has no '" + key + "'", "add '" + key + ": " + example + "'");
        }
        return e;
    }

    /** The entry for {@code key}, or null when it is absent. */
    Node.Entry optional(String key) {
        return map.entries().get(key);
    }

    /** Entries whose keys are not in {@code known}, in file order (options passed through to a plug-in). */
    List<Node.Entry> others(List<String> known) {
        List<Node.Entry> out = new ArrayList<>();
        for (Node.Entry e : map.entries().values()) {
            if (!known.contains(e.key())) {
                out.add(e);
            }
        }
        return out;
    }

    String what() {
        return what;
    }
}
