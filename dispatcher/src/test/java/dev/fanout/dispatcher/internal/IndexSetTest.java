package dev.fanout.dispatcher.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IndexSetTest {

    @Test
    void indexesAreAddedOnceAcrossPages() {
        IndexSet set = new IndexSet();

        assertThat(set.add(0)).isTrue();
        assertThat(set.add(65_535)).isTrue();
        assertThat(set.add(65_536)).isTrue();
        assertThat(set.add(5_000_000_000L)).isTrue();
        assertThat(set.add(65_536)).isFalse();

        assertThat(set.size()).isEqualTo(4);
        assertThat(set.contains(65_536)).isTrue();
        assertThat(set.contains(65_537)).isFalse();
        assertThat(set.contains(7_000_000_000L)).isFalse();
    }

    @Test
    void aNegativeIndexIsRefused() {
        assertThatThrownBy(() -> new IndexSet().add(-1)).hasMessage("an item index is >= 0, was -1");
    }
}
