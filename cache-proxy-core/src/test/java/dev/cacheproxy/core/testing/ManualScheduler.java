package dev.cacheproxy.core.testing;

import dev.cacheproxy.core.schedule.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A {@link Scheduler} a test drives: tasks wait for their time on a {@link MutableClock}, and
 * {@link #advanceAndRun} moves the clock and runs what became due, on the test's thread, in order. No
 * sleeping, no polling: a background refresh happens exactly when the test says.
 */
public final class ManualScheduler implements Scheduler {
    private final MutableClock clock;
    private final List<Task> tasks = new ArrayList<>();

    private final class Task implements Scheduled {
        final Instant due;
        final Runnable run;
        boolean cancelled;

        Task(Instant due, Runnable run) {
            this.due = due;
            this.run = run;
        }

        @Override
        public boolean cancel() {
            synchronized (ManualScheduler.this) {
                boolean was = !cancelled && tasks.remove(this);
                cancelled = true;
                return was;
            }
        }

        @Override
        public Duration remaining() {
            return Duration.between(clock.instant(), due);
        }
    }

    public ManualScheduler(MutableClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Scheduled schedule(Duration delay, Runnable task) {
        Task t = new Task(clock.instant().plus(delay.isNegative() ? Duration.ZERO : delay), task);
        tasks.add(t);
        return t;
    }

    /** When the next task is due, from now; empty when none is planned. */
    public synchronized Optional<Duration> nextIn() {
        return tasks.stream().min(Comparator.comparing(t -> t.due)).map(t -> Duration.between(clock.instant(), t.due));
    }

    /** Moves the clock by {@code by} and runs every task due by then (and those they plan that are due too). */
    public int advanceAndRun(Duration by) {
        clock.advance(by);
        int ran = 0;
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.stream().filter(t -> !t.due.isAfter(clock.instant()))
                        .min(Comparator.comparing(t -> t.due)).orElse(null);
                if (next == null) {
                    return ran;
                }
                tasks.remove(next);
            }
            next.run.run();
            ran++;
        }
    }

    @Override
    public synchronized void close() {
        tasks.clear();
    }
}
