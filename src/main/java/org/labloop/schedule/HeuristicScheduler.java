package org.labloop.schedule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeSet;

/**
 * The default scheduler: list scheduling with reservations.
 *
 * <ul>
 *   <li>Ready steps wait in one queue per capability, by campaign priority and then arrival.
 *   <li>A time-critical chain (steps joined by bounded windows) is placed whole before its first step starts: every
 *       step gets a reservation on a device position, sized for the slowest the steps before it can be (their
 *       {@link Estimate#hi}), at the earliest time where every window holds. So a chain is only started when its whole
 *       window can be met, and no window is broken while steps stay within their estimates.
 *   <li>A chain that cannot start now is reserved ahead when it can start within the look-ahead, or when nothing of
 *       its capability is reserved yet (so it cannot starve); other steps use the gaps before reservations
 *       (backfilling) when they fit.
 *   <li>A step running past its estimate, or a device going down, makes it replan: reservations in the way move to
 *       another time or device; chains not yet started go back to the queue.
 * </ul>
 *
 * Every decision looks only at the queues whose devices or steps changed, a bounded number of candidates deep, so a
 * decision costs about the same with ten or ten thousand experiments waiting.
 */
public final class HeuristicScheduler implements Scheduler {
    /** How many waiting steps of one capability a decision looks at. */
    private static final int DEPTH = 32;
    /** Safety stop for the search of a chain's earliest start. */
    private static final int MAX_SHIFTS = 200;

    private final List<Device> devices;
    private final long lookahead;
    private final Lane[] lanes;
    private final int[][] lanesByCapability;
    private final Map<String, Integer> capabilityIndex = new HashMap<>();
    private final int[][] deviceCaps;
    private final int[] firstLane;
    private final boolean[] down;
    private final List<TreeSet<Long>> queues = new ArrayList<>();
    private final int[] pendingHeads;
    private final BitSet dirty = new BitSet();
    private final List<JobState> jobs = new ArrayList<>();
    /**
     * Job states kept across {@link #reset}, by job id, to be filled again: a caller rebuilding its plan at every event
     * would otherwise allocate them anew each time.
     */
    private final List<JobState> spare = new ArrayList<>();
    /** Per list of steps (by identity): its chains and the capability index of each step. */
    private Map<List<Op>, Shape> shapes = new IdentityHashMap<>();

    private final PriorityQueue<long[]> due = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    private final PriorityQueue<long[]> delayed = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    private final PriorityQueue<long[]> overrunChecks = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    private long forcedViolations;
    private long replans;
    /**
     * The plan {@link #placeChain} fills and returns, reused: a placement is reserved (or dropped) before the next one
     * is made, and decisions at every event would otherwise allocate one per attempt.
     */
    private Plan scratch = new Plan(4);
    /** What {@link #earliestFit} found: the start, and the changeover needed before it. */
    private long fitStart;

    /** The least urgent priority waiting in any queue at this decision (the priority part of its key). */
    private long lowestQueued;

    private long fitChangeover;

    public HeuristicScheduler(List<Device> devices) {
        this(devices, 60 * 60_000L);
    }

    /** {@code lookaheadMs}: how far ahead a chain that cannot start now may be reserved. */
    public HeuristicScheduler(List<Device> devices, long lookaheadMs) {
        this.devices = List.copyOf(devices);
        this.lookahead = lookaheadMs;
        List<Lane> all = new ArrayList<>();
        for (int d = 0; d < this.devices.size(); d++) {
            for (int l = 0; l < this.devices.get(d).capacity(); l++) {
                all.add(new Lane(d, l, all.size()));
            }
        }
        this.lanes = all.toArray(Lane[]::new);
        for (Device d : this.devices) {
            for (String c : d.capabilities().stream().sorted().toList()) {
                capabilityIndex.computeIfAbsent(c, k -> capabilityIndex.size());
            }
        }
        int nc = capabilityIndex.size();
        lanesByCapability = new int[nc][];
        for (Map.Entry<String, Integer> e : capabilityIndex.entrySet()) {
            lanesByCapability[e.getValue()] = Arrays.stream(lanes)
                    .filter(l -> this.devices.get(l.device).can(e.getKey()))
                    .mapToInt(l -> l.index)
                    .toArray();
            queues.add(null);
        }
        for (int c = 0; c < nc; c++) {
            queues.set(c, new TreeSet<>());
        }
        deviceCaps = new int[this.devices.size()][];
        for (int d = 0; d < this.devices.size(); d++) {
            deviceCaps[d] = this.devices.get(d).capabilities().stream()
                    .mapToInt(capabilityIndex::get)
                    .sorted()
                    .toArray();
        }
        down = new boolean[this.devices.size()];
        firstLane = new int[this.devices.size()];
        for (int i = lanes.length - 1; i >= 0; i--) {
            firstLane[lanes[i].device] = i;
        }
        pendingHeads = new int[nc];
    }

    @Override
    public String name() {
        return "heuristic";
    }

    /** Windows that replanning could not keep (a step ran far past its estimate, or a device failed mid-chain). */
    public long forcedViolations() {
        return forcedViolations;
    }

