package org.labloop.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.labloop.core.Suggest;
import org.labloop.workcell.DeviceKind;
import org.labloop.workcell.DeviceSpec;
import org.labloop.workcell.DriverSpec;
import org.labloop.workcell.StepTiming;
import org.labloop.workcell.Workcell;

/** Reads a workcell file (format: docs/workcell-file.md). */
final class WorkcellParser {
    static final List<String> KEYS = List.of("workcell", "devices");
    static final List<String> DEVICE_KEYS = List.of("kind", "capabilities", "capacity", "changeover_min", "driver");
    static final List<String> DRIVER_KEYS = List.of("type", "durations", "options");
    static final List<String> TIMING_KEYS = List.of("mean", "sd");
    static final int MAX_CAPACITY = 100_000;
    /** Longest step duration accepted, in minutes (about two years). */
    static final double MAX_MINUTES = 1_000_000;

    /**
     * What was read. {@code workcell} is null when the file has problems; {@code capabilities} is every capability of
     * every device, or null when some device's capabilities could not be read (then nothing is checked against them).
     */
    record Result(Workcell workcell, String name, Set<String> capabilities) {}

    private final Values v;
    private boolean capabilitiesComplete = true;

    private WorkcellParser(Values v) {
        this.v = v;
    }

    static Result parse(Node root, Doc doc) {
        return new WorkcellParser(new Values(doc)).read(root);
    }

    private Result read(Node root) {
        Node.MapNode map = v.map(root, "the workcell file");
        if (map == null) {
            return new Result(null, null, null);
        }
        int before = v.doc().errorCount();
        MapReader r = new MapReader(v, map, "the workcell file", map.at(), KEYS);
        Node.Entry nameEntry = r.required("workcell", "my-workcell");
        String name = nameEntry == null ? null : v.name(nameEntry.value(), "'workcell' (the workcell's name)");

        List<DeviceSpec> devices = new ArrayList<>();
        Set<String> capabilities = new TreeSet<>();
        Node.Entry devicesEntry = r.required("devices", "{handler: {kind: liquid_handler, capabilities: [dispense]}}");
        if (devicesEntry == null) {
            capabilitiesComplete = false;
        } else {
            Node.MapNode devs = v.map(devicesEntry.value(), "'devices'");
            if (devs == null) {
                capabilitiesComplete = false;
            } else if (devs.entries().isEmpty()) {
                capabilitiesComplete = false;
                v.error(
                        devicesEntry.keyAt(),
                        "the workcell has no devices",
                        "list at least one device under 'devices:', keyed by its name");
            } else {
                for (Node.Entry d : devs.entries().values()) {
                    DeviceSpec device = device(d, capabilities);
                    if (device != null) {
                        devices.add(device);
                    }
                }
            }
        }
        Workcell workcell = null;
        if (v.doc().errorCount() == before && name != null) {
            try {
                workcell = new Workcell(name, devices);
            } catch (IllegalArgumentException | NullPointerException e) {
                v.error(map.at(), "invalid workcell: " + e.getMessage(), "fix the workcell file");
            }
        }
        return new Result(workcell, name, capabilitiesComplete ? capabilities : null);
    }

    private DeviceSpec device(Node.Entry entry, Set<String> allCapabilities) {
        String name = entry.key();
        String what = "device '" + name + "'";
        int before = v.doc().errorCount();
        if (name.isBlank()) {
            v.error(entry.keyAt(), "a device has a blank name", "name each device, e.g. 'reactor:'");
        }
        Node.MapNode map = v.map(entry.value(), what);
        if (map == null) {
            capabilitiesComplete = false;
            return null;
        }
        MapReader r = new MapReader(v, map, what, entry.keyAt(), DEVICE_KEYS);
        v.doc().place(LoadedCampaign.device(name), entry.keyAt());

        DeviceKind kind = null;
        Node.Entry kindEntry = r.required("kind", "reactor");
        if (kindEntry != null) {
            String text = v.text(kindEntry.value(), "'kind' of " + what);
            if (text != null) {
                kind = DeviceKind.parse(text).orElse(null);
                if (kind == null) {
                    List<String> kinds = Arrays.stream(DeviceKind.values())
                            .map(DeviceKind::yamlName)
                            .toList();
                    v.error(
                            kindEntry.value().at(),
                            "unknown device kind '" + text + "' for " + what,
                            Suggest.unknownName(text, kinds, "known kinds"));
                }
            }
        }

        Set<String> capabilities = capabilities(r, what);
        if (capabilities == null) {
            capabilitiesComplete = false;
        } else {
            allCapabilities.addAll(capabilities);
        }

        int capacity = 1;
        Node.Entry capEntry = r.optional("capacity");
        if (capEntry != null) {
            Integer c = v.integer(capEntry.value(), "'capacity' of " + what, 1, MAX_CAPACITY);
            capacity = c == null ? 1 : c;
        }

        java.time.Duration changeover = java.time.Duration.ZERO;
        Node.Entry coEntry = r.optional("changeover_min");
        if (coEntry != null) {
            Double minutes = v.number(coEntry.value(), "'changeover_min' of " + what);
            if (minutes != null) {
                if (!(minutes >= 0) || minutes > 1e6) {
                    v.error(
                            coEntry.value().at(),
                            "'changeover_min' of " + what + " must be from 0 to 1000000 minutes, got " + minutes,
                            "write the minutes the device needs to switch setup, e.g. changeover_min: 5");
                } else {
                    changeover = java.time.Duration.ofMillis(Math.round(minutes * 60_000));
                }
            }
        }

        DriverSpec driver = new DriverSpec("sim", Map.of(), Map.of());
        Node.Entry driverEntry = r.optional("driver");
        if (driverEntry != null) {
            v.doc().place(LoadedCampaign.device(name), driverEntry.keyAt());
            driver = driver(driverEntry, name, what, capabilities);
        }
        if (v.doc().errorCount() != before || kind == null || capabilities == null || driver == null) {
            return null;
        }
        try {
            return new DeviceSpec(name, kind, capabilities, capacity, driver, changeover);
        } catch (IllegalArgumentException | NullPointerException e) {
            v.error(entry.keyAt(), "invalid device: " + e.getMessage(), "fix " + what);
            return null;
        }
    }

