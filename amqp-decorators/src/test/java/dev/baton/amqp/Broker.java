package dev.baton.amqp;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.impl.recovery.AutorecoveringConnection;
import dev.baton.testing.LocalRabbitMq;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real RabbitMQ the broker tests run against: baton-testing's {@link LocalRabbitMq}
 * ({@code BATON_AMQP_URI} when set, else {@code amqp://guest:guest@127.0.0.1:5672}), with the
 * short timeouts and heartbeats these tests want, and the broker-side close the recovery tests
 * need. Nothing is skipped: when it does not answer, the tests fail saying what to start.
 */
final class Broker {

  private Broker() {}

  static String uri() {
    return LocalRabbitMq.uri();
  }

  static ConnectionFactory factory() {
    ConnectionFactory factory = new ConnectionFactory();
    try {
      factory.setUri(uri());
    } catch (Exception e) {
      throw new AssertionError("Bad " + LocalRabbitMq.ENV + " '" + uri() + "': " + e, e);
    }
    factory.setConnectionTimeout(5_000);
    factory.setHandshakeTimeout(5_000);
    factory.setRequestedHeartbeat(5);
    factory.setNetworkRecoveryInterval(500);
    factory.setAutomaticRecoveryEnabled(false);
    return factory;
  }

  /** A new connection named {@code name}, or a failure that says what to start. */
  static Connection connect(ConnectionFactory factory, String name) {
    try {
      return factory.newConnection(name);
    } catch (Exception e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      throw new AssertionError(
          "RabbitMQ is not reachable at " + uri() + " (" + root + "). Start it with "
              + "`rabbitmq-server -detached`, or point " + LocalRabbitMq.ENV + " at a running broker "
              + "(amqp://user:password@host:port/vhost).",
          e);
    }
  }

  static String unique(String prefix) {
    return "baton-test-" + prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Makes the broker close {@code connection} as an operator would ({@code rabbitmqctl
   * close_connection}), found by its client port. Where rabbitmqctl is missing or cannot reach
   * the node (a remote {@code BATON_AMQP_URI}), the client's socket is closed instead: a network
   * failure, which triggers automatic recovery the same way. Returns what was done.
   */
  static String forceClose(Connection connection) throws Exception {
    int localPort = ((AutorecoveringConnection) connection).getDelegate().getLocalPort();
    String listed = run(
        List.of("rabbitmqctl", "-q", "list_connections", "--no-table-headers", "pid", "peer_port"));
    if (listed != null) {
      for (String line : listed.split("\n")) {
        String[] cols = line.trim().split("\\s+");
        if (cols.length == 2 && cols[1].equals(Integer.toString(localPort))) {
          String closed = run(List.of("rabbitmqctl", "-q", "close_connection", cols[0],
              "baton test: broker-side close"));
          if (closed != null) {
            return "rabbitmqctl close_connection " + cols[0];
          }
        }
      }
    }
    ((AutorecoveringConnection) connection).getDelegate().getFrameHandler().close();
    return "client socket closed";
  }

  /** Runs a command for at most 30 s; its output, or {@code null} when it failed. */
  private static String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (InputStream in = p.getInputStream()) {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return null;
        }
        in.transferTo(out);
      }
      return p.exitValue() == 0 ? out.toString(StandardCharsets.UTF_8) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
