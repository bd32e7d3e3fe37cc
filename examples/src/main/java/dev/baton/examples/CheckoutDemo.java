package dev.baton.examples;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.PrintStream;
import java.time.Duration;

/**
 * The checkout demo: starts (or finds) Kafka and RabbitMQ, starts the {@link CheckoutApp},
 * places two orders — one that goes all the way to the customer's notification, one that
 * inventory refuses — and prints the span tree of each order's trace. Every log line shows the
 * trace id it belongs to.
 *
 * <p>Run it from the repository root with
 * {@code mvn -B -q -Pdemo -pl examples -am verify -DskipTests}. {@code BATON_KAFKA_BOOTSTRAP}
 * and {@code BATON_AMQP_URI} point it at your own brokers.
 *
 * @since 0.1.0
 */
public final class CheckoutDemo {

  private static final Duration WAIT = Duration.ofSeconds(15);
  /** Spans of an order that reaches the notifier, and of one that inventory refuses. */
  private static final int SHIPPED_SPANS = 8;
  private static final int REFUSED_SPANS = 4;

  private static final PrintStream out = System.out;

  private CheckoutDemo() {}

  /**
   * Runs the demo and exits: 0 when both orders went as expected, 1 otherwise.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    int exitCode;
    try {
      exitCode = run() ? 0 : 1;
    } catch (Exception e) {
      e.printStackTrace();
      exitCode = 1;
    }
    // the embedded Kafka broker leaves non-daemon threads behind once it has stopped
    System.exit(exitCode);
  }

  private static boolean run() throws Exception {
    SpanTree spanTree = new SpanTree();
    boolean ok;
    try (OpenTelemetrySdk otel = openTelemetry(spanTree);
        DemoBrokers brokers = DemoBrokers.start()) {
      out.println("== brokers: " + brokers.describe());
      try (CheckoutApp app = CheckoutApp.builder(otel)
          .kafkaBootstrap(brokers.kafkaBootstrap())
          .amqp(brokers.amqp())
          .start()) {
        ok = shippedOrder(app, spanTree) & refusedOrder(app, spanTree);
      }
    }
    out.println();
    out.println("== the span tree of each order: one trace from the customer to the notifier");
    spanTree.print(out);
    return ok;
  }

  private static boolean shippedOrder(CheckoutApp app, SpanTree spanTree) throws Exception {
    Order order = new Order("o-1", "book", 2);
    out.println();
    out.println("== customer: placing order " + order);
    out.println("== customer: checkout answered \"" + app.client().placeOrder(order) + "\"");
    String notification = app.nextNotification(WAIT);
    out.println("== customer: notified \"" + notification + "\"");
    return notification != null && spanTree.awaitSpans(SHIPPED_SPANS, WAIT);
  }

  private static boolean refusedOrder(CheckoutApp app, SpanTree spanTree) throws Exception {
    Order order = new Order("o-2", InventoryService.OUT_OF_STOCK, 1);
    out.println();
    out.println("== customer: placing order " + order);
    try {
      app.client().placeOrder(order);
      out.println("== customer: accepted?! inventory should have refused it");
      return false;
    } catch (StatusRuntimeException e) {
      Status status = e.getStatus();
      out.println("== customer: refused, " + status.getCode() + ": " + status.getDescription());
    }
    return spanTree.awaitSpans(SHIPPED_SPANS + REFUSED_SPANS, WAIT);
  }

  private static OpenTelemetrySdk openTelemetry(SpanTree spanTree) {
    return OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .setResource(Resource.getDefault().merge(Resource.create(
                Attributes.of(AttributeKey.stringKey("service.name"), "baton-checkout-demo"))))
            .addSpanProcessor(SimpleSpanProcessor.create(spanTree))
            .build())
        .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
            W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
        .build();
  }
}
