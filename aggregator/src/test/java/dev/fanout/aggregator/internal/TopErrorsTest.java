package dev.fanout.aggregator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.protocol.BatchResult.ErrorCount;
import org.junit.jupiter.api.Test;

class TopErrorsTest {

    @Test
    void typesAreListedMostFrequentFirstWithTheirFirstMessageAsExample() {
        TopErrors errors = new TopErrors();
        errors.record("Timeout", "slow 1");
        errors.record("Boom", "boom 1");
        errors.record("Boom", "boom 2");

        assertThat(errors.top()).containsExactly(
                new ErrorCount("Boom", 2, "boom 1"),
                new ErrorCount("Timeout", 1, "slow 1"));
    }

    @Test
    void typesBeyondTheCapAreCountedTogether() {
        TopErrors errors = new TopErrors();
        for (int i = 0; i < TopErrors.MAX_TYPES + 5; i++) {
            errors.record("Type" + i, "message " + i);
        }

        assertThat(errors.top()).hasSize(TopErrors.MAX_TYPES + 1);
        assertThat(errors.top().getFirst())
                .isEqualTo(new ErrorCount(TopErrors.OTHER, 5, "Type20: message 20"));
    }

    @Test
    void aForgottenErrorLeavesTheListAtZeroButKeepsItsPlaceSoATypeCountedAsOtherIsForgottenFromThere() {
        TopErrors errors = new TopErrors();
        for (int i = 0; i < TopErrors.MAX_TYPES + 1; i++) {
            errors.record("Type" + i, "message " + i);
        }
        errors.forget("Type0");
        errors.record("Type0", "again");
        errors.forget("Type20");
        errors.forget("Never");
        JsonSerde<TopErrors> serde = new JsonSerde<>(TopErrors.class);

        TopErrors copy = serde.deserializer().deserialize("t", serde.serializer().serialize("t", errors));
        copy.forget("Type0");
        copy.record("Type21", "new");

        assertThat(errors.top()).hasSize(TopErrors.MAX_TYPES).contains(new ErrorCount("Type0", 1, "again"))
                .noneMatch(entry -> entry.type().equals(TopErrors.OTHER));
        assertThat(copy.top()).hasSize(TopErrors.MAX_TYPES)
                .contains(new ErrorCount(TopErrors.OTHER, 1, "Type21: new"))
                .noneMatch(entry -> entry.type().equals("Type0"));
    }

    @Test
    void topErrorsSurviveTheirJsonRoundTrip() {
        TopErrors errors = new TopErrors();
        errors.record("Boom", "boom");
        JsonSerde<TopErrors> serde = new JsonSerde<>(TopErrors.class);

        TopErrors copy = serde.deserializer().deserialize("t", serde.serializer().serialize("t", errors));

        assertThat(copy.top()).containsExactly(new ErrorCount("Boom", 1, "boom"));
    }
}
