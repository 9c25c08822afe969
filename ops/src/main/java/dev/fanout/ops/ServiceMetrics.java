package dev.fanout.ops;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jmx.JmxReporter;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's metrics as Prometheus scrapes them at {@code /metrics}: its Dropwizard registry (names mapped by
 * {@link MetricNames}; names no mapping covers are not exported), the JVM's metrics, and its Kafka clients' own
 * metrics. {@link #jmx} publishes the same Dropwizard registry over JMX.
 */
public final class ServiceMetrics implements AutoCloseable {

    /** The Prometheus text format's content type. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private static final Logger log = LoggerFactory.getLogger(ServiceMetrics.class);

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final KafkaClientMetrics kafkaClients = new KafkaClientMetrics();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private ServiceMetrics(MetricRegistry dropwizard) {
        registry.register(new DropwizardCollector(dropwizard));
        JvmMetrics.builder().register(registry);
        registry.register(kafkaClients);
    }

    /**
     * Publishes {@code dropwizard} over JMX (domain {@code fanout}) until the returned reporter is closed: once per
     * process, by the command that owns the registry.
     */
    public static AutoCloseable jmx(MetricRegistry dropwizard) {
        JmxReporter reporter = JmxReporter.forRegistry(dropwizard).inDomain("fanout").build();
        reporter.start();
        return reporter;
    }

    /** Exports {@code dropwizard} (and the JVM) from now on. */
    public static ServiceMetrics of(MetricRegistry dropwizard) {
        return new ServiceMetrics(Objects.requireNonNull(dropwizard, "dropwizard"));
    }

    /**
     * Adds a Kafka client's metrics, read at each scrape.
     *
     * @param role    {@code consumer} or {@code producer}
     * @param metrics the client's {@code metrics()} method
     */
    public ServiceMetrics withKafkaClient(String role, Supplier<Map<MetricName, ? extends Metric>> metrics) {
        kafkaClients.add(role, metrics);
        return this;
    }

    /**
     * Adds a gauge whose labelled values are asked for at each scrape (keep {@code samples} quick: it runs on the
     * scrape).
     *
     * @param name a Prometheus name starting with {@link MetricNames#PREFIX}
     */
    public ServiceMetrics withGauge(String name, String help, Supplier<List<GaugeSample>> samples) {
        registry.register(new SampledGauge(name, help, samples));
        return this;
    }

    /** Writes every metric in the Prometheus text format. */
    public void scrape(OutputStream out) throws IOException {
        writer.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
    }

    /** Answers {@code GET /metrics} with {@link #scrape}: for services that run their own HTTP server. */
    public HttpHandler httpHandler() {
        return exchange -> {
            try (exchange) {
                ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
                scrape(body);
                exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
                exchange.sendResponseHeaders(200, body.size());
                try (OutputStream out = exchange.getResponseBody()) {
                    body.writeTo(out);
                }
            } catch (IOException | RuntimeException e) {
                log.warn("could not answer a metrics scrape: {}", e.toString());
            }
        };
    }

    /** Stops nothing today (the collectors read on demand); kept so owners can close what they start. */
    @Override
    public void close() {
        // no background work to stop
    }
}
