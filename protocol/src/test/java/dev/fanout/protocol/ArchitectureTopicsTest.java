package dev.fanout.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/ARCHITECTURE.md names exactly the topics {@link Topics} makes, in its topic table and in its diagram of who
 * writes and reads each, so the page cannot drift from the code.
 */
class ArchitectureTopicsTest {

    private static final Path PAGE = Path.of("..", "docs", "ARCHITECTURE.md");
    private static final String PREFIX = "<p>";
    private static final Pattern TABLE_TOPIC = Pattern.compile("`<p>([a-z0-9.-]+)`");

    private static List<String> page;

    @BeforeAll
    static void readPage() throws Exception {
        page = Files.readAllLines(PAGE);
    }

    @Test
    void theTopicTableNamesEveryTopicOfTopicsAndNoOther() {
        Set<String> documented = new LinkedHashSet<>();
        for (String row : tableRows()) {
            Matcher topic = TABLE_TOPIC.matcher(row.substring(0, row.indexOf(" | ", 2)));
            while (topic.find()) {
                documented.add(PREFIX + topic.group(1));
            }
        }

        assertThat(documented).containsExactlyInAnyOrderElementsOf(topicNames());
    }

    @Test
    void everyRowOfTheTopicTableSaysWhoWritesAndWhoReads() {
        for (String row : tableRows()) {
            String[] cells = row.split("(?<!\\\\)\\|");
            assertThat(cells).as(row).hasSize(7); // a leading empty cell, then six columns
            assertThat(cells[5].strip()).as("written by, in " + row).isNotEmpty();
            assertThat(cells[6].strip()).as("read by, in " + row).isNotEmpty();
        }
    }

    @Test
    void theDiagramHasOneLineForEachTopicOfTopicsAndForChainTopics() {
        List<String> diagramTopics = new ArrayList<>();
        for (String line : diagram()) {
            String[] parts = line.split("▶");
            if (parts.length == 3) { // writers ──▶ topic ──▶ readers
                diagramTopics.add(parts[1].replaceAll("─", "").replaceAll("\\(.*\\)", "").strip());
            }
        }
        Set<String> expected = new LinkedHashSet<>();
        for (String name : topicNames()) {
            expected.add(diagramLabel(name.substring(PREFIX.length())));
        }
        expected.add("<onSuccess/onError topic>");

        assertThat(diagramTopics).containsExactlyInAnyOrderElementsOf(expected);
    }

    /** Every topic {@link Topics} makes, the replay ledger included, with the prefix written {@code <p>}. */
    private static Set<String> topicNames() {
        Topics topics = Topics.ofDefaults();
        Set<String> names = new LinkedHashSet<>();
        for (TopicDescriptor<?> topic : topics.all()) {
            names.add(PREFIX + topic.name().substring(topics.prefix().length()));
        }
        names.add(PREFIX + topics.deadLetterReplays().name().substring(topics.prefix().length()));
        return names;
    }

    /** The diagram draws the three lanes as {@code jobs.<lane>} and the three retry tiers as {@code retry.<tier>}. */
    private static String diagramLabel(String name) {
        if (name.startsWith("jobs.")) {
            return "jobs.<lane>";
        }
        if (name.startsWith("retry.")) {
            return "retry.<tier>";
        }
        return name;
    }

    private static List<String> tableRows() {
        int start = page.indexOf("## Topics");
        List<String> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : page.subList(start, page.size())) {
            if (line.startsWith("| topic |")) {
                inTable = true;
            } else if (inTable && line.startsWith("| ---")) {
                continue;
            } else if (inTable && line.startsWith("|")) {
                rows.add(line);
            } else if (inTable) {
                break;
            }
        }
        assertThat(rows).as("the topic table under ## Topics").isNotEmpty();
        return rows;
    }

    /** The code block that follows "Every topic, with who writes it and who reads it". */
    private static List<String> diagram() {
        int intro = -1;
        for (int i = 0; i < page.size(); i++) {
            if (page.get(i).startsWith("Every topic, with who writes it and who reads it")) {
                intro = i;
                break;
            }
        }
        assertThat(intro).as("the diagram of writers and readers").isNotNegative();
        int open = intro;
        while (!page.get(open).equals("```")) {
            open++;
        }
        int close = open + 1;
        while (!page.get(close).equals("```")) {
            close++;
        }
        return page.subList(open + 1, close);
    }
}
