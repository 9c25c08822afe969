package dev.fanout.cli;

import dev.fanout.ops.Check;
import com.codahale.metrics.MetricRegistry;
import dev.fanout.ops.ServiceEndpoints;
import dev.fanout.ops.ServiceMetrics;
import dev.fanout.broker.BrokerConfig;
import dev.fanout.broker.BrokerSecurity;
import dev.fanout.broker.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fanout broker}: a single-node KRaft Kafka for development, in the foreground until Ctrl-C. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run a Kafka broker (KRaft) on 127.0.0.1 for development and tests, one node or a cluster"
                + " (--nodes 3), plain text or SASL_SSL (--sasl-ssl), until Ctrl-C.")
final class BrokerCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "9092", description = "Client port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep the broker's data here across runs (default: a temporary directory removed on exit).")
    Path dataDir;

    @Option(names = "--heap", defaultValue = BrokerConfig.DEFAULT_MAX_HEAP,
            description = "Broker JVM heap (default: ${DEFAULT-VALUE}).")
    String heap;

    @Option(names = "--http-port", defaultValue = "0", paramLabel = "PORT",
            description = "Port of /healthz and /readyz on 127.0.0.1: 0 for a free one (printed), -1 for none"
                    + " (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--sasl-ssl", description = "Serve clients over SASL_SSL only: SCRAM-SHA-512 user --user with a new"
            + " password, and a self-signed certificate for 127.0.0.1; the client settings are written to"
            + " client.properties in the data directory (pass it as --command-config).")
    boolean saslSsl;

    @Option(names = "--nodes", defaultValue = "1", paramLabel = "N",
            description = "Nodes, each a broker and controller in its own JVM on 127.0.0.1 (3: a cluster whose topics"
                    + " get replication factor 3 and min.insync.replicas 2). A node that exits (killed, or stopped"
                    + " with SIGTERM) is started again on its data. Default: ${DEFAULT-VALUE}.")
    int nodes;

    @Option(names = "--user", defaultValue = BrokerSecurity.DEFAULT_USER, paramLabel = "NAME",
            description = "The SCRAM user of --sasl-ssl (default: ${DEFAULT-VALUE}).")
    String user;

    @Override
    public Integer call() throws Exception {
        BrokerConfig config = BrokerConfig.ofDefaults().withPort(port).withDataDir(dataDir).withMaxHeap(heap)
                .withSecurity(saslSsl ? BrokerSecurity.generated(user) : null).withNodes(nodes);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(config);
                ServiceEndpoints endpoints = httpPort == ServiceEndpoints.DISABLED ? null
                        : ServiceEndpoints.start(ServiceEndpoints.DEFAULT_HOST, httpPort, () -> alive(broker),
                                Check::ok, ServiceMetrics.of(gauges(broker)))) {
            System.out.println("Kafka " + EmbeddedKafkaBroker.kafkaVersion() + " broker (KRaft) ready at "
                    + broker.bootstrapServers() + "; data in " + broker.dataDirectory()
                    + (endpoints == null ? "" : "; health at " + endpoints.url() + "/healthz and /readyz, metrics at " + endpoints.url()
                    + "/metrics")
                    + ". Ctrl-C stops it.");
            String clientConfig = broker.clientConfig().map(file -> " --command-config " + file).orElse("");
            broker.clientConfig().ifPresent(file -> System.out.println("Clients log in over SASL_SSL as " + user
                    + "; their settings (password included, readable by you only) are in " + file));
            System.out.println("Try: fanout demo --bootstrap-servers " + broker.bootstrapServers() + clientConfig);
            if (broker.nodeCount() > 1) {
                // the nodes keep their data for restarts: this command removes a temporary cluster when it stops
                Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "fanout-broker-shutdown"));
                System.out.println("Nodes (pid): " + nodePids(broker));
                supervise(broker);
                return 0;
            }
            int code = broker.awaitExit();
            System.err.println("fanout: the broker exited with code " + code);
            return code == 0 ? 0 : 1;
        }
    }

    /** Starts again every node that exits, until this command is stopped. */
    private static void supervise(EmbeddedKafkaBroker broker) throws InterruptedException {
        while (true) {
            int node = broker.awaitNodeExit();
            if (broker.isClosed()) {
                return; // stopping: the shutdown hook closes the nodes
            }
            System.out.println("fanout broker: node " + node + " exited; starting it again on its data");
            try {
                broker.restartNode(node);
                System.out.println("fanout broker: node " + node + " is back; nodes (pid): " + nodePids(broker));
            } catch (IllegalStateException closed) {
                return;
            } catch (RuntimeException e) {
                System.err.println("fanout broker: node " + node + " did not come back: " + e.getMessage());
                throw e;
            }
        }
    }

    private static String nodePids(EmbeddedKafkaBroker broker) {
        StringBuilder text = new StringBuilder();
        for (int id = 1; id <= broker.nodeCount(); id++) {
            text.append(id == 1 ? "" : ", ").append(id).append(" (").append(broker.pids().get(id - 1)).append(")");
        }
        return text.toString();
    }

    /** {@code fanout_broker_up}: 1 while the broker's JVM runs. */
    private static MetricRegistry gauges(EmbeddedKafkaBroker broker) {
        MetricRegistry registry = new MetricRegistry();
        registry.gauge("broker.up", () -> () -> broker.isRunning() ? 1 : 0);
        ServiceMetrics.jmx(registry); // for the life of the process, as the services do
        return registry;
    }

    /** Alive while the broker's JVM runs (it is ready once started: start returns when it answers). */
    private static Check alive(EmbeddedKafkaBroker broker) {
        return broker.isRunning() ? Check.ok() : Check.failing("the broker process has exited");
    }
}
