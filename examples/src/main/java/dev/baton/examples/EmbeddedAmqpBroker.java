package dev.baton.examples;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.qpid.server.SystemLauncher;

/**
 * An Apache Qpid Broker-J inside the demo's JVM, for when no RabbitMQ answers: in memory, on
 * 127.0.0.1, user {@code guest}/{@code guest}, speaking the AMQP 0-9-1 that amqp-client speaks.
 * Its work directory is temporary and deleted on {@link #close()}.
 */
final class EmbeddedAmqpBroker implements AutoCloseable {

  private static final String HOST = "127.0.0.1";

  private final SystemLauncher launcher;
  private final Path workDir;
  private final int port;
  private boolean closed;

  private EmbeddedAmqpBroker(SystemLauncher launcher, Path workDir, int port) {
    this.launcher = launcher;
    this.workDir = workDir;
    this.port = port;
  }

  /**
   * Starts the broker on {@code port}, or on a free port when it is 0.
   *
   * @throws IllegalStateException when the port is in use
   */
  static EmbeddedAmqpBroker start(int requestedPort) throws Exception {
    if (requestedPort != 0 && !FreePorts.isFree(requestedPort)) {
      throw new IllegalStateException("port " + requestedPort + " on " + HOST + " is already in use:"
          + " stop what listens there, or choose another port");
    }
    int port = requestedPort == 0 ? FreePorts.next() : requestedPort;
    Path workDir = TempDirs.create("baton-demo-amqp-");
    SystemLauncher launcher = new SystemLauncher();
    try {
      Path config = workDir.resolve("initial-config.json");
      Files.writeString(config, initialConfig(port), StandardCharsets.UTF_8);
      launcher.startup(Map.of(
          "type", "Memory",
          "initialConfigurationLocation", config.toUri().toString(),
          "startupLoggedToSystemOut", false,
          "context", Map.of("qpid.work_dir", workDir.toString())));
      return new EmbeddedAmqpBroker(launcher, workDir, port);
    } catch (Exception e) {
      launcher.shutdown();
      TempDirs.delete(workDir);
      throw e;
    }
  }

  /** The URI for amqp-client, credentials included. */
  String uri() {
    return "amqp://guest:guest@" + HOST + ":" + port;
  }

  /** Stops the broker and deletes its work directory. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      launcher.shutdown();
    } finally {
      TempDirs.delete(workDir);
    }
  }

  /**
   * One AMQP 0-9-1 port, one in-memory virtual host for every name, and PLAIN authentication
   * (the only mechanism amqp-client offers), which Qpid allows without TLS only when told to.
   */
  private static String initialConfig(int port) {
    return """
        {
          "name": "baton-demo",
          "modelVersion": "9.1",
          "authenticationproviders": [ {
            "name": "plain", "type": "Plain", "secureOnlyMechanisms": [],
            "users": [ { "name": "guest", "type": "managed", "password": "guest" } ]
          } ],
          "ports": [ {
            "name": "AMQP", "port": %d, "bindingAddress": "%s",
            "protocols": [ "AMQP_0_9_1" ],
            "authenticationProvider": "plain",
            "virtualhostaliases": [
              { "name": "nameAlias", "type": "nameAlias" },
              { "name": "defaultAlias", "type": "defaultAlias" } ]
          } ],
          "virtualhostnodes": [ {
            "name": "default", "type": "Memory", "defaultVirtualHostNode": "true",
            "virtualHostInitialConfiguration": "{ \\"type\\": \\"Memory\\" }"
          } ]
        }
        """.formatted(port, HOST);
  }
}
