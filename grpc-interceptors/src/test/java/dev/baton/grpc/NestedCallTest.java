package dev.baton.grpc;

import static dev.baton.grpc.TestService.SERVICE;
import static dev.baton.grpc.TestService.request;
import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.InMemoryTelemetry;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A handler that calls another gRPC service: CLIENT -> SERVER -> CLIENT -> SERVER, one trace,
 * each span the child of the one before.
 */
class NestedCallTest {

  private static final String UNARY = SERVICE + "/UnaryRpc";

  private Rig rig;

  @BeforeEach
  void setUp() {
    rig = new Rig();
  }

  @AfterEach
  void tearDown() throws Exception {
    rig.close();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void handlerCallsAnotherService(Transport transport) throws Exception {
    TestService back = new TestService();
    Server backServer = rig.serve(transport, back);
    TestService front = new TestService();
    front.downstream =
        SimpleServiceGrpc.newBlockingStub(rig.channel(transport, backServer))
            .withDeadlineAfter(10, TimeUnit.SECONDS);
    Server frontServer = rig.serve(transport, front);
    ManagedChannel channel = rig.channel(transport, frontServer);

    String answer =
        SimpleServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .unaryRpc(request("nested"))
            .getResponseMessage();

    assertThat(answer).isEqualTo("nested:echo:ok");
    List<SpanData> spans = rig.otel.awaitExactly(4, Duration.ofSeconds(10));
    SpanData outerClient = null;
    for (SpanData s : spans) {
      if (s.getKind() == SpanKind.CLIENT && !s.getParentSpanContext().isValid()) {
        outerClient = s;
      }
    }
    assertThat(outerClient).as("root CLIENT span in %s", spans).isNotNull();
    SpanData outerServer = childOf(spans, outerClient, SpanKind.SERVER);
    SpanData innerClient = childOf(spans, outerServer, SpanKind.CLIENT);
    SpanData innerServer = childOf(spans, innerClient, SpanKind.SERVER);
    for (SpanData s : spans) {
      assertThat(s).hasName(UNARY).hasTraceId(outerClient.getTraceId());
    }
    // The front handler ran in its server span before and after the nested call.
    assertThat(front.seen).hasSize(2)
        .allMatch(sc -> sc.equals(outerServer.getSpanContext()));
    assertThat(back.seen).containsExactly(innerServer.getSpanContext());
  }

  private static SpanData childOf(List<SpanData> spans, SpanData parent, SpanKind kind) {
    SpanData found = null;
    for (SpanData s : spans) {
      if (s.getParentSpanId().equals(parent.getSpanId())) {
        assertThat(found).as("one child of %s", parent.getName()).isNull();
        found = s;
      }
    }
    assertThat(found).as("a child of %s in %s", parent, spans).isNotNull();
    assertThat(found).hasKind(kind);
    return found;
  }
}
