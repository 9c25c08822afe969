package dev.fanout.dispatcher.internal;

import dev.fanout.dispatcher.DispatchException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Publishing one control-plane record (a definition, a seal, a signal) and waiting for the broker to take it. */
final class Acks {

    private Acks() {
    }

    /**
     * Sends and waits for the acknowledgement.
     *
     * @throws DispatchException if Kafka refused the record or the wait was interrupted
     */
    static void publish(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value) {
        publish(producer, new ProducerRecord<>(topic, key, value));
    }

    /**
     * Sends a record (with its headers) and waits for the acknowledgement.
     *
     * @throws DispatchException if Kafka refused the record or the wait was interrupted
     */
    static void publish(KafkaProducer<String, byte[]> producer, ProducerRecord<String, byte[]> record) {
        String topic = record.topic();
        try {
            producer.send(record).get();
        } catch (ExecutionException e) {
            throw new DispatchException("Kafka refused a record on " + topic + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DispatchException("interrupted while publishing to " + topic, e);
        }
    }
}
