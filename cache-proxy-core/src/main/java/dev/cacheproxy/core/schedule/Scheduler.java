package dev.cacheproxy.core.schedule;

import java.time.Duration;

/**
 * Runs tasks later. A task runs on a virtual thread of its own (it may block); the scheduler's timing
 * thread never does. Closing the scheduler cancels what has not started.
 */
public interface Scheduler extends AutoCloseable {
    /** Runs {@code task} once, {@code delay} from now. */
    Scheduled schedule(Duration delay, Runnable task);

    /** A task not yet run. */
    interface Scheduled {
        /** Stops it from running, when it has not started; whether it was stopped. */
        boolean cancel();

        /** How long until it runs (zero or less: due). */
        Duration remaining();
    }

    @Override
    void close();

    /** The real one: one daemon timing thread named {@code name} that hands each task to a virtual thread. */
    static Scheduler system(String name) {
        return new SystemScheduler(name);
    }
}
