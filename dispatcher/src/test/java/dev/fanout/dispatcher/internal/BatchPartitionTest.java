package dev.fanout.dispatcher.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class BatchPartitionTest {

    @Test
    void aBatchIsOnThePartitionKafkasDefaultPartitionerGivesItsId() {
        for (String batchId : new String[] {"orders-1", "b-5d1c0e7a-3f2b", "demo-9ba55a74", "x"}) {
            for (int partitions : new int[] {1, 3, 8, 12}) {
                assertThat(BatchPartition.forKey(batchId, partitions)).as(batchId + " of " + partitions)
                        .isEqualTo(BuiltInPartitioner.partitionForKey(batchId.getBytes(StandardCharsets.UTF_8),
                                partitions));
            }
        }
    }
}
