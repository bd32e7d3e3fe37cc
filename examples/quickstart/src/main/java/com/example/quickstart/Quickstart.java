package com.example.quickstart;

import com.rabbitmq.client.ConnectionFactory;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.logging.LoggingSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Three hops, each in the trace of the span around it: Kafka producer → consumer (properties
 * only), RabbitMQ publish → consume, gRPC client → server. Prints each hop's trace ids and exits
 * non-zero when one breaks.
 *
 * <p>Brokers: {@code BATON_KAFKA_BOOTSTRAP} (default {@code 127.0.0.1:9092}) and
 * {@code BATON_AMQP_URI} (default {@code amqp://guest:guest@127.0.0.1:5672}).
 */
public final class Quickstart {

  private Quickstart() {}

  public static void main(String[] args) throws Exception {
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(LoggingSpanExporter.create()))
            .build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .buildAndRegisterGlobal();
    ConnectionFactory amqp = new ConnectionFactory();
    amqp.setUri(env("BATON_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672"));
    Map<String, String[]> hops = run(sdk, env("BATON_KAFKA_BOOTSTRAP", "127.0.0.1:9092"), amqp);
    boolean ok = true;
    for (Map.Entry<String, String[]> hop : hops.entrySet()) {
      boolean same = hop.getValue()[0].equals(hop.getValue()[1]);
      ok &= same;
      System.out.printf("%-8s sender trace %s, receiver trace %s  %s%n", hop.getKey(),
          hop.getValue()[0], hop.getValue()[1], same ? "one trace" : "BROKEN");
    }
    sdk.close();
    System.exit(ok ? 0 : 1);
  }

  /**
   * Runs each hop inside a span of its own and returns, per hop, the sender's and the receiver's
   * trace id. The Kafka hop uses {@code GlobalOpenTelemetry}; the others use {@code openTelemetry}.
   */
  static Map<String, String[]> run(OpenTelemetry openTelemetry, String kafkaBootstrap,
      ConnectionFactory amqp) throws Exception {
    Tracer tracer = openTelemetry.getTracer("quickstart");
    Map<String, String[]> hops = new LinkedHashMap<>();
    Span span = tracer.spanBuilder("kafka hop").startSpan();
    try (Scope ignored = span.makeCurrent()) {
      hops.put("kafka", new String[] {span.getSpanContext().getTraceId(), KafkaHop.run(kafkaBootstrap)});
    } finally {
      span.end();
    }
    span = tracer.spanBuilder("rabbitmq hop").startSpan();
    try (Scope ignored = span.makeCurrent()) {
      hops.put("rabbitmq", new String[] {span.getSpanContext().getTraceId(),
          RabbitHop.run(openTelemetry, amqp)});
    } finally {
      span.end();
    }
    span = tracer.spanBuilder("grpc hop").startSpan();
    try (Scope ignored = span.makeCurrent()) {
      hops.put("grpc", new String[] {span.getSpanContext().getTraceId(), GrpcHop.run(openTelemetry)});
    } finally {
      span.end();
    }
    return hops;
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value.trim();
  }
}
