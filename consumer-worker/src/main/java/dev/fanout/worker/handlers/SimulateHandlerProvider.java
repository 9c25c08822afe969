package dev.fanout.worker.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.handler.Item;
import dev.fanout.handler.ItemHandler;
import dev.fanout.handler.ItemHandlerProvider;
import java.util.SplittableRandom;

/**
 * {@code simulate}: waits a latency drawn from a distribution and fails a share of items, both decided by the seed
 * and the item index, so a run can be repeated exactly. For demos and benchmarks. Worker settings are the defaults;
 * an item's (or its batch's) settings override them.
 */
public final class SimulateHandlerProvider implements ItemHandlerProvider {

    public static final String NAME = "simulate";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ItemHandler create(JsonNode settings) {
        SimulateSettings defaults = SimulateSettings.ofDefaults().with(settings);
        return item -> run(defaults.with(item.settings()), item);
    }

    /** The latency and outcome of one item, as decided by its settings and index. */
    public static Plan plan(SimulateSettings settings, long index) {
        SplittableRandom random = new SplittableRandom(settings.seed() * 0x9E3779B97F4A7C15L + index);
        boolean fails = random.nextDouble() < settings.failureRate();
        double mean = settings.latencyMs();
        long latency = switch (settings.distribution()) {
            case "uniform" -> Math.round(mean * (0.5 + random.nextDouble()));
            case "exponential" -> Math.round(-mean * Math.log(1 - random.nextDouble()));
            default -> settings.latencyMs();
        };
        return new Plan(latency, fails);
    }

    private static JsonNode run(SimulateSettings settings, Item item) throws InterruptedException {
        long index = item.context().index();
        Plan plan = plan(settings, index);
        if (plan.latencyMs() > 0) {
            Thread.sleep(plan.latencyMs()); // the simulated work itself
        }
        if (plan.fails()) {
            throw new SimulatedFailure("simulated failure of item " + index + " (failureRate "
                    + settings.failureRate() + ", seed " + settings.seed() + ")");
        }
        ObjectNode output = JsonNodeFactory.instance.objectNode();
        output.put("index", index);
        output.put("latencyMs", plan.latencyMs());
        return output;
    }

    /** One item's simulated latency and outcome. */
    public record Plan(long latencyMs, boolean fails) {
    }

    /** The error a simulated failure throws. */
    public static final class SimulatedFailure extends RuntimeException {
        public SimulatedFailure(String message) {
            super(message);
        }
    }
}
