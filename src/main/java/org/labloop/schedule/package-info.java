/**
 * Scheduling: which device runs which step of which experiment, and when. A pure library (no store, files, network or
 * wall clock): time is a number of milliseconds on whatever clock the caller uses.
 *
 * <p>{@link org.labloop.schedule.Problem} describes a workcell's devices and the experiments ({@link
 * org.labloop.schedule.Job jobs}) to run; a {@link org.labloop.schedule.Scheduler} decides online, event by event,
 * what starts now; {@link org.labloop.schedule.Simulator} replays a problem in discrete-event virtual time to measure
 * a scheduler. See docs/scheduling.md.
 */
package org.labloop.schedule;
