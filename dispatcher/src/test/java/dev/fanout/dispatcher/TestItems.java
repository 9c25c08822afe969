package dev.fanout.dispatcher;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;

/** Item sources for dispatcher tests. */
final class TestItems {

    private TestItems() {
    }

    /** Items {@code {"n": i, "k": "k<i % keys>"}}, of known size. */
    static ItemSource numbered(int count, int keys) {
        return new ItemSource() {
            private int next;

            @Override
            public DispatchItem next() {
                if (next >= count) {
                    return null;
                }
                ObjectNode payload = JsonNodeFactory.instance.objectNode().put("n", next).put("k", "k" + next % keys);
                next++;
                return DispatchItem.of(payload);
            }

            @Override
            public OptionalLong size() {
                return OptionalLong.of(count);
            }

            @Override
            public void close() {
                // generated
            }
        };
    }

    /**
     * The first {@code count} items of {@code inner}, then a stall until {@code release} opens or the reading
     * thread is interrupted: a dispatcher that is killed while it waits for more input.
     */
    static ItemSource stallingAfter(int count, ItemSource inner, CountDownLatch release) {
        return new ItemSource() {
            private int given;

            @Override
            public DispatchItem next() {
                if (given++ == count) {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("killed while reading item " + count, e);
                    }
                }
                return inner.next();
            }

            @Override
            public OptionalLong size() {
                return OptionalLong.empty();
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }

    /** JSON Lines from text, as if from stdin. */
    static JsonLinesItems stdin(String lines) {
        return JsonLinesItems.of(new ByteArrayInputStream(lines.getBytes(StandardCharsets.UTF_8)), "stdin");
    }
}
