package dev.fanout.dispatcher.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.protocol.FailureReason;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

class DeadLetterFilterTest {

    private static final Instant AT = Instant.parse("2026-11-22T01:00:00Z");
    private static final DeadLetter TIMEOUT = DeadLetterSamples.read(DeadLetterSamples.fanout("dlq", "jobs", "k",
            DeadLetterSamples.job("b1", 1, 1), FailureReason.TIMEOUT, "java.util.concurrent.TimeoutException",
            "handler ran past 30s", 1), 2, 5, AT);
    private static final DeadLetter SPRING = DeadLetterSamples.read(DeadLetterSamples.spring("dlq", "orders", "o",
            "{}"), 0, 1, AT.plusSeconds(60));

    @Test
    void anEmptyFilterMatchesEverything() {
        assertThat(DeadLetterFilter.all().matches(TIMEOUT)).isTrue();
        assertThat(DeadLetterFilter.all().matches(SPRING)).isTrue();
    }

    @Test
    void eachCriterionMustHold() {
        assertThat(filter("b1", null, null, null, null, null, null).matches(TIMEOUT)).isTrue();
        assertThat(filter("b2", null, null, null, null, null, null).matches(TIMEOUT)).isFalse();
        assertThat(filter(null, FailureReason.TIMEOUT, null, null, null, null, null).matches(TIMEOUT)).isTrue();
        assertThat(filter(null, FailureReason.TIMEOUT, null, null, null, null, null).matches(SPRING)).isFalse();
        assertThat(filter(null, null, "timeoutexception", null, null, null, null).matches(TIMEOUT)).isTrue();
        assertThat(filter(null, null, "PRICE MUST", null, null, null, null).matches(SPRING)).isTrue();
        assertThat(filter(null, null, "price", null, null, null, null).matches(TIMEOUT)).isFalse();
        assertThat(filter(null, null, null, AT, null, null, null).matches(TIMEOUT)).isTrue();
        assertThat(filter(null, null, null, AT.plusSeconds(1), null, null, null).matches(TIMEOUT)).isFalse();
        assertThat(filter(null, null, null, null, AT.plusSeconds(1), null, null).matches(TIMEOUT)).isTrue();
        assertThat(filter(null, null, null, null, AT, null, null).matches(TIMEOUT)).isFalse();
        assertThat(filter(null, null, null, null, null, "orders", null).matches(SPRING)).isTrue();
        assertThat(filter(null, null, null, null, null, "orders", null).matches(TIMEOUT)).isFalse();
        assertThat(filter(null, null, null, null, null, null, 2).matches(TIMEOUT)).isTrue();
        assertThat(filter(null, null, null, null, null, null, 2).matches(SPRING)).isFalse();
    }

    @Test
    void timesAreInstantsOrDurationsBeforeNow() {
        InstantSource clock = InstantSource.fixed(AT);
        assertThat(DeadLetterFilter.parseTime("2026-11-21T00:00:00Z", "--since", clock))
                .isEqualTo(Instant.parse("2026-11-21T00:00:00Z"));
        assertThat(DeadLetterFilter.parseTime("2h", "--since", clock)).isEqualTo(AT.minusSeconds(7200));
        assertThatThrownBy(() -> DeadLetterFilter.parseTime("yesterday", "--until", clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--until must be an instant such as 2026-11-22T01:00:00Z or a duration before now such as"
                        + " 30m, 2h or 1d, was 'yesterday'");
    }

    @Test
    void invalidFiltersAreRefusedWithTheRule() {
        assertThatThrownBy(() -> filter(null, null, null, AT, AT, null, null))
                .hasMessage("--until must be after --since (" + AT + "), was " + AT);
        assertThatThrownBy(() -> filter(null, null, null, null, null, null, -1))
                .hasMessage("--partition must be >= 0, was -1");
        assertThat(DeadLetterFilter.parseReason("timeout")).isEqualTo(FailureReason.TIMEOUT);
        assertThatThrownBy(() -> DeadLetterFilter.parseReason("BROKEN"))
                .hasMessageStartingWith("--reason must be one of [HANDLER_ERROR, TIMEOUT,")
                .hasMessageEndingWith("was 'BROKEN'");
    }

    private static DeadLetterFilter filter(String batch, FailureReason reason, String error, Instant since,
            Instant until, String topic, Integer partition) {
        return new DeadLetterFilter(batch, reason, error, since, until, topic, partition);
    }
}
