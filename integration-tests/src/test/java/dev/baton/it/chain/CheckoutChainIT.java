package dev.baton.it.chain;

import static dev.baton.it.chain.LogCapture.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.baton.examples.CheckoutApp;
import dev.baton.examples.Order;
import dev.baton.it.KafkaBroker;
import dev.baton.it.KafkaBrokerExtension;
import dev.baton.it.KafkaClientsVersion;
import dev.baton.it.RabbitBroker;
import dev.baton.it.RabbitBrokerExtension;
import dev.baton.testing.InMemoryTelemetry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The checkout chain of {@code docs/how-it-works.md}, end to end on real brokers, driving the
 * demo's own {@link CheckoutApp}: (untraced customer →) checkout (gRPC) → inventory (gRPC) →
 * Kafka → fulfilment worker thread → RabbitMQ → notifier. Each service has an SDK of its own
 * whose resource names it; all four export into one in-memory exporter. One trace, exact
 * parents, each span under its service's name, and log lines that carry the trace id of the span
 * they were logged in.
 */
@ExtendWith({KafkaBrokerExtension.class, RabbitBrokerExtension.class})
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CheckoutChainIT {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String PLACE_ORDER = "checkout.Checkout/PlaceOrder";
  private static final String RESERVE = "inventory.Inventory/Reserve";
  private static final AttributeKey<String> RPC_STATUS_CODE =
      AttributeKey.stringKey("rpc.response.status_code");
  private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  private static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  private final String id = UUID.randomUUID().toString().substring(0, 8);
  private final String topic = "orders-" + id;
  private final String notifications = "notifications-" + id;
  private final String orderId = "o-" + id;
  private final InMemoryTelemetry spans =
      InMemoryTelemetry.create(W3CTraceContextPropagator.getInstance());
  private LogCapture logs;
  private CheckoutApp app;
  private KafkaBroker kafka;
  private RabbitBroker rabbit;

  @BeforeEach
  void startApp(KafkaBroker kafka, RabbitBroker rabbit) throws Exception {
    this.kafka = kafka;
    this.rabbit = rabbit;
    logs = LogCapture.start();
    kafka.createTopic(topic, 1);
    CheckoutApp.Builder builder = CheckoutApp.builder(spans.openTelemetry());
    for (String service : CheckoutApp.SERVICES) {
      builder.telemetry(service, spans.service(service)); // its own resource, the shared spans
    }
    app = builder
        .kafkaBootstrap(kafka.bootstrapServers())
        .amqp(rabbit.connectionFactory())
        .ordersTopic(topic)
        .notifications(notifications)
        .consumerGroup("fulfilment-" + id)
        .start();
  }

  @AfterEach
  void stopApp() throws Exception {
    try {
      if (app != null) {
        app.close();
      }
    } finally {
      try (Connection connection = rabbit.connectionFactory().newConnection("baton-it-cleanup")) {
        Channel channel = connection.createChannel();
        channel.queueDelete(notifications);
        channel.exchangeDelete(notifications);
      } finally {
        logs.close();
        spans.close();
      }
    }
  }

  @Test
  void oneTraceFromCheckoutToTheNotifier() throws Exception {
    assertThat(app.client().placeOrder(new Order(orderId, "book", 2)))
        .isEqualTo("accepted " + orderId);
    assertThat(app.nextNotification(WAIT)).isEqualTo("order " + orderId + " shipped: 2 x book");

    SpanData checkout = spans.awaitSpan(PLACE_ORDER, SpanKind.SERVER);
    SpanData reserve = spans.awaitSpan(RESERVE, SpanKind.CLIENT);
    SpanData inventory = spans.awaitSpan(RESERVE, SpanKind.SERVER);
    SpanData send = spans.awaitSpan("send " + topic, SpanKind.PRODUCER);
    SpanData fulfil = spans.awaitSpan("process " + topic, SpanKind.CONSUMER);
    SpanData publish = spans.awaitSpan("publish " + notifications, SpanKind.PRODUCER);
    SpanData notify = spans.awaitSpan("process " + notifications, SpanKind.CONSUMER);

    // one trace, seven spans, each with exactly the parent of the tree in how-it-works.md
    String traceId = checkout.getTraceId();
    assertThat(spans.spans()).hasSize(7)
        .allSatisfy(span -> assertThat(span.getTraceId()).isEqualTo(traceId))
        .allSatisfy(span -> assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET));
    assertThat(checkout.getParentSpanContext().isValid())
        .as("the customer is not traced: checkout's span is the root").isFalse();
    assertChildOf(reserve, checkout);
    assertChildOf(inventory, reserve);
    assertChildOf(send, checkout);
    assertChildOf(fulfil, send);
    assertChildOf(publish, fulfil);
    assertChildOf(notify, publish);
    assertThat(List.of(checkout, reserve, inventory))
        .allSatisfy(span -> assertThat(span.getAttributes().get(RPC_STATUS_CODE)).isEqualTo("OK"));

    // each span under the service.name of the service that made it: four services
    assertServices(Map.of(
        checkout, "checkout", reserve, "checkout", send, "checkout",
        inventory, "inventory",
        fulfil, "fulfilment-worker", publish, "fulfilment-worker",
        notify, "notifier"));

    // every service logged inside the trace, in the span of its own hop
    List<ILoggingEvent> lines = logs.mentioning(orderId);
    assertThat(lines).extracting(LogCapture::service)
        .contains("checkout", "inventory", "fulfilment-worker", "notifier");
    assertThat(lines).allSatisfy(line ->
        assertThat(line.getMDCPropertyMap()).containsEntry("trace_id", traceId));
    assertSpanOfLines(lines, "checkout", checkout);
    assertSpanOfLines(lines, "inventory", inventory);
    assertSpanOfLines(lines, "fulfilment-worker", fulfil);
    assertSpanOfLines(lines, "notifier", notify);

    // the worker processed the record on a worker thread, not on the thread that polled it
    String pollThread = logs.events().stream()
        .filter(e -> service(e).equals("fulfilment-worker") && e.getFormattedMessage().contains(topic))
        .map(ILoggingEvent::getThreadName)
        .findFirst()
        .orElseThrow(() -> new AssertionError("the poll thread logged no assignment"));
    assertThat(lines).filteredOn(line -> service(line).equals("fulfilment-worker"))
        .isNotEmpty()
        .allSatisfy(line -> assertThat(line.getThreadName())
            .startsWith("fulfilment-worker-")
            .isNotEqualTo(pollThread));

    assertClosesWithoutLeaks();
  }

  /**
   * Issue 14's "done when": one order through the chain, each service on an SDK with a metric
   * reader, records every instrument with the count of that one order, and only the conventions'
   * attributes (no order id, key or generated name anywhere).
   */
  @Test
  void oneOrderRecordsEveryInstrumentOnceInTheServiceThatHandledIt() throws Exception {
    assertThat(app.client().placeOrder(new Order(orderId, "book", 2)))
        .isEqualTo("accepted " + orderId);
    assertThat(app.nextNotification(WAIT)).isEqualTo("order " + orderId + " shipped: 2 x book");
    // every span ended: every measurement that goes with one was recorded before it
    spans.awaitSpan(PLACE_ORDER, SpanKind.SERVER);
    spans.awaitSpan(RESERVE, SpanKind.SERVER);
    spans.awaitSpan("send " + topic, SpanKind.PRODUCER);
    spans.awaitSpan("process " + topic, SpanKind.CONSUMER);
    spans.awaitSpan("publish " + notifications, SpanKind.PRODUCER);
    spans.awaitSpan("process " + notifications, SpanKind.CONSUMER);

    boolean acked = KafkaClientsVersion.atLeast(4, 1);
    Map<String, Long> checkout = new HashMap<>(Map.of(
        "rpc.server.call.duration", 1L,
        "rpc.client.call.duration", 1L,
        "messaging.client.sent.messages", 1L));
    if (acked) {
      checkout.put("messaging.client.operation.duration", 1L);
    }
    assertThat(totals("checkout")).isEqualTo(checkout);
    assertThat(totals("inventory")).isEqualTo(Map.of("rpc.server.call.duration", 1L));
    assertThat(totals("fulfilment-worker")).isEqualTo(Map.of(
        "messaging.client.consumed.messages", 1L,
        "messaging.process.duration", 1L,
        "baton.messaging.wait.duration", 1L,
        "messaging.client.sent.messages", 1L,
        "messaging.client.operation.duration", 1L));
    assertThat(totals("notifier")).isEqualTo(Map.of(
        "messaging.client.consumed.messages", 1L,
        "messaging.process.duration", 1L));

    Set<String> allowed = Set.of("messaging.system", "messaging.operation.name",
        "messaging.operation.type", "messaging.destination.name", "messaging.consumer.group.name",
        "rpc.system.name", "rpc.method", "rpc.response.status_code");
    for (MetricData metric : spans.metrics()) {
      for (PointData point : metric.getData().getPoints()) {
        assertThat(point.getAttributes().asMap().keySet())
            .extracting(AttributeKey::getKey)
            .as(metric.getName())
            .isSubsetOf(allowed);
        assertThat(point.getAttributes().asMap().values()).map(String::valueOf)
            .noneMatch(v -> v.contains(orderId));
      }
    }
    assertThat(attributes("fulfilment-worker", "baton.messaging.wait.duration")).containsExactly(
        Attributes.builder()
            .put("messaging.system", "kafka")
            .put("messaging.operation.name", "process")
            .put("messaging.destination.name", topic)
            .put("messaging.consumer.group.name", "fulfilment-" + id)
            .build());
    assertClosesWithoutLeaks();
  }

  /** Per metric of one service: a counter's sum, or a histogram's count of measurements. */
  private Map<String, Long> totals(String service) {
    Map<String, Long> totals = new HashMap<>();
    for (MetricData metric : spans.metrics(service)) {
      long total = 0;
      for (PointData point : metric.getData().getPoints()) {
        total += point instanceof HistogramPointData
            ? ((HistogramPointData) point).getCount()
            : ((LongPointData) point).getValue();
      }
      totals.put(metric.getName(), total);
    }
    return totals;
  }

  private List<Attributes> attributes(String service, String name) {
    List<Attributes> out = new ArrayList<>();
    for (MetricData metric : spans.metrics(service)) {
      if (metric.getName().equals(name)) {
        metric.getData().getPoints().forEach(p -> out.add(p.getAttributes()));
      }
    }
    return out;
  }

  @Test
  void inventoryRefusesAndTheErrorStaysInTheTrace() throws Exception {
    assertThatThrownBy(() -> app.client().placeOrder(new Order(orderId, "out-of-stock", 1)))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));

    SpanData checkout = spans.awaitSpan(PLACE_ORDER, SpanKind.SERVER);
    SpanData reserve = spans.awaitSpan(RESERVE, SpanKind.CLIENT);
    SpanData inventory = spans.awaitSpan(RESERVE, SpanKind.SERVER);
    String traceId = checkout.getTraceId();
    assertThat(spans.spans()).as("nothing after the refusal: no send, no process, no publish")
        .hasSize(3)
        .allSatisfy(span -> assertThat(span.getTraceId()).isEqualTo(traceId));
    assertThat(checkout.getParentSpanContext().isValid()).isFalse();
    assertChildOf(reserve, checkout);
    assertChildOf(inventory, reserve);

    // The caller sees an error. Servers record the code, but FAILED_PRECONDITION is the caller's
    // problem, not the server's: per the RPC conventions the server spans are not errors.
    assertThat(reserve.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(reserve.getAttributes().get(ERROR_TYPE)).isEqualTo("FAILED_PRECONDITION");
    assertThat(reserve.getAttributes().get(RPC_STATUS_CODE)).isEqualTo("FAILED_PRECONDITION");
    for (SpanData server : List.of(inventory, checkout)) {
      assertThat(server.getStatus().getStatusCode()).as(server.getName()).isEqualTo(StatusCode.UNSET);
      assertThat(server.getAttributes().get(ERROR_TYPE)).isNull();
      assertThat(server.getAttributes().get(RPC_STATUS_CODE)).isEqualTo("FAILED_PRECONDITION");
    }

    // checkout sent nothing to Kafka (it answered only after deciding), so no worker ran
    assertThat(endOffset(topic)).isZero();
    assertThat(logs.mentioning(orderId)).extracting(LogCapture::service)
        .doesNotContain("fulfilment-worker", "notifier");

    // inventory's and checkout's error lines carry the same trace id, each in its own span
    ILoggingEvent inventoryError = errorLine("inventory");
    ILoggingEvent checkoutError = errorLine("checkout");
    assertThat(inventoryError.getMDCPropertyMap())
        .containsEntry("trace_id", traceId)
        .containsEntry("span_id", inventory.getSpanId());
    assertThat(checkoutError.getMDCPropertyMap())
        .containsEntry("trace_id", traceId)
        .containsEntry("span_id", checkout.getSpanId());
    assertThat(checkoutError.getFormattedMessage()).contains("FAILED_PRECONDITION");

    assertClosesWithoutLeaks();
  }

  /**
   * The demo's {@code --fail}: inventory's stock ledger fails for the SKU {@code faulty}.
   * Inventory answers {@code INTERNAL} (its own error, with the exception it caught recorded on its
   * span), checkout fails the order with {@code UNAVAILABLE} (a failure of its own): three error
   * spans in one trace, the error starting at inventory's, and both services' error lines under
   * the trace id.
   */
  @Test
  void inventoryFailsAndCheckoutFailsTheOrderInOneTrace() throws Exception {
    assertThatThrownBy(() -> app.client().placeOrder(new Order(orderId, "faulty", 1)))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));

    SpanData checkout = spans.awaitSpan(PLACE_ORDER, SpanKind.SERVER);
    SpanData reserve = spans.awaitSpan(RESERVE, SpanKind.CLIENT);
    SpanData inventory = spans.awaitSpan(RESERVE, SpanKind.SERVER);
    String traceId = checkout.getTraceId();
    assertThat(spans.spans()).hasSize(3)
        .allSatisfy(span -> assertThat(span.getTraceId()).isEqualTo(traceId))
        .allSatisfy(span -> assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR));
    assertChildOf(reserve, checkout);
    assertChildOf(inventory, reserve);
    assertServices(Map.of(checkout, "checkout", reserve, "checkout", inventory, "inventory"));

    assertThat(inventory.getAttributes().get(ERROR_TYPE)).isEqualTo("INTERNAL");
    assertThat(inventory.getStatus().getDescription()).isEqualTo("stock ledger unavailable");
    assertThat(inventory.getEvents()).singleElement().satisfies(event -> {
      assertThat(event.getName()).isEqualTo("exception");
      assertThat(event.getAttributes().get(AttributeKey.stringKey("exception.type")))
          .isEqualTo(IllegalStateException.class.getName());
    });
    assertThat(reserve.getAttributes().get(ERROR_TYPE)).isEqualTo("INTERNAL");
    assertThat(reserve.getAttributes().get(RPC_STATUS_CODE)).isEqualTo("INTERNAL");
    assertThat(checkout.getAttributes().get(ERROR_TYPE)).isEqualTo("UNAVAILABLE");
    assertThat(checkout.getAttributes().get(RPC_STATUS_CODE)).isEqualTo("UNAVAILABLE");
    assertThat(endOffset(topic)).isZero();

    ILoggingEvent inventoryError = errorLine("inventory");
    ILoggingEvent checkoutError = errorLine("checkout");
    assertThat(inventoryError.getMDCPropertyMap())
        .containsEntry("trace_id", traceId)
        .containsEntry("span_id", inventory.getSpanId());
    assertThat(checkoutError.getMDCPropertyMap())
        .containsEntry("trace_id", traceId)
        .containsEntry("span_id", checkout.getSpanId());
    assertThat(checkoutError.getFormattedMessage()).contains("INTERNAL");

    assertClosesWithoutLeaks();
  }

  /**
   * Six orders from three customer threads at once (two each, back to back, so a context left
   * current on a customer thread would show), through checkout's gRPC handler pool and the
   * fulfilment worker's two threads: each order is its own complete tree of seven spans, no span
   * has a parent in another order's trace, and every log line naming an order carries that
   * order's trace id and the span of its service's hop.
   */
  @Test
  void concurrentOrdersEachKeepTheirOwnTrace() throws Exception {
    int customers = 3;
    int ordersPerCustomer = 2;
    // single-digit suffixes: no order id is a prefix of another, so log lines match one order
    List<String> orderIds = IntStream.rangeClosed(1, customers * ordersPerCustomer)
        .mapToObj(n -> orderId + "-" + n)
        .toList();

    AtomicInteger customerThreads = new AtomicInteger();
    ExecutorService customerPool = Executors.newFixedThreadPool(
        customers, r -> new Thread(r, "customer-" + customerThreads.incrementAndGet()));
    CyclicBarrier together = new CyclicBarrier(customers);
    List<String> replies = new ArrayList<>();
    try {
      List<Future<List<String>>> calls = new ArrayList<>();
      for (int c = 0; c < customers; c++) {
        List<String> mine = orderIds.subList(c * ordersPerCustomer, (c + 1) * ordersPerCustomer);
        calls.add(customerPool.submit(() -> {
          together.await(10, TimeUnit.SECONDS);
          List<String> answers = new ArrayList<>();
          for (String order : mine) {
            answers.add(app.client().placeOrder(new Order(order, "book", 1)));
          }
          return answers;
        }));
      }
      for (Future<List<String>> call : calls) {
        replies.addAll(call.get(60, TimeUnit.SECONDS));
      }
    } finally {
      customerPool.shutdownNow();
      assertThat(customerPool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(replies).containsExactlyInAnyOrderElementsOf(
        orderIds.stream().map(order -> "accepted " + order).toList());

    List<String> notified = new ArrayList<>();
    for (int i = 0; i < orderIds.size(); i++) {
      String notification = app.nextNotification(WAIT);
      assertThat(notification).as("notification %d of %d", i + 1, orderIds.size()).isNotNull();
      notified.add(notification);
    }
    assertThat(notified).containsExactlyInAnyOrderElementsOf(
        orderIds.stream().map(order -> "order " + order + " shipped: 1 x book").toList());

    // seven spans per order, in as many traces as orders, each a complete tree of its own
    int expected = 7 * orderIds.size();
    await().atMost(WAIT).until(() -> spans.spans().size() >= expected);
    List<SpanData> all = spans.spans();
    assertThat(all).hasSize(expected);
    Map<String, List<SpanData>> traces =
        all.stream().collect(Collectors.groupingBy(SpanData::getTraceId));
    assertThat(traces).as("one trace per order").hasSize(orderIds.size());
    Map<String, OrderTree> treeOfOrder = new HashMap<>();
    for (List<SpanData> trace : traces.values()) {
      OrderTree tree = OrderTree.of(trace, topic, notifications);
      // the notification's message id names the order whose trace this is
      String messageId = tree.publish().getAttributes().get(MESSAGE_ID);
      assertThat(messageId).startsWith("n-");
      OrderTree earlier = treeOfOrder.put(messageId.substring(2), tree);
      assertThat(earlier).as("a second trace for order %s", messageId.substring(2)).isNull();
    }
    assertThat(treeOfOrder.keySet()).containsExactlyInAnyOrderElementsOf(orderIds);

    // each service's lines about an order: in that order's trace, in the span of its own hop
    for (String order : orderIds) {
      OrderTree tree = treeOfOrder.get(order);
      String traceId = tree.checkout().getTraceId();
      List<ILoggingEvent> lines = logs.mentioning(order);
      assertThat(lines).as("lines naming %s", order).extracting(LogCapture::service)
          .contains("checkout", "inventory", "fulfilment-worker", "notifier");
      assertThat(lines).as("lines naming %s", order).allSatisfy(line ->
          assertThat(line.getMDCPropertyMap()).containsEntry("trace_id", traceId));
      assertSpanOfLines(lines, "checkout", tree.checkout());
      assertSpanOfLines(lines, "inventory", tree.inventory());
      assertSpanOfLines(lines, "fulfilment-worker", tree.fulfil());
      assertSpanOfLines(lines, "notifier", tree.notifier());
    }

    // the worker's pool really ran in parallel: its first two records start one thread each
    assertThat(orderIds.stream()
        .flatMap(order -> logs.mentioning(order).stream())
        .filter(line -> service(line).equals("fulfilment-worker"))
        .map(ILoggingEvent::getThreadName)
        .distinct()
        .toList())
        .hasSizeGreaterThanOrEqualTo(2)
        .allSatisfy(thread -> assertThat(thread).startsWith("fulfilment-worker-"));

    assertClosesWithoutLeaks();
  }

  /** One order's seven spans, each checked to be there once and under its exact parent. */
  private record OrderTree(SpanData checkout, SpanData reserve,
      SpanData inventory, SpanData send, SpanData fulfil, SpanData publish, SpanData notifier) {

    static OrderTree of(List<SpanData> trace, String topic, String notifications) {
      assertThat(trace).as("spans of trace %s", trace.get(0).getTraceId()).hasSize(7)
          .allSatisfy(span ->
              assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET));
      OrderTree tree = new OrderTree(
          one(trace, PLACE_ORDER, SpanKind.SERVER),
          one(trace, RESERVE, SpanKind.CLIENT),
          one(trace, RESERVE, SpanKind.SERVER),
          one(trace, "send " + topic, SpanKind.PRODUCER),
          one(trace, "process " + topic, SpanKind.CONSUMER),
          one(trace, "publish " + notifications, SpanKind.PRODUCER),
          one(trace, "process " + notifications, SpanKind.CONSUMER));
      assertThat(tree.checkout().getParentSpanContext().isValid())
          .as("checkout's span is the root, not a child of another order's span").isFalse();
      assertChildOf(tree.reserve(), tree.checkout());
      assertChildOf(tree.inventory(), tree.reserve());
      assertChildOf(tree.send(), tree.checkout());
      assertChildOf(tree.fulfil(), tree.send());
      assertChildOf(tree.publish(), tree.fulfil());
      assertChildOf(tree.notifier(), tree.publish());
      return tree;
    }

    private static SpanData one(List<SpanData> trace, String name, SpanKind kind) {
      List<SpanData> found = trace.stream()
          .filter(span -> span.getName().equals(name) && span.getKind() == kind)
          .toList();
      assertThat(found).as("%s %s in trace %s", kind, name, trace.get(0).getTraceId()).hasSize(1);
      return found.get(0);
    }
  }

  private static void assertChildOf(SpanData child, SpanData parent) {
    assertThat(child.getParentSpanId())
        .as("parent of %s %s", child.getKind(), child.getName())
        .isEqualTo(parent.getSpanId());
  }

  private static void assertServices(Map<SpanData, String> serviceOfSpan) {
    serviceOfSpan.forEach((span, service) ->
        assertThat(span.getResource().getAttribute(SERVICE_NAME))
            .as("service.name of %s %s", span.getKind(), span.getName())
            .isEqualTo(service));
  }

  private static void assertSpanOfLines(List<ILoggingEvent> lines, String service, SpanData span) {
    assertThat(lines).filteredOn(line -> service(line).equals(service))
        .as("%s's lines are logged in %s %s", service, span.getKind(), span.getName())
        .isNotEmpty()
        .allSatisfy(line -> assertThat(line.getMDCPropertyMap()).containsEntry("span_id", span.getSpanId()));
  }

  private ILoggingEvent errorLine(String service) {
    List<ILoggingEvent> errors = logs.mentioning(orderId).stream()
        .filter(e -> e.getLevel() == Level.ERROR && service(e).equals(service))
        .toList();
    assertThat(errors).as("%s's error lines", service).hasSize(1);
    return errors.get(0);
  }

  private long endOffset(String topic) throws Exception {
    try (Admin admin = Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      TopicPartition partition = new TopicPartition(topic, 0);
      return admin.listOffsets(Map.of(partition, OffsetSpec.latest()))
          .partitionResult(partition)
          .get(10, TimeUnit.SECONDS)
          .offset();
    }
  }

  /** Closes the app: none of its threads survive, and no context is left current here. */
  private void assertClosesWithoutLeaks() {
    app.close();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(Thread.getAllStackTraces().keySet())
            .extracting(Thread::getName)
            .noneMatch(name -> name.startsWith("fulfilment-")
                || name.startsWith("checkout-grpc-")
                || name.startsWith("inventory-grpc-")
                || name.startsWith("notifier-")
                || name.contains("| fulfilment")
                || name.contains("| checkout")));
    assertThat(Context.current()).isSameAs(Context.root());
  }
}
