package dev.baton.core.internal;

import dev.baton.testing.InMemoryTelemetry;
import dev.baton.core.BatonTracing;
import dev.baton.core.InboundPolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Settings built from a map without {@code baton.opentelemetry} follow {@code GlobalOpenTelemetry}:
 * found when a message passes, never locked, and a missing or no-op instance said once at WARNING.
 */
class GlobalOpenTelemetryTest {

  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String SPAN_ID = "00f067aa0ba902b7";

  final InMemoryTelemetry otel = InMemoryTelemetry.create();
  final List<LogRecord> warnings = new ArrayList<>();
  final Logger logger = Logger.getLogger("dev.baton");
  final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
            synchronized (warnings) {
              warnings.add(record);
            }
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void setUp() {
    GlobalOpenTelemetry.resetForTest();
    GlobalTelemetry.resetWarnings();
    logger.addHandler(capture);
  }

  @AfterEach
  void tearDown() {
    logger.removeHandler(capture);
    GlobalOpenTelemetry.resetForTest();
    GlobalTelemetry.resetWarnings();
  }

  static BatonTracing fromEmptyMap() {
    return ConfigReader.of(Map.of(), Set.of()).batonTracing();
  }

  /** Starts and ends a span the way a transport does per message; returns whether it recorded. */
  static boolean messagePasses(BatonTracing baton) {
    Span span = Spans.tracer(baton.resolved(), "dev.baton.test").spanBuilder("process t").startSpan();
    boolean recording = span.isRecording();
    span.end();
    return recording;
  }

  @Test
  void registeredBeforeTheSettingsAreBuilt() {
    GlobalOpenTelemetry.set(otel.openTelemetry());
    BatonTracing baton = fromEmptyMap();

    assertThat(messagePasses(baton)).isTrue();
    assertThat(otel.spans()).hasSize(1);
    assertThat(warnings).isEmpty();
  }

  @Test
  void registeredAfterTheSettingsAreBuiltBeforeTheFirstMessage() {
    BatonTracing baton = fromEmptyMap();
    assertThat(baton.toString()).startsWith("BatonTracing{global, ");
    assertThat(GlobalOpenTelemetry.isSet()).as("building the settings does not lock the global").isFalse();

    GlobalOpenTelemetry.set(otel.openTelemetry());

    assertThat(messagePasses(baton)).isTrue();
    assertThat(otel.spans()).hasSize(1);
    assertThat(baton.resolved()).isSameAs(baton.resolved()).isNotSameAs(baton);
    assertThat(warnings).isEmpty();
  }

  @Test
  void registeredAfterTheFirstMessage() {
    BatonTracing baton = fromEmptyMap();
    assertThat(messagePasses(baton)).isFalse();
    assertThat(messagePasses(baton)).isFalse();
    assertThat(warnings).hasSize(1);

    GlobalOpenTelemetry.set(otel.openTelemetry()); // does not throw: nothing locked the global

    assertThat(messagePasses(baton)).isTrue();
    assertThat(otel.spans()).hasSize(1);
    assertThat(baton.openTelemetry().getTracerProvider()).isSameAs(otel.openTelemetry().getTracerProvider());
    assertThat(warnings).hasSize(1);
  }

  @Test
  void neverRegistered() {
    BatonTracing baton = fromEmptyMap();
    Propagation<TestCarrier> propagation = Propagation.of(baton, TestCarrier.ADAPTER);
    Context remote =
        Context.root()
            .with(
                Span.wrap(
                    SpanContext.createFromRemoteParent(
                        TRACE_ID, SPAN_ID, TraceFlags.getSampled(), TraceState.getDefault())));

    for (int i = 0; i < 3; i++) {
      assertThat(messagePasses(baton)).isFalse();
      TestCarrier untouched = new TestCarrier();
      propagation.inject(Context.root(), untouched);
      assertThat(untouched.fields).as("nothing to propagate: nothing written").isEmpty();
      TestCarrier passedOn = new TestCarrier();
      propagation.inject(remote, passedOn);
      assertThat(passedOn.only("traceparent")).isEqualTo("00-" + TRACE_ID + "-" + SPAN_ID + "-01");
    }

    assertThat(warnings).hasSize(1);
    LogRecord warning = warnings.get(0);
    assertThat(warning.getLevel()).isEqualTo(Level.WARNING);
    assertThat(warning.getMessage())
        .contains("no OpenTelemetry instance is registered")
        .contains("buildAndRegisterGlobal()")
        .contains("otel.java.global-autoconfigure.enabled=true")
        .contains("baton.opentelemetry");
    assertThat(GlobalOpenTelemetry.isSet()).isFalse();
    assertThatCode(() -> GlobalOpenTelemetry.set(otel.openTelemetry())).doesNotThrowAnyException();
  }

  @Test
  void aNoopGlobalIsSaidOnce() {
    GlobalOpenTelemetry.get(); // somebody asked too early: the global is now a no-op, for good
    BatonTracing baton = fromEmptyMap();

    assertThat(messagePasses(baton)).isFalse();
    assertThat(messagePasses(baton)).isFalse();

    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).getMessage())
        .contains("is a no-op one")
        .contains("before anything calls GlobalOpenTelemetry.get()");
  }

  @Test
  void anExplicitInstanceIsUsedAsItIs() {
    OpenTelemetry noop = OpenTelemetry.noop();
    BatonTracing baton =
        ConfigReader.of(Map.of("baton.opentelemetry", noop), Set.of()).batonTracing();

    assertThat(baton.resolved()).isSameAs(baton);
    assertThat(baton.openTelemetry()).isSameAs(noop);
    assertThat(messagePasses(baton)).isFalse();
    assertThat(warnings).as("an instance the user chose is not second-guessed").isEmpty();
  }

  @Test
  void followingTheGlobalSurvivesTheMapForm() {
    BatonTracing baton = fromEmptyMap();
    assertThat(baton.config()).doesNotContainKey(BatonTracing.OPEN_TELEMETRY);
    BatonTracing copy = ConfigReader.of(baton.config(), Set.of()).batonTracing();

    GlobalOpenTelemetry.set(otel.openTelemetry());

    assertThat(messagePasses(copy)).isTrue();
  }

  @Test
  void autoconfigurationOptedIntoConfiguresTheSdkAtTheFirstMessage() {
    Map<String, String> props =
        Map.of(
            "otel.java.global-autoconfigure.enabled", "true",
            "otel.traces.exporter", "none",
            "otel.metrics.exporter", "none",
            "otel.logs.exporter", "none");
    props.forEach(System::setProperty);
    try {
      BatonTracing baton = fromEmptyMap();
      assertThat(GlobalOpenTelemetry.isSet()).isFalse();

      messagePasses(baton); // (with no exporter configured, the SDK has nothing to record for)

      assertThat(GlobalOpenTelemetry.isSet()).isTrue();
      assertThat(baton.resolved()).isNotSameAs(baton);
      assertThat(baton.openTelemetry().getTracerProvider().getClass().getName())
          .startsWith("io.opentelemetry.sdk.");
      assertThat(warnings).isEmpty();
    } finally {
      props.keySet().forEach(System::clearProperty);
    }
  }

  @Test
  void autoconfigurationOnTheClassPathButNotOptedIntoLocksNothing() {
    BatonTracing baton = fromEmptyMap();

    assertThat(messagePasses(baton)).isFalse();

    assertThat(GlobalOpenTelemetry.isSet()).isFalse();
    assertThat(warnings).hasSize(1);
  }
}
