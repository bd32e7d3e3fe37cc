package dev.baton.core.internal;

import dev.baton.testing.InMemoryTelemetry;
import dev.baton.core.BatonTracing;
import dev.baton.core.InboundPolicy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.fuzz.Entropy;
import dev.baton.testing.fuzz.FuzzRuns;
import dev.baton.testing.fuzz.W3CFuzz;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.BaggageBuilder;
import io.opentelemetry.api.baggage.BaggageEntryMetadata;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * Fuzz properties of the core propagator, over hostile carriers (bad versions, lengths, casing,
 * non-hex, duplicated fields with differing values, huge {@code tracestate}/{@code baggage},
 * non-UTF-8 bytes, nulls and foreign types). Each property runs two ways: as a Jazzer
 * {@code @FuzzTest} (regression mode in the normal build, coverage-guided with
 * {@code JAZZER_FUZZ=1}) and as a sized random run ({@code -Dbaton.fuzz.tries}). See
 * docs/reliability.md for the commands.
 */
class PropagationFuzzTest {

  static final int CAP = Settings.DEFAULT_HEADER_MAX_LENGTH;
  static final InMemoryTelemetry OTEL = InMemoryTelemetry.create();
  static final Propagation<TestCarrier> CONTINUE =
      Propagation.of(BatonTracing.create(OTEL.openTelemetry()), TestCarrier.ADAPTER);
  static final Propagation<TestCarrier> LINK =
      Propagation.of(BatonTracing.builder(OTEL.openTelemetry()).inboundPolicy(InboundPolicy.LINK).build(), TestCarrier.ADAPTER);
  static final Propagation<TestCarrier> IGNORE =
      Propagation.of(BatonTracing.builder(OTEL.openTelemetry()).inboundPolicy(InboundPolicy.IGNORE).build(), TestCarrier.ADAPTER);
  static final Propagation<TestCarrier> ALLOW_TENANT =
      Propagation.of(BatonTracing.builder(OTEL.openTelemetry()).inboundBaggage(List.of("tenant.*")).build(), TestCarrier.ADAPTER);

  // ---- entry points ----

  @FuzzTest
  void extract(FuzzedDataProvider data) {
    extractFollowsTheSpecification(Entropy.of(data));
  }

  @Test
  void extractRandom() {
    FuzzRuns.run("core extract", PropagationFuzzTest::extractFollowsTheSpecification);
  }

  @FuzzTest
  void inject(FuzzedDataProvider data) {
    injectKeepsUserFieldsAndCaps(Entropy.of(data));
  }

  @Test
  void injectRandom() {
    FuzzRuns.run("core inject", PropagationFuzzTest::injectKeepsUserFieldsAndCaps);
  }

  @Test
  void baggagePropertiesOfAnyTextRandom() {
    FuzzRuns.run("core baggage properties", PropagationFuzzTest::baggagePropertiesStayValid);
  }

  @Test
  void propagatorHonoursTheCapRandom() {
    FuzzRuns.run("core propagator() cap", PropagationFuzzTest::propagatorHonoursTheCap);
  }

  // ---- properties ----

  /**
   * Extraction never throws and never changes the carrier; it accepts exactly the parent the
   * specification reading accepts; what it keeps is within the caps; LINK never parents, IGNORE
   * takes nothing; the allow-list holds; re-injection writes one traceparent.
   */
  static void extractFollowsTheSpecification(Entropy e) {
    TestCarrier c = carrier(e, true);
    List<Map.Entry<String, Object>> before = new ArrayList<>(c.fields);
    long faults = Faults.count();

    Context ctx = CONTINUE.extract(Context.root(), c);

    assertThat(c.fields).as("carrier unchanged").containsExactlyElementsOf(before);
    assertThat(Faults.count()).as("no fault swallowed").isEqualTo(faults);
    SpanContext sc = Span.fromContext(ctx).getSpanContext();
    Matcher expected = W3CFuzz.expectedParent(c.fields, CAP);
    if (expected == null) {
      assertThat(sc.isValid()).as("no parent from %s", c.fields).isFalse();
    } else {
      assertThat(sc.isValid()).as("parent from %s", c.fields).isTrue();
      assertThat(sc.isRemote()).isTrue();
      assertThat(sc.getTraceId()).isEqualTo(expected.group(2));
      assertThat(sc.getSpanId()).isEqualTo(expected.group(3));
      assertThat(sc.getTraceFlags().asByte())
          .isEqualTo((byte) Integer.parseInt(expected.group(4), 16));
      TraceState state = sc.getTraceState();
      assertThat(state.size()).isLessThanOrEqualTo(32);
      state.forEach((k, v) -> assertThat(W3CFuzz.validTracestateMember(k, v))
          .as("tracestate member %s=%s", k, v).isTrue());
    }
    Baggage baggage = Baggage.fromContext(ctx);
    assertThat(baggage.size()).isLessThanOrEqualTo(W3CBaggage.MAX_MEMBERS);
    baggage.forEach((k, v) -> assertThat(W3CBaggage.isToken(k, 0, k.length())).as(k).isTrue());

    Inbound link = LINK.inbound(Context.root(), c);
    assertThat(Span.fromContext(link.parent()).getSpanContext().isValid())
        .as("LINK: an outside producer never parents our spans").isFalse();
    assertThat(link.link()).isEqualTo(sc.isValid() ? sc : SpanContext.getInvalid());
    Inbound ignore = IGNORE.inbound(Context.root(), c);
    assertThat(ignore.parent()).isSameAs(Context.root());
    Baggage allowed = Baggage.fromContext(ALLOW_TENANT.extract(Context.root(), c));
    allowed.forEach((k, v) -> assertThat(k).startsWith("tenant."));

    TestCarrier out = userFields(e);
    List<Map.Entry<String, Object>> user = new ArrayList<>(out.fields);
    CONTINUE.inject(ctx, out);
    checkInjected(out, user, sc);
  }

