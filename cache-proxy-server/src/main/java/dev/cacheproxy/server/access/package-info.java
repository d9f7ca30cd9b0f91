/**
 * Who may use an instance: the {@code access} block of an instance (anonymous level, client networks,
 * principals with bearer or Basic tokens or mutual-TLS subjects, each read or write), checked once per
 * request before the instance routes it, with the instance's own protocol's words for a refusal.
 */
package dev.cacheproxy.server.access;
