package dev.fanout.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeededCasesTest {

    @Test
    void theSameSeedDrawsTheSameInputs() {
        String valid = "{\"a\":1,\"b\":{\"c\":\"x\"}}";
        for (long seed = 0; seed < 50; seed++) {
            assertThat(new HostileInputs(seed).variantOf(valid)).isEqualTo(new HostileInputs(seed).variantOf(valid));
        }
    }

    @Test
    void aFailingCaseNamesItsSeedAndItsInput() {
        assertThatThrownBy(() -> withSeedProperty(null, () -> SeededCases.check(100, 50,
                hostile -> hostile.between(0, 9), digit -> assertThat(digit).isNotEqualTo(7))))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("the case of seed 1")
                .hasMessageContaining("rerun only it with -Dfanout.seed=1")
                .hasMessageContaining("input: 7;");
    }

    @Test
    void theSeedPropertyRunsOnlyTheCaseOfThatSeed() {
        List<Integer> drawn = new ArrayList<>();
        withSeedProperty("4242", () -> SeededCases.check(0, 100, hostile -> hostile.between(0, 1_000_000),
                drawn::add));
        assertThat(drawn).containsExactly(new HostileInputs(4242).between(0, 1_000_000));
    }

    @Test
    void bytesOutsidePrintableAsciiAreShownAsHex() {
        assertThat(SeededCases.describe(new byte[] {'a', (byte) 0xC3, '\n'})).isEqualTo("a\\xC3\\x0A");
    }

    /** Runs {@code body} with the seed property set to {@code value} (or cleared), whatever the command line set. */
    private static void withSeedProperty(String value, Runnable body) {
        String before = System.getProperty(SeededCases.SEED_PROPERTY);
        set(value);
        try {
            body.run();
        } finally {
            set(before);
        }
    }

    private static void set(String value) {
        if (value == null) {
            System.clearProperty(SeededCases.SEED_PROPERTY);
        } else {
            System.setProperty(SeededCases.SEED_PROPERTY, value);
        }
    }
}
