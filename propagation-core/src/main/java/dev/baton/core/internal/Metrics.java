package dev.baton.core.internal;

import dev.baton.core.BatonTracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.DoubleHistogramBuilder;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterBuilder;
import io.opentelemetry.api.metrics.MeterProvider;
import java.time.Instant;
import java.util.List;

/**
 * What every transport's metrics share: finding the meter, deciding once whether anything would
 * be recorded, and building instruments with the bucket boundaries the conventions advise.
 *
 * <p>opentelemetry-api before 1.10 has no metrics API at all, and before 1.32 no bucket advice:
 * both are detected once, by reflection, and the missing part is skipped (no metrics; the SDK's
 * default buckets). No class here that names a metrics type is loaded on such an API, because
 * {@link #meter} answers {@code null} first and callers build nothing then.
 *
 * <p>Part of Baton's internal machinery: no compatibility promise. Thread-safe.
 */
final class Metrics {

  /**
   * The boundaries, in seconds, the conventions advise for {@code messaging.client.operation.duration},
   * {@code messaging.process.duration} and the RPC call durations (semantic conventions v1.44.0).
   */
  static final List<Double> DURATION_BUCKETS =
      List.of(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0);

  /**
   * Baton's own boundaries, in seconds, for {@code baton.messaging.wait.duration}: the advised
   * ones, then up to an hour, since a message may wait in a backlog far longer than any call takes.
   */
  static final List<Double> WAIT_BUCKETS =
      List.of(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
          30.0, 60.0, 300.0, 900.0, 3600.0);

  /** The unit of message counters. */
  static final String MESSAGES = "{message}";

  private static final boolean API = apiHasMetrics();
  private static final boolean ADVICE = API && apiHasAdvice();

  private Metrics() {}

  private static boolean apiHasMetrics() {
    try {
      Class.forName("io.opentelemetry.api.metrics.MeterProvider", false,
          OpenTelemetry.class.getClassLoader());
      OpenTelemetry.class.getMethod("getMeterProvider");
      return true;
    } catch (ClassNotFoundException | NoSuchMethodException | LinkageError e) {
      return false;
    }
  }

  private static boolean apiHasAdvice() {
    try {
      DoubleHistogramBuilder.class.getMethod("setExplicitBucketBoundariesAdvice", List.class);
      return true;
    } catch (NoSuchMethodException | LinkageError e) {
      return false;
    }
  }

  /**
   * Whether this opentelemetry-api has a metrics API at all (1.10 and later).
   *
   * @return whether metrics can be recorded
   */
  static boolean supported() {
    return API;
  }

  /**
   * Returns the meter of {@code scope} on {@code baton}'s {@code OpenTelemetry}, or {@code null}
   * when nothing would be recorded: metrics switched off, an API without metrics, the no-op meter
   * provider, or an SDK meter provider without a reader (which hands out the no-op meter). Called
   * once per settings, never per message.
   *
   * @param baton the settings in effect ({@code resolved()})
   * @param scope the instrumentation scope, such as {@code dev.baton.kafka}
   * @return the meter, or {@code null}
   */
  static Meter meter(BatonTracing baton, String scope) {
    if (!API || !baton.metricsEnabled()) {
      return null;
    }
    MeterProvider provider = baton.openTelemetry().getMeterProvider();
    MeterProvider noop = MeterProvider.noop();
    if (provider == null || provider == noop) {
      return null;
    }
    MeterBuilder b = provider.meterBuilder(scope).setSchemaUrl(BuildInfo.SCHEMA_URL);
    if (BuildInfo.VERSION != null) {
      b.setInstrumentationVersion(BuildInfo.VERSION);
    }
    Meter meter = b.build();
    return meter == noop.meterBuilder(scope).build() ? null : meter;
  }

  /** A histogram in seconds with the given advised boundaries (dropped on APIs before 1.32). */
  static DoubleHistogram seconds(
      Meter meter, String name, String description, List<Double> buckets) {
    DoubleHistogramBuilder b = meter.histogramBuilder(name).setUnit("s").setDescription(description);
    if (ADVICE) {
      b.setExplicitBucketBoundariesAdvice(buckets);
    }
    return b.build();
  }

  /** A counter of messages. */
  static LongCounter messages(Meter meter, String name, String description) {
    return meter.counterBuilder(name).setUnit(MESSAGES).setDescription(description).build();
  }

  /** Seconds since {@code startNanos}, a {@link System#nanoTime()} reading. */
  static double secondsSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** How long one pairing of the two clocks serves {@link #epochMillisAt}: one second. */
  static final long ANCHOR_NANOS = 1_000_000_000L;

  /** A reading of both clocks at (nearly) the same moment, the wall clock to the microsecond. */
  private static final class Anchor {
    final long nanos = System.nanoTime();
    final long epochNanos = epochNanos(Instant.now());

    private static long epochNanos(Instant now) {
      return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
  }

  private static volatile Anchor anchor = new Anchor();

  /**
   * The wall-clock time, epoch milliseconds, of {@code nanos} (a recent {@link System#nanoTime()}
   * reading), without reading the wall clock again: clock reads are the dearest part of a
   * message's metrics on some virtual machines, and the wait time needs wall-clock milliseconds
   * where the processing timer already read the monotonic clock. The pairing of the two clocks is
   * renewed when it is older than {@link #ANCHOR_NANOS}, so wall-clock adjustments show within a
   * second; a reading taken before the pairing (another thread renewed it meanwhile) is carried
   * back by the monotonic clock.
   */
  static long epochMillisAt(long nanos) {
    Anchor a = anchor;
    long since = nanos - a.nanos;
    if (since > ANCHOR_NANOS) {
      a = new Anchor();
      anchor = a;
      since = nanos - a.nanos;
    }
    return (a.epochNanos + since) / 1_000_000L;
  }
}