    /** How many times a step running long or a device going down made it move reservations. */
    public long replans() {
        return replans;
    }

    // ----- events ---------------------------------------------------------------------------------------------------

    @Override
    public void submit(int jobId, Job job, long now) {
        JobState js = register(jobId, job);
        makeReady(js, 0, Math.max(now, job.releaseMs()), now);
    }

    /**
     * Takes over a job already under way, as when a plan is rebuilt from what has been recorded: steps before {@code
     * op} ended at {@code ended[k]}; step {@code op} has been running on {@code device} since {@code startedAt}, or,
     * with a negative {@code device}, is ready now. The rest of a chain under way is placed at once, so jobs under way
     * should be taken over before new ones are submitted, in the order their chains started.
     */
    public void takeOver(int jobId, Job job, long[] ended, int op, int device, long startedAt, long now) {
        takeOver(jobId, job, ended, op, device, startedAt, 0, now);
    }

    /** As above, the running step having begun with a changeover of {@code changeoverMs} on its device. */
    public void takeOver(
            int jobId, Job job, long[] ended, int op, int device, long startedAt, long changeoverMs, long now) {
        takeOver(jobId, job, ended, op, device, -1, startedAt, changeoverMs, now);
    }

    /**
     * As above, the running step occupying position {@code position} of its device (0-based; negative: the first free
     * one, for a start recorded without its position).
     */
    public void takeOver(
            int jobId,
            Job job,
            long[] ended,
            int op,
            int device,
            int position,
            long startedAt,
            long changeoverMs,
            long now) {
        JobState js = register(jobId, job);
        int n = job.ops().size();
        if (op < 0 || op >= n || ended.length < op) {
            throw new IllegalArgumentException("job " + job.id() + ": cannot take over at step " + op);
        }
        for (int k = 0; k < op; k++) {
            js.state[k] = DONE;
            js.endLo[k] = ended[k];
            js.endHi[k] = ended[k];
        }
        if (device < 0) {
            if (Chains.inner(js.ends, op)) {
                replanFrom(js, op, now, -1, -1);
            } else {
                makeReady(js, op, readyTime(js, op, now), now);
            }
            return;
        }
        Lane l = null;
        int capacity = devices.get(device).capacity();
        if (position >= capacity) {
            throw new IllegalStateException("device " + devices.get(device).name() + " has no position "
                    + (position + 1) + " (it has " + capacity + ")");
        }
        if (position >= 0) {
            l = lanes[firstLane[device] + position];
            if (l.running >= 0) {
                throw new IllegalStateException("position " + (position + 1) + " of device "
                        + devices.get(device).name() + " runs two steps");
            }
        } else {
            for (int li = firstLane[device]; li < lanes.length && lanes[li].device == device; li++) {
                if (lanes[li].running < 0) {
                    l = lanes[li];
                    break;
                }
            }
        }
        if (l == null) {
            throw new IllegalStateException(
                    "device " + devices.get(device).name() + " runs more steps than its " + capacity + " position(s)");
        }
        Op o = job.ops().get(op);
        long occ = startedAt + changeoverMs + o.duration().hi();
        if (occ <= now) {
            // Already past its latest estimate: assume about its spread again, as for an overrun seen live.
            occ = now + Math.max(60_000, o.duration().hi() - o.duration().lo());
        }
        js.state[op] = RUNNING;
        js.lane[op] = l.index;
        l.running = jobId;
        l.runningOp = op;
        l.occEnd = occ;
        l.runningSetup = o.setup().isEmpty() ? l.lastSetup : o.setup();
        l.lastSetup = l.runningSetup;
        js.endLo[op] = Math.max(now, startedAt + changeoverMs + o.duration().lo());
        js.endHi[op] = occ;
        overrunChecks.add(new long[] {occ, jobId, op, js.epoch[op]});
        markDirty(device);
        int next = op + 1;
        if (next < n && Chains.inner(js.ends, next)) {
            replanFrom(js, next, now, js.endLo[op], js.endHi[op]);
        }
    }

    /**
     * Forgets every job, reservation and device state, keeping the devices: the same as a new scheduler, without
     * building the device model again (for callers that rebuild a plan at every event).
     */
    public void reset() {
        jobs.clear();
        if (shapes.size() > 1_000) {
            // A new map: a cleared one keeps its table, and a large table makes every lookup a cache miss.
            shapes = new IdentityHashMap<>();
        }
        due.clear();
        delayed.clear();
        overrunChecks.clear();
        dirty.clear();
        for (TreeSet<Long> q : queues) {
            q.clear();
        }
        Arrays.fill(pendingHeads, 0);
        Arrays.fill(down, false);
        for (Lane l : lanes) {
            l.res.clear();
            l.clearRunning();
            l.occEnd = 0;
            l.runningSetup = "";
            l.lastSetup = "";
        }
        forcedViolations = 0;
        replans = 0;
    }

    /** What {@code device} was last set up for, on every position (before anything is taken over or submitted). */
    public void lastSetup(int device, String setup) {
        for (int li = firstLane[device]; li < lanes.length && lanes[li].device == device; li++) {
            lanes[li].lastSetup = setup;
        }
    }

