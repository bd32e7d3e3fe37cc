package dev.baton.amqp;

import com.rabbitmq.client.GetResponse;

/**
 * A {@code basicGet} result as a traced channel returns it: the same envelope, properties, body
 * and message count, plus the queue it came from, which the response itself does not say, so that
 * {@link AmqpTracing#process} can name its span {@code process {queue}} (or {@code process} for a
 * temporary or anonymous queue).
 */
final class TracedGetResponse extends GetResponse {

  final String queue;
  /** {@link TemporaryQueues} flags of {@link #queue}. */
  final int queueFlags;
  final ServerEndpoint endpoint;

  TracedGetResponse(
      GetResponse response, String queue, int queueFlags, ServerEndpoint endpoint) {
    super(
        response.getEnvelope(),
        response.getProps(),
        response.getBody(),
        response.getMessageCount());
    this.queue = queue;
    this.queueFlags = queueFlags;
    this.endpoint = endpoint;
  }
}
