package org.labloop.schedule;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * The foundation's placement, kept for comparison: steps wait in the order they became ready, and each takes the first
 * device (in workcell order) with the capability and a free position. No look-ahead: windows are honoured only in the
 * simplest safe way when {@code windowSafe} is set, by holding a position on every device a time-critical chain needs
 * from its first step to its last; without it, windows are ignored (and broken whenever a queue forms).
 */
public final class FirstComeScheduler implements Scheduler {
    private final List<Device> devices;
    private final boolean windowSafe;
    private final int[] firstLane;
    private final int[] laneJob;
    private final int[] laneHeld;
    private final boolean[] down;
    private final Map<String, TreeMap<Long, long[]>> queues = new HashMap<>();
    private final PriorityQueue<long[]> delayed = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    private final List<Job> jobs = new ArrayList<>();
    private final List<int[]> ends = new ArrayList<>();
    private final List<long[]> endTimes = new ArrayList<>();
    private final List<int[]> lanesOf = new ArrayList<>();
    private long arrivals;

    public FirstComeScheduler(List<Device> devices, boolean windowSafe) {
        this.devices = List.copyOf(devices);
        this.windowSafe = windowSafe;
        firstLane = new int[this.devices.size()];
        int n = 0;
        for (int d = 0; d < this.devices.size(); d++) {
            firstLane[d] = n;
            n += this.devices.get(d).capacity();
        }
        laneJob = new int[n];
        laneHeld = new int[n];
        java.util.Arrays.fill(laneJob, -1);
        java.util.Arrays.fill(laneHeld, -1);
        down = new boolean[this.devices.size()];
        for (Device d : this.devices) {
            d.capabilities().forEach(c -> queues.computeIfAbsent(c, k -> new TreeMap<>()));
        }
    }

    @Override
    public String name() {
        return windowSafe ? "first-come (window-safe)" : "first-come";
    }

    @Override
    public void submit(int jobId, Job job, long now) {
        while (jobs.size() <= jobId) {
            jobs.add(null);
            ends.add(null);
            endTimes.add(null);
            lanesOf.add(null);
        }
        jobs.set(jobId, job);
        ends.set(jobId, Chains.ends(job.ops()));
        long[] et = new long[job.ops().size()];
        java.util.Arrays.fill(et, -1);
        endTimes.set(jobId, et);
        lanesOf.set(jobId, new int[job.ops().size()]);
        ready(jobId, 0, Math.max(now, job.releaseMs()), now);
    }

    private void ready(int jobId, int k, long at, long now) {
        Window w = jobs.get(jobId).ops().get(k).window();
        if (w != null) {
            at = Math.max(at, endTimes.get(jobId)[w.after()] + w.minLagMs());
        }
        if (at > now) {
            delayed.add(new long[] {at, jobId, k});
        } else {
            queues.get(jobs.get(jobId).ops().get(k).capability()).put(arrivals++, new long[] {jobId, k});
        }
    }

    @Override
    public void ended(int jobId, int op, long now) {
        int lane = lanesOf.get(jobId)[op];
        laneJob[lane] = -1;
        endTimes.get(jobId)[op] = now;
        int[] e = ends.get(jobId);
        if (windowSafe && !inChain(e, op + 1)) {
            release(jobId);
        }
        if (op + 1 < jobs.get(jobId).ops().size()) {
            ready(jobId, op + 1, now, now);
        }
    }

    private static boolean inChain(int[] ends, int k) {
        return k < ends.length && Chains.inner(ends, k);
    }

    private void release(int jobId) {
        for (int l = 0; l < laneHeld.length; l++) {
            if (laneHeld[l] == jobId) {
                laneHeld[l] = -1;
            }
        }
    }

    @Override
    public void failed(int jobId, int op, long now, boolean retry) {
        laneJob[lanesOf.get(jobId)[op]] = -1;
        if (retry) {
            ready(jobId, op, now, now);
        } else {
            release(jobId);
        }
    }

    @Override
    public void cancel(int jobId, long now) {
        release(jobId);
        for (TreeMap<Long, long[]> q : queues.values()) {
            q.values().removeIf(e -> e[0] == jobId);
        }
        delayed.removeIf(e -> e[1] == jobId);
        for (int l = 0; l < laneJob.length; l++) {
            if (laneJob[l] == jobId) {
                laneJob[l] = -1;
            }
        }
    }

    @Override
    public void deviceDown(int device, long now) {
        down[device] = true;
    }

    @Override
    public void deviceUp(int device, long now) {
        down[device] = false;
    }

