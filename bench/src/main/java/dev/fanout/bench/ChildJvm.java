package dev.fanout.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a main class in a child JVM with this JVM's classpath and a heap cap, and returns its standard output lines.
 * The child is killed if this JVM exits first.
 */
final class ChildJvm {

    private ChildJvm() {
    }

    static List<String> run(String maxHeap, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap, "-XX:+UseG1GC", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        Process process;
        try {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + mainClass, e);
        }
        Thread killer = new Thread(process::destroyForcibly, "kill-" + mainClass);
        Runtime.getRuntime().addShutdownHook(killer);
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lines.add(line);
            }
            int code = process.waitFor();
            if (code != 0) {
                throw new IllegalStateException(mainClass + " exited with " + code + "; its output:\n"
                        + String.join("\n", lines));
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + mainClass + " ran", e);
        } finally {
            Runtime.getRuntime().removeShutdownHook(killer);
        }
    }
}
