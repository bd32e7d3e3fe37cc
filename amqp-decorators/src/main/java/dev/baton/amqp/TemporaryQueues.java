package dev.baton.amqp;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which queues are temporary or anonymous, for the semantic conventions' rule that such a
 * destination's name stays out of span names (it is often generated: one name per reply queue
 * would be one span name per reply queue in every backend). Shared by every channel of one
 * {@link AmqpTracing}. Thread-safe.
 *
 * <p>A queue is known as:
 *
 * <ul>
 *   <li>temporary and anonymous when a traced channel declared it with a name the broker chose
 *       ({@code queueDeclare()}, or an empty name) and exclusive or auto-delete (as
 *       {@code queueDeclare()} always is); anonymous only when such a queue is durable and
 *       neither;
 *   <li>temporary when a traced channel declared it exclusive or auto-delete under its own name;
 *   <li>anonymous when its name starts with {@code amq.gen-}: only the broker makes such names
 *       (clients may not declare {@code amq.} queues), whoever declared it;
 *   <li>temporary and anonymous for direct reply-to: {@code amq.rabbitmq.reply-to} and the
 *       {@code amq.rabbitmq.reply-to.…} addresses replies are sent to.
 * </ul>
 *
 * <p>Queues declared elsewhere under a client-chosen name are not known to be temporary. At most
 * {@link #MAX_REMEMBERED} declared names are remembered (an arbitrary one is forgotten beyond);
 * {@code queueDelete} through a traced channel forgets one.
 */
final class TemporaryQueues {

  /** Flag: the destination may not exist once its messages are processed. */
  static final int TEMPORARY = 1;
  /** Flag: the destination has no name or a generated one. */
  static final int ANONYMOUS = 2;

  static final String SERVER_NAMED_PREFIX = "amq.gen-";
  static final String DIRECT_REPLY_TO = "amq.rabbitmq.reply-to";
  static final int MAX_REMEMBERED = 10_000;

  private final ConcurrentHashMap<String, Integer> declared = new ConcurrentHashMap<>();

  /** Records a declaration made through a traced channel; {@code name} is the broker's answer. */
  void declared(String name, boolean serverNamed, boolean exclusive, boolean autoDelete) {
    if (name == null || name.isEmpty()) {
      return;
    }
    int flags = (serverNamed ? ANONYMOUS : 0) | (exclusive || autoDelete ? TEMPORARY : 0);
    if (flags == 0) {
      declared.remove(name); // redeclared as a lasting queue after a delete
      return;
    }
    if (declared.put(name, flags) == null && declared.size() > MAX_REMEMBERED) {
      Iterator<String> it = declared.keySet().iterator();
      if (it.hasNext()) {
        String forgotten = it.next();
        if (!forgotten.equals(name)) {
          it.remove();
        }
      }
    }
  }

  void deleted(String name) {
    if (name != null) {
      declared.remove(name);
    }
  }

  /** {@link #TEMPORARY} and/or {@link #ANONYMOUS} for the queue {@code name}; 0 when neither. */
  int flags(String name) {
    if (name == null || name.isEmpty()) {
      return 0;
    }
    if (name.startsWith(DIRECT_REPLY_TO)
        && (name.length() == DIRECT_REPLY_TO.length()
            || name.charAt(DIRECT_REPLY_TO.length()) == '.')) {
      return TEMPORARY | ANONYMOUS;
    }
    Integer known = declared.isEmpty() ? null : declared.get(name);
    if (known != null) {
      return known;
    }
    return name.startsWith(SERVER_NAMED_PREFIX) ? ANONYMOUS : 0;
  }

  /**
   * The flags of a message's destination when only the exchange and routing key are known: through
   * the default exchange the routing key names the queue; through any other exchange the
   * destination is that exchange, which is not tracked.
   */
  int flags(String exchange, String routingKey) {
    return exchange == null || exchange.isEmpty() ? flags(routingKey) : 0;
  }
}
