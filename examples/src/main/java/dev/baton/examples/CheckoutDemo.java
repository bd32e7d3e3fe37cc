package dev.baton.examples;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The checkout demo: finds or starts Kafka and RabbitMQ, starts the four services of the
 * {@link CheckoutApp} (each with an OpenTelemetry SDK of its own), places one order as a customer,
 * and shows the order's trace: as a waterfall in the terminal and as a web page. Every log line
 * of the services carries the trace id and span id it was logged in.
 *
 * <p>{@code --fail} orders an item whose stock record inventory cannot read: inventory fails
 * ({@code INTERNAL}), checkout fails the order ({@code UNAVAILABLE}), and the waterfall shows
 * where the error starts. {@code OTEL_EXPORTER_OTLP_ENDPOINT} (and the other {@code OTEL_*}
 * variables) send the spans to your own backend as well.
 *
 * <p>Run it from the repository root with
 * {@code mvn -B -q -Pdemo -pl examples -am verify -DskipTests}, options in
 * {@code -Ddemo.args="--fail --details"}; see {@code examples/README.md}.
 *
 * @since 0.1.0
 */
public final class CheckoutDemo {

  private static final Duration WAIT = Duration.ofSeconds(20);
  /** Spans of an order that reaches the notifier, and of one that inventory fails. */
  static final int SHIPPED_SPANS = 7;
  static final int FAILED_SPANS = 3;

  private final DemoOptions options;
  private final PrintStream out;

