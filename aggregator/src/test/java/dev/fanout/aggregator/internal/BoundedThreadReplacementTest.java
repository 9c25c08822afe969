package dev.fanout.aggregator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.streams.errors.MissingSourceTopicException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class BoundedThreadReplacementTest {

    private static final RuntimeException FAILURE = new RuntimeException("synthetic failure", null, false, false) {
    };

    @Test
    void aDeadThreadIsReplacedABoundedNumberOfTimesThenTheClientShutsDown() {
        BoundedThreadReplacement handler = new BoundedThreadReplacement(2);

        assertThat(handler.handle(FAILURE)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        assertThat(handler.handle(FAILURE)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        assertThat(handler.handle(FAILURE)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(handler.handle(FAILURE)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    void aMissingSourceTopicShutsTheClientDownAtOnceAndIsKeptAsTheLastFailure() {
        BoundedThreadReplacement handler = new BoundedThreadReplacement(3);
        StreamsException died = new StreamsException(new MissingSourceTopicException("Missing source topics."));

        assertThat(handler.handle(died)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(handler.lastFailure()).contains(died);
    }

    @Test
    void aNegativeBoundIsRejected() {
        assertThatThrownBy(() -> new BoundedThreadReplacement(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxReplacements must be >= 0, was -1");
    }
}