    /** What position {@code position} (0-based) of {@code device} was last set up for. */
    public void lastSetup(int device, int position, String setup) {
        if (position < 0 || position >= devices.get(device).capacity()) {
            throw new IllegalArgumentException(
                    "device " + devices.get(device).name() + " has no position " + (position + 1));
        }
        lanes[firstLane[device] + position].lastSetup = setup;
    }

    private JobState register(int jobId, Job job) {
        while (jobs.size() <= jobId) {
            jobs.add(null);
        }
        if (jobs.get(jobId) != null) {
            throw new IllegalArgumentException("job " + jobId + " was already submitted");
        }
        while (spare.size() <= jobId) {
            spare.add(null);
        }
        JobState js = spare.get(jobId);
        // A plan rebuilt from the same jobs often gives a job the id it had last time.
        Shape shape = js != null && js.job.ops() == job.ops() ? js.shape : shape(job.ops());
        for (int k = 0; k < shape.cap.length; k++) {
            if (shape.cap[k] < 0) {
                throw new IllegalArgumentException("job " + job.id() + ": no device can "
                        + job.ops().get(k).capability());
            }
        }
        if (js == null || js.state.length != shape.cap.length) {
            js = new JobState(jobId, shape.cap.length);
            spare.set(jobId, js);
        }
        js.fill(job, shape);
        jobs.set(jobId, js);
        return js;
    }

    private Shape shape(List<Op> ops) {
        Shape shape = shapes.get(ops);
        if (shape == null) {
            int[] cap = new int[ops.size()];
            for (int k = 0; k < cap.length; k++) {
                cap[k] = capabilityIndex.getOrDefault(ops.get(k).capability(), -1);
            }
            shape = new Shape(Chains.ends(ops), cap);
            shapes.put(ops, shape);
        }
        return shape;
    }

    /** What the scheduler derives from a job's list of steps alone. */
    private record Shape(int[] ends, int[] cap) {}

    @Override
    public void ended(int jobId, int op, long now) {
        JobState js = job(jobId);
        Lane lane = lanes[js.lane[op]];
        lane.clearRunning();
        markDirty(lane.device);
        js.state[op] = DONE;
        js.endLo[op] = now;
        js.endHi[op] = now;
        int next = op + 1;
        if (next >= js.job.ops().size()) {
            js.finished = true;
            return;
        }
        if (js.state[next] == RESERVED) {
            long ready = readyTime(js, next, now);
            due.add(new long[] {Math.max(ready, js.resStart[next]), jobId, next, js.epoch[next]});
        } else {
            makeReady(js, next, readyTime(js, next, now), now);
        }
    }

    @Override
    public void failed(int jobId, int op, long now, boolean retry) {
        JobState js = job(jobId);
        Lane lane = lanes[js.lane[op]];
        lane.clearRunning();
        markDirty(lane.device);
        if (!retry) {
            cancel(jobId, now);
            return;
        }
        js.state[op] = WAITING;
        // The rest of its chain (if any) is placed again once the step starts over.
        unreserveFrom(js, op + 1);
        if (Chains.inner(js.ends, op)) {
            // Inside a started chain: the window from the step before may be lost; place the rest as well as we can.
            replanFrom(js, op, now, -1, -1);
        } else {
            makeReady(js, op, now, now);
        }
    }

    @Override
    public void cancel(int jobId, long now) {
        JobState js = job(jobId);
        if (js.finished) {
            return;
        }
        for (int k = 0; k < js.state.length; k++) {
            switch (js.state[k]) {
                case QUEUED -> queues.get(js.cap[k]).remove(key(js, k));
                case RESERVED -> unreserve(js, k);
                case RUNNING -> {
                    lanes[js.lane[k]].clearRunning();
                    markDirty(lanes[js.lane[k]].device);
                }
                default -> {}
            }
            js.state[k] = DONE;
            js.epoch[k]++;
        }
        js.finished = true;
    }

    @Override
    public void deviceDown(int device, long now) {
        down[device] = true;
        replans++;
        for (Lane lane : lanes) {
            if (lane.device == device) {
                for (Res r : new ArrayList<>(lane.res)) {
                    bump(jobs.get(r.job), r.op, now);
                }
            }
        }
    }

    @Override
    public void deviceUp(int device, long now) {
        down[device] = false;
        markDirty(device);
    }

    // ----- decisions ------------------------------------------------------------------------------------------------