    @Override
    public List<Start> decide(long now) {
        while (!delayed.isEmpty() && delayed.peek()[0] <= now) {
            long[] d = delayed.poll();
            int j = (int) d[1];
            int k = (int) d[2];
            queues.get(jobs.get(j).ops().get(k).capability()).put(arrivals++, new long[] {j, k});
        }
        List<Start> starts = new ArrayList<>();
        // Oldest first across capabilities: repeatedly take the oldest waiting step that can start.
        while (true) {
            long bestSeq = Long.MAX_VALUE;
            TreeMap<Long, long[]> bestQueue = null;
            int[] bestLanes = null;
            for (Map.Entry<String, TreeMap<Long, long[]>> qe : queues.entrySet()) {
                TreeMap<Long, long[]> q = qe.getValue();
                if (q.isEmpty() || q.firstKey() >= bestSeq || !anyFree(qe.getKey())) {
                    continue;
                }
                for (Map.Entry<Long, long[]> e : q.entrySet()) {
                    if (e.getKey() >= bestSeq) {
                        break;
                    }
                    int[] lanes = place((int) e.getValue()[0], (int) e.getValue()[1]);
                    if (lanes != null) {
                        bestSeq = e.getKey();
                        bestQueue = q;
                        bestLanes = lanes;
                        break;
                    }
                }
            }
            if (bestQueue == null) {
                return starts;
            }
            long[] entry = bestQueue.remove(bestSeq);
            int j = (int) entry[0];
            int k = (int) entry[1];
            int lane = bestLanes[0];
            if (bestLanes.length > 1) {
                for (int l : bestLanes) {
                    laneHeld[l] = j;
                }
            }
            laneJob[lane] = j;
            lanesOf.get(j)[k] = lane;
            int d = deviceOf(lane);
            starts.add(new Start(j, k, d, lane - firstLane[d]));
        }
    }

    /** The position(s) step k of job j would take now: the first is where it runs; null when it cannot start. */
    private int[] place(int j, int k) {
        Job job = jobs.get(j);
        int[] e = ends.get(j);
        if (!windowSafe || !Chains.head(e, k)) {
            int lane = freeLane(job.ops().get(k).capability(), j);
            return lane < 0 ? null : new int[] {lane};
        }
        // Window-safe chain start: one free position on each device the chain needs, held until it ends.
        List<Integer> held = new ArrayList<>();
        int first = -1;
        for (int i = k; i <= e[k]; i++) {
            String cap = job.ops().get(i).capability();
            int lane = -1;
            for (int l : held) {
                if (devices.get(deviceOf(l)).can(cap)) {
                    lane = l;
                    break;
                }
            }
            if (lane < 0) {
                lane = freeLane(cap, j, held);
            }
            if (lane < 0) {
                return null;
            }
            if (!held.contains(lane)) {
                held.add(lane);
            }
            if (i == k) {
                first = lane;
            }
        }
        List<Integer> order = new ArrayList<>(held);
        order.remove(Integer.valueOf(first));
        order.add(0, first);
        return order.stream().mapToInt(Integer::intValue).toArray();
    }

    private boolean anyFree(String capability) {
        for (int d = 0; d < devices.size(); d++) {
            if (!down[d] && devices.get(d).can(capability)) {
                for (int l = firstLane[d]; l < firstLane[d] + devices.get(d).capacity(); l++) {
                    if (laneJob[l] < 0) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private int freeLane(String capability, int job) {
        return freeLane(capability, job, List.of());
    }

    private int freeLane(String capability, int job, List<Integer> taken) {
        for (int l = 0; l < laneHeld.length && windowSafe; l++) {
            if (laneHeld[l] == job
                    && laneJob[l] < 0
                    && !down[deviceOf(l)]
                    && devices.get(deviceOf(l)).can(capability)) {
                return l;
            }
        }
        for (int d = 0; d < devices.size(); d++) {
            if (down[d] || !devices.get(d).can(capability)) {
                continue;
            }
            for (int l = firstLane[d]; l < firstLane[d] + devices.get(d).capacity(); l++) {
                if (laneJob[l] < 0 && (laneHeld[l] < 0 || laneHeld[l] == job) && !taken.contains(l)) {
                    return l;
                }
            }
        }
        return -1;
    }

    private int deviceOf(int lane) {
        int d = java.util.Arrays.binarySearch(firstLane, lane);
        return d >= 0 ? d : -d - 2;
    }

    @Override
    public long nextWakeUp() {
        return delayed.isEmpty() ? Long.MAX_VALUE : delayed.peek()[0];
    }
}
