package dev.fanout.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.handler.PermanentException;
import dev.fanout.handler.RetriableException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import dev.fanout.protocol.RetrySettings;

class RetryPolicyTest {

    @Test
    void backoffGrowsByTheCoefficientUpToTheMaximumInterval() {
        RetryPolicy retry = new RetryPolicy(Duration.ofSeconds(1), 2.0, Duration.ofSeconds(5), 6, null);

        assertThat(List.of(2, 3, 4, 5, 6).stream().map(retry::backoff)).containsExactly(Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    @Test
    void permanentAndNonRetryableErrorsAreNeverRetried() {
        RetryPolicy retry = new RetryPolicy(null, null, null, 3, List.of("IllegalStateException",
                "java.lang.ArithmeticException"));

        assertThat(retry.retries(new PermanentException("bad input"))).isFalse();
        assertThat(retry.retries(new IllegalStateException("no"))).isFalse();
        assertThat(retry.retries(new ArithmeticException("/ by zero"))).isFalse();
        assertThat(retry.retries(new RetriableException("503"))).isTrue();
        assertThat(retry.retries(new IllegalArgumentException("other"))).isTrue();
    }

    @Test
    void impossibleSettingsAreRefusedByName() {
        assertThatThrownBy(() -> new RetryPolicy(null, 0.5, null, null, null))
                .hasMessage("retry.backoffCoefficient must be >= 1.0, was 0.5");
        assertThatThrownBy(() -> new RetryPolicy(null, null, null, 0, null))
                .hasMessage("retry.maximumAttempts must be >= 1, was 0");
        assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(10), null, Duration.ofSeconds(1), null, null))
                .hasMessageContaining("retry.maximumInterval must be >= initialInterval");
        assertThat(RetryPolicy.none().maximumAttempts()).isEqualTo(1);
    }

    @Test
    void aBatchPolicyOverridesTheHandlerFieldByField() {
        RetryPolicy handler = new RetryPolicy(Duration.ofSeconds(1), 2.0, Duration.ofSeconds(5), 3,
                List.of("IllegalStateException"));

        RetryPolicy merged = handler.overriddenBy(new RetrySettings(null, null, null, 7, null));
        RetryPolicy longer = handler.overriddenBy(
                new RetrySettings(Duration.ofSeconds(30), null, null, null, null));

        assertThat(merged).isEqualTo(new RetryPolicy(Duration.ofSeconds(1), 2.0, Duration.ofSeconds(5), 7,
                List.of("IllegalStateException")));
        assertThat(longer.maximumInterval()).as("never below the batch's own initial interval")
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(handler.overriddenBy(null)).isSameAs(handler);
        assertThat(handler.overriddenBy(
                new RetrySettings(null, null, Duration.ofMillis(500), null, null)))
                .as("a batch maximum below the handler's first wait caps that wait too")
                .extracting(RetryPolicy::initialInterval, RetryPolicy::maximumInterval)
                .containsExactly(Duration.ofMillis(500), Duration.ofMillis(500));
    }
}