    @Override
    public List<Start> decide(long now) {
        List<Start> starts = new ArrayList<>();
        checkOverruns(now);
        while (!delayed.isEmpty() && delayed.peek()[0] <= now) {
            long[] d = delayed.poll();
            JobState js = jobs.get((int) d[1]);
            int k = (int) d[2];
            if (js.epoch[k] == d[3] && js.state[k] == DELAYED) {
                enqueue(js, k);
            }
        }
        while (!due.isEmpty() && due.peek()[0] <= now) {
            long[] d = due.poll();
            JobState js = jobs.get((int) d[1]);
            int k = (int) d[2];
            if (js.epoch[k] != d[3] || js.state[k] != RESERVED) {
                continue;
            }
            Lane lane = lanes[js.lane[k]];
            if (lane.running >= 0 || down[lane.device]) {
                // Its position is still taken (a step ran long) or gone: place it again.
                replanFrom(js, k, now, -1, -1);
                continue;
            }
            startReserved(js, k, now, starts);
        }
        lowestQueued = Long.MIN_VALUE;
        for (TreeSet<Long> q : queues) {
            if (!q.isEmpty()) {
                lowestQueued = Math.max(lowestQueued, q.last() >>> 44);
            }
        }
        int[] order = urgentFirst();
        if (order == null) {
            for (int c = dirty.nextSetBit(0); c >= 0; c = dirty.nextSetBit(c + 1)) {
                scan(c, now, starts);
            }
        } else {
            BitSet scanned = new BitSet();
            for (int c : order) {
                scanned.set(c);
                scan(c, now, starts);
            }
            for (int c = dirty.nextSetBit(0); c >= 0; c = dirty.nextSetBit(c + 1)) {
                if (!scanned.get(c)) {
                    scan(c, now, starts);
                }
            }
        }
        dirty.clear();
        return starts;
    }

    /**
     * The capabilities to look at, the one whose most urgent waiting step has the highest priority first (then by
     * index), when their queues' priorities differ; null when they do not, and the index order stands. Otherwise a
     * lower-priority chain looked at first would reserve a device ahead that a more urgent step waits for, and that
     * step would wait behind it.
     */
    private int[] urgentFirst() {
        long first = -1;
        boolean differ = false;
        int n = 0;
        for (int c = dirty.nextSetBit(0); c >= 0; c = dirty.nextSetBit(c + 1)) {
            TreeSet<Long> q = queues.get(c);
            n++;
            if (!q.isEmpty()) {
                long prio = q.first() >>> 44;
                differ |= first >= 0 && prio != first;
                first = first < 0 ? prio : first;
            }
        }
        if (!differ) {
            return null;
        }
        Integer[] caps = new Integer[n];
        int i = 0;
        for (int c = dirty.nextSetBit(0); c >= 0; c = dirty.nextSetBit(c + 1)) {
            caps[i++] = c;
        }
        Arrays.sort(caps, (a, b) -> {
            int byPrio = Long.compare(headPriority(a), headPriority(b));
            return byPrio != 0 ? byPrio : Integer.compare(a, b);
        });
        int[] out = new int[n];
        for (int j = 0; j < n; j++) {
            out[j] = caps[j];
        }
        return out;
    }

    /** The priority part of a capability's most urgent queue key (smaller is more urgent); empty queues last. */
    private long headPriority(int c) {
        TreeSet<Long> q = queues.get(c);
        return q.isEmpty() ? Long.MAX_VALUE : q.first() >>> 44;
    }

    @Override
    public long nextWakeUp() {
        dropStale();
        long t = Long.MAX_VALUE;
        if (!due.isEmpty()) {
            t = due.peek()[0];
        }
        if (!delayed.isEmpty()) {
            t = Math.min(t, delayed.peek()[0]);
        }
        if (!overrunChecks.isEmpty()) {
            t = Math.min(t, overrunChecks.peek()[0] + 1);
        }
        return t;
    }

    private void dropStale() {
        while (!due.isEmpty() && stale(due.peek(), RESERVED)) {
            due.poll();
        }
        while (!delayed.isEmpty() && stale(delayed.peek(), DELAYED)) {
            delayed.poll();
        }
        while (!overrunChecks.isEmpty() && stale(overrunChecks.peek(), RUNNING)) {
            overrunChecks.poll();
        }
    }

    private boolean stale(long[] entry, byte state) {
        JobState js = jobs.get((int) entry[1]);
        int k = (int) entry[2];
        return js.epoch[k] != entry[3] || js.state[k] != state;
    }

    private void scan(int c, long now, List<Start> starts) {
        TreeSet<Long> q = queues.get(c);
        if (q.isEmpty()) {
            return;
        }
        int idle = idleLanes(c);
        int looked = 0;
        int blockedHeads = 0;
        Long k = q.first();
        while (k != null && looked++ < DEPTH) {
            Long nextKey = q.higher(k);
            JobState js = jobs.get((int) ((k >>> 8) & 0xFFFFFFFFFL));
            int op = (int) (k & 0xFF);
            if (Chains.head(js.ends, op)) {
                if (blockedHeads >= 2) {
                    k = nextKey;
                    continue;
                }
                boolean mayReserveAhead = pendingHeads[c] == 0;
                Plan plan = placeChain(js, op, now, true);
                if (plan != null && (plan.start[0] == now || plan.start[0] - now <= lookahead || mayReserveAhead)) {
                    q.remove(k);
                    commit(js, op, plan, now, starts);
                    if (plan.start[0] == now) {
                        idle--;
                    }
                } else {
                    blockedHeads++;
                }
            } else {
                int lane = idle > 0 ? fitNow(js, op, now) : -1;
                if (lane >= 0) {
                    q.remove(k);
                    startSingle(js, op, lane, now, starts);
                    idle--;
                } else if ((k >>> 44) < lowestQueued) {
                    // A lone step that cannot start now and that a lower-priority chain could otherwise overtake by
                    // reserving the device ahead: it reserves its own place first.
                    Plan plan = placeChain(js, op, now, true);
                    if (plan != null) {
                        q.remove(k);
                        commit(js, op, plan, now, starts);
                    }
                } else if (idle == 0 && pendingHeads[c] > 0) {
                    break;
                }
            }
            k = nextKey;
        }
    }