  private CheckoutDemo(DemoOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /**
   * Runs the demo and exits with {@link #run(PrintStream, String...)}'s code.
   *
   * @param args see {@code --help}
   */
  public static void main(String[] args) {
    DemoTelemetry.compactSdkWarnings();
    int exitCode = run(System.out, args);
    // the embedded Kafka broker leaves non-daemon threads behind once it has stopped
    System.exit(exitCode);
  }

  /**
   * Runs the demo, printing to {@code out}.
   *
   * @param out where the demo's own lines go (the services log through logback)
   * @param args the options, see {@code --help}
   * @return 0 when the order went as the options say it should (with {@code --fail}: failed
   *     where it should), 1 when not or when a broker is missing, 2 for a bad option
   */
  public static int run(PrintStream out, String... args) {
    DemoOptions options;
    try {
      options = DemoOptions.parse(args);
    } catch (DemoFailure e) {
      out.println("error: " + e.getMessage());
      return 2;
    }
    if (options.help) {
      out.println(DemoOptions.USAGE);
      return 0;
    }
    try {
      return new CheckoutDemo(options, out).run() ? 0 : 1;
    } catch (DemoFailure e) {
      out.println();
      out.println("error: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      out.println();
      out.println("error: the demo failed");
      e.printStackTrace(out);
      return 1;
    }
  }

  private boolean run() throws Exception {
    out.println("== Baton checkout demo: one order through gRPC, Kafka and RabbitMQ"
        + (options.fail ? " (--fail: inventory fails it)" : ""));
    out.println("== brokers");
    SpanCollector collector = new SpanCollector();
    TraceLogs logs = TraceLogs.attach();
    try {
      return run(collector, logs);
    } finally {
      if (logs != null) {
        logs.detach();
      }
    }
  }

  private boolean run(SpanCollector collector, TraceLogs logs) throws Exception {
    boolean ok;
    DemoBrokers brokers = DemoBrokers.start(options.kafka, options.amqp, out);
    // Ctrl-C: stop the brokers this run started (a normal end stops them below)
    Thread stopBrokers = new Thread(brokers::close, "demo-brokers-stop");
    Runtime.getRuntime().addShutdownHook(stopBrokers);
    try {
      DemoTelemetry telemetry = startTelemetry(collector);
      try {
        out.println("== services: " + String.join(", ", CheckoutApp.SERVICES)
            + " (an OpenTelemetry SDK each, service.name set)");
        if (telemetry.exporter() != null) {
          out.println("   spans also go to " + telemetry.exporter());
        }
        try (CheckoutApp app = CheckoutApp.builder(telemetry.of(CheckoutApp.CHECKOUT))
            .telemetry(CheckoutApp.CHECKOUT, telemetry.of(CheckoutApp.CHECKOUT))
            .telemetry(CheckoutApp.INVENTORY, telemetry.of(CheckoutApp.INVENTORY))
            .telemetry(CheckoutApp.FULFILMENT_WORKER, telemetry.of(CheckoutApp.FULFILMENT_WORKER))
            .telemetry(CheckoutApp.NOTIFIER, telemetry.of(CheckoutApp.NOTIFIER))
            .kafkaBootstrap(brokers.kafkaBootstrap())
            .amqp(brokers.amqp())
            .ordersTopic(options.topic)
            .notifications(options.queue)
            .consumerGroup(options.topic.equals("orders") ? "fulfilment" : "fulfilment-" + options.topic)
            .start()) {
          ok = options.fail ? failedOrder(app, collector) : shippedOrder(app, collector);
        }
        ok &= show(collector.spans(), logs);
        DemoMetrics.print(telemetry.metrics(), out);
      } finally {
        telemetry.close();
      }
      if (telemetry.exporter() != null) {
        out.println("== " + telemetry.exportSummary());
      }
    } finally {
      brokers.close();
      try {
        Runtime.getRuntime().removeShutdownHook(stopBrokers);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway; closing twice is fine
      }
    }
    return ok;
  }

  private DemoTelemetry startTelemetry(SpanCollector collector) throws DemoFailure {
    try {
      return DemoTelemetry.start(collector);
    } catch (ConfigurationException e) {
      throw new DemoFailure("OpenTelemetry's autoconfigure rejects the OTEL_* settings: "
          + e.getMessage(), e);
    }
  }

  private boolean shippedOrder(CheckoutApp app, SpanCollector collector) throws Exception {
    Order order = new Order("o-1", "book", 2);
    out.println();
    out.println("== customer: placing order " + order);
    out.println("== customer: checkout answered \"" + app.client().placeOrder(order) + "\"");
    String notification = app.nextNotification(WAIT);
    if (notification == null) {
      out.println("== customer: no notification within " + WAIT.toSeconds() + " s");
      return false;
    }
    out.println("== customer: notified \"" + notification + "\"");
    return awaitSpans(collector, SHIPPED_SPANS);
  }

  private boolean failedOrder(CheckoutApp app, SpanCollector collector) throws Exception {
    Order order = new Order("o-2", InventoryService.FAULTY, 1);
    out.println();
    out.println("== customer: placing order " + order);
    try {
      app.client().placeOrder(order);
      out.println("== customer: accepted?! inventory should have failed it");
      return false;
    } catch (StatusRuntimeException e) {
      Status status = e.getStatus();
      out.println("== customer: checkout failed the order: " + status.getCode() + " ("
          + status.getDescription() + ")");
    }
    return awaitSpans(collector, FAILED_SPANS);
  }

  private boolean awaitSpans(SpanCollector collector, int count) throws InterruptedException {
    if (collector.awaitSpans(count, WAIT)) {
      return true;
    }
    out.println("== only " + collector.spans().size() + " of " + count + " spans ended within "
        + WAIT.toSeconds() + " s");
    return false;
  }

  /** The waterfall of each trace, its web page, and what to try next. */
  private boolean show(List<SpanData> spans, TraceLogs logs) {
    List<TraceView> traces = TraceView.of(spans);
    out.println();
    out.println(traces.size() == 1
        ? "== the order's trace: every span of every service under one trace id"
        : "== " + traces.size() + " traces (one was expected)");
    boolean ok = traces.size() == 1;
    for (TraceView trace : traces) {
      out.println();
      Waterfall.print(trace, options.details, out);
      if (trace.rows.stream().anyMatch(TraceView.Row::error)) {
        out.println("  x = error span;  " + Waterfall.ORIGIN.substring(4)
            + ": the error span with no error below it");
      }
      try {
        Path page = TraceHtml.write(trace, logs == null ? List.of() : logs.of(trace.traceId),
            options.htmlDir).toAbsolutePath().normalize();
        out.println();
        out.println("== the same trace as a web page (opens offline): " + page.toUri());
      } catch (IOException e) {
        out.println("== could not write the web page into " + options.htmlDir + ": " + e);
        ok = false;
      }
    }
    out.println();
    if (!options.details) {
      out.println("== -Ddemo.args=--details adds each span's key attributes to the waterfall");
    }
    if (!options.fail) {
      out.println("== -Ddemo.args=--fail shows a failure: inventory's error and checkout's failure"
          + " in one trace");
    }
    return ok;
  }
}
