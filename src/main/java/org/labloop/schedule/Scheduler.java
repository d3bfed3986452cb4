package org.labloop.schedule;

import java.util.List;

/**
 * Decides online which step starts where. The caller reports what happens (jobs arrive, steps end or fail, devices go
 * down) and asks {@link #decide} at every scheduling event; it must then start exactly the returned steps, at once.
 * Jobs are numbered by the caller (0, 1, 2... in submission order); devices by their index in the device list; time
 * is in milliseconds on the caller's clock. Implementations are not thread-safe.
 */
public interface Scheduler {

    String name();

    /** A job arrived; its first step is ready now. */
    void submit(int jobId, Job job, long now);

    /** Step {@code op} of job {@code jobId} ended well; the next step (if any) becomes ready. */
    void ended(int jobId, int op, long now);

    /** Step {@code op} failed: with {@code retry} it becomes ready again, otherwise the job is dropped. */
    void failed(int jobId, int op, long now, boolean retry);

    /** The job will not go on (its experiment failed or was cancelled); frees whatever it holds. */
    void cancel(int jobId, long now);

    /** A device stopped working; steps running on it are reported separately through {@link #failed}. */
    void deviceDown(int device, long now);

    void deviceUp(int device, long now);

    /** The steps to start now. */
    List<Start> decide(long now);

    /** The next time {@link #decide} has something to do even if nothing else happens, or {@link Long#MAX_VALUE}. */
    long nextWakeUp();
}