    private int idleLanes(int c) {
        int n = 0;
        for (int li : lanesByCapability[c]) {
            Lane l = lanes[li];
            if (l.running < 0 && !down[l.device]) {
                n++;
            }
        }
        return n;
    }

    /** An idle position where the step fits now, before the position's next reservation; -1 when none. */
    private int fitNow(JobState js, int k, long now) {
        Op op = js.job.ops().get(k);
        int best = -1;
        for (int li : lanesByCapability[js.cap[k]]) {
            Lane l = lanes[li];
            if (l.running >= 0 || down[l.device] || avoids(op, l.device)) {
                continue;
            }
            Device d = devices.get(l.device);
            long co = Chains.changeover(d, l.lastSetup, op.setup());
            long end = now + co + op.duration().hi();
            if (!l.res.isEmpty() && !fitsBefore(d, l.res.get(0), end, op.setup())) {
                continue;
            }
            if (co == 0) {
                return li;
            }
            if (best < 0) {
                best = li;
            }
        }
        return best;
    }

    private static boolean fitsBefore(Device d, Res next, long end, String setup) {
        if (end > next.start) {
            return false;
        }
        return next.coPlanned || Chains.changeover(d, setup, next.setup) == 0;
    }

    // ----- placing chains -------------------------------------------------------------------------------------------

    /**
     * Where and when the steps of a chain go: per step its position, reserved start and end, and start/end ranges. One
     * is reused for every placement (see {@link #scratch}).
     */
    private static final class Plan {
        /** How many steps it places (its arrays may be longer). */
        int steps;

        final int[] lane;
        final long[] start;
        final long[] occEnd;
        final long[] endLo;
        final long[] endHi;
        final boolean[] co;
        boolean forced;

        Plan(int n) {
            lane = new int[n];
            start = new long[n];
            occEnd = new long[n];
            endLo = new long[n];
            endHi = new long[n];
            co = new boolean[n];
        }
    }

    /**
     * Places steps {@code from} to the end of their chain. With {@code shift}, the first step (whose predecessor has
     * ended) may be delayed until every window holds; the result then keeps every window, or is null when none is
     * found. Without it the steps go at their earliest and the plan is marked forced when a window cannot be kept;
     * replanning a chain already under way tries that first, then, when it is forced, with {@code shift}.
     */
    private Plan placeChain(JobState js, int from, long now, boolean shift) {
        int to = chainEnd(js, from);
        long t0 = Math.max(now, readyTime(js, from, now));
        if (scratch.lane.length < to - from + 1) {
            scratch = new Plan(to - from + 1);
        }
        Plan p = scratch;
        for (int attempt = 0; attempt < MAX_SHIFTS; attempt++) {
            p.steps = to - from + 1;
            p.forced = false;
            long needShift = 0;
            boolean ok = true;
            for (int k = from; k <= to && ok; k++) {
                int i = k - from;
                Op op = js.job.ops().get(k);
                long readyLo;
                long readyHi;
                if (k == from) {
                    readyLo = k == 0 ? t0 : Math.max(t0, js.endLo[k - 1]);
                    readyHi = shift ? readyLo : Math.max(readyLo, predEndHi(js, k, now));
                } else {
                    readyLo = p.endLo[i - 1];
                    readyHi = p.endHi[i - 1];
                }
                long latest = Long.MAX_VALUE;
                Window w = op.window();
                if (w != null) {
                    long refLo = endLo(js, w.after(), p, from);
                    long refHi = endHi(js, w.after(), p, from);
                    readyLo = Math.max(readyLo, refLo + w.minLagMs());
                    readyHi = Math.max(readyHi, refHi + w.minLagMs());
                    if (w.bounded()) {
                        latest = refLo + w.maxLagMs();
                        if (w.after() != k - 1 && readyHi > latest) {
                            // The steps in between may run too long for this window whatever the start: not placeable
                            // with this much uncertainty; a later try (with freer devices) may do better.
                            if (!shift) {
                                p.forced = true;
                            } else {
                                needShift = -1;
                                ok = false;
                                break;
                            }
                        }
                    }
                }
                // A window holds for the step's own work, which begins after any changeover, at the latest when the
                // steps since the window's reference all run long (spreadHi). A windowed step goes where that worst
                // case is soonest; every step then where it can start soonest.
                boolean windowed = latest != Long.MAX_VALUE;
                long spreadHi = windowed && w.after() != k - 1 ? readyHi : Long.MIN_VALUE;
                long best = Long.MAX_VALUE;
                long bestKey = Long.MAX_VALUE;
                int bestLane = -1;
                long co = 0;
                for (int li : lanesByCapability[js.cap[k]]) {
                    Lane l = lanes[li];
                    if (down[l.device] || avoids(op, l.device)) {
                        continue;
                    }
                    earliestFit(js, l, readyLo, readyHi, op, now, p, from, k);
                    long fitAt = fitStart;
                    long fitCo = fitChangeover;
                    long key = windowed ? Math.max(fitAt, spreadHi) + fitCo : fitAt;
                    if (key < bestKey
                            || (key == bestKey && (fitAt < best || (fitAt == best && co > 0 && fitCo == 0)))) {
                        bestKey = key;
                        best = fitAt;
                        bestLane = li;
                        co = fitCo;
                        if (best == readyLo && co == 0) {
                            break;
                        }
                    }
                }
                if (bestLane < 0) {
                    return null;
                }
                if (Math.max(best, spreadHi) + co > latest) {
                    if (shift) {
                        // The smallest delay of the whole chain that brings this step inside its window (none helps
                        // when the steps in between may run too long). (Delaying until the step waits least, for
                        // slack, costs about 2% of makespan on scenario b.)
                        needShift = spreadHi + co > latest ? -1 : best + co - latest;
                        ok = false;
                        break;
                    }
                    p.forced = true;
                }
                boolean bestCo = co > 0;
                long sHi = Math.max(best, readyHi);
                p.lane[i] = bestLane;
                p.start[i] = best;
                p.co[i] = bestCo;
                p.endLo[i] = Math.max(best, readyLo) + co + op.duration().lo();
                p.endHi[i] = sHi + co + op.duration().hi();
                p.occEnd[i] = p.endHi[i];
            }
            if (ok) {
                return p;
            }
            if (needShift <= 0) {
                return null;
            }
            t0 += needShift;
        }
        return null;
    }