  /**
   * Injection of any valid context into a carrier holding any fields: every field not named
   * like a W3C field (in any casing) stays, in order; one traceparent, at most one tracestate and one
   * baggage, within the W3C caps; extraction reads back the same ids and baggage values.
   */
  static void injectKeepsUserFieldsAndCaps(Entropy e) {
    SpanContext sc = SpanContext.create(
        W3CFuzz.nonZeroHex(e, 32), W3CFuzz.nonZeroHex(e, 16),
        TraceFlags.fromByte((byte) e.nextInt(256)), traceState(e));
    Baggage baggage = baggage(e);
    Context ctx = Context.root().with(Span.wrap(sc)).with(baggage);
    TestCarrier out = userFields(e);
    List<Map.Entry<String, Object>> user = new ArrayList<>(out.fields);

    CONTINUE.inject(ctx, out);

    checkInjected(out, user, sc);
    SpanContext back = Span.fromContext(CONTINUE.extract(Context.root(), out)).getSpanContext();
    assertThat(back.getTraceId()).isEqualTo(sc.getTraceId());
    assertThat(back.getSpanId()).isEqualTo(sc.getSpanId());
    if (hasOtherCasing(user, "baggage")) {
      return; // the user's own "Baggage" field is read when Baton sends none: not Baton's to remove
    }
    Baggage read = Baggage.fromContext(CONTINUE.extract(Context.root(), out));
    read.forEach((k, v) -> {
      String original = baggage.getEntryValue(k);
      if (original == null) {
        throw new AssertionError("baggage key " + escape(k) + " did not come from the sender "
            + escape(baggage) + "; carrier " + escape(out.fields));
      }
      if (new String(original.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).equals(original)) {
        assertThat(v.getValue()).as("baggage %s", k).isEqualTo(original);
      }
    });
  }

