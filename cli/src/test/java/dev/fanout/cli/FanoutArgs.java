package dev.fanout.cli;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * A {@code fanout} command line as deployment files give it, parsed by the real command: parsing fails on an
 * unknown command, an unknown flag or a flag without its value.
 *
 * @param command the subcommand path, e.g. {@code worker} or {@code scaling advise}
 * @param flags   each flag given, with its value ({@code ""} for a switch)
 */
record FanoutArgs(String command, Map<String, String> flags) {

    static FanoutArgs parse(List<String> args) {
        ParseResult result = new CommandLine(new FanoutCommand()).parseArgs(args.toArray(String[]::new));
        StringBuilder command = new StringBuilder();
        Map<String, String> flags = new TreeMap<>();
        for (ParseResult at = result.subcommand(); at != null; at = at.subcommand()) {
            command.append(command.isEmpty() ? "" : " ").append(at.commandSpec().name());
            for (CommandLine.Model.OptionSpec option : at.matchedOptions()) {
                Object value = option.getValue();
                flags.put(option.longestName(), option.arity().max() == 0 ? "" : String.valueOf(value));
            }
        }
        return new FanoutArgs(command.toString(), flags);
    }

    /** {@code fanout worker ...} parsed into the real command, whose configuration a test can then load. */
    static WorkerCommand worker(List<String> args) {
        ParseResult result = new CommandLine(new FanoutCommand()).parseArgs(args.toArray(String[]::new));
        if (result.subcommand() == null || !(result.subcommand().commandSpec().userObject() instanceof WorkerCommand worker)) {
            throw new AssertionError("not a fanout worker command: " + args);
        }
        return worker;
    }

    /** The flags of a command, all of its names: what a deployment file may pass to it. */
    static Set<String> flagsOf(String command) {
        CommandLine line = new CommandLine(new FanoutCommand());
        for (String part : command.split(" ")) {
            line = line.getSubcommands().get(part);
        }
        Set<String> names = new TreeSet<>();
        line.getCommandSpec().options().forEach(option -> names.addAll(List.of(option.names())));
        return names;
    }
}