    /**
     * Finds the earliest start at or after {@code readyLo} on this position, for a step that may become ready as late
     * as {@code readyHi}, and the changeover it needs there: leaves them in {@link #fitStart} and
     * {@link #fitChangeover}.
     */
    private void earliestFit(
            JobState js, Lane l, long readyLo, long readyHi, Op op, long now, Plan p, int from, int k) {
        Device d = devices.get(l.device);
        // Without a changeover the setups never matter (and reading them costs a cache miss per reservation).
        boolean setups = d.changeoverMs() != 0;
        long t = readyLo;
        String prev = l.lastSetup;
        if (l.running >= 0) {
            // A step still running at its planned end frees the position no earlier than a moment from now.
            t = Math.max(t, Math.max(l.occEnd, now + 1));
            prev = l.runningSetup;
        }
        // Steps of this same plan already put on this position count as reservations.
        List<Res> res = l.res;
        List<Res> extra = null;
        for (int i = 0; i < k - from; i++) {
            if (p.lane[i] == l.index) {
                if (extra == null) {
                    extra = new ArrayList<>(res);
                }
                Op o = js.job.ops().get(from + i);
                extra.add(new Res(p.start[i], p.occEnd[i], -1, -1, o.setup(), p.co[i], 0));
            }
        }
        if (extra != null) {
            extra.sort((a, b) -> Long.compare(a.start, b.start));
            res = extra;
        }
        for (int i = 0; i < res.size(); i++) {
            Res r = res.get(i);
            if (r.end <= t) {
                if (setups && !r.setup.isEmpty()) {
                    prev = r.setup;
                }
                continue;
            }
            long co = Chains.changeover(d, prev, op.setup());
            long end = Math.max(t, readyHi) + co + op.duration().hi();
            if (fitsBefore(d, r, end, op.setup())) {
                fitStart = t;
                fitChangeover = co;
                return;
            }
            t = Math.max(t, r.end);
            if (setups && !r.setup.isEmpty()) {
                prev = r.setup;
            }
        }
        fitStart = t;
        fitChangeover = Chains.changeover(d, prev, op.setup());
    }

    private void commit(JobState js, int from, Plan plan, long now, List<Start> starts) {
        reserve(js, from, plan, false);
        if (plan.start[0] <= now && lanes[plan.lane[0]].running < 0) {
            startReserved(js, from, now, starts);
            return;
        }
        if (Chains.head(js.ends, from)) {
            js.pendingHead = true;
            pendingHeads[js.cap[from]]++;
        }
        due.add(new long[] {Math.max(readyTime(js, from, now), plan.start[0]), js.id, from, js.epoch[from]});
    }

    private boolean predecessorDone(JobState js, int k) {
        return k == 0 || js.state[k - 1] == DONE;
    }

    private void startReserved(JobState js, int k, long now, List<Start> starts) {
        Lane l = lanes[js.lane[k]];
        Res r = js.res[k];
        l.res.remove(r);
        js.res[k] = null;
        if (js.pendingHead && Chains.head(js.ends, k)) {
            js.pendingHead = false;
            pendingHeads[js.cap[k]]--;
        }
        Op op = js.job.ops().get(k);
        Device d = devices.get(l.device);
        long co = Chains.changeover(d, l.lastSetup, op.setup());
        // Occupied up to the reservation's end, or longer if it starts late.
        long occ = Math.max(r.end, now + co + op.duration().hi());
        run(js, k, l, now, occ, starts);
    }

    private void startSingle(JobState js, int k, int laneIndex, long now, List<Start> starts) {
        Lane l = lanes[laneIndex];
        Op op = js.job.ops().get(k);
        long co = Chains.changeover(devices.get(l.device), l.lastSetup, op.setup());
        run(js, k, l, now, now + co + op.duration().hi(), starts);
    }

