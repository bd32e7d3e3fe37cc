package dev.baton.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Calls every {@code @Benchmark} method a few times, for every {@code @Param} value, the way JMH
 * would (states built, {@code @Setup} run, {@code @TearDown} run), so a benchmark that no longer
 * compiles against the libraries, throws, or leaks a context scope fails the normal build. No
 * timing is asserted; a few checks make sure each side really traces.
 */
class BenchmarkSmokeTest {

  private static final Blackhole BLACKHOLE =
      new Blackhole(
          "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

  @ParameterizedTest
  @ValueSource(
      classes = {
        PropagationBenchmark.class,
        KafkaHeadersBenchmark.class,
        KafkaProducerBenchmark.class,
        KafkaProducerThreadsBenchmark.class,
        KafkaConsumerBenchmark.class,
        GrpcBenchmark.class,
        AmqpPublishBenchmark.class,
        AmqpConsumeBenchmark.class
      })
  void everyBenchmarkMethodRuns(Class<?> benchmarkClass) throws Throwable {
    List<Method> methods = new ArrayList<>();
    for (Method m : benchmarkClass.getDeclaredMethods()) {
      if (m.isAnnotationPresent(Benchmark.class)) {
        methods.add(m);
      }
    }
    assertFalse(methods.isEmpty(), "no @Benchmark in " + benchmarkClass);
    methods.sort(Comparator.comparing(Method::getName));
    Object instance = benchmarkClass.getDeclaredConstructor().newInstance();
    for (Method m : methods) {
      for (List<String> combination : paramCombinations(m)) {
        runOnce(instance, m, combination);
      }
    }
  }

  /** Every combination of the {@code @Param} values of the states {@code m} takes. */
  private static List<List<String>> paramCombinations(Method m) {
    List<List<String>> combinations = new ArrayList<>();
    combinations.add(List.of());
    for (Class<?> type : m.getParameterTypes()) {
      for (Field f : paramFields(type)) {
        List<List<String>> next = new ArrayList<>();
        for (List<String> c : combinations) {
          for (String v : f.getAnnotation(Param.class).value()) {
            List<String> extended = new ArrayList<>(c);
            extended.add(v);
            next.add(extended);
          }
        }
        combinations = next;
      }
    }
    return combinations;
  }

  private static List<Field> paramFields(Class<?> type) {
    List<Field> fields = new ArrayList<>();
    for (Field f : type.getDeclaredFields()) {
      if (f.isAnnotationPresent(Param.class)) {
        fields.add(f);
      }
    }
    fields.sort(Comparator.comparing(Field::getName));
    return fields;
  }

  private static void runOnce(Object instance, Method m, List<String> params) throws Throwable {
    Class<?>[] types = m.getParameterTypes();
    Object[] args = new Object[types.length];
    List<Object> states = new ArrayList<>();
    int next = 0;
    for (int i = 0; i < types.length; i++) {
      if (types[i] == Blackhole.class) {
        args[i] = BLACKHOLE;
        continue;
      }
      assertNotNull(types[i].getAnnotation(State.class), types[i] + " is not a @State");
      Object state = types[i].getDeclaredConstructor().newInstance();
      for (Field f : paramFields(types[i])) {
        f.set(state, convert(f.getType(), params.get(next++)));
      }
      invokeAnnotated(state, Setup.class);
      states.add(state);
      args[i] = state;
    }
    String what = m.getDeclaringClass().getSimpleName() + "." + m.getName() + " " + params;
    try {
      for (int i = 0; i < 3; i++) {
        m.invoke(instance, args);
      }
    } catch (InvocationTargetException e) {
      throw new AssertionError(what + " threw", e.getCause());
    } finally {
      for (Object state : states) {
        invokeAnnotated(state, TearDown.class);
      }
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object convert(Class<?> type, String value) {
    if (type == String.class) {
      return value;
    }
    if (type.isEnum()) {
      return Enum.valueOf((Class) type, value);
    }
    if (type == int.class) {
      return Integer.parseInt(value);
    }
    throw new IllegalArgumentException("unsupported @Param type " + type);
  }

  private static void invokeAnnotated(Object state, Class<? extends java.lang.annotation.Annotation> a)
      throws Throwable {
    for (Method m : state.getClass().getMethods()) {
      if (m.isAnnotationPresent(a) && !Modifier.isStatic(m.getModifiers())) {
        try {
          m.invoke(state);
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
      }
    }
  }

  // ---- each side really traces ----

  @Test
  void propagationSidesAgree() {
    PropagationBenchmark b = new PropagationBenchmark();
    PropagationBenchmark.Propagators p = new PropagationBenchmark.Propagators();
    PropagationBenchmark.Outgoing baton = new PropagationBenchmark.Outgoing();
    PropagationBenchmark.Outgoing otel = new PropagationBenchmark.Outgoing();
    Map<String, String> batonHeaders = b.inject_baton(p, baton);
    Map<String, String> otelHeaders = b.inject_otel(p, otel);
    assertEquals(Fixtures.TRACEPARENT, batonHeaders.get("traceparent"));
    assertEquals(otelHeaders.keySet(), batonHeaders.keySet());
    assertEquals(otelHeaders.get("traceparent"), batonHeaders.get("traceparent"));

    PropagationBenchmark.Incoming valid = new PropagationBenchmark.Incoming();
    valid.headers = "valid";
    valid.setUp();
    assertTrue(
        io.opentelemetry.api.trace.Span.fromContext(b.extract_baton(p, valid))
            .getSpanContext()
            .isValid());
    assertTrue(
        io.opentelemetry.api.trace.Span.fromContext(b.extract_otel(p, valid))
            .getSpanContext()
            .isValid());
  }

  @Test
  void kafkaProducerEndsOneSpanPerRecordOnBothSides() {
    KafkaProducerBenchmark b = new KafkaProducerBenchmark();
    KafkaProducerBenchmark.Interceptors s = new KafkaProducerBenchmark.Interceptors();
    s.otel = Telemetry.Mode.SDK;
    s.setUp();
    try {
      ProducerRecord<Object, Object> sent = b.baton(s);
      assertEquals(1, s.telemetry.endedSpans(), "Baton ends its span on the acknowledgement");
      assertNotNull(sent.headers().lastHeader("traceparent"));
      sent = b.otel(s);
      assertEquals(2, s.telemetry.endedSpans());
      assertNotNull(sent.headers().lastHeader("traceparent"));
    } finally {
      s.tearDown();
    }
  }

  /** The consumer's records carry the trace headers the producer benchmarks send, byte for byte. */
  @Test
  void kafkaConsumerRecordsCarryWhatTheProducersSend() {
    KafkaProducerBenchmark b = new KafkaProducerBenchmark();
    KafkaProducerBenchmark.Interceptors s = new KafkaProducerBenchmark.Interceptors();
    s.otel = Telemetry.Mode.PROPAGATION;
    s.setUp();
    try {
      org.apache.kafka.common.header.Headers received =
          KafkaConsumerBenchmark.newBatch().iterator().next().headers();
      for (ProducerRecord<Object, Object> sent : List.of(b.baton(s), b.otel(s))) {
        List<String> keys = new ArrayList<>();
        sent.headers().forEach(h -> keys.add(h.key()));
        List<String> receivedKeys = new ArrayList<>();
        received.forEach(h -> receivedKeys.add(h.key()));
        assertEquals(keys, receivedKeys);
        for (String key : List.of("traceparent", "tracestate", "baggage")) {
          assertEquals(
              new String(sent.headers().lastHeader(key).value(), StandardCharsets.UTF_8),
              new String(received.lastHeader(key).value(), StandardCharsets.UTF_8),
              key);
        }
      }
    } finally {
      s.tearDown();
    }
  }

  @Test
  void kafkaConsumerMakesOneProcessSpanPerRecordOnBothSides() {
    KafkaConsumerBenchmark b = new KafkaConsumerBenchmark();
    KafkaConsumerBenchmark.Interceptors s = new KafkaConsumerBenchmark.Interceptors();
    s.otel = Telemetry.Mode.SDK;
    s.setUp();
    try {
      b.baton(s);
      assertEquals(KafkaConsumerBenchmark.BATCH, s.telemetry.endedSpans());
      b.otel(s);
      assertEquals(2L * KafkaConsumerBenchmark.BATCH, s.telemetry.endedSpans());
    } finally {
      s.tearDown();
    }
  }

  @Test
  void grpcMakesClientAndServerSpansOnBothSides() throws Exception {
    GrpcBenchmark b = new GrpcBenchmark();
    GrpcBenchmark.Traced s = new GrpcBenchmark.Traced();
    s.otel = Telemetry.Mode.SDK;
    s.setUp();
    try {
      assertTrue(Arrays.equals(GrpcBenchmark.REQUEST, b.baton(s)));
      assertEquals(2, s.telemetry.endedSpans());
      assertTrue(Arrays.equals(GrpcBenchmark.REQUEST, b.otel(s)));
      assertEquals(4, s.telemetry.endedSpans());
    } finally {
      s.tearDown();
    }
  }

  @Test
  void amqpPublishWritesTraceHeadersAndKeepsTheOthers() throws Exception {
    AmqpPublishBenchmark b = new AmqpPublishBenchmark();
    AmqpPublishBenchmark.Traced s = new AmqpPublishBenchmark.Traced();
    s.otel = Telemetry.Mode.PROPAGATION;
    s.setUp();
    AmqpPublishBenchmark.Message m = new AmqpPublishBenchmark.Message();
    m.props = "app";
    m.setUp();
    try {
      b.baton(s, m);
      assertEquals(1, s.fake.published);
      Map<String, Object> headers = s.fake.lastProperties.getHeaders();
      assertEquals(Fixtures.TRACEPARENT, String.valueOf(headers.get("traceparent")));
      assertEquals("checkout", String.valueOf(headers.get("x-source")));
    } finally {
      s.tearDown();
    }
  }

  @Test
  void kafkaHeaderSidesAgree() {
    KafkaHeadersBenchmark b = new KafkaHeadersBenchmark();
    KafkaHeadersBenchmark.Propagators p = new KafkaHeadersBenchmark.Propagators();
    KafkaHeadersBenchmark.Records r = new KafkaHeadersBenchmark.Records();
    r.headers = "trace";
    r.setUp();
    KafkaHeadersBenchmark.Records none = new KafkaHeadersBenchmark.Records();
    none.headers = "none";
    none.setUp();
    org.apache.kafka.common.header.Headers baton = b.inject_baton(p);
    org.apache.kafka.common.header.Headers otel = b.inject_otel(p);
    assertEquals(otel, baton, "both write the same traceparent and tracestate bytes");
    assertEquals(
        Fixtures.TRACEPARENT,
        new String(baton.lastHeader("traceparent").value(), java.nio.charset.StandardCharsets.US_ASCII));
    var fromOtel = io.opentelemetry.api.trace.Span.fromContext(b.extract_otel(p, r)).getSpanContext();
    var fromBaton = io.opentelemetry.api.trace.Span.fromContext(b.extract_baton(p, r)).getSpanContext();
    assertEquals(fromOtel.getTraceId(), fromBaton.getTraceId());
    assertEquals(fromOtel.getSpanId(), fromBaton.getSpanId());
    assertEquals(fromOtel.getTraceFlags(), fromBaton.getTraceFlags());
    assertEquals(fromOtel.getTraceState().asMap(), fromBaton.getTraceState().asMap());
    assertEquals(io.opentelemetry.context.Context.root(), b.extract_baton(p, none));
  }

  @Test
  void amqpConsumeMakesAProcessSpanInTheMessagesTrace() throws Exception {
    AmqpConsumeBenchmark b = new AmqpConsumeBenchmark();
    AmqpConsumeBenchmark.Subscribed s = new AmqpConsumeBenchmark.Subscribed();
    s.otel = Telemetry.Mode.SDK;
    s.setUp();
    try {
      assertEquals(1, b.baton(s));
      assertEquals(1, s.telemetry.endedSpans());
    } finally {
      s.tearDown();
    }
  }
}