  /** Inbound member properties are kept only when valid, and re-injection stays within 8192 bytes. */
  static void baggagePropertiesStayValid(Entropy e) {
    TestCarrier c = new TestCarrier().add("baggage", W3CFuzz.baggage(e, false));
    Context ctx = CONTINUE.extract(Context.root(), c);
    Baggage.fromContext(ctx).forEach((k, v) -> {
      String meta = v.getMetadata().getValue();
      assertThat(meta).as("property of %s", k).matches("[\\x20-\\x7e]*");
    });
    TestCarrier out = new TestCarrier();
    CONTINUE.inject(ctx, out);
    String header = out.only("baggage");
    if (header != null) {
      assertThat(header.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(W3CBaggage.MAX_BYTES);
    }
  }

  /** {@code propagator()} with the caller's own getter treats a field over the cap as absent. */
  static void propagatorHonoursTheCap(Entropy e) {
    String tp = "01-" + W3CFuzz.nonZeroHex(e, 32) + "-" + W3CFuzz.nonZeroHex(e, 16) + "-01-"
        + "x".repeat(CAP + e.nextInt(CAP));
    Map<String, String> map = new HashMap<>();
    map.put("traceparent", tp);
    Context ctx = BatonTracing.create(OTEL.openTelemetry()).propagator()
        .extract(Context.root(), map, MAP_GETTER);
    assertThat(Span.fromContext(ctx).getSpanContext().isValid()).isFalse();
  }

  // ---- helpers ----

  /** Printable ASCII only, so a failure message survives the reports. */
  static String escape(Object o) {
    String s = String.valueOf(o);
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7f && c != '\\') {
        sb.append(c);
      } else {
        sb.append(String.format("\\u%04x", (int) c));
      }
    }
    return sb.toString();
  }

  static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  /**
   * The fields Baton owns on inject: the W3C names in any casing (a stale {@code TraceParent} from
   * another library is removed so a receiver cannot read it instead of Baton's).
   */
  static boolean isW3cField(String name) {
    for (String w3c : W3CFuzz.W3C) {
      if (w3c.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  static boolean hasOtherCasing(List<Map.Entry<String, Object>> fields, String name) {
    for (Map.Entry<String, Object> f : fields) {
      if (!name.equals(f.getKey()) && name.equalsIgnoreCase(f.getKey())) {
        return true;
      }
    }
    return false;
  }

  static void checkInjected(TestCarrier out, List<Map.Entry<String, Object>> user, SpanContext sc) {
    List<Map.Entry<String, Object>> kept = new ArrayList<>();
    for (Map.Entry<String, Object> f : out.fields) {
      if (!isW3cField(f.getKey())) {
        kept.add(f);
      }
    }
    List<Map.Entry<String, Object>> expectedKept = new ArrayList<>();
    for (Map.Entry<String, Object> f : user) {
      if (!isW3cField(f.getKey())) {
        expectedKept.add(f);
      }
    }
    assertThat(kept).as("the user's fields, in order").containsExactlyElementsOf(expectedKept);
    assertThat(out.all("tracestate").size()).isLessThanOrEqualTo(1);
    assertThat(out.all("baggage").size()).isLessThanOrEqualTo(1);
    if (!sc.isValid()) {
      assertThat(out.all("traceparent")).isEmpty();
      return;
    }
    String flags = String.format("%02x", sc.getTraceFlags().asByte() & 0x03);
    assertThat(out.only("traceparent"))
        .isEqualTo("00-" + sc.getTraceId() + "-" + sc.getSpanId() + "-" + flags);
    String state = out.only("tracestate");
    if (state != null) {
      assertThat(state.split(",", -1).length).isLessThanOrEqualTo(32);
    }
    String baggage = out.only("baggage");
    if (baggage != null) {
      assertThat(baggage.split(",", -1).length).isLessThanOrEqualTo(W3CBaggage.MAX_MEMBERS);
      assertThat(baggage.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(W3CBaggage.MAX_BYTES);
    }
  }

  /** 0 to 8 fields (sometimes a duplicate of an earlier name with another value). */
  static TestCarrier carrier(Entropy e, boolean asciiBaggageProperties) {
    TestCarrier c = new TestCarrier();
    int n = e.nextInt(9);
    for (int i = 0; i < n; i++) {
      String name = !c.fields.isEmpty() && e.oneIn(4)
          ? c.fields.get(e.nextInt(c.fields.size())).getKey()
          : W3CFuzz.name(e);
      c.add(name, W3CFuzz.raw(e, W3CFuzz.valueFor(e, name, asciiBaggageProperties)));
    }
    return c;
  }

  /** The application's own fields, stale W3C ones among them. */
  static TestCarrier userFields(Entropy e) {
    TestCarrier c = new TestCarrier();
    int n = e.nextInt(6);
    for (int i = 0; i < n; i++) {
      String name = W3CFuzz.name(e);
      c.add(name, W3CFuzz.raw(e, W3CFuzz.valueFor(e, name, true)));
    }
    return c;
  }

  static TraceState traceState(Entropy e) {
    if (e.oneIn(3)) {
      return TraceState.getDefault();
    }
    if (e.nextBoolean()) {
      TraceState parsed = W3CTraceState.parse(W3CFuzz.tracestate(e));
      return parsed == null ? TraceState.getDefault() : parsed;
    }
    io.opentelemetry.api.trace.TraceStateBuilder b = TraceState.builder();
    int n = e.nextInt(40);
    for (int i = 0; i < n; i++) {
      b.put("k" + e.nextInt(50), "v" + e.nextInt(1000));
    }
    return b.build();
  }

  static Baggage baggage(Entropy e) {
    BaggageBuilder b = Baggage.builder();
    int n = e.oneIn(5) ? 60 + e.nextInt(30) : e.nextInt(6);
    for (int i = 0; i < n; i++) {
      String key = e.oneIn(5) ? e.text(10) : "k" + e.nextInt(100);
      String value = e.oneIn(10) ? "v".repeat(e.nextInt(9000)) : e.oneIn(3) ? e.text(30) : e.ascii(30);
      String meta = e.oneIn(4) ? "p=" + e.nextInt(9) : "";
      b.put(key, value, BaggageEntryMetadata.create(meta));
    }
    return b.build();
  }
}