    private void run(JobState js, int k, Lane l, long now, long occEnd, List<Start> starts) {
        Op op = js.job.ops().get(k);
        js.state[k] = RUNNING;
        js.lane[k] = l.index;
        l.running = js.id;
        l.runningOp = k;
        l.occEnd = occEnd;
        l.runningSetup = op.setup().isEmpty() ? l.lastSetup : op.setup();
        l.lastSetup = l.runningSetup;
        js.endLo[k] = now + op.duration().lo();
        js.endHi[k] = occEnd;
        overrunChecks.add(new long[] {occEnd, js.id, k, js.epoch[k]});
        markDirty(l.device);
        starts.add(new Start(js.id, k, l.device, l.index - firstLane[l.device]));
    }

    // ----- replanning -----------------------------------------------------------------------------------------------

    private void checkOverruns(long now) {
        while (!overrunChecks.isEmpty() && overrunChecks.peek()[0] < now) {
            long[] c = overrunChecks.poll();
            JobState js = jobs.get((int) c[1]);
            int k = (int) c[2];
            if (js.epoch[k] != c[3] || js.state[k] != RUNNING) {
                continue;
            }
            Lane l = lanes[js.lane[k]];
            if (l.running != js.id || l.runningOp != k || l.occEnd > now) {
                continue;
            }
            // Running long: assume it needs about its spread again (at least a minute), and move what is in the way.
            replans++;
            Estimate e = js.job.ops().get(k).duration();
            l.occEnd = now + Math.max(60_000, e.hi() - e.lo());
            js.endLo[k] = now;
            js.endHi[k] = l.occEnd;
            overrunChecks.add(new long[] {l.occEnd, js.id, k, js.epoch[k]});
            for (Res r : new ArrayList<>(l.res)) {
                if (r.start < l.occEnd) {
                    bump(jobs.get(r.job), r.op, now);
                }
            }
            int next = k + 1;
            if (next < js.state.length && js.state[next] == RESERVED) {
                replanFrom(js, next, now, now, l.occEnd);
            }
        }
    }

    /** A reservation must go: a chain not yet started goes back to the queue; one under way is placed again. */
    private void bump(JobState js, int k, long now) {
        int head = chainHead(js, k);
        if (js.state[head] == RESERVED) {
            unreserveFrom(js, head);
            makeReady(js, head, readyTime(js, head, now), now);
        } else {
            replanFrom(js, k, now, -1, -1);
        }
    }

    /**
     * Places step {@code k} and the rest of its chain again, its predecessor ending between {@code predLo} and
     * {@code predHi} (negative: take what is known of it).
     */
    private void replanFrom(JobState js, int k, long now, long predLo, long predHi) {
        replans++;
        unreserveFrom(js, k);
        if (k > 0 && predLo >= 0) {
            js.endLo[k - 1] = Math.max(js.endLo[k - 1], predLo);
            js.endHi[k - 1] = Math.max(js.endHi[k - 1], predHi);
        }
        Plan plan = placeChain(js, k, now, false);
        if (plan != null && plan.forced) {
            // The earliest places are not always the right ones for a chain already under way: a step moved earlier
            // (its predecessor ended early) moves the reference of a later window earlier too, and the device that
            // later step needs may be held by then. The smallest delay that keeps every window is taken when there is
            // one; otherwise the window cannot be kept whatever the delay, and the earliest places stand.
            Plan kept = placeChain(js, k, now, true);
            plan = kept != null ? kept : placeChain(js, k, now, false);
        }
        if (plan == null) {
            // No device can do it now: wait in the queue for one to come back.
            makeReady(js, k, now, now);
            return;
        }
        reserve(js, k, plan, true);
        if (predecessorDone(js, k)) {
            due.add(new long[] {Math.max(readyTime(js, k, now), plan.start[0]), js.id, k, js.epoch[k]});
        }
    }

    /** Puts the plan's reservations on their lanes; a replan also marks their devices for the next decision. */
    private void reserve(JobState js, int from, Plan plan, boolean markDevices) {
        if (plan.forced) {
            forcedViolations++;
        }
        for (int i = 0; i < plan.steps; i++) {
            int k = from + i;
            Lane l = lanes[plan.lane[i]];
            Op op = js.job.ops().get(k);
            Res r = new Res(plan.start[i], plan.occEnd[i], js.id, k, op.setup(), plan.co[i], js.epoch[k]);
            l.insert(r);
            js.state[k] = RESERVED;
            js.lane[k] = l.index;
            js.resStart[k] = plan.start[i];
            js.res[k] = r;
            js.endLo[k] = plan.endLo[i];
            js.endHi[k] = plan.endHi[i];
            if (markDevices) {
                markDirty(l.device);
            }
        }
    }

    private void unreserveFrom(JobState js, int k) {
        for (int i = k; i < js.state.length; i++) {
            if (js.state[i] == RESERVED) {
                unreserve(js, i);
                js.state[i] = WAITING;
            }
        }
    }

