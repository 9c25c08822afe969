package dev.fanout.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fanout.testkit.ManualClock;
import dev.fanout.worker.RateLimitSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GroupRateLimiterTest {

    private static final RateLimitSpec HUNDRED_PER_SECOND = new RateLimitSpec(100, Duration.ofSeconds(1));
    /** P' for a period of 1 s. */
    private static final Duration WINDOW = Duration.ofMillis(1050);
    private static final Duration MS = Duration.ofMillis(1);

    private final ManualClock clock = ManualClock.startingNow();

    @Test
    void theWindowIsThePeriodPlusAGuardOfFivePercentAtMostFiftyMillisecondsUnlessOneIsGiven() {
        assertThat(limiter().window()).isEqualTo(WINDOW);
        assertThat(new RateLimitSpec(10, Duration.ofMillis(200)).window()).isEqualTo(Duration.ofMillis(210));
        assertThat(new RateLimitSpec(10, Duration.ofMinutes(1)).window()).isEqualTo(Duration.ofMillis(60_050));
        assertThat(new RateLimitSpec(10, Duration.ofSeconds(1), Duration.ofMillis(100)).window())
                .isEqualTo(Duration.ofMillis(1100));
        assertThat(new RateLimitSpec(10, Duration.ofSeconds(1), Duration.ZERO).window()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aGuardLongerThanThePeriodIsRefusedWithTheRule() {
        assertThatThrownBy(() -> new RateLimitSpec(10, Duration.ofSeconds(1), Duration.ofSeconds(2)))
                .hasMessage("rateLimiters.<name>.guard must be between 0 and the period (PT1S), was PT2S");
    }

    @Test
    void aLargerGuardLengthensTheWindowAndSoSpacesTheSameSharePermitsFurtherApart() {
        GroupRateLimiter limiter = new GroupRateLimiter("api",
                new RateLimitSpec(100, Duration.ofSeconds(1), Duration.ofMillis(100)), clock);
        limiter.rebalance(Set.of(0), 2);
        clock.advance(limiter.window());
        Demand demand = new Demand(limiter, Duration.ZERO);

        run(Duration.ofSeconds(5), MS, demand);

        assertThat(mostInAnyWindow(demand.uses, Duration.ofMillis(1100))).isEqualTo(50);
        assertThat(mostInAnyWindow(demand.uses, Duration.ofSeconds(1))).as("50 x 1000/1100, rounded up")
                .isEqualTo(46);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 8, 99, 100, 101, 1000})
    void partitionSharesAddUpToTheLimitAndEachRunOfPartitionsGetsItsProportionalShareRounded(int limit) {
        for (int total = 1; total <= 24; total++) {
            int all = total;
            assertThat(IntStream.range(0, total).map(i -> GroupRateLimiter.shareOfPartition(limit, i, all)).sum())
                    .as("limit %d over %d partitions", limit, total).isEqualTo(limit);
            for (int from = 0; from < total; from++) {
                for (int to = from + 1; to <= total; to++) {
                    int share = IntStream.range(from, to)
                            .map(i -> GroupRateLimiter.shareOfPartition(limit, i, all)).sum();
                    double exact = (double) limit * (to - from) / total;
                    assertThat(share).isBetween((int) Math.floor(exact), (int) Math.ceil(exact));
                }
            }
        }
    }

    @Test
    void aNewWorkerWaitsOneWindowAfterItsFirstAssignmentThenHasItsWholeShare() {
        GroupRateLimiter limiter = limiter();

        assertThat(limiter.rebalance(Set.of(0, 1, 2, 3, 4, 5, 6, 7), 8)).isEqualTo(100);

        assertThat(limiter.share()).isZero();
        assertThat(limiter.tryReserve()).isEmpty();
        clock.advance(WINDOW.minusNanos(1));
        assertThat(limiter.share()).isZero();
        clock.advance(Duration.ofNanos(1));
        assertThat(limiter.share()).isEqualTo(100);
        assertThat(limiter.tryReserve()).isPresent();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7})
    void saturatingDemandNeverExceedsTheShareInAnyWindowAndUsesAllOfIt(int stepMillis) {
        GroupRateLimiter limiter = limiterInForce(Set.of(0), 2); // 50 of 100
        Demand demand = new Demand(limiter, Duration.ZERO);
        Instant start = clock.instant();

        run(Duration.ofSeconds(12), Duration.ofMillis(stepMillis), demand);

        assertThat(mostInAnyWindow(demand.uses, WINDOW)).isEqualTo(50);
        long inTenWindows = demand.uses.stream()
                .filter(use -> use.isBefore(start.plus(WINDOW.multipliedBy(10)))).count();
        assertThat(inTenWindows).as("uses in 10 windows of P'").isGreaterThanOrEqualTo(495);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7})
    void usesSpreadEvenlyOverTheWindowRatherThanInBursts(int stepMillis) {
        GroupRateLimiter limiter = limiterInForce(Set.of(0), 2); // 50: one per 21 ms
        Demand demand = new Demand(limiter, Duration.ZERO);

        run(Duration.ofSeconds(5), Duration.ofMillis(stepMillis), demand);

        assertThat(mostInAnyWindow(demand.uses, Duration.ofMillis(21))).isEqualTo(1);
        assertThat(mostInAnyWindow(demand.uses, Duration.ofSeconds(1))).as("50 x 1000/1050, rounded up")
                .isEqualTo(48);
    }

    @Test
    void aLimiterWokenLateKeepsItsPaceAndOneIdleForAWhileDoesNotBurst() {
        GroupRateLimiter limiter = limiterInForce(Set.of(0), 2); // one per 21 ms
        Demand demand = new Demand(limiter, Duration.ZERO);
        demand.take();
        clock.advance(Duration.ofMillis(21 + 15)); // woken 15 ms late
        demand.take();
        clock.advance(Duration.ofMillis(6)); // the next slot stays at 42 ms
        demand.take();
        assertThat(demand.uses).hasSize(3);

        clock.advance(Duration.ofMillis(300)); // idle
        demand.take();
        demand.take();
        assertThat(demand.uses).as("one use after the idle time, not a burst").hasSize(4);
        clock.advance(Duration.ofMillis(20));
        demand.take();
        assertThat(demand.uses).hasSize(4);
        clock.advance(MS);
        demand.take();
        assertThat(demand.uses).hasSize(5);
    }

    @Test
    void whileTheShareStaysTheSameAReservedPermitIsNeverKeptWaitingWhenItsHandlerStarts() {
        GroupRateLimiter limiter = limiterInForce(Set.of(0), 2);
        Demand demand = new Demand(limiter, Duration.ofMillis(30)); // the time it takes to get the bulkheads

        run(Duration.ofSeconds(5), MS, demand);

        assertThat(demand.waitedUses).isZero();
        assertThat(mostInAnyWindow(demand.uses, WINDOW)).isEqualTo(50);
    }

    @Test
    void aShareDecreaseIsInForceAtOnce() {
        GroupRateLimiter limiter = limiterInForce(Set.of(0, 1, 2), 6); // 50
        Demand demand = new Demand(limiter, Duration.ofMillis(30)); // permits held while queueing for a bulkhead
        run(Duration.ofSeconds(3), MS, demand);
        Instant decrease = clock.instant();

        assertThat(limiter.rebalance(Set.of(0), 6)).isEqualTo(16);

        assertThat(limiter.share()).isEqualTo(16);
        run(Duration.ofSeconds(4), MS, demand);
        List<Instant> after = demand.uses.stream().filter(use -> !use.isBefore(decrease)).toList();
        assertThat(after).isNotEmpty();
        for (Instant use : after) {
            assertThat(usesIn(demand.uses, use.minus(WINDOW), use)).as("uses in the window ending at %s", use)
                    .isLessThanOrEqualTo(16);
        }
        assertThat(usesIn(demand.uses, clock.instant().minus(WINDOW), clock.instant())).isGreaterThanOrEqualTo(14);
    }

    @Test
    void aShareIncreaseIsInForceOnlyOneWindowAfterIt() {
        GroupRateLimiter limiter = limiterInForce(Set.of(0), 6); // 16
        Demand demand = new Demand(limiter, Duration.ZERO);
        run(Duration.ofSeconds(3), MS, demand);
        Instant increase = clock.instant();

        assertThat(limiter.rebalance(Set.of(0, 1, 2), 6)).isEqualTo(50);

        run(WINDOW.minus(MS), MS, demand);
        assertThat(limiter.share()).isEqualTo(16);
        Instant inForce = increase.plus(WINDOW);
        for (Instant use : demand.uses) {
            assertThat(usesIn(demand.uses, use.minus(WINDOW), use)).isLessThanOrEqualTo(16);
        }
        run(WINDOW.multipliedBy(3), MS, demand);
        assertThat(limiter.share()).isEqualTo(50);
        assertThat(mostInAnyWindow(demand.uses, WINDOW)).isEqualTo(50);
        assertThat(demand.uses).filteredOn(use -> use.isAfter(increase) && use.isBefore(inForce))
                .hasSizeLessThanOrEqualTo(16);
        Instant end = clock.instant();
        assertThat(usesIn(demand.uses, end.minus(WINDOW), end)).isGreaterThanOrEqualTo(49);
    }

    @Test
    void partitionsHandedFromOneSaturatedWorkerToAnotherCountThereOnlyAfterTheWindow() {
        GroupRateLimiter giving = limiter();
        GroupRateLimiter taking = limiter();
        giving.rebalance(Set.of(0, 1), 2);
        List<Demand> group = Stream.of(giving, taking).map(limiter -> new Demand(limiter, Duration.ZERO)).toList();
        run(Duration.ofSeconds(3), MS, group);

        giving.rebalance(Set.of(), 2);
        taking.rebalance(Set.of(0, 1), 2);
        run(Duration.ofSeconds(4), MS, group);

        List<Instant> all = group.stream().flatMap(demand -> demand.uses.stream()).sorted().toList();
        assertThat(mostInAnyWindow(all, WINDOW)).isEqualTo(100);
        assertThat(group.get(1).uses).hasSizeGreaterThan(200);
    }

    /**
     * Six partitions: the first two workers own 0-2 and 3-5; the joining worker sorts first or last among the
     * members, so the range assignor gives it 0-1 or 4-5 and the others move up or down.
     */
    @ParameterizedTest(name = "the joining worker sorts {0}, permits held {1} ms")
    @CsvSource({"first, 0", "first, 30", "last, 0", "last, 5", "last, 30"})
    void aJoiningWorkerAndTwoOthersNeverExceedTheGroupLimitAcrossTheRebalance(String position, int holdMillis) {
        GroupRateLimiter first = limiter();
        GroupRateLimiter second = limiter();
        GroupRateLimiter third = limiter();
        first.rebalance(Set.of(0, 1, 2), 6);
        second.rebalance(Set.of(3, 4, 5), 6);
        List<Demand> group = Stream.of(first, second, third)
                .map(limiter -> new Demand(limiter, Duration.ofMillis(holdMillis))).toList();
        run(Duration.ofSeconds(4), MS, group);

        // the hand-over under the consumer protocol: each revocation before the assignment of what it frees
        if (position.equals("last")) {
            first.rebalance(Set.of(0, 1), 6);
            run(Duration.ofMillis(40), MS, group);
            second.rebalance(Set.of(3), 6);
            run(Duration.ofMillis(120), MS, group);
            second.rebalance(Set.of(2, 3), 6);
            run(Duration.ofMillis(15), MS, group);
            third.rebalance(Set.of(4, 5), 6);
        } else {
            first.rebalance(Set.of(2), 6);
            second.rebalance(Set.of(4, 5), 6);
            run(Duration.ofMillis(60), MS, group);
            third.rebalance(Set.of(0, 1), 6);
            run(Duration.ofMillis(10), MS, group);
            first.rebalance(Set.of(2, 3), 6);
        }
        run(Duration.ofSeconds(5), MS, group);

        List<Instant> all = group.stream().flatMap(demand -> demand.uses.stream()).sorted().toList();
        assertThat(mostInAnyWindow(all, WINDOW)).isLessThanOrEqualTo(100);
        assertThat(group.get(2).uses).as("the joining worker took part").isNotEmpty();
        Instant end = clock.instant();
        assertThat(usesIn(all, end.minus(WINDOW), end)).as("the whole limit in use again")
                .isGreaterThanOrEqualTo(holdMillis == 0 ? 98 : 95);
    }

    @Test
    void aWaitingReserverParksAndGoesOnWhenTheClockReachesItsTurn() {
        GroupRateLimiter limiter = new GroupRateLimiter("api", new RateLimitSpec(1, Duration.ofMillis(100)), clock);
        limiter.rebalance(Set.of(0), 1);
        clock.advance(Duration.ofMillis(105));
        limiter.tryReserve().orElseThrow().tryUse();

        Thread waiter = Thread.ofVirtual().start(() -> {
            try (GroupRateLimiter.Reservation reservation = limiter.reserve()) {
                reservation.use();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        await().until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
        assertThat(waiter.isAlive()).isTrue();
        clock.advance(Duration.ofMillis(105));
        await().atMost(Duration.ofSeconds(5)).until(() -> !waiter.isAlive());
    }

    @Test
    void aReservationGivenBackUnusedLetsTheNextOneIn() {
        GroupRateLimiter limiter = limiterInForce(Set.of(0), 100); // 1 permit
        GroupRateLimiter.Reservation unused = limiter.tryReserve().orElseThrow();
        clock.advance(WINDOW);
        assertThat(limiter.tryReserve()).as("the reservation holds the only permit").isEmpty();

        unused.close();
        unused.close();

        assertThat(limiter.tryReserve()).isPresent();
    }

    @Test
    void anInterruptedReserverStopsWaitingWithAnExceptionNamingTheLimiterAndReservesNothing() throws Exception {
        GroupRateLimiter limiter = limiter(); // share 0: waits until interrupted
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                limiter.reserve();
                thrown.complete(null);
            } catch (InterruptedException e) {
                thrown.complete(e);
            }
        });
        await().until(() -> waiter.getState() == Thread.State.TIMED_WAITING);

        waiter.interrupt();

        assertThat(thrown.get()).isInstanceOf(InterruptedException.class)
                .hasMessage("interrupted waiting for a reservation of rate limiter api");
        limiter.rebalance(Set.of(0), 1);
        clock.advance(WINDOW);
        assertThat(limiter.tryReserve()).as("nothing was left reserved").isPresent();
    }

    @Test
    void anInterruptedUseAfterADecreaseThrowsAndItsReservationIsGivenBackOnClose() throws Exception {
        GroupRateLimiter limiter = limiterInForce(Set.of(0, 1), 2); // 100: one per 10.5 ms
        limiter.tryReserve().orElseThrow().tryUse();
        clock.advance(Duration.ofMillis(11));
        GroupRateLimiter.Reservation second = limiter.tryReserve().orElseThrow();
        limiter.rebalance(Set.of(), 2); // share 0: the second reservation cannot be used
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Thread user = Thread.ofVirtual().start(() -> {
            try (GroupRateLimiter.Reservation reservation = second) {
                reservation.use();
                thrown.complete(null);
            } catch (InterruptedException e) {
                thrown.complete(e);
            }
        });
        await().until(() -> user.getState() == Thread.State.TIMED_WAITING);

        user.interrupt();

        assertThat(thrown.get()).isInstanceOf(InterruptedException.class)
                .hasMessage("interrupted waiting for its permit of rate limiter api");
        limiter.rebalance(Set.of(0, 1), 2);
        clock.advance(WINDOW);
        List<GroupRateLimiter.Reservation> held = new ArrayList<>();
        Instant end = clock.instant().plus(WINDOW);
        while (clock.instant().isBefore(end)) {
            limiter.tryReserve().ifPresent(held::add);
            clock.advance(MS);
        }
        assertThat(held).as("all 100 permits free again").hasSize(100);
    }

    @Test
    void aThreadInterruptedBeforeItAsksDoesNotWaitAndKeepsNoReservation() {
        GroupRateLimiter limiter = limiterInForce(Set.of(0), 1);
        Thread.currentThread().interrupt();

        assertThatThrownBy(limiter::reserve).isInstanceOf(InterruptedException.class)
                .hasMessageContaining("rate limiter api");

        assertThat(Thread.interrupted()).as("the flag is consumed by the exception, as the JDK's waits do").isFalse();
        assertThat(limiter.tryReserve()).isPresent();
    }

    private GroupRateLimiter limiter() {
        return new GroupRateLimiter("api", HUNDRED_PER_SECOND, clock);
    }

    /** A limiter whose share of these partitions is already in force. */
    private GroupRateLimiter limiterInForce(Set<Integer> owned, int total) {
        GroupRateLimiter limiter = limiter();
        limiter.rebalance(owned, total);
        clock.advance(WINDOW);
        return limiter;
    }

    private void run(Duration length, Duration step, Demand demand) {
        run(length, step, List.of(demand));
    }

    /** Moves the clock in steps, each demand taking every permit it can at each step. */
    private void run(Duration length, Duration step, Collection<Demand> demands) {
        Instant end = clock.instant().plus(length);
        while (clock.instant().isBefore(end)) {
            demands.forEach(Demand::take);
            clock.advance(step);
        }
    }

    /** The most uses in any window {@code [t, t + length)}, t a use (which is the most in any window at all). */
    static int mostInAnyWindow(List<Instant> sorted, Duration length) {
        int most = 0;
        int end = 0;
        for (int start = 0; start < sorted.size(); start++) {
            Instant limit = sorted.get(start).plus(length);
            while (end < sorted.size() && sorted.get(end).isBefore(limit)) {
                end++;
            }
            most = Math.max(most, end - start);
        }
        return most;
    }

    /** Uses in {@code (from, to]}. */
    private static long usesIn(List<Instant> uses, Instant from, Instant to) {
        return uses.stream().filter(use -> use.isAfter(from) && !use.isAfter(to)).count();
    }

    /**
     * Saturating demand on one limiter: it reserves every permit it can and uses each one {@code hold} later (the
     * time an item spends getting its bulkhead slots), or as soon after as it may.
     */
    private final class Demand {
        private final GroupRateLimiter limiter;
        private final Duration hold;
        private final ArrayDeque<Held> held = new ArrayDeque<>();
        final List<Instant> uses = new ArrayList<>();
        /** Times a reservation due for use had to wait. */
        int waitedUses;

        private record Held(GroupRateLimiter.Reservation reservation, Instant at) {
        }

        Demand(GroupRateLimiter limiter, Duration hold) {
            this.limiter = limiter;
            this.hold = hold;
        }

        void take() {
            useDue();
            for (var next = limiter.tryReserve(); next.isPresent(); next = limiter.tryReserve()) {
                held.add(new Held(next.get(), clock.instant()));
            }
            useDue();
        }

        private void useDue() {
            Instant now = clock.instant();
            while (!held.isEmpty() && !held.peek().at().plus(hold).isAfter(now)) {
                if (!held.peek().reservation().tryUse()) {
                    waitedUses++;
                    return;
                }
                held.remove();
                uses.add(now);
            }
        }
    }
}
