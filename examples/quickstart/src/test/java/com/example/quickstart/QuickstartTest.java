package com.example.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.baton.testing.EmbeddedKafkaBroker;
import dev.baton.testing.InMemoryTelemetry;
import dev.baton.testing.LocalRabbitMq;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The quickstart against real brokers: each hop stays in one trace, with Baton's spans. */
class QuickstartTest {

  @Test
  void everyHopContinuesTheSendersTrace() throws Exception {
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        InMemoryTelemetry telemetry = InMemoryTelemetry.create()) {
      // registered after nothing else: the Kafka interceptors find it when the first record passes
      GlobalOpenTelemetry.set(telemetry.openTelemetry());
      Map<String, String[]> hops =
          Quickstart.run(telemetry.openTelemetry(), kafka.bootstrapServers(),
              LocalRabbitMq.connectionFactory());

      for (Map.Entry<String, String[]> hop : hops.entrySet()) {
        assertFalse(hop.getValue()[1].equals("00000000000000000000000000000000"),
            hop.getKey() + ": the receiver ran outside any trace");
        assertEquals(hop.getValue()[0], hop.getValue()[1], hop.getKey() + ": the trace broke");
      }
      // Baton's spans on the Kafka hop: process is a child of send
      SpanData send = telemetry.spans().stream()
          .filter(s -> s.getKind() == SpanKind.PRODUCER && s.getName().startsWith("send quickstart-"))
          .findFirst().orElseThrow();
      SpanData process = telemetry.spans().stream()
          .filter(s -> s.getKind() == SpanKind.CONSUMER && s.getName().startsWith("process quickstart-"))
          .findFirst().orElseThrow();
      assertEquals(send.getSpanId(), process.getParentSpanId());
      assertEquals(hops.get("kafka")[0], process.getTraceId());
      telemetry.awaitSpan("quickstart.Greeter/Hello", SpanKind.SERVER);
      assertEquals(0, telemetry.openSpans(), "every span ended");
    }
  }
}
