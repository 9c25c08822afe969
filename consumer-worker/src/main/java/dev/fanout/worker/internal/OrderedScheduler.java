package dev.fanout.worker.internal;

import dev.fanout.worker.OrderingMode;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Starts items on virtual threads while keeping the {@link OrderingMode}: items with the same ordering key wait in a
 * queue and start, in offset order, when the previous one has finished running.
 */
public final class OrderedScheduler {

    /** What runs one record; it must not throw. */
    public interface RecordTask {
        void run(TrackedRecord record);
    }

    private final OrderingMode mode;
    private final ExecutorService executor;
    private final RecordTask task;
    private final Map<Object, ArrayDeque<TrackedRecord>> waiting = new HashMap<>();

    public OrderedScheduler(OrderingMode mode, ExecutorService executor, RecordTask task) {
        this.mode = Objects.requireNonNull(mode, "mode");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.task = Objects.requireNonNull(task, "task");
    }

    /** Hands a record over; it starts now or after the items ahead of it with the same ordering key. */
    public void submit(TrackedRecord record) {
        Object key = orderingKey(record.record());
        if (key == null) {
            start(null, record);
            return;
        }
        synchronized (waiting) {
            ArrayDeque<TrackedRecord> queue = waiting.get(key);
            if (queue != null) {
                queue.addLast(record);
                return;
            }
            waiting.put(key, new ArrayDeque<>());
        }
        start(key, record);
    }

    /** Ordering keys with an item running or waiting (for tests and metrics). */
    public int activeKeys() {
        synchronized (waiting) {
            return waiting.size();
        }
    }

    private void start(Object key, TrackedRecord record) {
        executor.execute(() -> {
            try {
                task.run(record);
            } finally {
                if (key != null) {
                    next(key);
                }
            }
        });
    }

    private void next(Object key) {
        TrackedRecord following;
        synchronized (waiting) {
            ArrayDeque<TrackedRecord> queue = waiting.get(key);
            following = queue.pollFirst();
            if (following == null) {
                waiting.remove(key);
                return;
            }
        }
        start(key, following);
    }

    private Object orderingKey(ConsumerRecord<String, byte[]> record) {
        return switch (mode) {
            case UNORDERED -> null;
            case PARTITION -> new TopicPartition(record.topic(), record.partition());
            // records without a key have no order to keep
            case KEY -> record.key() == null ? null : new KeyOnPartition(record.topic(), record.partition(), record.key());
        };
    }

    private record KeyOnPartition(String topic, int partition, String key) {
    }
}
