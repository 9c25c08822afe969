package dev.fanout.worker.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.handler.Item;
import dev.fanout.handler.PermanentException;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code {{name}}} placeholders filled from an item: {@code batchId}, {@code itemId}, {@code index}, {@code traceId},
 * or a field of the payload ({@code {{customer.id}}} reads {@code /customer/id}).
 */
final class Templates {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");

    private Templates() {
    }

    /**
     * @param encode applied to each substituted value (e.g. URL encoding)
     * @throws PermanentException naming the placeholder when the item has no such field
     */
    static String render(String template, Item item, UnaryOperator<String> encode) {
        Matcher matcher = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1);
            matcher.appendReplacement(out, Matcher.quoteReplacement(encode.apply(value(name, item))));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private static String value(String name, Item item) {
        switch (name) {
            case "batchId":
                return item.context().batchId();
            case "itemId":
                return item.context().itemId();
            case "index":
                return Long.toString(item.context().index());
            case "traceId":
                return item.context().traceId();
            default:
                JsonNode value = item.payload().at("/" + name.replace('.', '/'));
                if (value.isMissingNode() || value.isNull() || value.isContainerNode()) {
                    throw new PermanentException("the template needs '" + name
                            + "', which the item's payload does not have as a value");
                }
                return value.asText();
        }
    }
}
