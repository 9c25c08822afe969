package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.aggregator.AggregatorConfig;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Option;

class AggregatorCommandTest {

    @Test
    void eachFlagIsTheFlagOfAConfigPropertyOrOfTheDashboard() {
        Set<String> options = Arrays.stream(AggregatorCommand.class.getDeclaredFields())
                .filter(field -> field.isAnnotationPresent(Option.class))
                .flatMap(field -> Arrays.stream(optionNames(field))).collect(Collectors.toSet());

        Set<String> expected = AggregatorCommand.FLAG_PROPERTIES.stream().map(AggregatorConfig::flag)
                .collect(Collectors.toCollection(java.util.HashSet::new));
        expected.addAll(AggregatorCommand.DASHBOARD_FLAGS);
        assertThat(options).isEqualTo(expected);
        assertThat(AggregatorConfig.flag(AggregatorConfig.HTTP_PORT)).isEqualTo("--http-port");
    }

    @Test
    void anInvalidFlagIsNamedAsTheUserTypedIt() {
        CommandOutput port = CommandOutput.run("aggregator", "--http-port", "70000",
                "--bootstrap-servers", "127.0.0.1:1");
        CommandOutput standby = CommandOutput.run("aggregator", "--standby-replicas", "-1",
                "--bootstrap-servers", "127.0.0.1:1");

        assertThat(port.exitCode()).isEqualTo(FanoutCommand.EXIT_INVALID);
        assertThat(port.err()).contains("--http-port must be a port (0 for a free one, -1 for no results API),"
                + " was 70000").doesNotContain("httpPort");
        assertThat(standby.exitCode()).isEqualTo(FanoutCommand.EXIT_INVALID);
        assertThat(standby.err()).contains("--standby-replicas must be >= 0, was -1")
                .doesNotContain("standbyReplicas");
    }

    private static String[] optionNames(Field field) {
        return field.getAnnotation(Option.class).names();
    }
}
