package dev.baton.it;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A single-node KRaft broker (broker and controller in one process) running
 * {@code dev.baton.it.broker.KafkaBrokerMain} in a child JVM, bound to 127.0.0.1 on two free
 * ports. The child's classpath holds kafka_2.13 {@code ${kafka.version}}; the test JVM holds
 * only the kafka-clients under test, whatever its version.
 *
 * <p>The classpath comes from the build (system properties set by failsafe, see
 * {@code integration-tests/pom.xml}): {@value #CLASSPATH_FILE_PROPERTY} names the file
 * written by {@code dependency:build-classpath}, {@value #MAIN_CLASSES_PROPERTY} the directory
 * holding {@code KafkaBrokerMain}. The broker's log goes to
 * {@code <baton.kafka.broker.log.dir>/kafka-broker-<test-jvm-pid>-<n>.log}.
 *
 * <p>{@link #stop()} (a clean shutdown), {@link #kill()} (SIGKILL) and {@link #restart()} keep
 * ports and data. {@link #close()} stops the broker and deletes its data directory; a JVM shutdown hook does the same if nobody closed it,
 * and the child also stops by itself when the test JVM dies (its stdin closes).
 *
 * <p>The same class runs one node of a {@link LocalKafkaCluster}; {@link #nodeId()} tells which.
 *
 * <p>Thread-safe; start, stop, kill and restart are serialized.
 */
public final class LocalKafkaBroker implements KafkaBroker, AutoCloseable {

  static final String CLASSPATH_FILE_PROPERTY = "baton.kafka.broker.classpath.file";
  static final String MAIN_CLASSES_PROPERTY = "baton.kafka.broker.main.classes";
  static final String LOG_DIR_PROPERTY = "baton.kafka.broker.log.dir";
  private static final String MAIN_CLASS = "dev.baton.it.broker.KafkaBrokerMain";
  private static final String HOST = "127.0.0.1";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private final int id = COUNTER.incrementAndGet();
  private final boolean autoCreateTopics;
  private final int nodeId;
  /** The static quorum of a cluster node, null for a single-node broker. */
  private final String quorumVoters;
  private final String clusterId;
  private final Path dataDir;
  private final Path logFile;
  private final Thread cleanupOnExit;
  private int port;
  private int controllerPort;
  private Process process;
  private boolean closed;

  private LocalKafkaBroker(boolean autoCreateTopics, int nodeId, String quorumVoters,
      String clusterId) throws IOException {
    this.autoCreateTopics = autoCreateTopics;
    this.nodeId = nodeId;
    this.quorumVoters = quorumVoters;
    this.clusterId = clusterId;
    this.dataDir = Files.createTempDirectory("baton-kafka-" + id + "-");
    String logDir = System.getProperty(LOG_DIR_PROPERTY);
    this.logFile = (logDir != null ? Path.of(logDir) : dataDir)
        .resolve("kafka-broker-" + ProcessHandle.current().pid() + "-" + id + ".log");
    this.cleanupOnExit = new Thread(this::close, "kafka-broker-" + id + "-cleanup");
  }

  /**
   * Starts a new broker of its own (about 3-5 s). The caller closes it, e.g. in
   * try-with-resources.
   *
   * @param autoCreateTopics the broker's {@code auto.create.topics.enable}
   */
  public static LocalKafkaBroker start(boolean autoCreateTopics) {
    LocalKafkaBroker broker;
    try {
      broker = new LocalKafkaBroker(autoCreateTopics, 1, null, null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a data directory for a Kafka broker", e);
    }
    Runtime.getRuntime().addShutdownHook(broker.cleanupOnExit);
    try {
      broker.startOnFreePorts();
    } catch (RuntimeException | Error e) {
      broker.close();
      throw e;
    }
    return broker;
  }

  /**
   * One node of a {@link LocalKafkaCluster}, on the given ports, not started yet: the cluster
   * starts all its nodes at once ({@link #startNode()}), since none serves before the quorum has
   * a leader.
   */
  static LocalKafkaBroker clusterNode(int nodeId, int port, int controllerPort,
      String quorumVoters, String clusterId) {
    LocalKafkaBroker broker;
    try {
      broker = new LocalKafkaBroker(false, nodeId, quorumVoters, clusterId);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a data directory for a Kafka broker", e);
    }
    broker.port = port;
    broker.controllerPort = controllerPort;
    Runtime.getRuntime().addShutdownHook(broker.cleanupOnExit);
    return broker;
  }

  /** Starts a cluster node for the first time; blocks until it serves. */
  synchronized void startNode() {
    launch();
  }

  /** The KRaft {@code node.id}: 1 for a single-node broker. */
  public int nodeId() {
    return nodeId;
  }

  @Override
  public synchronized String bootstrapServers() {
    return HOST + ":" + port;
  }

  /** The {@code auto.create.topics.enable} this broker runs with. */
  public boolean autoCreateTopics() {
    return autoCreateTopics;
  }

  @Override
  public void createTopic(String name, int partitions) {
    Topics.create(bootstrapServers(), name, partitions, (short) 1);
  }

  /** Whether the broker process is up (false after {@link #stop()} or a crash). */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  @Override
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    Process p = process;
    process = null;
    long startNanos = System.nanoTime();
    try {
      p.getOutputStream().close(); // KafkaBrokerMain shuts down when its stdin closes
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroy(); // SIGTERM: Kafka's shutdown through the shutdown hook
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    System.err.printf("[baton-it] %s stopped in %d ms%n", this,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
  }

  /**
   * Kills the broker process at once (SIGKILL): no controlled shutdown, no flush, connections
   * reset. {@link #restart()} brings it back on the same ports and data, after log recovery.
   */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    Process p = process;
    process = null;
    p.destroyForcibly();
    try {
      if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(this + " still runs " + STOP_TIMEOUT + " after SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    System.err.printf("[baton-it] %s killed%n", this);
  }

  @Override
  public synchronized void restart() {
    checkNotClosed();
    stop();
    launch();
  }

  @Override
  public boolean isExternal() {
    return false;
  }

  /** Starts the broker again if it was stopped (or died); a no-op while it runs. */
  synchronized void ensureRunning() {
    if (!isRunning()) {
      restart();
    }
  }

  /** Stops the broker and deletes its data. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      stop();
      deleteRecursively(dataDir);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
    } catch (IllegalStateException | IllegalArgumentException e) {
      // the JVM is shutting down (we may be the hook itself), or the hook was never added
    }
  }

  @Override
  public String toString() {
    return "local Kafka broker #" + id + (quorumVoters == null ? "" : " (node " + nodeId + ")")
        + " at " + bootstrapServers() + " (log " + logFile + ")";
  }

  // Free ports are found by binding and releasing them; another process may grab one in
  // between, so a bind failure on the first start is retried on fresh ports.
  private synchronized void startOnFreePorts() {
    for (int attempt = 1; ; attempt++) {
      port = freePort();
      controllerPort = freePort();
      try {
        launch();
        return;
      } catch (BrokerStartException e) {
        if (attempt == 3 || !e.portInUse) {
          throw e;
        }
      }
    }
  }

  private void launch() {
    checkNotClosed();
    String classpath = classpath();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Djava.awt.headless=true",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel="
            + System.getProperty("baton.kafka.broker.log.level", "info"),
        "-Dorg.slf4j.simpleLogger.showDateTime=true",
        "-cp", classpath,
        MAIN_CLASS,
        Integer.toString(port), Integer.toString(controllerPort), dataDir.toString(),
        Boolean.toString(autoCreateTopics)));
    if (quorumVoters != null) {
      command.addAll(List.of(Integer.toString(nodeId), quorumVoters, clusterId));
    }
    long startNanos = System.nanoTime();
    Process p;
    try {
      String shown = String.join(" ", command)
          .replace(classpath, "<" + CLASSPATH_FILE_PROPERTY + ">");
      Files.writeString(logFile, "=== start " + Instant.now() + " " + shown + "\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      p = new ProcessBuilder(command)
          .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot launch the Kafka broker JVM", e);
    }
    CompletableFuture<String> ready = new CompletableFuture<>();
    Thread reader = new Thread(() -> readProtocol(p, ready), "kafka-broker-" + id + "-stdout");
    reader.setDaemon(true);
    reader.start();
    try {
      String bootstrap = ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (!bootstrap.equals(HOST + ":" + port)) {
        throw new IllegalStateException("broker reports " + bootstrap + ", expected port " + port);
      }
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      p.destroyForcibly();
      String log = tail(logFile, 40);
      throw new BrokerStartException("Kafka broker #" + id + " did not start within "
          + START_TIMEOUT.toSeconds() + " s; last lines of " + logFile + ":\n" + log,
          e instanceof ExecutionException ? e.getCause() : e,
          log.contains("Address already in use"));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the Kafka broker", e);
    }
    process = p;
    System.err.printf("[baton-it] %s started in %d ms%n", this,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
  }

  // Runs until the child's stdout closes, i.e. until the child exits.
  private static void readProtocol(Process p, CompletableFuture<String> ready) {
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("READY ")) {
          ready.complete(line.substring("READY ".length()).trim());
        }
      }
    } catch (IOException e) {
      // the child went away; handled below
    }
    ready.completeExceptionally(new IllegalStateException("broker JVM exited"));
  }

  private static String classpath() {
    String file = System.getProperty(CLASSPATH_FILE_PROPERTY);
    String mainClasses = System.getProperty(MAIN_CLASSES_PROPERTY);
    if (file == null || mainClasses == null) {
      throw new IllegalStateException("system properties " + CLASSPATH_FILE_PROPERTY + " and "
          + MAIN_CLASSES_PROPERTY + " are not set: run the integration tests through Maven"
          + " (mvn verify), set them as the integration-tests pom does, or set"
          + " BATON_KAFKA_BOOTSTRAP to use a running cluster");
    }
    try {
      return mainClasses + File.pathSeparator + Files.readString(Path.of(file)).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the broker classpath " + file
          + " (written by dependency:build-classpath during the build)", e);
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + HOST, e);
    }
  }

  private void checkNotClosed() {
    if (closed) {
      throw new IllegalStateException(this + " is closed");
    }
  }

  private static String tail(Path file, int lines) {
    try (Stream<String> all = Files.lines(file, StandardCharsets.UTF_8)) {
      List<String> list = all.toList();
      return String.join("\n", list.subList(Math.max(0, list.size() - lines), list.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      System.err.println("[baton-it] could not delete " + dir + ": " + e);
    }
  }

  private static final class BrokerStartException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    final boolean portInUse;

    BrokerStartException(String message, Throwable cause, boolean portInUse) {
      super(message, cause);
      this.portInUse = portInUse;
    }
  }
}
