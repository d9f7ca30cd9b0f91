package dev.cacheproxy.server.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * Builds the Prometheus registry with the JVM, process and Netty allocator meters bound, shaped so that
 * {@code promtool check metrics} has nothing to say (MetricsPromtoolIT): the binders' few meters that it
 * warns about are renamed ({@code system.cpu.count}: a gauge must not end in {@code _count}), dropped
 * ({@code process.cpu.time}, nanoseconds in the name; {@code process_cpu_usage} says the same) or given the
 * help text the Netty binder leaves out.
 */
public final class MetricsSetup {
    private MetricsSetup() {}

    public static PrometheusMeterRegistry create() {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        r.config().meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"));
        r.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (id.getName().equals("system.cpu.count")) {
                    return id.withName("system.cpu.cores");
                }
                if (id.getName().startsWith("netty.allocator.") && id.getDescription() == null) {
                    return new Meter.Id(id.getName(), Tags.of(id.getTags()), id.getBaseUnit(),
                            "Netty's pooled allocator: " + id.getName().substring("netty.allocator.".length()).replace('.', ' '),
                            id.getType());
                }
                return id;
            }
        });
        new JvmMemoryMetrics().bindTo(r);
        new JvmGcMetrics().bindTo(r);
        new JvmThreadMetrics().bindTo(r);
        new ClassLoaderMetrics().bindTo(r);
        new ProcessorMetrics().bindTo(r);
        new UptimeMetrics().bindTo(r);
        new FileDescriptorMetrics().bindTo(r);
        new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(r);
        return r;
    }
}
