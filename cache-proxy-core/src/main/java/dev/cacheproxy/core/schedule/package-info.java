/**
 * Background work on a clock: {@link dev.cacheproxy.core.schedule.Scheduler} is what modes get from
 * their context to run something later (Linux repository refreshes); the server passes the system's,
 * tests pass one they move by hand (core test-jar), so that a refresh is driven, not slept for.
 */
package dev.cacheproxy.core.schedule;