    private Set<String> capabilities(MapReader r, String what) {
        Node.Entry e = r.required("capabilities", "[dispense]");
        if (e == null) {
            return null;
        }
        Node.ListNode list = v.list(e.value(), "'capabilities' of " + what);
        if (list == null) {
            return null;
        }
        if (list.items().isEmpty()) {
            v.error(e.value().at(), what + " has no capabilities", "list what it can do, e.g. [dispense]");
            return null;
        }
        Map<String, Node.Loc> seen = new LinkedHashMap<>();
        boolean ok = true;
        for (Node item : list.items()) {
            String c = v.name(item, "a capability of " + what);
            if (c == null) {
                ok = false;
            } else if (seen.containsKey(c)) {
                v.error(
                        item.at(),
                        "capability '" + c + "' is listed twice for " + what,
                        "remove the repeat (first on line " + seen.get(c).line() + ")");
            } else {
                seen.put(c, item.at());
            }
        }
        return ok ? new LinkedHashSet<>(seen.keySet()) : null;
    }

    private DriverSpec driver(Node.Entry entry, String name, String device, Set<String> capabilities) {
        String what = "the driver of " + device;
        Node.MapNode map = v.map(entry.value(), what);
        if (map == null) {
            return null;
        }
        MapReader r = new MapReader(v, map, what, entry.keyAt(), DRIVER_KEYS);
        String type = "sim";
        Node.Entry typeEntry = r.optional("type");
        if (typeEntry != null) {
            type = v.name(typeEntry.value(), "'type' of " + what);
        }
        Map<String, StepTiming> durations = new LinkedHashMap<>();
        boolean ok = type != null;
        Node.Entry dEntry = r.optional("durations");
        if (dEntry != null) {
            Node.MapNode dmap = v.map(dEntry.value(), "'durations' of " + what);
            ok &= dmap != null;
            if (dmap != null) {
                for (Node.Entry d : dmap.entries().values()) {
                    if (capabilities != null && !capabilities.contains(d.key())) {
                        v.error(
                                d.keyAt(),
                                "duration given for '" + d.key() + "', which is not a capability of " + device,
                                Suggest.unknownName(d.key(), capabilities, "its capabilities"));
                        ok = false;
                    }
                    StepTiming t = timing(d, "duration of '" + d.key() + "' on " + device);
                    ok &= t != null;
                    if (t != null) {
                        durations.put(d.key(), t);
                    }
                }
            }
        }
        Map<String, Object> options = Map.of();
        Node.Entry oEntry = r.optional("options");
        if (oEntry != null) {
            Node.MapNode omap = v.map(oEntry.value(), "'options' of " + what);
            if (omap == null) {
                ok = false;
            } else {
                Map<String, Object> o = new LinkedHashMap<>();
                for (Node.Entry option : omap.entries().values()) {
                    v.doc().place(LoadedCampaign.driverOption(name, option.key()), option.keyAt());
                    Object value = v.plain(option.value(), "driver option '" + option.key() + "' of " + device);
                    ok &= value != null;
                    o.put(option.key(), value);
                }
                options = o;
            }
        }
        return ok ? new DriverSpec(type, durations, options) : null;
    }

    /** A number of minutes (fixed), or {mean: minutes, sd: minutes}. */
    private StepTiming timing(Node.Entry entry, String what) {
        Node n = entry.value();
        if (n instanceof Node.MapNode m) {
            MapReader r = new MapReader(v, m, what, entry.keyAt(), TIMING_KEYS);
            Node.Entry mean = r.required("mean", "2.0");
            Double meanMin = mean == null ? null : minutes(mean.value(), "'mean' of the " + what);
            double sdMin = 0;
            Node.Entry sd = r.optional("sd");
            if (sd != null) {
                Double s = minutes(sd.value(), "'sd' of the " + what);
                if (s == null) {
                    return null;
                }
                sdMin = s;
            }
            return meanMin == null ? null : new StepTiming(duration(meanMin), duration(sdMin));
        }
        if (n instanceof Node.ScalarNode s && s.isNumber()) {
            Double m = minutes(n, "the " + what);
            return m == null ? null : StepTiming.fixed(duration(m));
        }
        v.error(
                n.at(),
                "the " + what + " must be a number of minutes or {mean: .., sd: ..}, got " + n.describe(),
                "write e.g. 2.5 or {mean: 2.0, sd: 0.2}");
        return null;
    }

    private Double minutes(Node n, String what) {
        Double m = v.number(n, what);
        if (m == null) {
            return null;
        }
        if (m < 0 || m > MAX_MINUTES) {
            v.error(
                    n.at(),
                    what + " must be between 0 and " + (long) MAX_MINUTES + " minutes, got " + m,
                    m < 0 ? "a duration cannot be negative" : "durations are in minutes");
            return null;
        }
        return m;
    }

    static Duration duration(double minutes) {
        return Duration.ofNanos(Math.round(minutes * 60e9));
    }
}
