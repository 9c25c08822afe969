package dev.fanout.cli;

import dev.fanout.broker.BrokerStartException;
import dev.fanout.broker.EmbeddedKafkaBroker;
import dev.fanout.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fanout}: the one command-line entry point. */
@Command(name = "fanout", mixinStandardHelpOptions = true, versionProvider = FanoutCommand.Version.class,
        description = "Kafka-native batch processing: fan a batch out to workers, dead-letter what fails, fan in.",
        subcommands = {
            DemoCommand.class, BrokerCommand.class, DispatchCommand.class, WorkerCommand.class, WorkersCommand.class,
            AggregatorCommand.class, StatusCommand.class, ScalingCommand.class, SignalCommand.Pause.class,
            SignalCommand.Resume.class, SignalCommand.Cancel.class, DlqCommand.class, VerifyCommand.class,
            CommandLine.HelpCommand.class
        })
public final class FanoutCommand implements Runnable {

    /** Exit code for invalid input or configuration. */
    public static final int EXIT_INVALID = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code (for tests). */
    public static int execute(String... args) {
        CommandLine commandLine = new CommandLine(new FanoutCommand());
        commandLine.setExecutionExceptionHandler((error, line, parsed) -> {
            if (error instanceof ConfigException || error instanceof BrokerStartException
                    || error instanceof IllegalArgumentException) {
                line.getErr().println("fanout: " + error.getMessage());
                return EXIT_INVALID;
            }
            if (error instanceof CommandFailedException) {
                line.getErr().println("fanout: " + error.getMessage());
                return 1;
            }
            line.getErr().println("fanout: " + error);
            error.printStackTrace(line.getErr());
            return 1;
        });
        return commandLine.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Prints Fanout's and Kafka's versions. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = FanoutCommand.class.getPackage().getImplementationVersion();
            return new String[] {
                "fanout " + (version == null ? "(development build)" : version),
                "Apache Kafka " + EmbeddedKafkaBroker.kafkaVersion() + ", Java " + Runtime.version()
            };
        }
    }
}
