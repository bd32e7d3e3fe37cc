package dev.baton.examples;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.baton.amqp.AmqpTracing;
import dev.baton.grpc.GrpcTracing;
import dev.baton.kafka.KafkaTracing;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The checkout system of the demo, wired with Baton: a checkout and an inventory gRPC service
 * (Netty, on 127.0.0.1, free ports), a Kafka orders topic with a fulfilment worker, and a
 * RabbitMQ exchange and queue with a notifier. One order makes one trace across four services:
 *
 * <pre>
 * SERVER   checkout.Checkout/PlaceOrder            checkout
 * ├── CLIENT   inventory.Inventory/Reserve         checkout
 * │   └── SERVER   inventory.Inventory/Reserve     inventory
 * └── PRODUCER send orders                         checkout
 *     └── CONSUMER process orders                  fulfilment-worker (on a worker thread)
 *         └── PRODUCER publish notifications       fulfilment-worker
 *             └── CONSUMER process notifications   notifier
 * </pre>
 *
 * <p>The customer's {@link #client()} is not traced: it stands for a caller outside the system,
 * so the trace starts in the checkout service. Each service takes its spans and propagators from
 * its own {@link OpenTelemetry} ({@link Builder#telemetry(String, OpenTelemetry)}), so that a
 * backend sees four services; by default they share the one given to
 * {@link #builder(OpenTelemetry)}.
 *
 * <p>Close it to stop every service, thread and connection it started. The brokers are not its
 * own: it only creates the topic (if missing), the exchange and the queue. Thread-safe.
 *
 * @since 0.1.0
 */
public final class CheckoutApp implements AutoCloseable {

  /** The checkout service: {@code checkout.Checkout/PlaceOrder}, and the Kafka producer. */
  public static final String CHECKOUT = "checkout";
  /** The inventory service: {@code inventory.Inventory/Reserve}. */
  public static final String INVENTORY = "inventory";
  /** The fulfilment worker: the Kafka consumer and its workers, which publish to RabbitMQ. */
  public static final String FULFILMENT_WORKER = "fulfilment-worker";
  /** The notifier: the RabbitMQ consumer. */
  public static final String NOTIFIER = "notifier";
  /** The four services, in the order an order reaches them. */
  public static final List<String> SERVICES =
      List.of(CHECKOUT, INVENTORY, FULFILMENT_WORKER, NOTIFIER);

  private static final String HOST = "127.0.0.1";
  private static final String ROUTING_KEY = "order.shipped";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private CheckoutClient client;
  private Notifier notifier;

  private CheckoutApp() {}

  /**
   * Returns a builder.
   *
   * @param openTelemetry where every service's spans and propagators come from
   * @return a new builder
   */
  public static Builder builder(OpenTelemetry openTelemetry) {
    return new Builder(openTelemetry);
  }

  /**
   * The customer's client of the checkout service.
   *
   * @return the client
   */
  public CheckoutClient client() {
    return client;
  }

  /**
   * Waits for the notifier's next delivery.
   *
   * @param timeout how long to wait
   * @return the notification text ({@code order <id> shipped: ...}), or null on timeout
   * @throws InterruptedException if interrupted while waiting
   */
  public String nextNotification(Duration timeout) throws InterruptedException {
    return notifier.next(timeout);
  }

  /** Stops the services, the worker and its threads, and closes every client and connection. */
  @Override
  public void close() {
    RuntimeException failure = null;
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        if (failure == null) {
          failure = new IllegalStateException("closing the checkout app failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void start(Builder b) throws Exception {
    createTopicIfMissing(b.kafkaBootstrap, b.ordersTopic);

    // RabbitMQ: the notifier and the worker are different services, with a connection each
    AtomicInteger deliveries = new AtomicInteger();
    ExecutorService notifierThreads = Executors.newFixedThreadPool(
        2, r -> new Thread(r, "notifier-" + deliveries.incrementAndGet()));
    resources.push(() -> shutdown(notifierThreads));
    Connection notifierConnection = AmqpTracing.create(b.telemetry(NOTIFIER))
        .wrap(b.amqp.newConnection(notifierThreads, NOTIFIER));
    resources.push(notifierConnection);
    notifier = new Notifier(notifierConnection.createChannel(), b.notifications);
    notifier.start(b.notifications, ROUTING_KEY);
    Connection fulfilmentConnection = AmqpTracing.create(b.telemetry(FULFILMENT_WORKER))
        .wrap(b.amqp.newConnection("fulfilment"));
    resources.push(fulfilmentConnection);

    // Kafka: the worker consumes orders; checkout produces them
    KafkaTracing kafkaTracing = KafkaTracing.create(b.telemetry(FULFILMENT_WORKER));
    Map<String, Object> consumerConfig = new HashMap<>(kafkaTracing.consumerProperties());
    consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, b.kafkaBootstrap);
    consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, b.consumerGroup);
    consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "fulfilment");
    consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    FulfilmentWorker worker = new FulfilmentWorker(
        kafkaTracing,
        new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer()),
        b.ordersTopic,
        fulfilmentConnection.createChannel(),
        b.notifications,
        ROUTING_KEY,
        b.workerThreads);
    resources.push(worker);
    worker.start(START_TIMEOUT);

    Map<String, Object> producerConfig =
        new HashMap<>(KafkaTracing.create(b.telemetry(CHECKOUT)).producerProperties());
    producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.kafkaBootstrap);
    producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, "checkout");
    KafkaProducer<String, String> producer =
        new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer());
    resources.push(() -> producer.close(Duration.ofSeconds(5)));

    // gRPC: inventory, then checkout calling it, then the customer (untraced) calling checkout
    GrpcTracing inventoryTracing = GrpcTracing.create(b.telemetry(INVENTORY));
    Server inventory = startServer(
        new InventoryService().bindService(), inventoryTracing, handlerThreads(INVENTORY));
    GrpcTracing checkoutTracing = GrpcTracing.create(b.telemetry(CHECKOUT));
    ManagedChannel inventoryChannel = openChannel(inventory.getPort(), checkoutTracing);
    Server checkout = startServer(
        new CheckoutService(inventoryChannel, producer, b.ordersTopic).bindService(),
        checkoutTracing,
        handlerThreads(CHECKOUT));
    client = new CheckoutClient(openChannel(checkout.getPort(), null));
  }

  /** A service's gRPC handler threads: {@code checkout-grpc-1}, {@code inventory-grpc-2}, ... */
  private ExecutorService handlerThreads(String service) {
    AtomicInteger count = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(
        2, r -> new Thread(r, service + "-grpc-" + count.incrementAndGet()));
    resources.push(() -> shutdown(threads));
    return threads;
  }

  private Server startServer(
      ServerServiceDefinition service, GrpcTracing grpcTracing, ExecutorService executor)
      throws IOException {
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress(HOST, 0))
        .executor(executor)
        .addService(ServerInterceptors.intercept(service, grpcTracing.serverInterceptor()))
        // calls to methods the server does not have get a span too
        .addStreamTracerFactory(grpcTracing.serverStreamTracerFactory())
        .build()
        .start();
    resources.push(() -> {
      server.shutdown();
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    });
    return server;
  }

  /** A channel to {@code port}; traced when {@code grpcTracing} is not null. */
  private ManagedChannel openChannel(int port, GrpcTracing grpcTracing) {
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress(HOST, port).usePlaintext();
    if (grpcTracing != null) {
      builder.intercept(grpcTracing.clientInterceptor());
    }
    ManagedChannel channel = builder.build();
    resources.push(() -> {
      channel.shutdown();
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    });
    return channel;
  }

  private static void shutdown(ExecutorService executor) throws InterruptedException {
    executor.shutdown();
    if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
      executor.shutdownNow();
    }
  }

  /** One partition, the cluster's default replication; an existing topic is left alone. */
  private static void createTopicIfMissing(String bootstrap, String topic)
      throws InterruptedException, ExecutionException, TimeoutException {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty())))
          .all()
          .get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
  }

  /**
   * Builds and starts a {@link CheckoutApp}. The Kafka bootstrap servers and the AMQP connection
   * factory are required; topic, exchange/queue and consumer group default to the demo's names.
   * Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final OpenTelemetry openTelemetry;
    private final Map<String, OpenTelemetry> perService = new LinkedHashMap<>();
    private String kafkaBootstrap;
    private ConnectionFactory amqp;
    private String ordersTopic = "orders";
    private String notifications = "notifications";
    private String consumerGroup = "fulfilment";
    private int workerThreads = 2;

    private Builder(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry == null");
    }

    /**
     * Gives one service its own {@link OpenTelemetry}, typically an SDK whose resource carries
     * the service's {@code service.name}. Services without one use the builder's.
     *
     * @param service one of {@link #SERVICES}
     * @param telemetry that service's spans and propagators
     * @return this
     */
    public Builder telemetry(String service, OpenTelemetry telemetry) {
      if (!SERVICES.contains(service)) {
        throw new IllegalArgumentException("service must be one of " + SERVICES + ": " + service);
      }
      perService.put(service, Objects.requireNonNull(telemetry, "telemetry == null"));
      return this;
    }

    private OpenTelemetry telemetry(String service) {
      return perService.getOrDefault(service, openTelemetry);
    }

    /**
     * The Kafka cluster.
     *
     * @param bootstrapServers a {@code bootstrap.servers} value, e.g. {@code 127.0.0.1:9092}
     * @return this
     */
    public Builder kafkaBootstrap(String bootstrapServers) {
      this.kafkaBootstrap = Objects.requireNonNull(bootstrapServers, "bootstrapServers == null");
      return this;
    }

    /**
     * The RabbitMQ (AMQP 0-9-1) broker.
     *
     * @param connectionFactory opens the app's two connections
     * @return this
     */
    public Builder amqp(ConnectionFactory connectionFactory) {
      this.amqp = Objects.requireNonNull(connectionFactory, "connectionFactory == null");
      return this;
    }

    /**
     * The Kafka topic for orders, created with one partition if missing. Default {@code orders}.
     *
     * @param topic the topic
     * @return this
     */
    public Builder ordersTopic(String topic) {
      this.ordersTopic = Objects.requireNonNull(topic, "topic == null");
      return this;
    }

    /**
     * The name of the RabbitMQ exchange and of the queue bound to it. Default
     * {@code notifications}.
     *
     * @param name the exchange and queue name
     * @return this
     */
    public Builder notifications(String name) {
      this.notifications = Objects.requireNonNull(name, "name == null");
      return this;
    }

    /**
     * The fulfilment worker's consumer group. Default {@code fulfilment}.
     *
     * @param groupId the group id
     * @return this
     */
    public Builder consumerGroup(String groupId) {
      this.consumerGroup = Objects.requireNonNull(groupId, "groupId == null");
      return this;
    }

    /**
     * Starts every service, waits until the worker consumes the orders topic, and returns the
     * running app.
     *
     * @return the running app; close it
     * @throws Exception when a broker cannot be reached or a service cannot start; whatever
     *     started is closed again
     */
    public CheckoutApp start() throws Exception {
      if (kafkaBootstrap == null) {
        throw new IllegalStateException("kafkaBootstrap not set");
      }
      if (amqp == null) {
        throw new IllegalStateException("amqp not set");
      }
      CheckoutApp app = new CheckoutApp();
      try {
        app.start(this);
        return app;
      } catch (Exception | Error e) {
        try {
          app.close();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }
  }
}
