package dev.fanout.worker.internal;

import dev.fanout.protocol.ItemExecution;
import dev.fanout.protocol.JobRecord;
import dev.fanout.schema.OutputSchema;
import dev.fanout.protocol.TimeoutPolicy;
import dev.fanout.worker.HandlerRegistry;
import dev.fanout.worker.RetryPolicy;
import java.time.Duration;

/**
 * How one item runs: its handler with the worker's per-handler settings, overridden field by field by the batch's
 * {@link ItemExecution} carried on the job.
 *
 * @param timeout      per-attempt timeout, or {@code null} for none
 * @param outputSchema the compiled output schema, or {@code null} when outputs are not checked
 * @param schemaError  why the batch's output schema could not be compiled, or {@code null}
 * @param deadLetters  whether failures get a dead letter ({@code deadLetterQueue} on the batch)
 */
record ItemPlan(HandlerRegistry.Entry handler, RetryPolicy retry, Duration timeout, TimeoutPolicy onTimeout,
        OutputSchema outputSchema, String schemaError, boolean deadLetters) {

    static ItemPlan of(HandlerRegistry.Entry handler, JobRecord job, OutputSchemas schemas) {
        ItemExecution batch = job.execution();
        if (batch == null) {
            return new ItemPlan(handler, handler.spec().retry(), handler.spec().timeout(), handler.spec().onTimeout(),
                    null, null, true);
        }
        OutputSchema schema = null;
        String schemaError = null;
        if (batch.outputSchema() != null) {
            try {
                schema = schemas.compiled(batch.outputSchema());
            } catch (IllegalArgumentException e) {
                schemaError = e.getMessage();
            }
        }
        return new ItemPlan(handler, handler.spec().retry().overriddenBy(batch.retry()),
                batch.timeout() != null ? batch.timeout() : handler.spec().timeout(),
                batch.onTimeout() != null ? batch.onTimeout() : handler.spec().onTimeout(),
                schema, schemaError, batch.deadLetters());
    }
}
