package dev.baton.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.fuzz.Entropy;
import dev.baton.testing.fuzz.FuzzRuns;
import dev.baton.testing.fuzz.W3CFuzz;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.grpc.InternalMetadata;
import io.grpc.Metadata;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import dev.baton.core.BatonTracing;
import dev.baton.core.InboundPolicy;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz properties of gRPC {@code Metadata} as a carrier, built the way a transport builds it from
 * the wire (any value bytes under ASCII keys, any bytes under {@code -bin} keys, repeated keys):
 * extraction never throws, never changes the metadata and accepts exactly the parents the
 * specification accepts; injection keeps every other entry, binary ones included.
 */
@Timeout(value = 6, unit = java.util.concurrent.TimeUnit.HOURS) // the long runs; see docs/reliability.md
class MetadataFuzzTest {

  static final Set<String> W3C_NAMES = Set.of(W3CFuzz.W3C);
  static final OpenTelemetrySdk SDK =
      OpenTelemetrySdk.builder().setPropagators(ContextPropagators.noop()).build();
  static final GrpcTracing CONTINUE = GrpcTracing.create(SDK);
  static final GrpcTracing LINK = GrpcTracing.builder(
      BatonTracing.builder(SDK).inboundPolicy(InboundPolicy.LINK).build()).build();

  @FuzzTest
  void inbound(FuzzedDataProvider data) {
    inboundMetadataFollowsTheSpecification(Entropy.of(data));
  }

  @Test
  void inboundRandom() {
    FuzzRuns.run("grpc inbound metadata", MetadataFuzzTest::inboundMetadataFollowsTheSpecification);
  }

  @FuzzTest
  void outbound(FuzzedDataProvider data) {
    outboundMetadataKeepsEveryOtherEntry(Entropy.of(data));
  }

  @Test
  void outboundRandom() {
    FuzzRuns.run("grpc outbound metadata", MetadataFuzzTest::outboundMetadataKeepsEveryOtherEntry);
  }

  static void inboundMetadataFollowsTheSpecification(Entropy e) {
    byte[][] wire = wire(e);
    Metadata md = InternalMetadata.newMetadata(copy(wire));

    Context ctx = CONTINUE.propagation().extract(Context.root(), md);

    assertThat(InternalMetadata.serialize(md)).as("metadata unchanged").isDeepEqualTo(wire);
    SpanContext sc = Span.fromContext(ctx).getSpanContext();
    Matcher expected = W3CFuzz.expectedParent(asciiEntries(wire), 8192);
    if (expected == null) {
      assertThat(sc.isValid()).isFalse();
    } else {
      assertThat(sc.getTraceId()).isEqualTo(expected.group(2));
      assertThat(sc.getSpanId()).isEqualTo(expected.group(3));
    }
    assertThat(Baggage.fromContext(ctx).size()).isLessThanOrEqualTo(64);
    assertThat(Span.fromContext(LINK.propagation().inbound(Context.root(), md).parent())
        .getSpanContext().isValid()).isFalse();
  }

  static void outboundMetadataKeepsEveryOtherEntry(Entropy e) {
    byte[][] wire = wire(e);
    Metadata md = InternalMetadata.newMetadata(copy(wire));
    SpanContext sc = SpanContext.create(W3CFuzz.nonZeroHex(e, 32), W3CFuzz.nonZeroHex(e, 16),
        TraceFlags.fromByte((byte) e.nextInt(4)), TraceState.getDefault());

    CONTINUE.propagation().inject(Context.root().with(Span.wrap(sc)), md);

    List<String> kept = new ArrayList<>();
    byte[][] after = InternalMetadata.serialize(md);
    for (int i = 0; i < after.length; i += 2) {
      String key = new String(after[i], StandardCharsets.US_ASCII);
      if (!W3C_NAMES.contains(key)) {
        kept.add(key + "=" + Arrays.toString(after[i + 1]));
      }
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < wire.length; i += 2) {
      String key = new String(wire[i], StandardCharsets.US_ASCII);
      if (!W3C_NAMES.contains(key)) {
        expected.add(key + "=" + Arrays.toString(wire[i + 1]));
      }
    }
    assertThat(kept).as("every other entry, in order").containsExactlyElementsOf(expected);
    Metadata.Key<String> tp = Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
    assertThat(md.getAll(tp)).containsExactly(
        "00-" + sc.getTraceId() + "-" + sc.getSpanId() + "-0" + sc.getTraceFlags().asByte());
  }

  /** Key/value pairs as a transport hands them over: lowercase keys, values of any bytes. */
  static byte[][] wire(Entropy e) {
    int n = e.nextInt(9);
    List<byte[]> pairs = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String name = !names.isEmpty() && e.oneIn(4) ? names.get(e.nextInt(names.size()))
          : legalKey(W3CFuzz.name(e));
      names.add(name);
      byte[] value;
      if (name.endsWith("-bin")) {
        value = e.bytes(40);
      } else {
        Object raw = W3CFuzz.raw(e, W3CFuzz.valueFor(e, name, true));
        value = raw instanceof byte[] ? (byte[]) raw
            : raw instanceof CharSequence ? raw.toString().getBytes(StandardCharsets.UTF_8) : new byte[0];
      }
      pairs.add(name.getBytes(StandardCharsets.US_ASCII));
      pairs.add(value);
    }
    return pairs.toArray(new byte[0][]);
  }

  /** gRPC keys: lowercase letters, digits, {@code - _ .}; anything else is dropped. */
  static String legalKey(String name) {
    StringBuilder sb = new StringBuilder();
    for (char c : name.toLowerCase(Locale.ROOT).toCharArray()) {
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.') {
        sb.append(c);
      }
    }
    return sb.length() == 0 || sb.toString().startsWith("grpc-") ? "x-empty" : sb.toString();
  }

  static byte[][] copy(byte[][] wire) {
    byte[][] out = new byte[wire.length][];
    for (int i = 0; i < wire.length; i++) {
      out[i] = wire[i].clone();
    }
    return out;
  }

  /** What an ASCII key's values read as: gRPC's ASCII marshaller decodes bytes as US-ASCII. */
  static List<Map.Entry<String, Object>> asciiEntries(byte[][] wire) {
    List<Map.Entry<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < wire.length; i += 2) {
      String key = new String(wire[i], StandardCharsets.US_ASCII);
      if (!key.endsWith("-bin")) {
        out.add(new SimpleEntry<>(key, new String(wire[i + 1], StandardCharsets.US_ASCII)));
      }
    }
    return out;
  }
}
