package dev.cacheproxy.core.schedule;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** {@link Scheduler#system}: a platform timing thread that only hands tasks to virtual threads. */
final class SystemScheduler implements Scheduler {
    private final ScheduledExecutorService timer;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();

    SystemScheduler(String name) {
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name(name).factory());
    }

    @Override
    public Scheduled schedule(Duration delay, Runnable task) {
        ScheduledFuture<?> f = timer.schedule(() -> workers.execute(task), Math.max(0, delay.toMillis()),
                TimeUnit.MILLISECONDS);
        return new Scheduled() {
            @Override
            public boolean cancel() {
                return f.cancel(false);
            }

            @Override
            public Duration remaining() {
                return Duration.ofMillis(f.getDelay(TimeUnit.MILLISECONDS));
            }
        };
    }

    @Override
    public void close() {
        timer.shutdownNow();
        workers.shutdownNow();
    }
}
