package dev.baton.it.chain;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.baton.examples.CheckoutDemo;
import dev.baton.it.KafkaBroker;
import dev.baton.it.KafkaBrokerExtension;
import dev.baton.it.RabbitBroker;
import dev.baton.it.RabbitBrokerExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkout demo as a user runs it ({@link CheckoutDemo#run}, the {@code main} without
 * {@code System.exit}), on the test brokers, with an OTLP endpoint set through the
 * {@code otel.*} system properties that the SDKs' autoconfigure reads. Checks what the user reads:
 * the waterfall (four services, one trace id, durations, the error on the right span), the log
 * lines (a trace id on every one), the web page, and the same spans arriving at the OTLP endpoint.
 */
@ExtendWith({KafkaBrokerExtension.class, RabbitBrokerExtension.class})
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CheckoutDemoIT {

  /** A waterfall row: mark, service, kind (8 wide), tree and name, start, duration, bar, outcome. */
  private static final Pattern ROW = Pattern.compile(
      "^([x ]) (\\S+) +((?=SERVER|CLIENT|PRODUCER|CONSUMER|INTERNAL).{8})  (.+?) +(\\d+\\.\\d+ m?s) +"
          + "(\\d+\\.\\d+ m?s) +\\|([#X ]{40})\\|(.*)$");
  private static final Pattern HEADER = Pattern.compile(
      "^trace ([0-9a-f]{32}) +(\\d+) spans, (\\d+) services \\(([^)]*)\\), \\d+\\.\\d+ m?s$");
  // instrument, service, count (a histogram's: "n x mean ms"), attributes
  private static final Pattern METRIC = Pattern.compile(
      "   ((?:messaging|rpc|baton)\\.\\S+)\\s+(\\S+)\\s+(\\d+)(?: x [0-9.]+ ms)?\\s+\\S.*");
  private static final Pattern PAGE = Pattern.compile("web page \\(opens offline\\): (file:\\S+)");
  private static final String[] OTEL_PROPERTIES =
      {"otel.exporter.otlp.endpoint", "otel.exporter.otlp.protocol"};

  private final String id = UUID.randomUUID().toString().substring(0, 8);
  private final String topic = "orders-" + id;
  private final String queue = "notifications-" + id;
  @TempDir
  Path pages;
  private LogCapture logs;
  private OtlpReceiver otlp;
  private RabbitBroker rabbit;
  private KafkaBroker kafka;

  @BeforeEach
  void start(KafkaBroker kafka, RabbitBroker rabbit) throws Exception {
    this.kafka = kafka;
    this.rabbit = rabbit;
    logs = LogCapture.start();
    otlp = OtlpReceiver.start();
    System.setProperty("otel.exporter.otlp.endpoint", otlp.endpoint());
    System.setProperty("otel.exporter.otlp.protocol", "http/protobuf");
  }

  @AfterEach
  void stop() throws Exception {
    for (String property : OTEL_PROPERTIES) {
      System.clearProperty(property);
    }
    otlp.close();
    logs.close();
    try (Connection connection = rabbit.connectionFactory().newConnection("baton-it-cleanup")) {
      Channel channel = connection.createChannel();
      channel.queueDelete(queue);
      channel.exchangeDelete(queue);
    }
  }

  @Test
  void theOrderIsOneTraceAcrossFourServices() throws Exception {
    List<String> out = runDemo("--details");

    String traceId = header(out, 7, "checkout, inventory, fulfilment-worker, notifier");
    List<Matcher> rows = rows(out);
    assertThat(rows).extracting(r -> r.group(2) + " " + r.group(3).strip() + " " + r.group(4)).containsExactly(
        "checkout SERVER checkout.Checkout/PlaceOrder",
        "checkout CLIENT |- inventory.Inventory/Reserve",
        "inventory SERVER |  `- inventory.Inventory/Reserve",
        "checkout PRODUCER `- send " + topic,
        "fulfilment-worker CONSUMER    `- process " + topic,
        "fulfilment-worker PRODUCER       `- publish " + queue,
        "notifier CONSUMER          `- process " + queue);
    assertThat(rows).allSatisfy(row -> {
      assertThat(row.group(1)).as("error mark").isEqualTo(" ");
      assertThat(row.group(7)).as("bar").contains("#").doesNotContain("X");
      assertThat(row.group(8)).as("outcome").isEmpty();
    });
    // --details: the key attributes under the rows
    assertThat(out).anyMatch(line -> line.contains("messaging.kafka.offset="))
        .anyMatch(line -> line.contains("messaging.rabbitmq.destination.routing_key=order.shipped"))
        .anyMatch(line -> line.contains("rpc.response.status_code=OK"));

    // the metrics section: every instrument once, in the service that recorded it
    assertThat(out.stream().map(METRIC::matcher).filter(Matcher::matches)
        .map(m -> m.group(1) + " " + m.group(2) + " " + m.group(3)).toList())
        .containsExactlyInAnyOrder(
            "messaging.client.operation.duration checkout 1",
            "messaging.client.sent.messages checkout 1",
            "rpc.client.call.duration checkout 1",
            "rpc.server.call.duration checkout 1",
            "rpc.server.call.duration inventory 1",
            "baton.messaging.wait.duration fulfilment-worker 1",
            "messaging.client.consumed.messages fulfilment-worker 1",
            "messaging.client.operation.duration fulfilment-worker 1",
            "messaging.client.sent.messages fulfilment-worker 1",
            "messaging.process.duration fulfilment-worker 1",
            "messaging.client.consumed.messages notifier 1",
            "messaging.process.duration notifier 1");
    assertThat(out).anyMatch(line -> line.startsWith("   messaging.client.sent.messages")
        && line.contains("checkout") && line.endsWith(
            "messaging.destination.name=" + topic + " messaging.operation.name=send"));

    // the services' log lines: every one carries a trace id, the order's lines this one
    List<ILoggingEvent> lines = serviceLines();
    assertThat(lines).extracting(LogCapture::service)
        .contains("checkout", "inventory", "fulfilment-worker", "notifier");
    assertThat(lines).allSatisfy(line -> assertThat(line.getMDCPropertyMap())
        .containsEntry("trace_id", traceId)
        .containsKey("span_id"));

    Path page = page(out);
    String html = Files.readString(page, StandardCharsets.UTF_8);
    assertThat(page.getFileName().toString()).isEqualTo("trace-" + traceId + ".html");
    assertThat(html).contains(traceId, "fulfilment-worker", "notifier", "send " + topic,
        "Log lines with trace_id " + traceId, "fulfilling order o-1");
    assertSelfContained(html);

    // the same trace reached the OTLP endpoint: seven spans, four services
    assertThat(out).contains("== sent 7 spans to OTLP at " + otlp.endpoint() + " (http/protobuf)");
    assertThat(otlp.problems()).isEmpty();
    assertThat(otlp.spans()).hasSize(7)
        .allSatisfy(span -> assertThat(span.traceId()).isEqualTo(traceId));
    assertThat(otlp.spans()).extracting(OtlpReceiver.ReceivedSpan::service).containsOnly(
        "checkout", "inventory", "fulfilment-worker", "notifier");
    assertThat(otlp.spans()).filteredOn(span -> span.name().equals("process " + queue))
        .singleElement().extracting(OtlpReceiver.ReceivedSpan::service).isEqualTo("notifier");
  }

  @Test
  void failShowsInventorysErrorAndCheckoutsFailureInOneTrace() throws Exception {
    List<String> out = runDemo("--fail");

    String traceId = header(out, 3, "checkout, inventory");
    List<Matcher> rows = rows(out);
    assertThat(rows).extracting(r -> r.group(1) + r.group(2) + " " + r.group(3).strip() + " " + r.group(4))
        .containsExactly(
            "xcheckout SERVER checkout.Checkout/PlaceOrder",
            "xcheckout CLIENT `- inventory.Inventory/Reserve",
            "xinventory SERVER    `- inventory.Inventory/Reserve");
    assertThat(rows).extracting(r -> r.group(8).strip()).containsExactly(
        "ERROR UNAVAILABLE: inventory unavailable, try again later",
        "ERROR INTERNAL: stock ledger unavailable",
        "ERROR INTERNAL: stock ledger unavailable   <-- the error starts here");
    assertThat(rows).allSatisfy(row -> assertThat(row.group(7)).contains("X").doesNotContain("#"));
    assertThat(out).contains(
        "== customer: checkout failed the order: UNAVAILABLE (inventory unavailable, try again later)");

    // both services' error lines, under the trace id shown
    List<ILoggingEvent> errors = serviceLines().stream()
        .filter(line -> line.getLevel() == Level.ERROR)
        .toList();
    assertThat(errors).extracting(LogCapture::service).containsExactly("inventory", "checkout");
    assertThat(errors).allSatisfy(line ->
        assertThat(line.getMDCPropertyMap()).containsEntry("trace_id", traceId));
    assertThat(serviceLines()).allSatisfy(line ->
        assertThat(line.getMDCPropertyMap()).containsEntry("trace_id", traceId));

    String html = Files.readString(page(out), StandardCharsets.UTF_8);
    assertThat(html).contains("error starts here", "stock ledger read failed for sku faulty",
        "java.lang.IllegalStateException");
    assertSelfContained(html);

    assertThat(otlp.spans()).hasSize(3)
        .allSatisfy(span -> assertThat(span.traceId()).isEqualTo(traceId))
        .allSatisfy(span -> assertThat(span.statusCode()).as("STATUS_CODE_ERROR").isEqualTo(2));
  }

  /** Runs the demo against the test brokers; asserts exit code 0 and returns its lines. */
  private List<String> runDemo(String... options) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<String> args = new ArrayList<>(List.of(
        "--kafka", kafka.bootstrapServers(), "--amqp", rabbit.uri(),
        "--topic", topic, "--queue", queue, "--html", pages.toString()));
    args.addAll(List.of(options));
    int exitCode;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      exitCode = CheckoutDemo.run(out, args.toArray(String[]::new));
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    System.out.println(text);
    assertThat(exitCode).as("exit code; output:%n%s", text).isZero();
    return text.lines().toList();
  }

  /** The waterfall's header: {@code spans} spans of these services; returns the trace id. */
  private static String header(List<String> out, int spans, String services) {
    List<Matcher> headers = out.stream().map(HEADER::matcher).filter(Matcher::matches).toList();
    assertThat(headers).as("waterfall headers in%n%s", String.join("\n", out)).hasSize(1);
    Matcher header = headers.get(0);
    assertThat(Integer.parseInt(header.group(2))).as("spans").isEqualTo(spans);
    assertThat(header.group(4)).as("services").isEqualTo(services);
    assertThat(Integer.parseInt(header.group(3))).isEqualTo(services.split(", ").length);
    return header.group(1);
  }

  private static List<Matcher> rows(List<String> out) {
    return out.stream().map(ROW::matcher).filter(Matcher::matches).toList();
  }

  private static Path page(List<String> out) {
    Matcher page = out.stream().map(PAGE::matcher).filter(Matcher::find).findFirst()
        .orElseThrow(() -> new AssertionError("no web page in the output"));
    Path path = Path.of(URI.create(page.group(1)));
    assertThat(path).exists();
    return path;
  }

  /** What the demo's services logged at INFO and above during this test. */
  private List<ILoggingEvent> serviceLines() {
    return logs.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).toList();
  }

  /** No script, no stylesheet or image from elsewhere: the page opens offline. */
  private static void assertSelfContained(String html) {
    assertThat(html).startsWith("<!DOCTYPE html>")
        .doesNotContainIgnoringCase("<script")
        .doesNotContainIgnoringCase("<link")
        .doesNotContainIgnoringCase("<img")
        .doesNotContainIgnoringCase("url(")
        .doesNotContainIgnoringCase("src=")
        .doesNotContainIgnoringCase("@import")
        .doesNotContain("href=\"http");
  }
}
