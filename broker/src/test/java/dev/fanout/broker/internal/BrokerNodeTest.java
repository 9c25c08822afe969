package dev.fanout.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BrokerNodeTest {

    @Test
    void extraJvmOptionsAreSplitOnWhitespaceAndAbsentWhenUnsetOrBlank() {
        assertThat(BrokerNode.extraJvmOptions(" -XX:TieredStopAtLevel=1 \t -XX:+UseSerialGC\n"))
                .containsExactly("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
        assertThat(BrokerNode.extraJvmOptions(null)).isEmpty();
        assertThat(BrokerNode.extraJvmOptions("  ")).isEmpty();
    }
}
