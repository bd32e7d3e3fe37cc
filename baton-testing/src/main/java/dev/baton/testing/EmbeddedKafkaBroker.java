package dev.baton.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one node) running
 * inside the test's JVM, listening on 127.0.0.1 only. Its data lives in a temporary directory
 * deleted on {@link #close()}. About 3 s to start and 300 MB of heap.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
 *   props.put("bootstrap.servers", kafka.bootstrapServers());
 *   ...
 * }
 * }</pre>
 *
 * <p>Needs {@code org.apache.kafka:kafka_2.13} and {@code org.apache.kafka:kafka-server} (4.x)
 * on the test classpath; they are optional dependencies of {@code baton-testing}. Topics are
 * created on first use, with one partition unless the test creates them itself.
 *
 * @since 0.1.0
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  private static final String HOST = "127.0.0.1";

  private final Path dataDir;
  private final KafkaRaftServer server;
  private final String bootstrapServers;
  private boolean closed;

  private EmbeddedKafkaBroker(Path dataDir, KafkaRaftServer server, String bootstrapServers) {
    this.dataDir = dataDir;
    this.server = server;
    this.bootstrapServers = bootstrapServers;
  }

  /**
   * Starts a broker on a free port.
   *
   * @return the running broker; close it when done
   * @throws IOException when the data directory cannot be written
   */
  public static EmbeddedKafkaBroker start() throws IOException {
    return start(0);
  }

  /**
   * Starts a broker on {@code port}, or on a free port when {@code port} is 0.
   *
   * @param port the client port on 127.0.0.1, or 0
   * @return the running broker; close it when done
   * @throws IOException when the data directory cannot be written
   * @throws IllegalStateException when the port is taken
   */
  public static EmbeddedKafkaBroker start(int port) throws IOException {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be from 0 to 65535: " + port);
    }
    int clientPort = port == 0 ? freePort() : port;
    if (port != 0 && !isFree(port)) {
      throw new IllegalStateException(
          "port " + port + " on " + HOST + " is already in use: stop what listens there, or"
              + " choose another port");
    }
    Path dataDir = Files.createTempDirectory("baton-kafka-");
    try {
      Properties config = config(clientPort, freePort(), dataDir.resolve("log"));
      format(config, dataDir.resolve("server.properties"));
      KafkaRaftServer server =
          new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
      server.startup();
      return new EmbeddedKafkaBroker(dataDir, server, HOST + ":" + clientPort);
    } catch (IOException | RuntimeException e) {
      delete(dataDir);
      throw e;
    }
  }

  /**
   * Returns the value for a client's {@code bootstrap.servers}.
   *
   * @return {@code 127.0.0.1:<port>}
   */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Stops the broker and deletes its data. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      server.shutdown();
      server.awaitShutdown();
    } finally {
      delete(dataDir);
    }
  }

  private static Properties config(int port, int controllerPort, Path logDir) {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("listeners",
        "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("log.dirs", logDir.toString());
    // one node: every internal topic with one replica; consumers join without delay
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "1");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("num.partitions", "1");
    // small, for test machines and laptops
    p.setProperty("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
    p.setProperty("num.network.threads", "2");
    p.setProperty("num.io.threads", "2");
    return p;
  }

  /** Formats the log directory with a fresh cluster id, as {@code kafka-storage.sh format} does. */
  private static void format(Properties config, Path configFile) throws IOException {
    try (OutputStream out = Files.newOutputStream(configFile)) {
      config.store(out, null);
    }
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    int exitCode = StorageTool.execute(new String[] {
        "format", "--config", configFile.toString(),
        "--cluster-id", Uuid.randomUuid().toString()}, quiet);
    if (exitCode != 0) {
      throw new IOException("formatting the Kafka log directory failed (exit code " + exitCode + ")");
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + HOST, e);
    }
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temporary directory left behind is not worth failing a test for
    }
  }
}