    private void unreserve(JobState js, int k) {
        Res r = js.res[k];
        if (r != null) {
            lanes[js.lane[k]].res.remove(r);
            markDirty(lanes[js.lane[k]].device);
            js.res[k] = null;
        }
        js.epoch[k]++;
        if (js.pendingHead && Chains.head(js.ends, k)) {
            js.pendingHead = false;
            pendingHeads[js.cap[k]]--;
        }
    }

    // ----- helpers --------------------------------------------------------------------------------------------------

    private void makeReady(JobState js, int k, long readyAt, long now) {
        js.epoch[k]++;
        if (readyAt > now) {
            js.state[k] = DELAYED;
            delayed.add(new long[] {readyAt, js.id, k, js.epoch[k]});
        } else {
            enqueue(js, k);
        }
    }

    private void enqueue(JobState js, int k) {
        js.state[k] = QUEUED;
        queues.get(js.cap[k]).add(key(js, k));
        dirty.set(js.cap[k]);
    }

    /** Queue order: higher priority first, then earlier job, then later step. */
    private static long key(JobState js, int k) {
        long prio = 2048 - Math.max(-2047, Math.min(2047, js.job.priority()));
        return (prio << 44) | ((long) js.id << 8) | k;
    }

    /** When step k may start by its windows' minimum waits, given what has ended. */
    private long readyTime(JobState js, int k, long now) {
        long t = now;
        Window w = js.job.ops().get(k).window();
        if (w != null && js.state[w.after()] == DONE) {
            t = Math.max(t, js.endLo[w.after()] + w.minLagMs());
        }
        return t;
    }

    private long predEndHi(JobState js, int k, long now) {
        return k == 0 ? now : Math.max(now, js.state[k - 1] == DONE ? js.endLo[k - 1] : js.endHi[k - 1]);
    }

    private long endLo(JobState js, int k, Plan p, int from) {
        return k >= from ? p.endLo[k - from] : js.endLo[k];
    }

    private long endHi(JobState js, int k, Plan p, int from) {
        return k >= from ? p.endHi[k - from] : js.endHi[k];
    }

    private int chainEnd(JobState js, int k) {
        int e = js.ends[k];
        if (e >= k) {
            return e;
        }
        // Inside a chain: find its end.
        int h = chainHead(js, k);
        return js.ends[h];
    }

    private int chainHead(JobState js, int k) {
        int h = k;
        while (h > 0 && js.ends[h] < 0) {
            h--;
        }
        return h;
    }

    private boolean avoids(Op op, int device) {
        return !op.avoid().isEmpty() && op.avoid().contains(devices.get(device).name());
    }

    private void markDirty(int device) {
        for (int c : deviceCaps[device]) {
            dirty.set(c);
        }
    }

    private JobState job(int jobId) {
        if (jobId < 0 || jobId >= jobs.size() || jobs.get(jobId) == null) {
            throw new IllegalArgumentException("unknown job " + jobId);
        }
        return jobs.get(jobId);
    }

    private static final byte WAITING = 0;
    private static final byte QUEUED = 1;
    private static final byte DELAYED = 2;
    private static final byte RESERVED = 3;
    private static final byte RUNNING = 4;
    private static final byte DONE = 5;

    private static final class JobState {
        final int id;
        Job job;
        Shape shape;
        int[] ends;
        int[] cap;
        final byte[] state;
        final int[] lane;
        final long[] resStart;
        final long[] endLo;
        final long[] endHi;
        final long[] epoch;
        final Res[] res;
        boolean pendingHead;
        boolean finished;

        JobState(int id, int n) {
            this.id = id;
            state = new byte[n];
            lane = new int[n];
            resStart = new long[n];
            endLo = new long[n];
            endHi = new long[n];
            epoch = new long[n];
            res = new Res[n];
        }

        /** Makes this the fresh state of {@code job}, as a new one would be. */
        void fill(Job job, Shape shape) {
            this.job = job;
            this.shape = shape;
            this.ends = shape.ends;
            this.cap = shape.cap;
            Arrays.fill(state, WAITING);
            Arrays.fill(lane, 0);
            Arrays.fill(resStart, 0);
            Arrays.fill(endLo, 0);
            Arrays.fill(endHi, 0);
            Arrays.fill(epoch, 0);
            Arrays.fill(res, null);
            pendingHead = false;
            finished = false;
        }
    }

    /** A position of a device: what runs on it now and what is reserved on it, in time order. */
    private static final class Lane {
        final int device;
        final int lane;
        final int index;
        final List<Res> res = new ArrayList<>(4);
        int running = -1;
        int runningOp = -1;
        long occEnd;
        String runningSetup = "";
        String lastSetup = "";

        Lane(int device, int lane, int index) {
            this.device = device;
            this.lane = lane;
            this.index = index;
        }

        void clearRunning() {
            running = -1;
            runningOp = -1;
        }

        void insert(Res r) {
            int i = res.size();
            while (i > 0 && res.get(i - 1).start > r.start) {
                i--;
            }
            res.add(i, r);
        }
    }

    /** A reservation: [start, end) on a position for step {@code op} of job {@code job}. */
    private record Res(long start, long end, int job, int op, String setup, boolean coPlanned, long epoch) {}
}
