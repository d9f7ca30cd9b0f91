package dev.cacheproxy.modes.linuxrepo;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;

/**
 * One repository root (a Debian distribution {@code …/dists/<suite>}, a flat repository directory, a
 * repodata parent, ...) and its health. Lifecycle:
 *
 * <pre>
 * pending --refresh ok--> active --refresh failed--> suspect --refresh ok--> active
 *   suspect/pending: "not found" {@link #REMOVE_AFTER_COUNT} times in a row over {@link #REMOVE_AFTER_AGE} --> removed
 *   removed --a client asks for its root file again--> pending
 * </pre>
 *
 * A suspect root keeps serving its last good generation. Mutable; guarded by its own monitor.
 */
public final class Root {
    public enum State { PENDING, ACTIVE, SUSPECT, REMOVED }

    /** The Go project's {@code resource_remove_count} and {@code resource_remove_age} defaults. */
    static final int REMOVE_AFTER_COUNT = 5;
    static final Duration REMOVE_AFTER_AGE = Duration.ofMinutes(5);

    private final String path;
    private State state = State.PENDING;
    private final Set<String> wantedIndexDirs = new TreeSet<>();
    private int failures;
    private int notFoundInARow;
    private Instant firstNotFound;
    private String lastError;
    private Instant lastAttempt;
    private Instant lastSuccess;

    public Root(String path) {
        this.path = path;
    }

    /** What is persisted and shown. */
    public record Snapshot(String path, State state, Set<String> wantedIndexDirs, int failures, String lastError,
            Instant lastAttempt, Instant lastSuccess) {}

    static Root restore(Snapshot s) {
        Root r = new Root(s.path());
        r.state = s.state() == null ? State.PENDING : s.state();
        if (s.wantedIndexDirs() != null) {
            r.wantedIndexDirs.addAll(s.wantedIndexDirs());
        }
        r.failures = s.failures();
        r.lastError = s.lastError();
        r.lastAttempt = s.lastAttempt();
        r.lastSuccess = s.lastSuccess();
        return r;
    }

    public String path() {
        return path;
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(path, state, Set.copyOf(wantedIndexDirs), failures, lastError, lastAttempt, lastSuccess);
    }

    public synchronized State state() {
        return state;
    }

    /** Records that clients use {@code dir}; true when it is new (the next refresh must fetch it). */
    synchronized boolean want(String dir) {
        return wantedIndexDirs.add(dir);
    }

    synchronized Set<String> wantedIndexDirs() {
        return Set.copyOf(wantedIndexDirs);
    }

    /** A client asked for the root file again: a removed root comes back. True when it was removed. */
    synchronized boolean rediscovered() {
        if (state != State.REMOVED) {
            return false;
        }
        state = State.PENDING;
        failures = 0;
        notFoundInARow = 0;
        firstNotFound = null;
        return true;
    }

    synchronized void attempted(Instant now) {
        lastAttempt = now;
    }

    synchronized void succeeded(Instant now) {
        state = State.ACTIVE;
        failures = 0;
        notFoundInARow = 0;
        firstNotFound = null;
        lastError = null;
        lastSuccess = now;
    }

    /** Records a failed refresh; returns the new state. */
    synchronized State failed(RefreshException e, Instant now) {
        failures++;
        lastError = e.getMessage();
        if (e.notFound()) {
            if (notFoundInARow++ == 0) {
                firstNotFound = now;
            }
            if (notFoundInARow >= REMOVE_AFTER_COUNT
                    && !Duration.between(firstNotFound, now).minus(REMOVE_AFTER_AGE).isNegative()) {
                state = State.REMOVED;
                return state;
            }
        } else {
            notFoundInARow = 0;
            firstNotFound = null;
        }
        state = State.SUSPECT;
        return state;
    }

    synchronized int failures() {
        return failures;
    }

    synchronized String lastError() {
        return lastError;
    }

    synchronized Instant lastSuccess() {
        return lastSuccess;
    }
}
