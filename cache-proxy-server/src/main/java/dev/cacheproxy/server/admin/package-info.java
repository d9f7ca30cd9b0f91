/** The built-in endpoints of the main listener: home page, health, readiness and the metrics endpoint. */
package dev.cacheproxy.server.admin;
