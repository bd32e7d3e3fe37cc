package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.BatonTracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Extracting any header up to the cap costs time linear in its size.
 *
 * <p>The baggage parser is checked exactly: it reads each character of the header a bounded
 * number of times. The whole extraction (every W3C header, both public paths) is checked by time,
 * which means nothing in absolute terms on a shared machine, so a 1 MiB input is compared with a
 * 64 KiB one of the same shape, in this thread's CPU time: linear work takes about 16 times as long
 * (up to about 35 here, as 1 MiB does not fit the caches), quadratic work about 256 times. The
 * bound, 100, leaves room for noise and stays far from quadratic. Each time is the best of several
 * runs, after a warm-up.
 */
class LinearTimeTest {

  static final int SMALL = 64 << 10;
  static final int LARGE = 1 << 20;
  static final long MAX_RATIO = 100;
  static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  final BatonTracing baton =
      BatonTracing.builder(OpenTelemetry.noop()).headerMaxLength(LARGE).build();
  final Propagation<TestCarrier> propagation = Propagation.of(baton, TestCarrier.ADAPTER);
  final TextMapPropagator propagator = baton.propagator();

  /** Shapes that made the old parser search to the end of the header once per member. */
  @ParameterizedTest
  @ValueSource(strings = {"a,", "=,", "a=%,", "a=1;,", "k=v;p;", "k = v ; p = x ;", " \t,", "a=1,"})
  void theBaggageParserReadsEachCharacterABoundedNumberOfTimes(String unit) {
    CountingChars header = new CountingChars(fill(unit, LARGE));
    W3CBaggage.parse(header, BaggageFilter.ALL);
    assertThat(header.reads).as(unit).isLessThanOrEqualTo(4L * LARGE);
    // Members small enough to be parsed whole, properties included, none of them valid:
    CountingChars small = new CountingChars(fill("k = v ; p = x ; q = \"y\",", LARGE));
    W3CBaggage.parse(small, BaggageFilter.ALL);
    assertThat(small.reads).isLessThanOrEqualTo(4L * LARGE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a,", "=,", "a=%,", "a=1;,", "k=v;p;", "k = v ; p = x ;", " \t,", "a=1,"})
  void extractionCostGrowsLinearlyWithHeaderSize(String unit) {
    TestCarrier small = carrier(fill(unit, SMALL));
    TestCarrier large = carrier(fill(unit, LARGE));
    assertLinear(unit + " (transport path)", () -> propagation.extract(Context.root(), small),
        () -> propagation.extract(Context.root(), large));

    Map<String, String> smallMap = map(fill(unit, SMALL));
    Map<String, String> largeMap = map(fill(unit, LARGE));
    assertLinear(unit + " (propagator() path)",
        () -> propagator.extract(Context.root(), smallMap, PublicPropagatorTest.MAP_GETTER),
        () -> propagator.extract(Context.root(), largeMap, PublicPropagatorTest.MAP_GETTER));
  }

  private static void assertLinear(String what, Runnable small, Runnable large) {
    for (int i = 0; i < 10; i++) {
      small.run();
    }
    large.run();
    long smallNanos = Long.MAX_VALUE;
    long largeNanos = Long.MAX_VALUE;
    // Rounds alternate small and large runs, so a busy moment of the machine hits both.
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < 3; i++) {
        smallNanos = Math.min(smallNanos, time(small));
      }
      largeNanos = Math.min(largeNanos, time(large));
      long bound = MAX_RATIO * Math.max(smallNanos, 1);
      if (largeNanos < bound || largeNanos > 8 * bound) {
        break; // clearly linear, or far beyond any noise
      }
    }
    assertThat(largeNanos)
        .as("%s: 1 MiB took %d us, 64 KiB took %d us (ratio %d, linear is about 16)", what,
            largeNanos / 1000, smallNanos / 1000, largeNanos / Math.max(smallNanos, 1))
        .isLessThan(MAX_RATIO * Math.max(smallNanos, 1));
  }

  /** CPU time of this thread: other processes on a busy machine do not count. */
  private static long time(Runnable r) {
    long t0 = THREADS.getCurrentThreadCpuTime();
    r.run();
    return THREADS.getCurrentThreadCpuTime() - t0;
  }

  /** A header that counts how often the parser reads one of its characters. */
  static final class CountingChars implements CharSequence {
    private final String s;
    long reads;

    CountingChars(String s) {
      this.s = s;
    }

    @Override
    public int length() {
      return s.length();
    }

    @Override
    public char charAt(int index) {
      reads++;
      return s.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      reads += end - start;
      return s.subSequence(start, end);
    }

    @Override
    public String toString() {
      return s;
    }
  }

  private static String fill(String unit, int size) {
    StringBuilder sb = new StringBuilder(size);
    while (sb.length() < size) {
      sb.append(unit);
    }
    sb.setLength(size);
    return sb.toString();
  }

  private static TestCarrier carrier(String value) {
    return new TestCarrier()
        .add("traceparent", value)
        .add("tracestate", value)
        .add("baggage", value);
  }

  private static Map<String, String> map(String value) {
    Map<String, String> m = new HashMap<>();
    m.put("traceparent", value);
    m.put("tracestate", value);
    m.put("baggage", value);
    return m;
  }
}
