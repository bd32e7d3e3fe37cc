package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.BatonTracing;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every case of the W3C Trace Context test suite (and the spec-derived extras) through
 * Baton the way the suite drives a service: the request's headers are extracted, a server span is
 * started under them, and three outgoing calls are made from inside it; the outgoing headers are
 * then checked against the case's expected outcome.
 */
class W3CConformanceTest {

  static final String FIXED_TRACE_ID = "12345678901234567890123456789012";
  static final String FIXED_PARENT_ID = "1234567890123456";
  static final Pattern TRACEPARENT =
      Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");

  record Case(String id, boolean expectContinue, TestCarrier in, List<String> checks) {
    @Override
    public String toString() {
      return id;
    }
  }

  static Stream<Case> cases() throws IOException {
    List<Case> cases = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                W3CConformanceTest.class.getResourceAsStream("/w3c/traceparent-cases.txt"),
                StandardCharsets.UTF_8))) {
      String id = null;
      boolean cont = false;
      TestCarrier carrier = null;
      List<String> checks = null;
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        String[] p = line.split(" ", 4);
        switch (p[0]) {
          case "case":
            id = p[1];
            cont = p[2].equals("continue");
            carrier = new TestCarrier();
            checks = new ArrayList<>();
            break;
          case "field":
            carrier.add(decode(p[1]), decode(p[2]));
            break;
          case "check":
            checks.add(line.substring("check ".length()));
            break;
          case "end":
            cases.add(new Case(id, cont, carrier, checks));
            break;
          default:
            throw new IllegalStateException(line);
        }
      }
    }
    assertThat(cases).hasSize(91);
    return cases.stream();
  }

  private static String decode(String b64) {
    return b64.equals("-") ? "" : new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void conformsToTheW3cSuite(Case c) {
    InMemoryTelemetry otel = InMemoryTelemetry.create();
    BatonTracing baton = BatonTracing.create(otel.openTelemetry());
    Propagation<TestCarrier> propagation = Propagation.of(baton, TestCarrier.ADAPTER);
    Tracer tracer = otel.openTelemetry().getTracer("conformance");

    Inbound inbound = propagation.inbound(Context.root(), c.in());
    Span server = inbound.applyTo(tracer.spanBuilder("server").setSpanKind(SpanKind.SERVER)).startSpan();
    List<TestCarrier> outgoing = new ArrayList<>();
    try (Scope ignored = server.makeCurrent()) {
      for (int i = 0; i < 3; i++) {
        Span client = tracer.spanBuilder("call").setSpanKind(SpanKind.CLIENT).startSpan();
        TestCarrier out = new TestCarrier();
        propagation.inject(Context.current().with(client), out);
        client.end();
        outgoing.add(out);
      }
    } finally {
      server.end();
    }

    Set<String> parentIds = new HashSet<>();
    for (TestCarrier out : outgoing) {
      String tp = out.only("traceparent"); // exactly one field
      assertThat(tp).as("outgoing traceparent").isNotNull().matches(TRACEPARENT.pattern());
      String traceId = tp.substring(3, 35);
      String parentId = tp.substring(36, 52);
      assertThat(traceId).isNotEqualTo("0".repeat(32));
      assertThat(parentId).isNotEqualTo("0".repeat(16)).isNotEqualTo(FIXED_PARENT_ID);
      parentIds.add(parentId);
      if (c.expectContinue()) {
        assertThat(traceId).as("trace id continued").isEqualTo(FIXED_TRACE_ID);
      } else {
        assertThat(traceId).as("trace restarted").isNotEqualTo(FIXED_TRACE_ID);
        for (Object incoming : c.in().all("traceparent")) {
          String s = incoming.toString().trim();
          if (s.length() >= 35) {
            assertThat(traceId).isNotEqualTo(s.substring(3, 35));
          }
        }
      }
      if (c.id().equals("L2-01")) {
        int flags = Integer.parseInt(tp.substring(53), 16);
        assertThat(flags & 0x02).as("random flag kept").isEqualTo(0x02);
      }
      checkTracestate(c, out.only("tracestate"));
    }
    assertThat(parentIds).as("each outgoing call has its own parent id").hasSize(3);
  }

  private static void checkTracestate(Case c, String tracestate) {
    Map<String, List<String>> members = new LinkedHashMap<>();
    if (tracestate != null) {
      for (String m : tracestate.split(",")) {
        int eq = m.indexOf('=');
        assertThat(eq).as("member %s", m).isPositive();
        members.computeIfAbsent(m.substring(0, eq), k -> new ArrayList<>()).add(m);
      }
      assertThat(tracestate.split(",").length).isLessThanOrEqualTo(32);
    }
    for (String check : c.checks()) {
      int colon = check.indexOf(':');
      String kind = check.substring(0, colon);
      String arg = check.substring(colon + 1);
      switch (kind) {
        case "present":
          assertThat(tracestate).as(check).isNotNull();
          assertThat(List.of(tracestate.split(","))).as(check).contains(arg);
          break;
        case "absent":
          assertThat(members).as(check).doesNotContainKey(arg);
          break;
        case "oneof":
          assertThat(tracestate).as(check).isNotNull();
          List<String> got = List.of(tracestate.split(","));
          assertThat(got.stream().anyMatch(List.of(arg.split("\\|"))::contains)).as(check).isTrue();
          break;
        case "order":
          assertThat(tracestate).as(check).isNotNull();
          assertThat(List.of(tracestate.split(",")))
              .as(check)
              .containsSubsequence(List.of(arg.split(",")));
          break;
        case "count":
          assertThat(tracestate).as(check).isNotNull();
          assertThat(tracestate.split(",")).as(check).hasSize(Integer.parseInt(arg));
          break;
        default:
          throw new IllegalStateException(check);
      }
    }
  }
}
